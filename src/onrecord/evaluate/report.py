"""The evaluate command's work: run or read predictions, score them, print scores and errors."""

from __future__ import annotations

import json
import sys
from typing import IO

from onrecord.errors import InputError
from onrecord.evaluate.gold import predictions_of, read_gold, read_predictions
from onrecord.evaluate.metrics import Outcome, is_direct, match, score
from onrecord.types import Article

ROWS = [
    ("content overlap", "content_overlap"),
    ("content exact", "content_exact"),
    ("attribution end to end", "attribution_e2e"),
]


def evaluate(gold_path: str, predictions: str | None = None, jobs: int | None = None,
             model: str = "default", nested: bool = False) -> list[Outcome]:
    golds = read_gold(gold_path)
    if predictions:
        preds = read_predictions(predictions)
        return [match(g, preds.get(g.id, [])) for g in golds]
    from onrecord.run.pool import run

    outcomes = []
    for g, r in zip(golds, run((Article(text=g.text, id=g.id) for g in golds), jobs=jobs,
                                              model=model, nested=nested), strict=True):
        if isinstance(r, InputError):  # counted as no predictions, and said
            print(f"onrecord: {gold_path}: article {g.id}: {r.reason}", file=sys.stderr)
            outcomes.append(match(g, []))
        else:
            outcomes.append(match(g, predictions_of(r)))
    return outcomes


def print_scores(outcomes: list[Outcome], out: IO[str], fmt: str = "table") -> dict:
    s = score(outcomes).as_dict()
    if fmt == "json":
        out.write(json.dumps(s) + "\n")
        return s
    from rich.console import Console
    from rich.table import Table

    c = s["counts"]
    t = Table(title=f"{len(outcomes)} articles, {c['gold']} gold attributions, {c['pred']} predicted")
    for col in ("measure", "P", "R", "F1"):
        t.add_column(col, justify="left" if col == "measure" else "right")
    for label, key in ROWS:
        t.add_row(label, *(f"{s[key][k]:.3f}" for k in ("P", "R", "F1")))
    t.add_row("recall, direct quotes", "", f"{s['recall_direct']:.3f}", "",)
    t.add_row("recall, indirect", "", f"{s['recall_indirect']:.3f}", "")
    t.add_row("speaker accuracy on matched", f"{s['speaker_acc_on_matched']:.3f}", "", "")
    Console(file=out).print(t)
    return s


def _context(text: str, a: int, b: int, width: int = 60) -> str:
    left = text[max(0, a - width):a].replace("\n", " ")
    right = text[b:b + width].replace("\n", " ")
    return f"…{left}[{text[a:b]}]{right}…".replace("\n", " ")


def print_errors(outcomes: list[Outcome], out: IO[str]) -> None:
    """Misses, false hits and wrong speakers, each with its context, article by article."""
    for o in outcomes:
        g = o.gold
        lines = []
        for i in o.missed:
            a = g.attributions[i]
            s, e = min(x for x, _ in a["content"]), max(y for _, y in a["content"])
            src = " ".join(g.text[x:y] for x, y in a["source"]) or "-"
            kind = "direct" if is_direct(g, a) else "indirect"
            lines.append(f"  MISSED ({kind}; source {src!r}): {_context(g.text, s, e)}")
        for j in o.false:
            p = o.preds[j]
            lines.append(f"  FALSE HIT (speaker {p.speaker!r}): {_context(g.text, p.start, p.end)}")
        for i, j, _exact, ok in o.pairs:
            a, p = g.attributions[i], o.preds[j]
            if a["source"] and not ok:
                want = " ".join(g.text[x:y] for x, y in a["source"])
                got = g.text[p.speaker_start:p.speaker_end] if p.speaker_start is not None else None
                lines.append(f"  WRONG SPEAKER (gold {want!r}, predicted {got!r} = {p.speaker!r}): "
                             f"{_context(g.text, p.start, p.end, 30)}")
        if lines:
            out.write(f"{g.id}\n" + "\n".join(lines) + "\n")
