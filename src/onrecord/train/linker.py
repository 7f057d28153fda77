"""Train the linker (analyze/link.py) on PolNeAR train: part of ``make train``; ``make cv`` measures it.

    python -m onrecord.train.linker ../shared/data/polnear/train.jsonl --cache build/tagger-features.pkl \\
        --folds-dir build/train-folds                        # models/linker.json
    python -m onrecord.train.linker ... --cv build/cv-linker.json    # nested 5-fold figures

The linker chooses each quote's speaker among the mentions around it, and what it is shown must be what
it will meet: the tagger's quotes on articles the tagger has not seen. So its examples come out of fold:
for each of the five time-contiguous folds of ``../shared/data/polnear/folds.json``, the tagger trained on
the other four (train/tagger.py; the weights are kept in ``--folds-dir`` and reused, as ``make cv`` keeps
them) decides the fold's quotes, with the lexicon and confidence model learned without the fold
(the cross-fitted features of ``--cache``). Every quote that matches a gold attribution with a source
gives one example per option: positive when the option's mention overlaps the gold source.

The model is an L2-regularised conditional logit over the options' feature strings (``fit_linker``: the
options of one quote compete in a softmax, fitted as the bounds model is, train/choice.py; with
train/confidence.py's penalty and feature count), and only its weights are written (models/linker.json),
no text of the corpus.

``--cv`` measures it nested: the linker of fold k is fitted on the other folds' examples and applied to
fold k's quotes; the figures are pooled over the five folds, beside the same quotes without it.
Needs PyTorch (``pip install 'onrecord[train]'``), as the fitting and the fold taggers' training do.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from onrecord.analyze.link import MODEL_FILE, Linker, described
from onrecord.evaluate.metrics import Gold, Outcome, score
from onrecord.train import tagger as T
from onrecord.train.confidence import L2, MIN_FEATURE_COUNT
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


@dataclass
class Example:
    fold: int
    options: list[list[str]]  # each option's features
    right: list[bool]  # whether each option's mention overlaps the gold source


def run_fold(golds: list[Gold], fit: T.CrossFit, k: int, tagger, linker: Linker | None = None,
             collect: bool = True) -> tuple[list[Example], list[Outcome]]:
    """Fold k's articles through the pipeline as an unseen article goes (outoffold.decisions; ``tagger``
    trained without it, ``linker`` if given): the examples they give, and their outcomes."""
    from onrecord.analyze.decide import chosen

    examples: list[Example] = []
    outcomes: list[Outcome] = []
    for g, a, tagged, drafts, firsts, o in decisions(golds, fit, k, chosen(tagger, linker)):
        outcomes.append(o)
        opts = described(a, tagged, drafts) if collect else {}
        for gi, j, _exact, _ok in o.pairs:
            att = g.attributions[gi]
            options = opts.get(id(drafts[firsts[j]]))
            if not att["source"] or not options:
                continue
            gold = {x for s, e in att["source"] for x in range(s, e)}
            right = []
            for opt, _f in options:
                s, e = a.clean.span(*opt.span)
                right.append(any(x in gold for x in range(s, e)))
            examples.append(Example(k, [f for _o, f in options], right))
    return examples, outcomes


def fit_linker(examples: list[Example], l2: float = L2, min_count: int = MIN_FEATURE_COUNT) -> dict[str, float]:
    """The linker's weights: a conditional logit over each quote's options (train/choice.py: the probability
    of an option is the softmax of the options' summed weights), on examples where some option is right
    (the others teach nothing); where several are right, each is an equal part of the target. With the
    penalty and feature count of train/confidence.py. Chosen over one logistic regression of every option
    alone by 5-fold CV (docs/benchmarks.md, "The linker chooses among a quote's options")."""
    from onrecord.train import choice

    return choice.fit([ex.options for ex in examples], [ex.right for ex in examples], l2, min_count, keep=1e-4)


def add_probe(path: Path) -> list[dict]:
    """Record in the linker's file the speakers the default engine, with this linker, gives the quotes of
    train/tagger.PROBE (onrecord's own paragraph): tests/analyze/test_link.py checks that the shipped
    files, loaded offline, still give them."""
    from onrecord.analyze.decide import chosen
    from onrecord.analyze.find.model import default_tagger
    from onrecord.analyze.pipeline import Extractor

    decider = chosen(default_tagger(), Linker.load(path))
    result = Extractor(decider=decider).extract(T.PROBE)
    probe = [{"quote": q.text, "speaker": q.speaker.mention if q.speaker else None,
              "start": q.speaker.start if q.speaker else None} for q in result.quotes]
    data = json.loads(path.read_text(encoding="utf-8"))
    data["probe"] = probe
    path.write_text(json.dumps(data, indent=0) + "\n", encoding="utf-8")
    return probe


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m onrecord.train.linker")
    add_options(ap)
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--cv", metavar="FIGURES.json", help="measure by nested cross-validation instead, and write "
                    "the figures here")
    add_cv_taggers(ap, "the linker")
    ap.add_argument("--probe-only", action="store_true", help="only (re)write the probe of the linker at --out")
    args = ap.parse_args(argv)

    if args.probe_only:
        log(f"probe of {args.out}: {add_probe(Path(args.out))}")
        return 0
    ready = setup(args, log)
    golds, fit, folds, taggers = ready.golds, ready.fit, ready.folds, ready.taggers
    applied = applied_taggers(ready, args.cv_taggers, log) if args.cv else taggers  # read before the long work
    examples: list[Example] = []
    plain: list[Outcome] = []
    for k in folds:
        t = time.perf_counter()
        got, outcomes = run_fold(golds, fit, k, taggers[k])
        examples += got
        plain += outcomes
        log(f"fold {k}: {len(got)} examples ({time.perf_counter() - t:.0f} s)")
    if args.cv:
        if args.cv_taggers:
            plain = []
            for k in folds:
                plain += run_fold(golds, fit, k, applied[k], collect=False)[1]
        linked: list[Outcome] = []
        per_fold = {}
        for k in folds:
            weights = fit_linker([e for e in examples if e.fold != k])
            _, outcomes = run_fold(golds, fit, k, applied[k], Linker(weights), collect=False)
            linked += outcomes
            per_fold[k] = score(outcomes).as_dict()
            log(f"fold {k} with the linker: e2e {per_fold[k]['attribution_e2e']['F1']:.4f} "
                f"speaker {per_fold[k]['speaker_acc_on_matched']:.4f}")
        report(args.cv, plain, linked, per_fold, "the linker", log)
        return 0
    weights = fit_linker(examples)
    Path(args.out).write_text(json.dumps({
        "about": "onrecord linker, trained by train/linker.py on PolNeAR train (no licence stated: weights only, "
                 "no text)", "trained": date.today().isoformat(), "examples": len(examples),
        "fit": "conditional logit over each quote's options (softmax of the summed weights; no bias)",
        "epochs_of_fold_taggers": args.epochs, "average_from": args.average_from, "seed": args.seed,
        "weights": {f: round(w, 6) for f, w in sorted(weights.items())}}, indent=0) + "\n")
    probe = add_probe(Path(args.out))
    log(f"linker written to {args.out}: {len(weights)} weights from {len(examples)} examples; probe {probe}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
