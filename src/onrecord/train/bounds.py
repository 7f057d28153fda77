"""Train the bounds model (analyze/bounds.py) on PolNeAR train: part of ``make train``; ``--cv`` measures it.

    python -m onrecord.train.bounds ../shared/data/polnear/train.jsonl --cache build/tagger-features.pkl \\
        --folds-dir build/train-folds                        # models/bounds.json
    python -m onrecord.train.bounds ... --cv build/cv-bounds.json    # nested 5-fold figures
    python -m onrecord.train.bounds ... --cv F.json --cv-taggers build/cv-folds/seed0 build/cv-folds/seed1
                                              # the same, on the quotes of both seeds' fold taggers read as one

What the model is shown must be what it will meet: the tagger's quotes on articles the tagger has not
seen. So, as the linker's (train/linker.py), its examples come out of fold: each of the five
time-contiguous folds of ``../shared/data/polnear/folds.json`` is decided by the tagger trained on the other
four (kept in ``--folds-dir``; ``make train`` has just trained them for the linker), with the lexicon and
confidence model learned without it. Every quote that matches a gold attribution whose start is among the
quote's options (bounds.options) gives one example: the options' features, and which one is the gold start.

The model is a conditional logit (one weight per feature string, the options of one quote scored against
each other, L2-regularised; train/choice.py, the linker's fitting too), fitted by L-BFGS in PyTorch (``pip
install 'onrecord[train]'``); only its weights are written (models/bounds.json), no text of the corpus.

``--cv`` measures it nested: the model of fold k is fitted on the other folds' examples and applied to
fold k's quotes; the figures are pooled over the five folds, beside the same quotes without it (both with
the linker, fitted nested as train/linker.py --cv fits it). With ``--cv-taggers``, the quotes measured are
those of the fold taggers kept in the folders given, read as one, while the linker and the bounds model
learn from ``--folds-dir``'s: the shipped pipeline (two seeds, the linker and bounds model of seed 0's
quotes), measured whole.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from onrecord.analyze.bounds import MODEL_FILE, Bounds, movable
from onrecord.analyze.link import Linker
from onrecord.evaluate.metrics import Gold, Outcome, score
from onrecord.train import tagger as T
from onrecord.train.outoffold import (
    add_cv_taggers,
    add_options,
    applied_taggers,
    decisions,
    log,
    report,
    setup,
)

OUT = Path(__file__).resolve().parents[1] / "models" / MODEL_FILE
L2 = 3.0  # on the sum of squared weights (1 and 3 tried on held-out quotes: 3 ahead by 12 exact bounds of 14,061)
_TRIM = set("\"“”«»„‟‘’'" + " \t\n\r\xa0.,;:!?—–-")  # the scorer's


@dataclass
class Example:
    fold: int
    options: list[list[str]]  # each option's features
    gold: int  # which option is the annotators' start


def _trimmed(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a] in _TRIM:
        a += 1
    while b > a and text[b - 1] in _TRIM:
        b -= 1
    return a, b


def run_fold(golds: list[Gold], fit: T.CrossFit, k: int, tagger, linker: Linker | None = None,
             bounds: Bounds | None = None, collect: bool = True) -> tuple[list[Example], list[Outcome]]:
    """Fold k's articles through the pipeline as an unseen article goes (outoffold.decisions; ``tagger``
    trained without it, ``linker`` and ``bounds`` if given): the examples they give (when ``collect``), and
    their outcomes."""
    from onrecord.analyze.decide import chosen

    examples: list[Example] = []
    outcomes: list[Outcome] = []
    for g, a, tagged, drafts, firsts, o in decisions(golds, fit, k, chosen(tagger, linker, bounds)):
        outcomes.append(o)
        opts = {id(d): x for d, x in movable(a, drafts, tagged.marginals)} if collect else {}
        for gi, j, _exact, _ok in o.pairs:
            d = drafts[firsts[j]]
            choices = opts.get(id(d))
            if not choices or len(choices) < 2:
                continue
            content = g.attributions[gi]["content"]
            want = _trimmed(g.text, min(s for s, _ in content), max(e for _, e in content))[0]
            starts = [_trimmed(g.text, *a.clean.span(s, d.end))[0] for s, _f in choices]
            if want in starts:
                examples.append(Example(k, [f for _s, f in choices], starts.index(want)))
    return examples, outcomes


def fit_bounds(examples: list[Example], l2: float = L2) -> dict[str, float]:
    """The conditional logit's weights (feature -> weight) over ``examples`` (train/choice.py)."""
    from onrecord.train import choice

    return choice.fit([ex.options for ex in examples],
                      [[i == ex.gold for i in range(len(ex.options))] for ex in examples], l2)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m onrecord.train.bounds")
    add_options(ap)
    ap.add_argument("--l2", type=float, default=L2)
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--cv", metavar="FIGURES.json", help="measure by nested cross-validation instead, and write "
                    "the figures here")
    add_cv_taggers(ap, "the bounds model (and the linker)")
    args = ap.parse_args(argv)

    ready = setup(args, log)
    golds, fit, folds, taggers = ready.golds, ready.fit, ready.folds, ready.taggers
    applied = applied_taggers(ready, args.cv_taggers, log) if args.cv else taggers  # read before the long work
    examples: list[Example] = []
    for k in folds:
        t = time.perf_counter()
        got, _ = run_fold(golds, fit, k, taggers[k])
        examples += got
        log(f"fold {k}: {len(got)} examples ({time.perf_counter() - t:.0f} s)")
    if args.cv:
        from onrecord.train.linker import fit_linker
        from onrecord.train.linker import run_fold as linker_fold

        linking = [e for k in folds for e in linker_fold(golds, fit, k, taggers[k])[0]]
        plain: list[Outcome] = []
        moved: list[Outcome] = []
        per_fold = {}
        for k in folds:
            linker = Linker(fit_linker([e for e in linking if e.fold != k]))
            bounds = Bounds(fit_bounds([e for e in examples if e.fold != k], args.l2))
            without = run_fold(golds, fit, k, applied[k], linker, None, collect=False)[1]
            with_ = run_fold(golds, fit, k, applied[k], linker, bounds, collect=False)[1]
            plain += without
            moved += with_
            per_fold[k] = {"without": score(without).as_dict(), "with": score(with_).as_dict()}
            log(f"fold {k}: exact {per_fold[k]['without']['content_exact']['F1']:.4f} -> "
                f"{per_fold[k]['with']['content_exact']['F1']:.4f}, e2e "
                f"{per_fold[k]['without']['attribution_e2e']['F1']:.4f} -> "
                f"{per_fold[k]['with']['attribution_e2e']['F1']:.4f}")
        report(args.cv, plain, moved, per_fold, "the bounds model", log)
        return 0
    weights = fit_bounds(examples, args.l2)
    Path(args.out).write_text(json.dumps({
        "about": "onrecord bounds model, trained by train/bounds.py on PolNeAR train (no licence stated: weights "
                 "only, no text)", "trained": date.today().isoformat(), "examples": len(examples),
        "epochs_of_fold_taggers": args.epochs, "average_from": args.average_from, "seed": args.seed,
        "l2": args.l2, "weights": weights}, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    log(f"bounds model written to {args.out}: {len(weights)} weights from {len(examples)} examples")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
