"""The linker's fitting (train/linker.py): a conditional logit over each quote's options, on hand-made
examples (its figures on PolNeAR are cross-validated in docs/benchmarks.md)."""

from __future__ import annotations

from onrecord.analyze.scoring import Model
from onrecord.train.linker import Example, fit_linker


def _examples() -> list[Example]:
    """Quotes whose speaker is the subject of their cue, never the object, wherever the object stands
    (nearer or not), and quotes with no right option at all."""
    out = []
    for i in range(40):
        subject = ["dep=nsubj", "where=before"] + (["nearest=before"] if i % 2 else [])
        obj = ["dep=dobj", "where=before"] + ([] if i % 2 else ["nearest=before"])
        other = ["dep=pobj", "where=after", "nearest=after"]
        out.append(Example(fold=i % 5, options=[obj, subject, other], right=[False, True, False]))
    out.append(Example(fold=0, options=[["dep=dobj"], ["dep=pobj"]], right=[False, False]))
    return out


def _chosen(weights, ex: Example) -> int:
    m = Model(weights, 0.5)
    scores = [m.score(f) for f in ex.options]
    return scores.index(max(scores))


def test_the_option_its_features_mark_as_the_speaker_is_chosen_in_every_quote():
    examples = _examples()
    weights = fit_linker(examples)
    assert all(_chosen(weights, ex) == 1 for ex in examples[:-1])
    assert weights["dep=nsubj"] > weights.get("dep=dobj", 0.0)
    assert "bias" not in weights  # the same for every option of a quote: it cancels in the softmax


def test_built_a_few_quotes_at_a_time_the_weights_are_the_same():
    examples = _examples()
    whole = fit_linker(examples)
    pieces = fit_linker(examples, rows_at_once=7)  # two quotes a block (three options each)
    assert whole.keys() == pieces.keys()
    assert all(abs(whole[f] - pieces[f]) < 1e-3 for f in whole)


def test_quotes_without_a_right_option_teach_nothing_and_several_right_ones_share_the_target():
    examples = _examples()
    assert fit_linker(examples) == fit_linker(examples[:-1])
    both = [Example(0, [["a"], ["b"], ["c"]], [True, True, False])] * 10
    w = fit_linker(both, min_count=1)
    assert abs(w["a"] - w["b"]) < 1e-3 and w["a"] > w.get("c", 0.0)
