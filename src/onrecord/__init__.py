"""onrecord: who said what, when, in dated news articles.

>>> from onrecord import extract
>>> result = extract('"We are ready," said Jane Doe.')   # doctest: +SKIP
>>> result.quotes[0].speaker.name                          # doctest: +SKIP
'Jane Doe'
"""

from onrecord.types import Article, Cue, Entity, Quote, Result, Speaker

__version__ = "0.1.0"
__all__ = ["extract", "Extractor", "Article", "Cue", "Entity", "Quote", "Result", "Speaker"]


def extract(text: str, date: str | None = None) -> Result:
    """Quotes, speakers and entities of one article's text. Loads the pipeline on first use."""
    from onrecord.analyze.pipeline import extract as _extract

    return _extract(text, date)


def __getattr__(name: str):
    if name == "Extractor":
        from onrecord.analyze.pipeline import Extractor

        return Extractor
    raise AttributeError(name)
