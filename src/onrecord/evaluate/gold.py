"""Gold attributions (PolNeAR-style JSONL) and prediction files, read with one-line errors."""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterator
from pathlib import Path

from onrecord.analyze.marks import ALL_MARKS
from onrecord.errors import InputError
from onrecord.evaluate.metrics import Gold, Pred
from onrecord.types import Result


def _lines(path: str) -> Iterator[tuple[int, dict]]:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise InputError(path, f"cannot read ({e.strerror or e})") from None
    except UnicodeDecodeError:
        raise InputError(path, "not UTF-8 text") from None
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(path, f"malformed JSON ({e.msg})", n) from None
        if not isinstance(obj, dict):
            raise InputError(path, "expected a JSON object", n)
        yield n, obj


def read_gold(path: str) -> list[Gold]:
    out = []
    for n, obj in _lines(path):
        if not isinstance(obj.get("text"), str) or not isinstance(obj.get("attributions"), list):
            raise InputError(path, "a gold line needs \"text\" and \"attributions\"", n)
        for a in obj["attributions"]:
            if not isinstance(a, dict) or not a.get("content"):
                raise InputError(path, "an attribution needs a non-empty \"content\" span list", n)
            a.setdefault("source", [])
            a.setdefault("cue", [])
        out.append(Gold(str(obj.get("id", n)), obj["text"], obj["attributions"]))
    return out


def read_predictions(path: str) -> dict[str, list[Pred]]:
    """A predictions file: the scorer's format ({"id", "quotes": [{"start", "end", "speaker_start",
    "speaker_end", "speaker"}]}) or onrecord's own JSONL output, read as ``evaluate`` reads the engine."""
    out: dict[str, list[Pred]] = {}
    for n, obj in _lines(path):
        try:
            if "text" in obj and all("kind" in q for q in obj.get("quotes", [])):
                out[str(obj["id"])] = predictions_of(Result.from_dict(obj))  # onrecord's own output
            else:
                out[str(obj["id"])] = [_pred(q) for q in obj.get("quotes", [])]
        except (KeyError, TypeError, ValueError) as e:
            raise InputError(path, f"not a prediction line ({type(e).__name__}: {e})", n) from None
    return out


def _pred(q: dict) -> Pred:
    sp = q.get("speaker")
    return Pred(int(q["start"]), int(q["end"]), q.get("speaker_start"), q.get("speaker_end"), sp)


# the kinds whose parts with one cue in one paragraph make one prediction: all of them, chosen by the
# tagger's cross-validation on train (content exact 0.558 -> 0.572, e2e 0.645 -> 0.652; the rules alone
# 0.508 -> 0.512 and 0.635 -> 0.636, direct recall 0.907 -> 0.899)
JOIN_KINDS = {"direct", "indirect", "mixed", "block"}
# the share of the first-to-last span that its parts must cover for the parts to be scored as that span;
# chosen by 5-fold CV on train over 0.45-0.6 and the earlier rule (whichever of the two spans overlaps the
# parts more): content exact 0.571 -> 0.584, content and e2e unchanged
JOIN_COVER = 0.5


def predictions_of(result: Result, join: set[str] | None = None) -> list[Pred]:
    """One prediction per attribution, in the scorer's one-span form.

    The parts of a quotation split around its cue ("…," he said. "…"), or of any quote whose parts share
    one cue in one paragraph (JOIN_KINDS), are separate quotes in onrecord's output but one attribution
    with a discontinuous content in PolNeAR. A prediction has one span, so the parts become the span from
    the first part to the last when the parts make at least JOIN_COVER of it (the gold extent of such an
    attribution runs from its first character to its last, the cue between included, and its characters
    still overlap that span by half); when the words between are more, the longest part stands for the
    whole.
    Each span takes the quotation marks right around it, which PolNeAR's contents include and onrecord's
    quote text leaves out: the two halves of “…,” X said. “…” have four marks between them.
    """
    return predictions_and_quotes(result, join)[0]


def predictions_and_quotes(result: Result, join: set[str] | None = None) -> tuple[list[Pred], list[int]]:
    """``predictions_of``, with the index in ``result.quotes`` of each prediction's first quote."""
    preds: list[Pred] = []
    firsts: list[int] = []
    groups: dict[tuple[int, int], list[Pred]] = {}
    text = result.article.text
    breaks = [i for i, ch in enumerate(text) if ch == "\n"]
    for n, q in enumerate(result.quotes):
        sp = q.speaker
        a, b = _with_marks(text, q.start, q.end, q.kind == "direct")
        p = Pred(a, b, sp.start if sp else None, sp.end if sp else None, sp.name if sp else None)
        if q.kind in (JOIN_KINDS if join is None else join) and q.cue is not None and q.parent is None:
            # parts in one paragraph; a continuation in the next paragraph stands alone
            key = (q.cue.start, bisect.bisect_left(breaks, q.start))  # (cue, paragraph)
            if key in groups:
                groups[key].append(p)
                continue
            groups[key] = [p]
        preds.append(p)
        firsts.append(n)
    for parts in groups.values():
        if len(parts) < 2:
            continue
        first = parts[0]
        quoted = sum(x.end - x.start for x in parts)
        span = max(x.end for x in parts) - first.start
        if quoted / span >= JOIN_COVER:
            first.end = max(x.end for x in parts)
        else:
            longest = max(parts, key=lambda x: x.end - x.start)
            first.start, first.end = longest.start, longest.end
    return preds, firsts


def _with_marks(text: str, a: int, b: int, direct: bool = False) -> tuple[int, int]:
    """A span with the quotation marks right around it: PolNeAR's contents include the marks of what
    they quote, onrecord's quote text leaves them out. Two apostrophes ('') are one mark, as marks.py
    reads them (an old newswire convention: ''Like this,'' he said); straight single marks count around
    a direct quote only, where onrecord read them as marks ('Like this,' he said), not as apostrophes."""
    if text.startswith("''", max(0, a - 2)) and a >= 2:
        a -= 2
    elif a > 0 and (text[a - 1] in ALL_MARKS or (direct and text[a - 1] == "'")):
        a -= 1
    if text.startswith("''", b):
        b += 2
    elif b < len(text) and (text[b] in ALL_MARKS or (direct and text[b] == "'")):
        b += 1
    return a, b
