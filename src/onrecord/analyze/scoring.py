"""Scoring: how likely each draft is to be an attribution a human annotator would mark.

The features of a draft are built here and nowhere else (``features``); the scorer is passed in
(``judge(…, scorer)``): anything with ``threshold`` and ``probability(features)``. The default, ``Model``,
is a logistic regression over those features (its cue word, how its content was found, the parse around
the cue, what kind of speaker it has, its length, ...), trained on the PolNeAR train split by
``python -m onrecord.train.confidence`` (``make train``) and shipped as models/confidence.json (weights
only, no corpus text). Every quote carries the probability as ``confidence``; drafts below the scorer's
threshold (chosen on held-out train articles) are dropped, and then reported speech standing in the
reported speech that is left (``without_embedded``). Block quotes, transcript turns and nested
attributions are structural and always kept.
"""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Protocol, TypeVar

from onrecord.analyze.candidate import Candidate, Draft
from onrecord.analyze.marks import last_sign
from onrecord.lexicon import wordlist

MODEL_FILE = "confidence.json"


class Scorer(Protocol):
    threshold: float

    def probability(self, feats: list[str]) -> float: ...


class _Judged(Protocol):
    """What the filters need of a candidate: the engine's drafts and the trainer's quotes both have it."""

    start: int
    end: int
    kind: str

    @property
    def parent(self) -> object: ...


T = TypeVar("T", bound=_Judged)
_MARKS = "“”\"«»"


def may_drop(kind: str, nested: bool) -> bool:
    """Whether the scorer may drop a draft: block quotes, transcript turns and nested attributions are
    structural and always kept. The trainer learns from exactly the drafts this admits."""
    return kind != "block" and not nested


def without_embedded(items: list[T], cue_at: Callable[[T], int | None]) -> list[T]:
    """Drops reported speech inside reported speech: in "Trump said Clinton claimed she was cleared"
    the claim is Trump's account, not a statement on Clinton's record, and annotated news leaves it
    unmarked. A reported (indirect or mixed) item whose cue stands inside the content of another
    kept reported item (the earlier one, where each stands in the other) is dropped. Nested
    attributions in quotations are not affected. ``items`` are the kept items of one article; the
    engine and the trainer (which chooses the threshold) both filter with this."""
    out: list[T] = []
    starts: list[int] = []  # of the reported items kept so far, in order
    reach: list[int] = []  # the furthest end among them so far
    for x in sorted(items, key=lambda x: (x.start, -(x.end - x.start))):
        reported = x.kind in ("indirect", "mixed") and x.parent is None
        cue = cue_at(x)
        if reported and cue is not None:
            i = bisect.bisect_right(starts, cue) - 1
            if i >= 0 and reach[i] > cue:
                continue
        if reported:
            starts.append(x.start)
            reach.append(max(x.end, reach[-1]) if reach else x.end)
        out.append(x)
    return sorted(out, key=lambda x: x.start)


def _bucket(n: int) -> str:
    for limit, name in ((1, "1"), (3, "2-3"), (7, "4-7"), (15, "8-15"), (30, "16-30")):
        if n <= limit:
            return name
    return "31+"


def _source_type(text: str, c: Candidate | None) -> str:
    if c is None or c.source is None:
        return "none"
    mention = text[c.source[0]:c.source[1]].strip().lower()
    if mention in wordlist("pronouns_first"):
        return "first"
    if mention in wordlist("pronouns_second"):
        return "second"
    if mention in wordlist("pronouns_person"):
        return "he-she"
    if mention in wordlist("pronouns_other"):
        return "other-pronoun"
    if c.head_is_name:
        return "name"
    return "description"


def features(text: str, d: Draft) -> list[str]:
    """The features of one draft: its kind, how it was found, its cue and speaker, its length and first
    word, and the parse around its cue."""
    c, how, kind = d.cand, d.how, d.kind
    nested = d.parent is not None
    content = text[d.start:d.end]
    words = content.split()
    first = words[0].lower().strip("“\"‘'") if words else ""
    cue = text[c.cue[0]:c.cue[1]].split()[0].lower() if c and c.cue and c.cue[1] > c.cue[0] else "-"
    src = _source_type(text, c)
    length = _bucket(len(words))
    f = [
        "bias", f"kind={kind}", f"how={how}", f"cue={cue}", f"cue={cue}|how={how}", f"src={src}",
        f"src={src}|how={how}", f"len={length}", f"kind={kind}|len={length}", f"nested={nested}",
        f"first={first if first in wordlist('function_words') else ('Cap' if words and words[0][:1].isupper() else 'low')}",
        f"marks={any(ch in content for ch in _MARKS)}", f"question={last_sign(content) == '?'}",
    ]
    if c is not None:
        f += [f"tag={c.tag}", f"dep={c.dep}", f"weak={bool(c.word and c.word.weak)}",
              f"cue_before={c.cue is not None and c.cue[0] < d.start}", f"in_source={c.in_source}"]
        f += c.shape + [f"{x}|how={how}" for x in c.shape]
    return f


@dataclass
class Model:
    """A logistic regression over feature strings, with the threshold under which drafts are dropped."""

    weights: dict[str, float]
    threshold: float

    def score(self, feats: list[str]) -> float:
        """The sum of the features' weights (the log-odds)."""
        w = self.weights
        return sum(w.get(x, 0.0) for x in feats)

    def probability(self, feats: list[str]) -> float:
        z = self.score(feats)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def read_model(name: str, path=None) -> dict:
    """A learned model's JSON (weights over feature strings, and what its trainer recorded): the package's
    models/``name``, or the file at ``path``."""
    if path is None:
        raw = resources.files("onrecord.models").joinpath(name).read_text(encoding="utf-8")
    else:
        with open(path, encoding="utf-8") as fh:
            raw = fh.read()
    return json.loads(raw)


@cache
def default_scorer() -> Model | None:
    """The shipped model, or None when the package has none (then nothing is filtered)."""
    try:
        data = read_model(MODEL_FILE)
    except (FileNotFoundError, ModuleNotFoundError):
        return None
    return Model(data["weights"], data["threshold"])


def judge(text: str, drafts: list[Draft], scorer: Scorer | None, keep_all: bool = False) -> list[Draft]:
    """Give every draft its features and confidence; unless ``keep_all``, drop what ``select`` drops."""
    for d in drafts:
        d.features = features(text, d)
        if scorer is not None:
            d.confidence = round(scorer.probability(d.features), 3)
    return drafts if keep_all else select(drafts, scorer)


def select(drafts: list[Draft], scorer: Scorer | None) -> list[Draft]:
    """The judged drafts the scorer keeps: those at or above its threshold (structural ones always), less
    reported speech inside the reported speech that is left."""
    kept = [d for d in drafts if scorer is None or d.confidence is None or d.confidence >= scorer.threshold
            or not may_drop(d.kind, d.parent is not None)]
    kept = without_embedded(kept, lambda d: d.cue_at)
    alive = set(map(id, kept))
    for d in kept:
        if d.parent is not None and id(d.parent) not in alive:
            d.parent = None
    return kept
