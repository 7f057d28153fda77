"""The floor on the tagger's contents, cross-validated with the linker and the bounds model nested.

    python -m onrecord.train.floor ../shared/data/polnear/train.jsonl --cache build/tagger-features.pkl \\
        --folds-dir build/train-folds --cv build/cv-floor.json
    python -m onrecord.train.floor ... --cv-taggers build/cv-folds/seed0 build/cv-folds/seed1   # the pair's quotes

A content the tagger marks stands when its mean marginal probability reaches the floor
(decide.DEFAULT_MIN_PROB). Below it, down to a second floor (``tentative``), it may stand on another
condition: that the linker is at least ``sure`` of its speaker (the best option's probability; decide.py,
step 7). A found quote with the wrong speaker costs end to end as a false quote does, so the contents the
floor leaves out might be worth having where their speaker is clear.

Every setting of the grid (``--floors`` x (none, ``--tentative`` x ``--sure``)) is measured on the same
held-out quotes: fold k's articles are analysed and tagged once (by the tagger trained without fold k, or
``--cv-taggers``' read as one), the linker and the bounds model of fold k are fitted on the other folds'
quotes of ``--folds-dir``'s taggers (as ``make train`` fits the shipped ones), and each setting decides
the same tagged spans. Figures pooled over the five folds, and per fold, are written to ``--cv`` (JSON).
Nothing is written to the package.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from onrecord.analyze.bounds import Bounds
from onrecord.analyze.decide import DEFAULT_MIN_PROB, chosen
from onrecord.analyze.link import Linker
from onrecord.analyze.pipeline import without_nested
from onrecord.evaluate.metrics import Outcome, score
from onrecord.train.outoffold import (
    add_cv_taggers,
    add_options,
    analysed,
    applied_taggers,
    log,
    outcome_of,
    setup,
)

TENTATIVE = (0.5, 0.4)  # the second floors tried
SURE = (0.5, 0.7, 0.9)  # and how sure of the speaker the linker must be


def settings(floors: list[float], tentative: list[float], sure: list[float]) -> list[tuple]:
    """(floor, tentative, sure) of every setting measured: each floor alone, then with each second floor
    under it and each ``sure``."""
    out: list[tuple] = []
    for f in floors:
        out.append((f, None, None))
        out += [(f, t, s) for t in tentative if t < f for s in sure]
    return out


def name(setting: tuple) -> str:
    f, t, s = setting
    return f"floor {f}" if t is None else f"floor {f}, from {t} if the speaker is {s} sure"


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m onrecord.train.floor", description=__doc__.split("\n")[0])
    add_options(ap)
    ap.add_argument("--cv", required=True, metavar="FIGURES.json", help="write the figures here")
    ap.add_argument("--floors", type=float, nargs="+", default=[DEFAULT_MIN_PROB])
    ap.add_argument("--tentative", type=float, nargs="+", default=list(TENTATIVE))
    ap.add_argument("--sure", type=float, nargs="+", default=list(SURE))
    add_cv_taggers(ap, "the linker and the bounds model")
    args = ap.parse_args(argv)

    from onrecord.train.bounds import fit_bounds
    from onrecord.train.bounds import run_fold as bounds_fold
    from onrecord.train.linker import fit_linker
    from onrecord.train.linker import run_fold as linker_fold

    ready = setup(args, log)
    golds, fit, folds, taggers = ready.golds, ready.fit, ready.folds, ready.taggers
    applied = applied_taggers(ready, args.cv_taggers, log)
    grid = settings(args.floors, args.tentative, args.sure)
    t0 = time.perf_counter()
    linking = [e for k in folds for e in linker_fold(golds, fit, k, taggers[k])[0]]
    log(f"the linker's examples: {len(linking)} ({time.perf_counter() - t0:.0f} s)")
    t0 = time.perf_counter()
    starts = [e for k in folds for e in bounds_fold(golds, fit, k, taggers[k])[0]]
    log(f"the bounds model's examples: {len(starts)} ({time.perf_counter() - t0:.0f} s)")
    pooled: dict[tuple, list[Outcome]] = {s: [] for s in grid}
    per_fold: dict[int, dict[str, dict]] = {}
    for k in folds:
        t0 = time.perf_counter()
        decider = chosen(applied[k], Linker(fit_linker([e for e in linking if e.fold != k])),
                         Bounds(fit_bounds([e for e in starts if e.fold != k])))
        got: dict[tuple, list[Outcome]] = {s: [] for s in grid}
        for g, a, tagged, ex in analysed(golds, fit, k, decider):
            for s in grid:
                f, t, sure = s
                # no second floor: one at the floor, under which nothing is kept
                drafts = without_nested(decider.from_tagged(a, tagged, min_prob=f,
                                                            tentative=f if t is None else t, sure=sure))
                got[s].append(outcome_of(ex, g, a, drafts)[1])
        per_fold[k] = {name(s): score(o).as_dict() for s, o in got.items()}
        for s in grid:
            pooled[s] += got[s]
        log(f"fold {k} ({time.perf_counter() - t0:.0f} s): " + "; ".join(
            f"{name(s)}: e2e {per_fold[k][name(s)]['attribution_e2e']['F1']:.4f}" for s in grid))
    figures = {"settings": {name(s): score(o).as_dict() for s, o in pooled.items()}, "folds": per_fold}
    Path(args.cv).write_text(json.dumps(figures, indent=1))
    for s in grid:
        m = figures["settings"][name(s)]
        log(f"pooled, {name(s)}: content {m['content_overlap']['F1']:.4f} exact {m['content_exact']['F1']:.4f} "
            f"e2e {m['attribution_e2e']['F1']:.4f} direct {m['recall_direct']:.4f} "
            f"indirect {m['recall_indirect']:.4f} speaker {m['speaker_acc_on_matched']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
