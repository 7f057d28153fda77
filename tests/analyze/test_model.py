"""The tagger's runtimes (numpy, ONNX Runtime): decoding is exact, both give the same scores, and the shipped
model runs offline."""

import dataclasses
import itertools

import numpy as np
import pytest

from onrecord.analyze.find.model import LABELS, SpanTagger, Vocab, spans


def tiny_tagger(seed: int = 0) -> SpanTagger:
    rng = np.random.default_rng(seed)
    n = len(LABELS)
    w = {"transitions": rng.normal(size=(n, n)), "start": rng.normal(size=n), "end": rng.normal(size=n)}
    return SpanTagger(Vocab([], []), {k: v.astype(np.float32) for k, v in w.items()}, 1, {})


def test_viterbi_and_marginals_agree_with_brute_force():
    t = tiny_tagger()
    em = np.random.default_rng(1).normal(size=(3, len(LABELS))).astype(np.float32)
    w = t.weights
    paths = list(itertools.product(range(len(LABELS)), repeat=3))

    def score(p):
        return w["start"][p[0]] + sum(em[i, p[i]] for i in range(3)) \
            + sum(w["transitions"][p[i - 1], p[i]] for i in range(1, 3)) + w["end"][p[-1]]

    scores = np.array([score(p) for p in paths])
    best, probs = t.decode(em)
    assert tuple(best) == paths[int(scores.argmax())]
    z = np.exp(scores - scores.max())
    z /= z.sum()
    for i in range(3):
        want = sum(z[k] for k, p in enumerate(paths) if p[i] == best[i])
        assert probs[i] == pytest.approx(want, rel=1e-4)


def test_spans_are_read_off_bio_tags():
    tags = [LABELS.index(x) for x in ["B-SOURCE", "B-CUE", "B-CONTENT", "I-CONTENT", "O", "I-CONTENT"]]
    got = [(r, i, j) for r, i, j, _p in spans(tags, np.ones(6))]
    assert got == [("SOURCE", 0, 1), ("CUE", 1, 2), ("CONTENT", 2, 4), ("CONTENT", 5, 6)]


def test_shipped_model_loads_offline_and_reproduces_what_the_trainer_computed(monkeypatch):
    """models/tagger.npz, read by numpy alone with the network cut off, gives the emissions and tags that
    PyTorch gave for the probe when `make train` wrote the file (train/tagger.add_probe)."""
    import json
    import socket
    from importlib import resources

    from onrecord.analyze.find.model import MODEL_FILE, Chunk

    def no_network(*args, **kwargs):
        raise AssertionError("the model tried to reach the network")

    monkeypatch.setattr(socket, "socket", no_network)
    tagger = SpanTagger.load()
    with resources.files("onrecord.models").joinpath(MODEL_FILE).open("rb") as fh, np.load(fh) as data:
        probe = json.loads(str(data["meta"]))["probe"]
        stored = [(data[f"probe_dense{n}"], data[f"probe_cats{n}"], data[f"probe_emissions{n}"])
                  for n in range(len(probe["tags"]))]
    assert stored and tagger.about["seed"] == 0
    assert tagger.runtime is not None  # onnxruntime is a dependency, and models/tagger.onnx was made from the .npz
    numpy_only = dataclasses.replace(tagger, runtime=None)
    for (dense, cats, expected), tags in zip(stored, probe["tags"], strict=True):
        chunk = Chunk(0, np.zeros((len(dense), 2), dtype=np.int32), dense, cats)
        for t in (tagger, numpy_only):
            got = t.emissions([chunk])[0]
            assert np.abs(got - expected).max() < 1e-3
            assert t.decode(got)[0] == tags


def test_the_shipped_default_is_two_seeds_read_as_one():
    """models/tagger.npz holds two taggers trained alike with seeds 0 and 1: what it computes is the mean
    of what each computes alone, decoded with the mean of their CRF weights, in ONNX Runtime as in numpy."""
    from onrecord.analyze.find.model import CRF

    t = SpanTagger.load()
    assert t.about["seeds"] == [0, 1] and len(t.parts) == 2
    alone = [SpanTagger(t.vocab, {**t.weights, **part}, t.layers, t.about) for part in t.parts]
    assert not np.allclose(alone[0].parts[0]["out_weight"], alone[1].parts[0]["out_weight"])  # two taggers
    chunks = _random_chunks(t, [9, 1, 0, 25, 4])
    each = [a.emissions(chunks) for a in alone]
    for got, a, b in zip(t.emissions(chunks), *each, strict=True):
        assert np.allclose(got, (a + b) / 2, atol=1e-4)
    again = SpanTagger.ensemble([SpanTagger.load(), SpanTagger.load()])  # joining is not doubling a member
    assert len(again.parts) == 4
    for key in CRF:
        assert np.allclose(again.weights[key], t.weights[key])


def test_taggers_that_know_different_words_are_not_read_as_one():
    t = SpanTagger.load()
    other = dataclasses.replace(t, vocab=Vocab(t.vocab.tags, t.vocab.deps, t.vocab.words[:-1]))
    with pytest.raises(ValueError, match="same words"):
        SpanTagger.ensemble([t, other])


def test_shipped_model_marks_contents_cues_and_sources():
    from onrecord.analyze.find.model import default_tagger
    from onrecord.analyze.pipeline import Extractor

    tagger = default_tagger()
    assert tagger is not None
    ex = Extractor()
    assert ex.decider is not None
    text = "The mayor, Lina Ortiz, said on Monday that the bridge would reopen in May."
    a = next(ex.analyses([__import__("onrecord").types.Article(text=text)]))
    roles = {t.role: text[t.start:t.end] for t in ex.decider.tagged_spans(a)}
    assert roles.get("CUE") == "said"
    assert "bridge would reopen in May" in roles.get("CONTENT", "")


def test_batched_decoding_is_the_same_as_one_sequence_at_a_time():
    t = tiny_tagger(3)
    rng = np.random.default_rng(4)
    ems = [rng.normal(size=(n, len(LABELS))).astype(np.float32) for n in (5, 1, 0, 9, 3, 9, 2)]
    for (tags, probs), em in zip(t.decode_many(ems, group=3), ems, strict=True):
        want_tags, want_probs = t.decode(em)
        assert tags == want_tags
        assert np.allclose(probs, want_probs)


def test_batched_emissions_are_the_same_as_one_chunk_at_a_time():
    from onrecord.analyze.find.model import Chunk

    t = SpanTagger.load()
    rng = np.random.default_rng(5)
    sizes = t.vocab.sizes()
    chunks = [Chunk(0, np.zeros((n, 2), dtype=np.int32), rng.normal(size=(n, _width(t))).astype(np.float32),
                    np.stack([rng.integers(0, s, n) for s in sizes], axis=1).astype(np.int16).reshape(n, len(sizes)))
              for n in (7, 1, 0, 30, 7, 12)]
    together = t.emissions(chunks, group=4)
    for chunk, em in zip(chunks, together, strict=True):
        assert np.allclose(em, t.emissions([chunk])[0], atol=1e-5)


def _width(t: SpanTagger) -> int:
    """The vector columns the tagger reads: the pipeline's 96, then any it adds (the static word vectors)."""
    from onrecord.analyze.find.model import dense_width

    return dense_width(t.weights)


def _random_chunks(t: SpanTagger, lengths, seed: int = 6):
    from onrecord.analyze.find.model import Chunk

    rng = np.random.default_rng(seed)
    return [Chunk(0, np.zeros((n, 2), dtype=np.int32), rng.normal(size=(n, _width(t))).astype(np.float32),
                  np.stack([rng.integers(0, s, n) for s in t.vocab.sizes()], axis=1).astype(np.int16)
                  .reshape(n, len(t.vocab.sizes())))
            for n in lengths]


def test_onnx_runtime_and_numpy_give_the_same_scores():
    """The ONNX file runs the same network as the numpy pass: batches of unequal lengths (the reverse
    direction starting at each chunk's own end), an empty chunk, more chunks than one ONNX batch."""
    t = SpanTagger.load()
    assert t.runtime is not None
    numpy_only = dataclasses.replace(t, runtime=None)
    chunks = _random_chunks(t, [7, 1, 0, 30, 7, 12, 3, 19, 2, 5, 8, 13, 21, 1, 4, 6, 9, 11, 40])
    for a, b in zip(t.emissions(chunks), numpy_only.emissions(chunks), strict=True):
        assert a.shape == b.shape
        assert np.allclose(a, b, atol=1e-4)


def test_the_shipped_onnx_file_is_the_one_export_writes_from_the_shipped_weights(tmp_path):
    from importlib import resources

    from onrecord.analyze.find.onnx_tagger import export

    models = resources.files("onrecord.models")
    export(models.joinpath("tagger.npz"), tmp_path / "tagger.onnx")
    assert (tmp_path / "tagger.onnx").read_bytes() == models.joinpath("tagger.onnx").read_bytes()


def test_an_onnx_file_made_from_other_weights_is_not_used(tmp_path, monkeypatch):
    """A retrained tagger.npz beside the old tagger.onnx runs on numpy (not on the old weights); so does
    any tagger with ONRECORD_TAGGER_RUNTIME=numpy, and one beside a damaged .onnx."""
    import shutil
    from importlib import resources

    models = resources.files("onrecord.models")
    with models.joinpath("tagger.npz").open("rb") as fh, np.load(fh) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["out_bias"] = arrays["out_bias"] + np.float16(1.0)  # "retrained"
    np.savez(tmp_path / "tagger.npz", **arrays)
    shutil.copy(models.joinpath("tagger.onnx"), tmp_path / "tagger.onnx")
    assert SpanTagger.load(tmp_path / "tagger.npz").runtime is None
    shutil.copy(models.joinpath("tagger.npz"), tmp_path / "tagger.npz")
    assert SpanTagger.load(tmp_path / "tagger.npz").runtime is not None
    monkeypatch.setenv("ONRECORD_TAGGER_RUNTIME", "numpy")
    assert SpanTagger.load(tmp_path / "tagger.npz").runtime is None
    monkeypatch.delenv("ONRECORD_TAGGER_RUNTIME")
    (tmp_path / "tagger.onnx").write_bytes(b"not an onnx file")  # damaged: numpy runs, nothing fails
    assert SpanTagger.load(tmp_path / "tagger.npz").runtime is None


def test_the_pipeline_multiplies_through_numpy_and_parses_as_spacy_does():
    """nlp.load() moves spaCy's matrix products from BLIS to numpy (three times faster here): the token
    vectors the tagger reads and the parse the rules read must be what spaCy's own ops give."""
    import spacy
    from thinc.api import NumpyOps

    from onrecord.analyze import nlp as onrecord_nlp

    text = ("“We will not back down,” the health minister, Dana Ruiz, told reporters on Monday. "
            "Her spokesman, Tom Ebert, said later that the ministry would publish the figures, "
            "and the opposition leader accused her of hiding the bill.")
    ours = onrecord_nlp.load()
    theirs = spacy.load(onrecord_nlp.MODEL, exclude=onrecord_nlp.EXCLUDE)
    assert all(not node.ops.use_blis for node in ours.get_pipe("tok2vec").model.walk()
               if isinstance(node.ops, NumpyOps))
    a, b = ours(text), theirs(text)
    assert [(t.tag_, t.dep_, t.head.i) for t in a] == [(t.tag_, t.dep_, t.head.i) for t in b]
    assert np.abs(a.tensor - b.tensor).max() < 1e-4


def test_the_shipped_default_reads_the_static_word_vectors_beside_the_pipelines():
    from onrecord.analyze.find.wordvecs import word_vectors

    t = SpanTagger.load()
    assert t.wordvecs == "wordvecs.npz" and _width(t) == 96 + word_vectors().dim
