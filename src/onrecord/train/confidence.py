"""Train the confidence model (analyze/scoring.py) on gold attributions: ``make train``.

    python -m onrecord.train.confidence ../shared/data/polnear/train.jsonl

1. the engine runs over every training article keeping every candidate (Extractor(keep_all=True));
2. a candidate is positive when its content overlaps a gold content with Jaccard >= 0.5 (or, for a
   quotation, lies almost wholly inside one: the parts of a split quote); reported speech standing in
   another candidate's reported content is not learnt from (confidence.without_embedded drops it);
3. an L2-regularised logistic regression is fitted with Newton steps (numpy only);
4. the threshold is the one that maximises content F1, by the project's scorer, on held-out training
   articles (every fifth), with the model fitted on the others; the final model is refitted on all.
Only feature weights are written (src/onrecord/models/confidence.json), no text of the corpus.
Takes about a minute on two cores.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np

from onrecord.analyze.scoring import MODEL_FILE, Model, may_drop, without_embedded
from onrecord.errors import InputError
from onrecord.evaluate.gold import predictions_of, read_gold
from onrecord.evaluate.metrics import Gold, match, score
from onrecord.run.pool import run
from onrecord.types import Article, Result

OUT = Path(__file__).resolve().parents[1] / "models" / MODEL_FILE
L2 = 2.0
MIN_FEATURE_COUNT = 3
HELD_OUT_EVERY = 5


def filterable(q) -> bool:
    return q.features is not None and may_drop(q.kind, q.parent is not None)


def _cue_at(q) -> int | None:
    return q.cue.start if q.cue else None


def kept(quotes: list, model: Model) -> list:
    """What the pipeline keeps of keep_all quotes with this model (scoring.judge)."""
    above = [q for q in quotes if not filterable(q) or model.probability(q.features) >= model.threshold]
    return without_embedded(above, _cue_at)


def label(gold: Gold, q) -> int:
    qs = set(range(q.start, q.end))
    for a in gold.attributions:
        gs = {x for s, e in a["content"] for x in range(s, e)}
        inter = len(gs & qs)
        if inter and (inter / len(gs | qs) >= 0.5 or (q.kind == "direct" and inter >= 0.9 * len(qs))):
            return 1
    return 0


def fit(rows: list[list[str]], y: np.ndarray) -> dict[str, float]:
    counts = Counter(f for r in rows for f in set(r))
    vocab = sorted(f for f, n in counts.items() if n >= MIN_FEATURE_COUNT or f == "bias")
    index = {f: i for i, f in enumerate(vocab)}
    X = np.zeros((len(rows), len(vocab)), dtype=np.float64)
    for i, r in enumerate(rows):
        for f in r:
            j = index.get(f)
            if j is not None:
                X[i, j] = 1.0
    w = np.zeros(len(vocab))
    reg = np.full(len(vocab), L2)
    reg[index["bias"]] = 0.0
    for _ in range(25):
        p = 1.0 / (1.0 + np.exp(-np.clip(X @ w, -30, 30)))
        grad = X.T @ (p - y) + reg * w
        H = (X * (p * (1 - p))[:, None]).T @ X + np.diag(reg + 1e-6)
        step = np.linalg.solve(H, grad)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return {f: round(float(w[i]), 4) for f, i in index.items() if abs(w[i]) > 1e-4}


def f1_at(pairs: list[tuple[Gold, Result]], weights: dict[str, float], t: float) -> tuple[float, float]:
    outcomes = []
    model = Model(weights, t)
    for g, r in pairs:
        quotes = kept(r.quotes, model)
        outcomes.append(match(g, predictions_of(replace(r, quotes=quotes))))
    s = score(outcomes).as_dict()
    return s["content_overlap"]["F1"], s["attribution_e2e"]["F1"]


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 3) or (len(argv) == 3 and argv[1] != "--out"):
        print("usage: python -m onrecord.train.confidence TRAIN.jsonl [--out MODEL.json]", file=sys.stderr)
        return 2
    out = Path(argv[2]) if len(argv) == 3 else OUT
    golds = read_gold(argv[0])
    pairs = []
    for g, r in zip(golds, run((Article(text=g.text, id=g.id) for g in golds), keep_all=True), strict=True):
        if not isinstance(r, InputError):
            pairs.append((g, r))
    print(f"{len(pairs)} training articles analysed", file=sys.stderr)

    def data(sel):
        # reported speech inside another candidate's reported content is left out: the engine drops
        # it whenever that content is kept, so it would only teach the model about its cue words
        rows, ys = [], []
        for g, r in sel:
            for q in without_embedded(r.quotes, _cue_at):
                if filterable(q):
                    rows.append(q.features)
                    ys.append(label(g, q))
        return rows, np.array(ys, dtype=np.float64)

    fit_part = [p for i, p in enumerate(pairs) if i % HELD_OUT_EVERY]
    held = [p for i, p in enumerate(pairs) if i % HELD_OUT_EVERY == 0]
    rows, y = data(fit_part)
    print(f"{len(rows)} candidates, {int(y.sum())} positive; fitting on {len(fit_part)} articles",
          file=sys.stderr)
    weights = fit(rows, y)
    base = f1_at(held, weights, 0.0)
    best = (base, 0.0)
    for t in np.arange(0.10, 0.71, 0.05):
        f = f1_at(held, weights, float(t))
        if f > best[0]:
            best = (f, float(t))
    threshold = round(best[1], 2)
    print(f"held-out content F1 / e2e F1: {base[0]:.4f} / {base[1]:.4f} unfiltered, "
          f"{best[0][0]:.4f} / {best[0][1]:.4f} at threshold {threshold}", file=sys.stderr)
    rows, y = data(pairs)
    weights = fit(rows, y)
    out.write_text(json.dumps({
        "about": "onrecord confidence model: logistic regression over candidate features "
                 "(analyze/scoring.py), trained by train/confidence.py on PolNeAR train "
                 "(Newell, Margolin and Ruths, LREC 2018; no licence stated: weights only, no text)",
        "trained": date.today().isoformat(), "articles": len(pairs), "candidates": len(rows),
        "threshold": threshold, "heldout_content_f1": round(best[0][0], 4),
        "weights": dict(sorted(weights.items())),
    }, indent=1) + "\n")
    print(f"written {out} ({len(weights)} weights)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
