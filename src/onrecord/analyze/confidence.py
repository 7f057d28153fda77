"""How likely a candidate attribution is to be one a human annotator would mark.

A logistic regression over simple features of each candidate (its cue word, how its content was found,
the parse around the cue, what kind of speaker it has, its length, ...), trained on the PolNeAR train
split by ``python -m onrecord.evaluate.train`` (``make train``) and shipped as models/confidence.json
(weights only, no corpus text). Every quote carries the probability as ``confidence``; candidates below the
model's threshold (chosen on held-out train articles) are dropped, and then reported speech standing in
the reported speech that is left (``without_embedded``). Block quotes, transcript turns and nested
attributions are structural and always kept.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Protocol, TypeVar

from onrecord.analyze.attribution import CueHit
from onrecord.analyze.marks import last_sign
from onrecord.analyze.speakers import PRONOUNS_FIRST, PRONOUNS_OTHER, PRONOUNS_PERSON, PRONOUNS_SECOND

MODEL_FILE = "confidence.json"


class _Candidate(Protocol):
    """What the filters need of a candidate: the engine's drafts and the trainer's quotes both have it."""

    start: int
    end: int
    kind: str

    @property
    def parent(self) -> object: ...


T = TypeVar("T", bound=_Candidate)
_FUNCTION_WORDS = {"that", "to", "whether", "if", "the", "a", "an", "his", "her", "their", "it", "he", "she",
                   "they", "we", "i", "there", "this", "for", "about", "how", "what", "why", "in", "on"}


_MARKS = "“”\"«»"


def may_drop(kind: str, nested: bool) -> bool:
    """Whether the model may drop a candidate: block quotes, transcript turns and nested attributions are
    structural and always kept. The trainer learns from exactly the candidates this admits."""
    return kind != "block" and not nested


def without_embedded(items: list[T], cue_at: Callable[[T], int | None]) -> list[T]:
    """Drops reported speech inside reported speech: in "Trump said Clinton claimed she was cleared"
    the claim is Trump's account, not a statement on Clinton's record, and annotated news leaves it
    unmarked. A reported (indirect or mixed) candidate whose cue stands inside the content of another
    kept reported candidate (the earlier one, where each stands in the other) is dropped. Nested
    attributions in quotations are not affected. ``items`` are the kept candidates of one article;
    the engine and the trainer (which chooses the threshold) both filter with this."""
    out: list[T] = []
    outer: list[T] = []
    for x in sorted(items, key=lambda x: (x.start, -(x.end - x.start))):
        reported = x.kind in ("indirect", "mixed") and x.parent is None
        cue = cue_at(x)
        if reported and cue is not None and any(o.start <= cue < o.end for o in outer):
            continue
        if reported:
            outer.append(x)
        out.append(x)
    return sorted(out, key=lambda x: x.start)


def _bucket(n: int) -> str:
    for limit, name in ((1, "1"), (3, "2-3"), (7, "4-7"), (15, "8-15"), (30, "16-30")):
        if n <= limit:
            return name
    return "31+"


def _source_type(text: str, hit: CueHit | None) -> str:
    if hit is None or hit.source is None:
        return "none"
    mention = text[hit.source[0]:hit.source[1]].strip().lower()
    if mention in PRONOUNS_FIRST:
        return "first"
    if mention in PRONOUNS_SECOND:
        return "second"
    if mention in PRONOUNS_PERSON:
        return "he-she"
    if mention in PRONOUNS_OTHER:
        return "other-pronoun"
    if hit.head_is_name:
        return "name"
    return "description"


def features(text: str, kind: str, start: int, end: int, hit: CueHit | None, how: str,
             nested: bool) -> list[str]:
    """The features of one candidate; ``how`` says how it was found (clause, object, aside, ...)."""
    content = text[start:end]
    words = content.split()
    first = words[0].lower().strip("“\"‘'") if words else ""
    cue = text[hit.cue[0]:hit.cue[1]].split()[0].lower() if hit and hit.cue[1] > hit.cue[0] else "-"
    src = _source_type(text, hit)
    length = _bucket(len(words))
    f = [
        "bias", f"kind={kind}", f"how={how}", f"cue={cue}", f"cue={cue}|how={how}", f"src={src}",
        f"src={src}|how={how}", f"len={length}", f"kind={kind}|len={length}", f"nested={nested}",
        f"first={first if first in _FUNCTION_WORDS else ('Cap' if words and words[0][:1].isupper() else 'low')}",
        f"marks={any(c in content for c in _MARKS)}", f"question={last_sign(content) == '?'}",
    ]
    if hit is not None:
        f += [f"tag={hit.tag}", f"dep={hit.dep}", f"weak={bool(hit.word and hit.word.weak)}",
              f"cue_before={hit.cue[0] < start}", f"in_source={hit.in_source}"]
        f += hit.shape + [f"{x}|how={how}" for x in hit.shape]
    return f


@dataclass
class Model:
    weights: dict[str, float]
    threshold: float

    def probability(self, feats: list[str]) -> float:
        z = sum(self.weights.get(x, 0.0) for x in feats)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@cache
def model() -> Model | None:
    """The shipped model, or None when the package has none (then nothing is filtered)."""
    try:
        raw = resources.files("onrecord.models").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError):
        return None
    data = json.loads(raw)
    return Model(data["weights"], data["threshold"])
