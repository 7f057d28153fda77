"""Scores predicted quotes against gold attributions, exactly as ../shared/data/polnear/README.md defines
them (and as ../shared/tools/score_attributions.py computes them; a test checks the two agree).

- a prediction matches a gold attribution when the Jaccard overlap of their content characters is at
  least 0.5; matching is one-to-one, greedy, best overlap first;
- exact: matched, and equal boundaries once spaces, quotation marks and . , ; : ! ? dashes are trimmed;
- direct: a gold content that contains a double or single curly/straight quotation mark;
- speaker right: the predicted mention overlaps the gold source span, or the predicted name shares a
  capitalised word with the gold source text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from onrecord.analyze.marks import strip_chars

QUOTES = "\"“”«»„‟‘’'"
DIRECT_MARKS = QUOTES[:6]
TRIM = set(QUOTES + " \t\n\r\xa0.,;:!?—–-")
MATCH_JACCARD = 0.5


@dataclass
class Gold:
    id: str
    text: str
    attributions: list[dict[str, Any]]


@dataclass
class Pred:
    start: int
    end: int
    speaker_start: int | None = None
    speaker_end: int | None = None
    speaker: str | None = None


@dataclass
class Outcome:
    """What happened to one article: matched pairs, unmatched gold, unmatched predictions."""

    gold: Gold
    preds: list[Pred]
    pairs: list[tuple[int, int, bool, bool]] = field(default_factory=list)  # gold i, pred j, exact, speaker ok
    missed: list[int] = field(default_factory=list)
    false: list[int] = field(default_factory=list)


def _charset(spans: Iterable[Iterable[int]]) -> set[int]:
    s: set[int] = set()
    for a, b in spans:
        s.update(range(a, b))
    return s


def _trimmed(text: str, a: int, b: int) -> tuple[int, int]:
    return strip_chars(text, a, b, TRIM)


def name_words(s: str | None) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Z][\w'’-]+", s or "")} - {"The", "the", "He", "She", "They", "It"}


def is_direct(gold: Gold, att: dict[str, Any]) -> bool:
    return any(ch in DIRECT_MARKS for s, e in att["content"] for ch in gold.text[s:e])


def speaker_right(gold: Gold, att: dict[str, Any], p: Pred) -> bool:
    gsrc = _charset(att["source"])
    if p.speaker_start is not None and p.speaker_end is not None \
            and gsrc & set(range(p.speaker_start, p.speaker_end)):
        return True
    if p.speaker:
        gtext = " ".join(gold.text[s:e] for s, e in att["source"])
        return bool(name_words(gtext) & name_words(p.speaker))
    return False


def match(gold: Gold, preds: list[Pred]) -> Outcome:
    gsets = [_charset(a["content"]) for a in gold.attributions]
    psets = [set(range(p.start, p.end)) for p in preds]
    cands = []
    for i, gs in enumerate(gsets):
        for j, ps in enumerate(psets):
            inter = len(gs & ps)
            if inter:
                jac = inter / len(gs | ps)
                if jac >= MATCH_JACCARD:
                    cands.append((jac, i, j))
    used_g: set[int] = set()
    used_p: set[int] = set()
    out = Outcome(gold, preds)
    for _jac, i, j in sorted(cands, reverse=True):
        if i not in used_g and j not in used_p:
            used_g.add(i)
            used_p.add(j)
            a, p = gold.attributions[i], preds[j]
            ga = (min(s for s, _ in a["content"]), max(e for _, e in a["content"]))
            exact = _trimmed(gold.text, *ga) == _trimmed(gold.text, p.start, p.end)
            ok = bool(a["source"]) and speaker_right(gold, a, p)
            out.pairs.append((i, j, exact, ok))
    out.missed = [i for i in range(len(gold.attributions)) if i not in used_g]
    out.false = [j for j in range(len(preds)) if j not in used_p]
    return out


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _div(a: int, b: int) -> float:
    return a / b if b else 0.0


@dataclass
class Scores:
    counts: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        c = self.counts
        P, R = _div(c["match"], c["pred"]), _div(c["match"], c["gold"])
        Pe, Re = _div(c["exact"], c["pred"]), _div(c["exact"], c["gold"])
        Pa, Ra = _div(c["e2e"], c["pred"]), _div(c["e2e"], c["gold_src"])
        return {
            "counts": dict(c),
            "content_overlap": {"P": P, "R": R, "F1": _f1(P, R)},
            "content_exact": {"P": Pe, "R": Re, "F1": _f1(Pe, Re)},
            "recall_direct": _div(c["match_direct"], c["gold_direct"]),
            "recall_indirect": _div(c["match_indirect"], c["gold_indirect"]),
            "speaker_acc_on_matched": _div(c["src_ok"], c["match_src"]),
            "attribution_e2e": {"P": Pa, "R": Ra, "F1": _f1(Pa, Ra)},
        }


def score(outcomes: Iterable[Outcome]) -> Scores:
    keys = ["gold", "pred", "match", "exact", "gold_src", "match_src", "src_ok", "e2e",
            "gold_direct", "match_direct", "gold_indirect", "match_indirect"]
    c = dict.fromkeys(keys, 0)
    for o in outcomes:
        g = o.gold
        c["gold"] += len(g.attributions)
        c["pred"] += len(o.preds)
        matched = {i for i, _, _, _ in o.pairs}
        for i, a in enumerate(g.attributions):
            d = "direct" if is_direct(g, a) else "indirect"
            c[f"gold_{d}"] += 1
            c[f"match_{d}"] += i in matched
            c["gold_src"] += bool(a["source"])
        for i, _j, exact, ok in o.pairs:
            c["match"] += 1
            c["exact"] += exact
            if g.attributions[i]["source"]:
                c["match_src"] += 1
                c["src_ok"] += ok
                c["e2e"] += ok
    return Scores(c)
