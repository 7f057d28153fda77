"""Word lists as data files (cues.txt, titles.txt, orgwords.txt), loaded once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources


def _lines(name: str) -> list[str]:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


@dataclass(frozen=True)
class CueWord:
    lemma: str
    question: bool
    weak: bool  # counts only with a clausal object


@cache
def cue_forms() -> dict[str, CueWord]:
    """Every form of every cue verb, lower-cased, mapped to its lemma."""
    forms: dict[str, CueWord] = {}
    for line in _lines("cues.txt"):
        words, _, tag = line.partition("|")
        parts = words.split()
        cue = CueWord(parts[0], tag.strip() == "question", tag.strip() == "weak")
        for form in parts:
            forms.setdefault(form.lower(), cue)
    # words learned from annotated news (build.py): cues only with a clause or an object as content
    for line in _lines("cues_learned.txt"):
        word = line.split("\t")[0]
        forms.setdefault(word, CueWord(word, False, True))
    return forms


@cache
def titles() -> tuple[tuple[str, ...], ...]:
    """Titles as word tuples, longest first, lower-cased."""
    items = {tuple(line.lower().split()) for line in _lines("titles.txt")}
    return tuple(sorted(items, key=len, reverse=True))


@cache
def title_words() -> frozenset[str]:
    return frozenset(w for t in titles() for w in t)


@cache
def org_words() -> frozenset[str]:
    return frozenset(line.lower() for line in _lines("orgwords.txt"))
