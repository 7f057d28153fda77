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
