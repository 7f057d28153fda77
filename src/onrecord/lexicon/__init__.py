"""Word lists as data files, loaded once: cue verbs (cues.txt, and cues_learned.txt from ``make
lexicon``), titles (titles.txt), organisation words (orgwords.txt) and the closed lists the rules read
(wordlists.toml) and first names with their usual gender (first_names.txt, from nomquamgender). No
word list lives in code."""

from __future__ import annotations

import tomllib
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


_learned_override: str | None = None


def use_learned(text: str | None) -> None:
    """Read the learned cue words from ``text`` (a cues_learned.txt as build.render writes it) instead of
    the shipped file; None goes back to the shipped one. For training: a lexicon learned without the
    articles it is measured on (cross-fitting)."""
    global _learned_override
    _learned_override = text
    cue_forms.cache_clear()
    from onrecord.analyze import pipeline  # its paragraph filter caches the cue words too

    pipeline._cue_words.cache_clear()


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
    # words learned from annotated news (build.py): cues only with a clause or an object as content; a
    # learned verb ("~label") brings every regular form of it but those the data refused ("!not")
    verbs, refused = [], set()
    learned = _learned_override
    lines = [ln.strip() for ln in learned.splitlines() if ln.strip() and not ln.startswith("#")] \
        if learned is not None else _lines("cues_learned.txt")
    for line in lines:
        word = line.split("\t")[0]
        if word.startswith("~"):
            verbs.append(word[1:])
        elif word.startswith("!"):
            refused.add(word[1:])
        else:
            forms.setdefault(word, CueWord(word, False, True))
    for key in verbs:
        for word in sorted(inflections(key) - refused):
            if len(word) > 2:
                forms.setdefault(word, CueWord(word, False, True))
    return forms


def verb_key(word: str) -> str:
    """The forms of a regular verb share a key: label, labels, labeled, labeling, labelled -> "label";
    admire, admired, admiring -> "admir". Irregular forms (said, told) stand alone."""
    w = word
    for suffix in ("ing", "ed", "es", "s"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3 and not (suffix == "s" and w.endswith("ss")):
            w = w[: -len(suffix)]
            break
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiouls":
        w = w[:-1]
    return w


def inflections(key: str) -> set[str]:
    """The regular forms a verb with this ``verb_key`` may take (some of them no word at all, which is
    harmless in a lexicon): admir -> admire, admires, admired, admiring; stop -> stopped, stopping."""
    stems = {key, key + "e", key + key[-1]}
    forms = {f for s in stems for f in (s, s + "s", s + "es", s + "ed", s + "d", s + "ing")}
    return {f for f in forms if verb_key(f) == key}


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


@cache
def _wordlists() -> dict[str, list[str]]:
    raw = resources.files(__package__).joinpath("wordlists.toml").read_text(encoding="utf-8")
    out: dict[str, list[str]] = {}
    for section in tomllib.loads(raw).values():
        out.update(section)
    return out


@cache
def wordlist(name: str) -> frozenset[str]:
    """One closed word list of wordlists.toml, as written (most lists are lower-case)."""
    try:
        return frozenset(_wordlists()[name])
    except KeyError:
        raise KeyError(f"no word list {name!r} in lexicon/wordlists.toml") from None


@cache
def _first_names() -> dict[str, str]:
    out = {}
    for line in _lines("first_names.txt"):
        name, _, gender = line.partition("\t")
        out[name] = gender
    return out


def first_name_gender(name: str) -> str | None:
    """"f" or "m" for a first name nearly all of whose bearers are women or men (first_names.txt, from
    the nomquamgender package; lexicon/names.py), else None."""
    return _first_names().get(name.lower().strip(".,"))
