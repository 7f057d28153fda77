"""The nested cross-validation's choice of fold taggers (train/outoffold.py), which train/linker.py --cv and
train/bounds.py --cv share."""

from types import SimpleNamespace

import pytest

from onrecord.train.outoffold import Setup, applied_taggers


def _ready() -> Setup:
    return Setup(golds=[], fit=SimpleNamespace(rules={0: None, 1: None}), vocab=None, about={},
                 taggers={0: "fold 0's own", 1: "fold 1's own"})


def test_without_other_folders_the_quotes_measured_are_those_of_the_fold_taggers_learned_from():
    ready = _ready()
    assert applied_taggers(ready, None, print) is ready.taggers
    assert applied_taggers(ready, [], print) is ready.taggers


def test_a_folder_that_lacks_a_folds_tagger_is_named_and_nothing_is_trained(tmp_path):
    (tmp_path / "seed1").mkdir()
    with pytest.raises(SystemExit) as stop:
        applied_taggers(_ready(), [str(tmp_path / "seed1")], print)
    message = str(stop.value)
    assert str(tmp_path / "seed1" / "fold0.npz") in message and "no such fold tagger" in message
    assert list((tmp_path / "seed1").iterdir()) == []


def test_the_floor_grid_tries_each_floor_alone_and_only_second_floors_under_it():
    from onrecord.train.floor import name, settings

    grid = settings([0.5, 0.6], [0.5, 0.4], [0.9])
    assert grid == [(0.5, None, None), (0.5, 0.4, 0.9), (0.6, None, None), (0.6, 0.5, 0.9), (0.6, 0.4, 0.9)]
    assert name(grid[0]) == "floor 0.5" and name(grid[3]) == "floor 0.6, from 0.5 if the speaker is 0.9 sure"
