"""The quotes of taggers on articles they have not seen: what the linker (train/linker.py) and the bounds
model (train/bounds.py) learn from and are measured on.

Each of the five time-contiguous folds of ``../shared/data/polnear/folds.json`` is decided by the tagger
trained on the other four (train/tagger.py; kept in ``--folds-dir`` and reused, as ``make cv`` keeps
them), with the lexicon and confidence model learned without it (the cross-fitted features of
``--cache``). ``add_options`` and ``setup`` give both trainers the same command-line options and the same
fold taggers; ``decisions`` runs a fold through the pipeline as an unseen article goes.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from onrecord.evaluate.gold import predictions_and_quotes, read_gold
from onrecord.evaluate.metrics import Gold, Outcome, match, score
from onrecord.train import tagger as T

BATCH = 16  # articles analysed together


def log(msg: str) -> None:
    """The trainers' progress, on stderr (a module-level function: it reaches worker processes)."""
    print(msg, file=sys.stderr, flush=True)


def add_options(ap: argparse.ArgumentParser) -> None:
    """The options that say where the fold taggers and their features are, and how to train them when
    they are missing."""
    ap.add_argument("train", metavar="TRAIN.jsonl")
    ap.add_argument("--folds", default=str(T.FOLDS), help="the folds file (default: the PolNeAR one)")
    ap.add_argument("--cache", metavar="FILE", default="build/tagger-features.pkl",
                    help="the tagger's cross-fitted features (train/tagger.py --cache); made here if missing")
    ap.add_argument("--folds-dir", metavar="DIR", default="build/train-folds",
                    help="each fold's tagger (foldK.npz), trained here when missing (the same as make cv keeps)")
    ap.add_argument("--epochs", type=int, default=T.EPOCHS, help="epochs of a fold's tagger, when trained here")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--average-from", type=int, default=T.AVERAGE_FROM, metavar="EPOCH",
                    help="a fold's tagger, when trained here: its weights averaged from this epoch on (0: none)")
    ap.add_argument("--distil", type=float, default=T.DISTIL, metavar="W",
                    help="a fold's tagger, when trained here: taught the encoder's vectors with this weight "
                    "(as train/tagger.py --distil)")
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--no-wordvecs", action="store_true", help="the fold taggers read no static word vectors "
                    "(as train/tagger.py --no-wordvecs)")


@dataclass
class Setup:
    golds: list[Gold]
    fit: T.CrossFit
    vocab: object  # model.Vocab
    about: dict  # what the fold taggers record of the vectors they read
    taggers: dict  # fold -> the numpy tagger trained without it

    @property
    def folds(self) -> list[int]:
        return sorted(self.fit.rules)


def setup(args: argparse.Namespace, log) -> Setup:
    """The gold, the cross-fitted features (with the vectors the default tagger reads) and each fold's tagger,
    read from ``--folds-dir`` or trained there."""
    from onrecord.analyze.find.model import Vocab
    from onrecord.analyze.nlp import load

    golds = read_gold(args.train)
    fit = T.cross_fitted(golds, T.fold_of(golds, Path(args.folds)), Path(args.cache), args.jobs, log)
    vocab = Vocab.of(load())
    about = T.add_vectors(golds, fit, False, T.wordvecs_of(args), None, log)
    if args.distil > 0 and T.untrained(sorted(fit.rules), Path(args.folds_dir)):  # the teacher only to train
        T.add_teacher(golds, fit, Path(args.cache).with_name("encoder-vectors.pkl"), log=log)
    taggers = T.fold_taggers(golds, fit, vocab, sorted(fit.rules), Path(args.folds_dir), args.jobs, log,
                             epochs=args.epochs, seed=args.seed, average_from=args.average_from or None, about=about,
                             distil=args.distil)
    return Setup(golds, fit, vocab, about, taggers)


def add_cv_taggers(ap: argparse.ArgumentParser, step: str) -> None:
    """``--cv-taggers``: the option that measures ``step`` on the quotes of other fold taggers (the shipped
    tagger's seeds read as one) than those it learns from."""
    ap.add_argument("--cv-taggers", nargs="+", metavar="DIR", help="with --cv: the held-out folds' quotes come from "
                    "the fold taggers kept in these folders, read as one (model.SpanTagger.ensemble); "
                    f"{step} still learns from the quotes of --folds-dir's (as make train's does for the shipped "
                    "tagger of two seeds)")


def applied_taggers(ready: Setup, dirs: list[str] | None, log) -> dict:
    """fold -> the tagger whose quotes a nested CV measures: ``ready``'s own, or the fold taggers kept in
    ``dirs`` read as one (read, never trained here: one --seed for every folder would make its members one
    tagger)."""
    if not dirs:
        return ready.taggers
    from onrecord.analyze.find.model import SpanTagger

    kept = [[Path(d) / f"fold{k}.npz" for d in dirs] for k in ready.folds]
    missing = [str(f) for files in kept for f in files if not f.exists()]
    if missing:
        raise SystemExit(f"{missing[0]}: no such fold tagger (make cv keeps them; or train/tagger.py --cv "
                         "... --seed S --members 1 --cv-keep DIR)")
    return {k: SpanTagger.ensemble([T.fold_tagger(ready.golds, ready.fit, ready.vocab, k, f, log, about=ready.about)
                                    for f in files])
            for k, files in zip(ready.folds, kept, strict=True)}


def report(path: str, without: list[Outcome], with_: list[Outcome], per_fold: dict, step: str, log) -> None:
    """A nested cross-validation's figures, pooled without and with ``step`` (e.g. "the linker"), written
    to ``path`` (JSON, per fold too) and logged."""
    figures = {"without": score(without).as_dict(), "with": score(with_).as_dict(), "folds": per_fold}
    Path(path).write_text(json.dumps(figures, indent=1))
    for name in ("without", "with"):
        m = figures[name]
        log(f"pooled, {name} {step}: content {m['content_overlap']['F1']:.4f} exact "
            f"{m['content_exact']['F1']:.4f} e2e {m['attribution_e2e']['F1']:.4f} "
            f"direct {m['recall_direct']:.4f} indirect {m['recall_indirect']:.4f} "
            f"speaker {m['speaker_acc_on_matched']:.4f}")


def analysed(golds: list[Gold], fit: T.CrossFit, k: int, decider) -> Iterator[tuple]:
    """(gold, analysis, tagged spans, extractor) of every article of fold k, analysed with the rules learned
    without it and tagged by ``decider``'s tagger (trained without it); the rules' lexicon is fold k's
    while the caller reads each."""
    from onrecord.analyze.pipeline import Extractor
    from onrecord.analyze.scoring import Model
    from onrecord.lexicon import use_learned
    from onrecord.types import Article

    held = [g for g, f in zip(golds, fit.folds, strict=True) if f == k]
    use_learned(fit.rules[k].lexicon)
    try:
        ex = Extractor(scorer=Model(fit.rules[k].confidence.weights, 0.35), decider=decider)
        for i in range(0, len(held), BATCH):
            batch = held[i:i + BATCH]
            analyses = list(ex.analyses([Article(text=g.text, id=g.id) for g in batch]))
            for g, a, tagged in zip(batch, analyses, decider.tag_many(analyses), strict=True):
                yield g, a, tagged, ex
    finally:
        use_learned(None)


def outcome_of(ex, g: Gold, a, drafts: list) -> tuple[list[int], Outcome]:
    """The first draft of each prediction the result of ``drafts`` reports, and its outcome against ``g``."""
    preds, firsts = predictions_and_quotes(ex.result(a, drafts))
    return firsts, match(g, preds)


def decisions(golds: list[Gold], fit: T.CrossFit, k: int, decider) -> Iterator[tuple]:
    """(gold, analysis, tagged spans, drafts, first draft of each prediction, outcome) of every article of
    fold k, decided by ``decider`` (decide.chosen over a tagger trained without fold k) with the rules
    learned without it."""
    from onrecord.analyze.pipeline import without_nested

    for g, a, tagged, ex in analysed(golds, fit, k, decider):
        # the drafts the result reports, so that ``firsts`` index them
        drafts = without_nested(decider.from_tagged(a, tagged))
        firsts, outcome = outcome_of(ex, g, a, drafts)
        yield g, a, tagged, drafts, firsts, outcome
