"""Who a speaker mention refers to, within one article.

"NATO Secretary General Jens Stoltenberg", "Stoltenberg", "the secretary general" and "he" all become the
entity "Jens Stoltenberg" (title "Secretary General", organisation "NATO"). Names come from the article's
own capitalised word sequences, so a full name given anywhere in the text (even in a paragraph that was
never parsed) completes a surname used elsewhere.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cache

from onrecord.lexicon import first_name_gender, org_words, title_words, titles, wordlist
from onrecord.types import Entity, Speaker

PRONOUNS_PERSON = wordlist("pronouns_person")
PRONOUNS_FIRST = wordlist("pronouns_first")
PRONOUNS_SECOND = wordlist("pronouns_second")
HONORIFICS = wordlist("honorifics")
PRONOUNS_OTHER = wordlist("pronouns_other")
_DETS = wordlist("determiners")
_MODIFIERS = wordlist("modifiers")
_SUFFIXES = wordlist("name_suffixes")
_PARTICLES = wordlist("name_particles")
_NOT_NAMES = wordlist("not_names")  # capitalised words that are never a person's name
_PARTY_LABELS = wordlist("party_labels")
_TITLE_CASE_BREAKS = wordlist("title_case_breaks")
_HONORIFIC_GENDER = {"mr": "m", "mr.": "m", "sir": "m", "lord": "m", "mrs": "f", "mrs.": "f", "ms": "f", "ms.": "f",
                     "miss": "f", "dame": "f", "lady": "f"}
MAX_PRONOUN_LOOKBACK = 40  # people named before a pronoun that are looked at, nearest first
# a capitalised word; a dot belongs to it only in short abbreviations (Sen., Gov., Jr.), so a sequence
# never runs over a sentence end; words are separated by spaces only, never by a line break
_WORD = r"(?:[A-Z][a-z]{0,2}\.|[A-Z][\w’'\-]*)"
_SEQ = re.compile(rf"{_WORD}(?:(?:[ \t]+(?:of|de|van|von|der|al|bin|la|le|du|da)[ \t]+|[ \t]+){_WORD})*")


def _norm_title(words: list[str]) -> str:
    return " ".join(w.strip(".,").lower().replace("-", " ") for w in words)


@dataclass
class ParsedName:
    name: str | None  # the personal or organisation name, without titles
    titles: list[str] = field(default_factory=list)
    orgs: list[str] = field(default_factory=list)
    is_org: bool = False


def parse_name(words: list[str]) -> ParsedName:
    """Split capitalised words like "NATO Secretary General Jens Stoltenberg" into orgs, titles and name."""
    ws = [w for w in words if w]
    # a headline in title case: only what follows its last function word may be a name
    cut = max((i + 1 for i, w in enumerate(ws) if w in _TITLE_CASE_BREAKS), default=0)
    if 0 < cut < len(ws):
        ws = ws[cut:]
    # "For Trump, ...", "But Obama said", "He's Donald Trump": a capitalised sentence opener is not part of
    # any name
    while ws and (ws[0].lower() in _DETS | _MODIFIERS or (_base(ws[0]) in _NOT_NAMES and len(ws) > 1)):
        ws = ws[1:]
    ws = [_base(w) if i < len(ws) - 1 else w for i, w in enumerate(ws)]
    found_titles: list[str] = []
    orgs: list[str] = []
    name_start = 0
    i = 0
    lowered = [w.lower().strip(",") for w in ws]
    while i < len(ws):
        n = _title_at(lowered, i)
        if not n:
            i += 1
            continue
        if not found_titles:
            orgs = [w for w in ws[name_start:i] if w[:1].isupper()]  # "NATO" in "NATO Secretary General"
        found_titles.append(" ".join(ws[i:i + n]))
        name_start = i = i + n
    rest = ws[name_start:]
    if found_titles:
        rest = _department(found_titles, rest)
    # the name is the trailing run of capitalised words
    j = len(rest)
    while j > 0 and (rest[j - 1][:1].isupper() or rest[j - 1].lower() in _SUFFIXES
                     or (rest[j - 1] in _PARTICLES and j < len(rest))):
        j -= 1
    name_words = [w for w in rest[j:] if w not in _NOT_NAMES or len(rest[j:]) > 1]
    while name_words and name_words[0] in _PARTICLES and (name_words[0] == "of" or len(name_words) > 2):
        name_words = name_words[1:]  # "of Texas", but "Mr. de Blasio" is de Blasio
    if len(name_words) > 2 and name_words[0] in _PARTY_LABELS and not _looks_org(name_words):
        orgs, name_words = [name_words[0]], name_words[1:]  # "Republican Donald Trump"
    if name_words and _stray_stop(name_words[-1]):
        name_words[-1] = name_words[-1][:-1]  # "Steve Quinlan." signing a letter
    name = " ".join(name_words) or None
    is_org = bool(name) and _looks_org(name_words)
    if name and not found_titles and not is_org and j > 0:
        orgs = [w for w in rest[:j] if w[:1].isupper()]
    return ParsedName(name, [_pretty_title(t) for t in found_titles], orgs, is_org)


def _department(found_titles: list[str], rest: list[str]) -> list[str]:
    """The words after a title without what the title is of: "Minister *of Finance* Ana Ruiz",
    "Secretary *of Homeland Security* Jeh Johnson", "President *of France*" (no name). The name starts at
    the last known first name but the final word, else it is the last two words (the last one after a
    department of one word, "Minister of Finance Ruiz"; the first name before an initial, "James R.
    Clapper"), unless those name an organisation; the department joins the title. Left as they were: a
    department that opens with "the" ("head of the Service Employees International Union" names the
    union), and one with a lower-case word, which ends it by itself ("director of communications Jen
    Psaki")."""
    if len(rest) == 2 and rest[0] == "of" and rest[1][:1].isupper():
        found_titles[-1] += " of " + rest[1]  # "President of France": a title, no name
        return []
    if len(rest) < 3 or rest[0].lower() != "of" or not rest[-1][:1].isupper() \
            or not all(w[:1].isupper() or w in _DEPARTMENT_GLUE for w in rest[1:]):
        return rest
    run = rest[1:]
    if run[0] == "the":
        return rest  # "head of the Service Employees International Union", "director of the UCLA Anderson
        #              Forecast": what the title is of, a name of its own
    k = next((i for i in range(len(run) - 2, 0, -1) if run[i][:1].isupper() and first_name_gender(run[i])), None)
    if k is None:
        k = len(run) - 2 if len(run) >= 3 else len(run) - 1
        if _INITIAL.fullmatch(run[k]) and k > 1:
            k -= 1
        if _looks_org(run[k:]):
            return rest  # "Director of Communications Workers Union"
    if run[k - 1] in _DEPARTMENT_GLUE:
        return rest  # "of Health and Human": the words do not split as a title's
    found_titles[-1] += " of " + " ".join(run[:k])
    return run[k:]


_DEPARTMENT_GLUE = frozenset({"the", "of", "and"})
_INITIAL = re.compile(r"[A-Z]\.")


def _base(word: str) -> str:
    """A word without its "'s" ("He's" is He)."""
    return word[:-2] if word.endswith(("’s", "'s")) else word


def _stray_stop(word: str) -> bool:
    """A full stop that ends a sentence, not an initial or an abbreviation ("Quinlan." but not "R.",
    "Jr.", "S.E.C.")."""
    return (word.endswith(".") and len(word) > 2 and "." not in word[:-1] and word.lower() not in _SUFFIXES
            and word not in HONORIFICS and not word[:-1].isupper())


@cache
def _titles_by_first_word() -> dict[str, list[tuple[str, ...]]]:
    out: dict[str, list[tuple[str, ...]]] = {}
    for t in titles():  # longest first, and so they stay
        out.setdefault(t[0], []).append(t)
    return out


@cache
def _norm_titles() -> frozenset[str]:
    return frozenset(_norm_title(list(t)) for t in titles())


def _title_at(lowered: list[str], i: int) -> int:
    """Length in words of the longest title starting at word i, or 0."""
    for t in _titles_by_first_word().get(lowered[i], ()):
        if tuple(lowered[i:i + len(t)]) == t:
            return len(t)
    return 0


def _pretty_title(t: str) -> str:
    def one(w: str) -> str:
        if w.lower() in {"of", "the", "for", "and"}:
            return w.lower()
        return w[:1].upper() + (w[1:].lower() if w.isupper() else w[1:])

    return " ".join(one(w) for w in t.split())


def _looks_org(words: list[str]) -> bool:
    if not words:
        return False
    if len(words) == 1 and words[0].isupper() and len(words[0]) > 1:
        return True  # an acronym: NATO, CNN
    return any(w.lower().strip(".,") in org_words() for w in words)


def surname(name: str) -> str:
    parts = [p for p in name.split() if p.lower() not in _SUFFIXES]
    return (parts[-1] if parts else name).lower()


@dataclass
class _Fulls:
    """The full names (two words or more) that share a surname, where the article gives them."""

    positions: list[int] = field(default_factory=list)  # in text order
    names: list[str] = field(default_factory=list)
    by_name: dict[str, list[int]] = field(default_factory=dict)  # each name's positions, in text order

    def add(self, pos: int, name: str) -> None:
        self.positions.append(pos)
        self.names.append(name)
        self.by_name.setdefault(name, []).append(pos)

    def nearest(self, name: str, at: int) -> tuple[int, int]:
        """(distance, position) of ``name``'s occurrence nearest ``at``; the earlier one on a tie."""
        ps = self.by_name[name]
        i = bisect.bisect_left(ps, at)
        options = [(abs(ps[k] - at), ps[k]) for k in (i - 1, i) if 0 <= k < len(ps)]
        return min(options)


class ArticleNames:
    """The people and organisations an article names, and how its mentions resolve to them."""

    def __init__(self, text: str, quoted: list[tuple[int, int]] | None = None) -> None:
        """``quoted``: the spans inside quotation marks, sorted; a name there is what someone said
        ("“Happy Cinco de Mayo!” he tweeted"), never whom a later pronoun stands for."""
        self.text = text
        quoted = quoted or []
        quoted_starts = [a for a, _ in quoted]

        def in_quotes(pos: int) -> bool:
            i = bisect.bisect_right(quoted_starts, pos) - 1
            return i >= 0 and pos < quoted[i][1]

        self.entities: dict[str, Entity] = {}  # by canonical name
        self._by_id: dict[str, Entity] = {}
        self._mentions: dict[str, set[tuple[int, int]]] = {}
        # every capitalised sequence: (start, end, parsed)
        self.sequences: list[tuple[int, int, ParsedName]] = []
        for m in _SEQ.finditer(text):
            words = m.group().split()
            if len(words) > 1 and all(w.isupper() for w in words):  # a transcript label: SECRETARY IVERS
                words = [w.capitalize() for w in words]
            if len(words) == 1 and words[0] in _NOT_NAMES:
                continue
            self.sequences.append((m.start(), m.end(), parse_name(words)))
        # names as written with an 's ("Donald Trump's") stay out of the lists below, as the sentence
        # openers they often come with do ("Despite Ted Cruz's"); a speaker's name is read without it
        # when the article names the person (or the surname) without it too (_link); "McDonald's" stays
        self._plain = {p.name for _s, _e, p in self.sequences if p.name and _base(p.name) == p.name}
        self._plain_surnames = {surname(n) for n in self._plain}
        self._full: dict[str, _Fulls] = {}  # surname -> the full names with it
        for start, _end, p in self.sequences:
            if p.name and not p.is_org and len(p.name.split()) >= 2:
                self._full.setdefault(surname(p.name), _Fulls()).add(start, p.name)
        # first word -> the full names it opens, for a one-word name that is a first name and no surname
        # of the article's: "Hillary", "Bernie" (a surname written first, "Xi", is not resolved this way:
        # headlines in title case give too many false full names, "Obama America")
        self._first_words: dict[str, set[str]] = {}
        for fulls in self._full.values():
            for n in fulls.by_name:
                w = n.split()
                if _base(n) != n:
                    continue  # "Fox News's"
                if len(w) == 2 or (len(w) == 3 and _INITIAL.fullmatch(w[1])):  # "Hillary Clinton",
                    self._first_words.setdefault(w[0].lower(), set()).add(n)  # "Donald J. Trump"
        # every name a pronoun may stand for (a full name, or a surname the article gives in full), and
        # every title a sequence gives its name, by position: lookups are bisections, not scans
        self._persons: list[tuple[int, str]] = []  # (position, name as written)
        self._titled: dict[str, list[tuple[int, str]]] = {}  # normalised title -> [(position, name)]
        # surnames the article gives with Mr or Ms: their gender
        self._honorific: dict[str, str] = {}
        for m in _SEQ.finditer(text):
            words = m.group().split()
            g = _HONORIFIC_GENDER.get(words[0].lower()) if len(words) >= 2 else None
            if g is not None:
                self._honorific.setdefault(surname(" ".join(words[1:])), g)
        self._by_surname: dict[str, list[tuple[int, int, ParsedName]]] = {}
        self._orgs: dict[str, list[tuple[int, str]]] = {}  # org word -> [(position, organisation)]
        for start, end, p in self.sequences:
            if not p.name:
                continue
            self._by_surname.setdefault(surname(p.name), []).append((start, end, p))
            if p.is_org:
                for w in {w.lower().strip(".,") for w in p.name.split()} & org_words():
                    self._orgs.setdefault(w, []).append((start, p.name))
                continue
            if (len(p.name.split()) >= 2 or surname(p.name) in self._full or surname(p.name) in self._honorific) \
                    and not in_quotes(start):
                self._persons.append((start, p.name))
            for t in p.titles:
                self._titled.setdefault(_norm_title(t.split()), []).append((start, p.name))
        # (position, order of resolution, canonical name) of the person mentions resolved so far
        self._last_person: list[tuple[int, int, str]] = []
        # normalised title -> (creation index, name) of the first entity created that holds it
        self._title_holders: dict[str, tuple[int, str]] = {}
        self._order: dict[str, int] = {}  # entity name -> creation index

    # -- canonical names -------------------------------------------------------------------------
    def canonical(self, name: str, at: int) -> str:
        """The fullest form of ``name`` the article gives, preferring the nearest one before ``at``."""
        fulls = self._full.get(surname(name))
        if fulls is None and len(name.split()) == 1 and first_name_gender(name) is not None:
            opened = self._first_words.get(name.lower(), set())
            if len(opened) == 1:  # one person the article names in full starts with this word
                return next(iter(opened))
        if len(name.split()) >= 2 and not _looks_org(name.split()):
            longer = [f for f in (fulls.by_name if fulls else ()) if f.endswith(name) and len(f) > len(name)]
            if not longer:
                return name
            most = max(len(f.split()) for f in longer)
            # the fullest, then the nearest (the earlier on a tie)
            return min((fulls.nearest(f, at), f) for f in longer if len(f.split()) == most)[1]  # type: ignore[union-attr]
        if not fulls:
            return name
        if len(fulls.by_name) == 1:
            return fulls.names[0]
        # the nearest before ``at``, else the first after it
        i = bisect.bisect_right(fulls.positions, at) - 1
        return fulls.names[i] if i >= 0 else fulls.names[0]

    def entity(self, name: str, is_org: bool) -> Entity:
        ent = self.entities.get(name)
        if ent is None:
            ent = Entity(id=f"e{len(self.entities) + 1}", name=name, type="ORG" if is_org else "PERSON")
            self.entities[name] = ent
            self._by_id[ent.id] = ent
            self._mentions[ent.id] = set()
            self._order[name] = len(self._order)
        return ent

    # -- resolution ------------------------------------------------------------------------------
    def resolve(self, speaker: Speaker, head_is_name: bool, words: list[str]) -> Speaker:
        """Fill ``speaker.name``/``via``/``entity`` from its mention words."""
        low = speaker.mention.lower().strip()
        if low in PRONOUNS_PERSON:
            name = self._recent_person(speaker.start, "f" if low in ("she", "her") else "m")
            if name:
                self._link(speaker, name, "pronoun", False)
            return speaker
        if low in PRONOUNS_FIRST or low in PRONOUNS_OTHER:
            return speaker
        parsed = parse_name(words)
        if not head_is_name and parsed.name and len(words) == 1 and surname(parsed.name) in self._full:
            head_is_name = True  # "Reyes told reporters": the tagger missed the name, the article has it
        if head_is_name and parsed.name:
            canon = self.canonical(parsed.name, speaker.start) if not parsed.is_org else parsed.name
            ent = self._link(speaker, canon, "name", parsed.is_org)
            self._add_titles(ent, parsed)
            return speaker
        title = self._title_of(words)
        if title:
            name = self._holder_of(title, speaker.start)
            if name:
                self._link(speaker, name, "title", False)
            return speaker
        org = self._org_of(words, speaker.start)
        if org:  # "The bank denied …" after "Arden Bank"
            self._link(speaker, org, "title", True)
        return speaker

    def _org_of(self, words: list[str], at: int) -> str | None:
        """The organisation a mention of its kind stands for ("the bank", "the ministry"): the last one
        named before ``at`` whose name holds that word."""
        ws = [w.lower() for w in words]
        if len(ws) != 2 or ws[0] not in _DETS or ws[1] not in org_words():
            return None
        named = self._orgs.get(ws[1], [])
        i = bisect.bisect_left(named, (at,)) - 1
        return named[i][1] if i >= 0 else None

    def add_mention(self, entity_id: str, start: int, end: int) -> None:
        """Record that text[start:end] names the entity (a speaker the quotes point at)."""
        ent = self._by_id[entity_id]
        if (start, end) not in self._mentions[entity_id]:
            self._mentions[entity_id].add((start, end))
            ent.mentions.append((start, end))

    def _link(self, speaker: Speaker, name: str, via: str, is_org: bool) -> Entity:
        base = _base(name)
        if base != name and (base in self._plain or surname(base) in self._plain_surnames):
            name = base if is_org else self.canonical(base, speaker.start)  # "Trump's": Donald Trump
        ent = self.entity(name, is_org)
        speaker.name, speaker.via, speaker.entity = name, via, ent.id  # type: ignore[assignment]
        if not is_org and ent.type == "PERSON":
            bisect.insort(self._last_person, (speaker.start, len(self._last_person), name))
        return ent

    def _add_titles(self, ent: Entity, parsed: ParsedName) -> None:
        for t in parsed.titles:
            if t.lower() in HONORIFICS:
                continue  # "Mr." helps to find a name; it is not a title worth recording
            if t.lower() not in {x.lower() for x in ent.titles}:
                ent.titles.append(t)
                key, order = _norm_title(t.split()), self._order[ent.name]
                if key not in self._title_holders or order < self._title_holders[key][0]:
                    self._title_holders[key] = (order, ent.name)
        for o in parsed.orgs:
            if o not in ent.orgs:
                ent.orgs.append(o)

    def _recent_person(self, at: int, gender: str | None = None) -> str | None:
        """The person most recently named before ``at`` (a speaker, or a full name in the text) whose
        first name (or Mr/Ms) does not disagree with ``gender`` ("f", "m"; None: anyone): "she" skips
        over Tom Reed to Maria Lopez. A name the list does not know agrees with both."""
        i = bisect.bisect_left(self._last_person, (at,)) - 1
        j = bisect.bisect_left(self._persons, (at,)) - 1
        for _ in range(MAX_PRONOUN_LOOKBACK):
            if i < 0 and j < 0:
                break
            if j < 0 or (i >= 0 and self._last_person[i][0] >= self._persons[j][0]):
                pos = self._last_person[i][0]
                first = bisect.bisect_left(self._last_person, (pos,))  # the one resolved first, on a tie
                name = self._last_person[first][2]
                i = first - 1
            else:
                start, written = self._persons[j]
                name = self.canonical(written, start)
                j -= 1
            if gender is None or self.gender(name) in (None, gender):
                return name
        return None

    def gender(self, name: str) -> str | None:
        """"f" or "m" when the first name (or a Mr, Mrs, Ms the article gives the surname) says so."""
        words = name.split()
        if len(words) >= 2:
            g = first_name_gender(words[0])
            if g is not None:
                return g
        return self._honorific.get(surname(name))

    def _title_of(self, words: list[str]) -> str | None:
        ws = [w.lower() for w in words if w.lower() not in _DETS | _MODIFIERS]
        if not ws or any(w[:1].isupper() for w in words[1:] if w.lower() not in title_words()):
            return None
        joined = _norm_title(ws)
        return joined if joined in _norm_titles() else None

    def _holder_of(self, title: str, at: int) -> str | None:
        held = self._titled.get(title, [])
        i = bisect.bisect_left(held, (at,)) - 1
        if i >= 0:
            start, name = held[i]
            return self.canonical(name, start)
        holder = self._title_holders.get(title)
        return holder[1] if holder else None

    def finish(self) -> list[Entity]:
        """Entities with their titles, organisations and every mention of their name in the text."""
        out = []
        for ent in self.entities.values():
            spans: set[tuple[int, int]] = set(ent.mentions)
            if ent.type == "PERSON":
                for start, end, p in self._by_surname.get(surname(ent.name), []):
                    if self.canonical(p.name, start) == ent.name:  # type: ignore[arg-type]
                        s = self.text.find(p.name, start, end)  # type: ignore[arg-type]
                        if s >= 0:
                            spans.add((s, s + len(p.name)))  # type: ignore[arg-type]
                        self._add_titles(ent, p)
            else:
                s = self.text.find(ent.name)
                while s >= 0:
                    spans.add((s, s + len(ent.name)))
                    s = self.text.find(ent.name, s + 1)
            ent.mentions = sorted(spans)
            out.append(ent)
        return out
