"""The tagger's trainer (train/tagger.py) on a tiny made-up data set: what `make train` relies on."""

import numpy as np
import pytest

pytest.importorskip("torch", reason="training needs PyTorch (the train extra; make test installs it with embed)")

from onrecord.analyze.find.model import COLUMNS, LABELS  # noqa: E402
from onrecord.train.tagger import ArticleData, train  # noqa: E402


def _data() -> list[ArticleData]:
    """Six chunks of 12 tokens whose tags follow their first categorical column (made up, not news)."""
    rng = np.random.default_rng(0)
    out = []
    for n in range(6):
        tags = rng.integers(0, len(LABELS), 12)
        cats = np.zeros((12, len(COLUMNS)), dtype=np.int16)
        cats[:, 0] = tags + 1
        dense = rng.normal(size=(12, 96)).astype(np.float16)
        spans = np.stack([np.arange(12), np.arange(12) + 1], axis=1).astype(np.int32)
        out.append(ArticleData(f"a{n}", [(spans, dense, cats, spans)], [], [tags.astype(np.int64)]))
    return out


def _train(**kw) -> dict[str, np.ndarray]:
    return train(_data(), [len(LABELS) + 1] + [3] * (len(COLUMNS) - 1), hidden=8, batch=2, seed=3,
                 log=lambda _msg: None, **kw)


def test_averaged_weights_are_the_mean_of_each_epochs_end_from_the_one_given():
    """--average-from 2 over 3 epochs gives the mean of the weights after epochs 2 and 3, which are the
    weights a 2-epoch and a 3-epoch training end with (the same seed follows the same path)."""
    two, three = _train(epochs=2), _train(epochs=3)
    averaged = _train(epochs=3, average_from=2)
    assert set(averaged) == set(three)
    for name in three:
        np.testing.assert_allclose(averaged[name], (two[name] + three[name]) / 2, rtol=1e-5, atol=1e-6)
    assert any(not np.allclose(averaged[name], three[name]) for name in three)  # not just the last epoch's


def test_without_averaging_the_last_epochs_weights_are_returned_and_a_seed_repeats_them():
    first, again = _train(epochs=2), _train(epochs=2)
    for name in first:
        np.testing.assert_array_equal(first[name], again[name])
    assert all(np.array_equal(_train(epochs=2, average_from=2)[n], first[n]) for n in first)


def _worded() -> tuple[list, list[ArticleData]]:
    """Three made-up articles (not news) whose "said" is a cue and whose other words are not."""
    from onrecord.evaluate.metrics import Gold

    golds, data = [], []
    for n, text in enumerate(["Ann said no . Bob said yes .", "Cy said so .", "Dee nodded . Eve said it ."]):
        offs, at = [], 0
        for w in text.split(" "):
            offs.append((at, at + len(w)))
            at += len(w) + 1
        stored = np.array(offs, dtype=np.int32)
        cats = np.zeros((len(offs), len(COLUMNS) - 1), dtype=np.int16)  # a cache made before words: no column
        dense = np.zeros((len(offs), 96), dtype=np.float16)
        tags = np.array([LABELS.index("B-CUE") if text[s:e] == "said" else 0 for s, e in offs])
        golds.append(Gold(f"w{n}", text, []))
        data.append(ArticleData(f"w{n}", [(stored, dense, cats, stored)], [], [tags]))
    return golds, data


def test_the_words_known_by_name_are_those_frequent_enough_most_frequent_first():
    from onrecord.train.tagger import known_words

    golds, data = _worded()
    assert known_words(golds, data, min_count=2) == [".", "said"]  # "." 5 times, "said" 4
    assert known_words(golds, data, min_count=5) == ["."]
    assert known_words(golds, data, min_count=9) == []
    assert known_words(golds, data, min_count=0) == []  # --min-word-count 0: a tagger without words


def test_the_word_column_holds_each_words_index_and_a_model_reads_it():
    """with_words sets the "word" column (0 for a word not known); a model trained with it has an
    embedding for it, and numpy computes from the same columns what PyTorch does."""
    from onrecord.analyze.find.model import Chunk, Vocab
    from onrecord.train.tagger import tagger_of, torch_emissions, with_words

    golds, data = _worded()
    words = ["said", "."]
    worded = with_words(golds, data, words)
    cats = worded[2].chunks[0][2]
    assert cats.shape[1] == len(COLUMNS)
    assert [int(c) for c in cats[:, COLUMNS.index("word")]] == [0, 0, 2, 0, 1, 0, 2]  # Dee nodded . Eve said it .
    assert with_words(golds, data, [])[0].chunks[0][2].shape[1] == len(COLUMNS) - 1  # no words: no column
    vocab = Vocab(["NN"], ["nsubj"], words)
    sizes = vocab.sizes()
    assert len(sizes) == len(COLUMNS) and sizes[-1] == len(words) + 1
    weights = train(worded, sizes, epochs=2, hidden=8, batch=2, seed=1, log=lambda _msg: None)
    assert weights[f"emb{COLUMNS.index('word')}"].shape == (3, 32)
    tagger = tagger_of(weights, vocab)
    chunks = [Chunk(0, s, d.astype(np.float32), c) for s, d, c, _ in (ch for a in worded for ch in a.chunks)]
    for a, b in zip(tagger.emissions(chunks), torch_emissions(tagger.weights, sizes, chunks, 2), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-4)


def test_a_word_dropped_in_training_is_read_as_an_unknown_word():
    """--word-dropout P reads each known word as unknown with probability P in training: at 1 the training
    is exactly that of the same articles with every word unknown, at 0 exactly the one without the option
    (its draws come from a generator of its own, so they move nothing else)."""
    from onrecord.analyze.find.model import Vocab
    from onrecord.train.tagger import with_words

    golds, data = _worded()
    words = ["said", "."]
    worded = with_words(golds, data, words)
    unknown = with_words(golds, data, words)
    for a in unknown:
        for _spans, _dense, cats, _stored in a.chunks:
            cats[:, COLUMNS.index("word")] = 0
    sizes = Vocab(["NN"], ["nsubj"], words).sizes()

    def fit(articles, **kw):
        return train(articles, sizes, epochs=2, hidden=8, batch=2, seed=1, log=lambda _msg: None, **kw)

    plain, none_dropped = fit(worded), fit(worded, word_dropout=0.0)
    dropped, all_unknown = fit(worded, word_dropout=1.0), fit(unknown)
    for name in plain:
        np.testing.assert_array_equal(dropped[name], all_unknown[name])
        np.testing.assert_array_equal(none_dropped[name], plain[name])
    emb = f"emb{COLUMNS.index('word')}"
    assert not np.allclose(plain[emb][1:], dropped[emb][1:])  # without the option the words' rows learn


def _taught() -> list[ArticleData]:
    """_data() with teacher vectors that follow each token's tag (made up: what the encoder would say)."""
    data = _data()
    for a in data:
        tags = a.labels[0]
        a.teacher = [np.eye(4, dtype=np.float16)[tags % 4] * 2 - 0.5]
    return data


def test_a_tagger_taught_the_encoders_vectors_ships_the_same_weights_and_learns_them():
    """--distil W adds a loss for predicting each word's teacher vector from the LSTM's output: at 0 the
    training is bitwise the one without it (no layer made, no draw moved), above 0 the tagger's weights
    move, the teacher's part of the loss falls, and what is saved is the tagger alone (the layer that
    predicts the teacher is not shipped: at run time no encoder is read)."""
    sizes = [len(LABELS) + 1] + [3] * (len(COLUMNS) - 1)
    lines: list[str] = []

    def fit(data, **kw):
        return train(data, sizes, hidden=8, batch=2, seed=3, epochs=6, average_from=None, log=lines.append, **kw)

    plain, zero = fit(_data()), fit(_taught(), distil=0.0)
    for name in plain:
        np.testing.assert_array_equal(zero[name], plain[name])
    lines.clear()
    taught = fit(_taught(), distil=0.5)
    assert set(taught) == set(plain) and all(taught[n].shape == plain[n].shape for n in plain)
    assert any(not np.allclose(taught[n], plain[n]) for n in plain)
    parts = [float(line.split("teacher's part ")[1].split(")")[0]) for line in lines]
    assert len(parts) == 6 and parts[-1] < parts[0]
    with pytest.raises(ValueError, match="no teacher vectors"):
        fit(_data(), distil=0.5)


def test_the_teacher_is_the_encoders_vectors_on_their_main_components_at_unit_variance(tmp_path):
    """add_teacher reads the encoder's vectors kept beside the features (no encoder run when every article
    is there), and gives each word its first components, centred, each of unit variance over the words."""
    import pickle

    from onrecord.train.tagger import CrossFit, add_teacher

    data = _data()
    rng = np.random.default_rng(1)
    scale = np.linspace(3, 0.1, 384)
    kept = {a.id: [(rng.normal(size=(12, 384)) * scale + 1).astype(np.float16)] for a in data}
    cache = tmp_path / "encoder-vectors.pkl"
    cache.write_bytes(pickle.dumps(kept))
    add_teacher([], CrossFit(data, [0] * len(data), {}), cache, dims=5, log=lambda _m: None)
    taught = np.concatenate([a.teacher[0] for a in data]).astype(np.float64)
    assert taught.shape == (72, 5)
    np.testing.assert_allclose(taught.mean(0), 0, atol=1e-2)
    np.testing.assert_allclose(taught.std(0), 1, atol=1e-2)
    data[0].chunks[0] = tuple(c[:6] for c in data[0].chunks[0])  # features of other words: refused
    with pytest.raises(SystemExit, match="not those of these features' words"):
        add_teacher([], CrossFit(data, [0] * len(data), {}), cache, dims=5, log=lambda _m: None)


def test_taggers_of_several_seeds_saved_as_one_file_give_the_mean_of_their_emissions(tmp_path):
    """train/tagger.py ``save`` of two seeds' weights: the file read back is one tagger whose emissions are
    the mean of what PyTorch computes with each, by numpy and by the ONNX file export writes; ``--join``
    refuses taggers trained on other words."""
    import json

    from onrecord.analyze.find.model import Chunk, SpanTagger, Vocab
    from onrecord.analyze.find.onnx_tagger import export
    from onrecord.train.tagger import main, save, torch_emissions, with_words

    golds, data = _worded()
    vocab = Vocab(["NN"], ["nsubj"], ["said", "."])
    worded = with_words(golds, data, vocab.words)
    members = [train(worded, vocab.sizes(), epochs=2, hidden=8, batch=2, seed=s, log=lambda _msg: None)
               for s in (1, 2)]
    path = tmp_path / "tagger.npz"
    save(members, vocab, 2, path, {"seed": 1, "seeds": [1, 2]})
    tagger = SpanTagger.load(path)
    assert len(tagger.parts) == 2 and tagger.runtime is None  # no .onnx beside it yet
    chunks = [Chunk(0, s, d.astype(np.float32), c) for s, d, c, _ in (ch for a in worded for ch in a.chunks)]
    rounded = [{k: v.astype(np.float16).astype(np.float32) for k, v in m.items()} for m in members]
    each = [torch_emissions(m, vocab.sizes(), chunks, 2) for m in rounded]
    export(path, path.with_suffix(".onnx"))
    onnx_run = SpanTagger.load(path)
    assert onnx_run.runtime is not None
    for got, by_onnx, a, b in zip(tagger.emissions(chunks), onnx_run.emissions(chunks), *each, strict=True):
        np.testing.assert_allclose(got, (a + b) / 2, atol=1e-4)
        np.testing.assert_allclose(by_onnx, got, atol=1e-4)
    np.testing.assert_allclose(tagger.weights["transitions"],
                               (rounded[0]["transitions"] + rounded[1]["transitions"]) / 2, atol=2e-3)
    other = tmp_path / "other.npz"
    save(members[:1], Vocab(["NN"], ["nsubj"], ["said"]), 2, other, {"seed": 3})
    with pytest.raises(SystemExit, match="words differs"):
        main(["--join", str(path), str(other), "--out", str(tmp_path / "joined.npz")])
    assert json.loads(str(np.load(path)["meta"]))["members"] == 2


_FOLDS_SCRIPT = """
import sys
from pathlib import Path

import numpy as np

from onrecord.analyze.find.model import COLUMNS, LABELS, Vocab
from onrecord.train.tagger import ArticleData, CrossFit, fold_taggers

{worded}
out, jobs = Path(sys.argv[1]), int(sys.argv[2])
if jobs == 1:  # one thread, as each of fold_taggers' processes has
    import torch
    torch.set_num_threads(1)
golds, data = _worded()
fold_taggers(golds, CrossFit(data, [0, 1, 1], {{}}), Vocab(["NN"], ["nsubj"], []), [0, 1], out, jobs, print,
             min_words=1, epochs=2, hidden=8, batch=2, seed=1)
from onrecord.train.tagger import train_members  # the members of the shipped tagger, trained the same way
members = train_members(data, Vocab(["NN"], ["nsubj"], []).sizes(), [1, 2], jobs, print, epochs=2, hidden=8, batch=2)
np.savez(out / "members.npz", **{{f"{{m}}.{{k}}": v for m, w in enumerate(members) for k, v in w.items()}})
"""


def test_fold_taggers_trained_in_parallel_are_those_trained_one_after_the_other(tmp_path):
    """make train's linker and make cv train the fold taggers two at a time, one thread each: the weights
    are those of the same folds trained in turn with one thread, and kept where asked; so are the two
    seeds of the shipped tagger (train_members). (A script of its
    own, run once each way, so that neither run inherits this process's PyTorch threads.)"""
    import inspect
    import subprocess
    import sys
    from pathlib import Path

    script = _FOLDS_SCRIPT.format(worded=inspect.getsource(_worded))
    logs = {}
    for jobs in (2, 1):
        run = subprocess.run([sys.executable, "-c", script, str(tmp_path / f"jobs{jobs}"), str(jobs)],
                             cwd=Path(__file__).parent, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr
        logs[jobs] = run.stdout + run.stderr
    assert "fold 1: epoch 2/2" in logs[2] and "fold 1: epoch" not in logs[1]  # the epochs of fold_taggers' processes
    for k in (0, 1):
        with np.load(tmp_path / "jobs2" / f"fold{k}.npz") as a, np.load(tmp_path / "jobs1" / f"fold{k}.npz") as b:
            assert sorted(a.files) == sorted(b.files) and "words" in a.files
            for name in a.files:
                np.testing.assert_array_equal(a[name], b[name])
    with np.load(tmp_path / "jobs2" / "fold0.npz") as a, np.load(tmp_path / "jobs2" / "fold1.npz") as b:
        assert any(not np.array_equal(a[n], b[n]) for n in a.files if n != "words")  # two folds, two taggers
    assert "seed 2: epoch 2/2" in logs[2]  # train_members' two seeds, each in a process of its own
    with np.load(tmp_path / "jobs2" / "members.npz") as a, np.load(tmp_path / "jobs1" / "members.npz") as b:
        assert sorted(a.files) == sorted(b.files)
        for name in a.files:
            np.testing.assert_array_equal(a[name], b[name])
        assert not np.array_equal(a["0.out_weight"], a["1.out_weight"])  # two seeds, two taggers
