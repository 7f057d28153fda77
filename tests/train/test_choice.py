"""The conditional logit the linker and the bounds model are fitted by (train/choice.py), on hand-made
examples (their figures on PolNeAR are cross-validated in docs/benchmarks.md)."""

from __future__ import annotations

import math

from onrecord.analyze.scoring import Model
from onrecord.train import choice
from onrecord.train.linker import Example, fit_linker


def _examples() -> list[Example]:
    """Quotes whose speaker is the subject of their cue, never the object, wherever the object stands
    (nearer or not), and a quote with no right option at all."""
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


def test_the_weights_are_the_penalised_likelihoods_optimum():
    """Where the gradient of the log-likelihood less the penalty is zero (to the 4 places kept)."""
    examples = _examples()[:-1]
    l2 = 2.0
    w = choice.fit([e.options for e in examples], [e.right for e in examples], l2, keep=0.0)
    grad = {f: l2 * v for f, v in w.items()}
    for ex in examples:
        scores = [sum(w.get(f, 0.0) for f in o) for o in ex.options]
        top = max(scores)
        z = sum(math.exp(s - top) for s in scores)
        for o, s, right in zip(ex.options, scores, ex.right, strict=True):
            for f in o:
                grad[f] = grad.get(f, 0.0) + math.exp(s - top) / z - (1.0 if right else 0.0)
    assert max(abs(g) for g in grad.values()) < 1e-2


def test_quotes_without_a_right_option_teach_nothing_and_several_right_ones_share_the_target():
    examples = _examples()
    assert fit_linker(examples) == fit_linker(examples[:-1])
    both = [Example(0, [["a"], ["b"], ["c"]], [True, True, False])] * 10
    w = fit_linker(both, min_count=1)
    assert abs(w["a"] - w["b"]) < 1e-3 and w["a"] > w.get("c", 0.0)


def test_features_seen_too_rarely_get_no_weight():
    examples = _examples()[:-1] + [Example(0, [["rare"], ["dep=dobj"]], [True, False])]
    assert "rare" not in fit_linker(examples, min_count=3)
    assert "rare" in fit_linker(examples, min_count=1)
