from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def extractor():
    from onrecord.analyze.pipeline import Extractor

    return Extractor()


@pytest.fixture(scope="session")
def find(extractor):
    """find(text) -> list of quotes; quote(text, fragment) -> the quote containing fragment."""

    def _find(text: str):
        return extractor.extract(text)

    return _find


@pytest.fixture(scope="session")
def rules_extractor(extractor):
    """The rules and the confidence model alone (``onrecord extract --rules``), sharing the pipeline."""
    from onrecord.analyze.pipeline import Extractor

    return Extractor(nlp=extractor.nlp, decider=None)


@pytest.fixture(scope="session")
def rules_find(rules_extractor):
    """find(text) with the rules alone: what the parse rules (find/parse_rules.py) and assembly make of a
    construction, which the tagger reads as features and which ``--rules`` outputs."""

    def _find(text: str):
        return rules_extractor.extract(text)

    return _find


@pytest.fixture(scope="session")
def nested_find(extractor):
    """find(text), attributions nested in quotations reported too (``--nested``)."""
    from onrecord.analyze.pipeline import Extractor

    ex = Extractor(nlp=extractor.nlp, nested=True)
    return ex.extract


def quote_with(result, fragment: str):
    """The shortest quote containing ``fragment`` (an enclosing quote contains it too)."""
    hits = [q for q in result.quotes if fragment in q.text]
    assert hits, f"no quote contains {fragment!r}; found {[q.text for q in result.quotes]}"
    return min(hits, key=lambda q: len(q.text))
