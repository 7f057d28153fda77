"""Experiment: the default tagger as an ensemble of the same tagger trained with different seeds,
5-fold cross-validated over the time-contiguous folds of PolNeAR train, before the linker.

    python benchmarks/ensemble_cv.py build/cv-folds-min3 build/cv-folds-seed1 [--out FIGURES.json]

Each argument is a folder of fold taggers that ``python -m onrecord.train.tagger TRAIN --cv ... --cv-keep
DIR`` kept (fold0.npz ... fold4.npz, trained on the same cross-fitted features, build/tagger-features.pkl,
with different ``--seed``s). For each held-out fold the members are read as one tagger (onrecord's
own ``SpanTagger.ensemble``, as the shipped default is: their emissions averaged, and so are their CRF
transitions, a product of the members' scores, one decoding), and the whole pipeline is
measured on the fold at every decider setting `--cv` compares; pooled figures are printed and written.

It answered whether averaging seeds gains enough to pay for a second tagger pass (about 15% of the
default's time per extra member; docs/benchmarks.md, "Two seeds as one tagger"); the default now is two.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from onrecord.analyze.find.model import SpanTagger
from onrecord.analyze.nlp import load
from onrecord.evaluate.gold import read_gold
from onrecord.evaluate.metrics import score
from onrecord.train.tagger import (
    FOLDS,
    Vocab,
    add_vectors,
    cross_fitted,
    fold_of,
    fold_tagger,
    held_out_outcomes,
)

TRAIN = Path(__file__).resolve().parents[2] / "shared" / "data" / "polnear" / "train.jsonl"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="+", metavar="FOLD_TAGGERS_DIR")
    ap.add_argument("--train", default=str(TRAIN))
    ap.add_argument("--cache", default="build/tagger-features.pkl")
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--out", metavar="FIGURES.json")
    ap.add_argument("--no-wordvecs", action="store_true", help="fold taggers trained without the static word vectors")
    args = ap.parse_args()

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    golds = read_gold(args.train)
    fit = cross_fitted(golds, fold_of(golds, FOLDS), Path(args.cache), args.jobs, log)
    about = add_vectors(golds, fit, False, not args.no_wordvecs, None, log)
    vocab = Vocab.of(load())
    outcomes: dict[str, list] = {}
    per_fold = {}
    for k in sorted(fit.rules):
        members = []
        for d in args.dirs:
            kept = Path(d) / f"fold{k}.npz"
            if not kept.exists():
                raise SystemExit(f"{kept}: no such fold tagger (train it with --cv ... --cv-keep {d})")
            members.append(fold_tagger(golds, fit, vocab, k, kept, log, about=about))
        tagger = SpanTagger.ensemble(members)
        fold_out = held_out_outcomes(golds, fit, k, tagger, args.jobs)
        per_fold[k] = {name: score(o).as_dict() for name, o in fold_out.items()}
        for name, o in fold_out.items():
            outcomes.setdefault(name, []).extend(o)
        m = per_fold[k]["model@0.6 rules@2.0 told=1 direct@None join=all"]
        log(f"fold {k}, the shipped decider: content {m['content_overlap']['F1']:.4f} "
            f"exact {m['content_exact']['F1']:.4f} e2e {m['attribution_e2e']['F1']:.4f}")
    pooled = {name: score(o).as_dict() for name, o in outcomes.items()}
    if args.out:
        Path(args.out).write_text(json.dumps({"folds": per_fold, "pooled": pooled}, indent=1))
    for name, m in sorted(pooled.items(), key=lambda x: -x[1]["attribution_e2e"]["F1"]):
        if "rules@2.0 told=1 direct@None join=all" in name or name.startswith("rules"):
            print(f"pooled {name:48} content {m['content_overlap']['F1']:.4f} exact {m['content_exact']['F1']:.4f} "
                  f"e2e {m['attribution_e2e']['F1']:.4f} direct {m['recall_direct']:.3f} "
                  f"indirect {m['recall_indirect']:.3f} speaker {m['speaker_acc_on_matched']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
