"""The text onrecord analyses, and the way back to the text as stored.

Scraped and converted news carries characters that change nothing for a reader and break a parser:
zero-width spaces and joiners, soft hyphens and bidirectional marks (Unicode format characters) inside
words, runs of spaces or tabs, special spaces, carriage returns, and rules drawn with dashes
("Ortiz.----------She said"). The analysis runs on a cleaned copy:

- a lone surrogate (half of a UTF-16 pair, which JSON can carry) is U+FFFD;
- format characters (category Cf: U+200B, U+200C, U+200D, U+00AD, U+2060, U+FEFF, ...) and carriage
  returns are removed: "Or\u200ctiz" is "Ortiz";
- an editor's square brackets are removed, their words kept: "President [Anna] Kova" is "President Anna
  Kova";
- a run of spaces, tabs or special spaces (no-break, thin, ideographic, ...) is one plain space;
- a run of three or more dashes, underscores or equals signs is " — ", an aside's dash;
- a run of one punctuation mark keeps three ("!!!!!!!!" is "!!!"), so does a run of more than ten marks
  of any kind, and a "word" of more than 100
  characters without a space gets one every 100 (no word of news is that long; spaCy's tokenizer takes
  time quadratic in a token's length, seconds for one of a few thousand characters).

Every offset the analysis finds is mapped back (``Normalized.restore``), so quotes, speakers, cues and
mentions index the text as stored, and ``text[start:end] == quote.text`` still holds; a speaker's
``name`` is read off the cleaned text ("Lina Ortiz", not "Lina Or\u200ctiz"). Text with nothing to
clean (most news) is analysed as it is, with no mapping at all.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import cache

from onrecord.types import Article, Cue, Entity, Result, Speaker

_SPACES = " \t\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_RULE_CHARS = "-‐‒–—―_="
_RULE = " — "
MAX_RUN = 3  # a run of one punctuation character longer than this keeps this many ("!!!", "...")
MAX_PUNCT = 10  # so does a run of punctuation longer than this ("!?!?!?…")
MAX_TOKEN = 100  # characters without a space before the analysis copy gets one


@cache
def _format_chars() -> str:
    """Every format character of the Basic Multilingual Plane, and the tag characters."""
    codes = [*range(0x10000), *range(0xE0000, 0xE0080)]
    return "".join(chr(c) for c in codes if unicodedata.category(chr(c)) == "Cf")


@cache
def _events() -> re.Pattern[str]:
    """What needs cleaning, one alternative each; linear: every repetition is possessive, none nests."""
    fmt = re.escape(_format_chars() + "\r")
    spaces = re.escape(_SPACES)
    special = re.escape(_SPACES[1:])  # all but the plain space
    rules = re.escape(_RULE_CHARS)
    return re.compile(
        "(?P<surrogate>[\ud800-\udfff])"
        f"|(?P<fmt>[{fmt}])"
        "|(?P<bracket>[][])"
        f"|(?P<space>[{spaces}]{{2,}}+|[{special}])"
        f"|(?P<rule>[{rules}]{{3,}}+)"
        f"|(?P<run>(?P<mark>[^\\w\\s])(?P=mark){{{MAX_RUN},}}+|[^\\w\\s{rules}]{{{MAX_PUNCT + 1},}}+)"
        f"|(?P<long>[^\\s]{{{MAX_TOKEN + 1},}}+)")


@dataclass
class Normalized:
    """The cleaned text, and for each of its characters the span of the stored text it stands for."""

    original: str
    text: str
    starts: list[int] | None = None  # None: nothing was cleaned, offsets are the same
    ends: list[int] | None = None

    def span(self, s: int, e: int) -> tuple[int, int]:
        """The stored text's span for the cleaned text's span [s, e)."""
        if self.starts is None or self.ends is None:
            return s, e
        if e <= s:
            p = self.starts[s] if s < len(self.starts) else len(self.original)
            return p, p
        return self.starts[s], self.ends[e - 1]

    def restore(self, result: Result, article: Article) -> Result:
        """``result`` (found in the cleaned text) with every offset and text in terms of ``article``."""
        if self.starts is None:
            return replace(result, article=article)
        t = self.original

        def speaker(sp: Speaker | None) -> Speaker | None:
            if sp is None:
                return None
            s, e = self.span(sp.start, sp.end)
            return replace(sp, mention=t[s:e], start=s, end=e)

        quotes = []
        for q in result.quotes:
            s, e = self.span(q.start, q.end)
            cue = None
            if q.cue is not None:
                cs, ce = self.span(q.cue.start, q.cue.end)
                cue = Cue(t[cs:ce], cs, ce)
            quotes.append(replace(q, text=t[s:e], start=s, end=e, speaker=speaker(q.speaker), cue=cue))
        entities = [Entity(x.id, x.name, x.type, x.titles, x.orgs,
                           sorted({m for m in (self.span(a, b) for a, b in x.mentions) if m[1] > m[0]}))
                    for x in result.entities]
        return Result(article=article, quotes=quotes, entities=entities)


@cache
def _inner() -> re.Pattern[str]:
    """The runs cleaned inside a long word (the alternatives of ``_events`` that can stand in one)."""
    rules = re.escape(_RULE_CHARS)
    return re.compile(f"(?P<rule>[{rules}]{{3,}}+)|(?P<run>(?P<mark>[^\\w\\s])(?P=mark){{{MAX_RUN},}}+|[^\\w\\s{rules}]{{{MAX_PUNCT + 1},}}+)")


def _cut(text: str, a: int, b: int, since: int, keep, put) -> int:
    """Keep text[a:b], putting a space wherever MAX_TOKEN characters have gone by without one."""
    while a < b:
        room = MAX_TOKEN - since
        if room <= 0:
            put(" ", [(a, a)])
            since, room = 0, MAX_TOKEN
        k = min(b, a + room)
        keep(a, k)
        since += k - a
        a = k
    return since


def normalize(text: str) -> Normalized:
    """The analysis copy of ``text``: format characters and carriage returns removed, runs of spaces one
    space, rules of dashes an aside's dash, runs of one punctuation mark cut to MAX_RUN, and a space
    every MAX_TOKEN characters of a "word" (spaCy's tokenizer takes time quadratic in a token's length)."""
    events = _events()
    first = events.search(text)
    if first is None:
        return Normalized(text, text)
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []

    def keep(a: int, b: int) -> None:
        out.append(text[a:b])
        starts.extend(range(a, b))
        ends.extend(range(a + 1, b + 1))

    def put(piece: str, spans: list[tuple[int, int]]) -> None:
        out.append(piece)
        for a, b in spans:
            starts.append(a)
            ends.append(b)

    done = 0
    for m in events.finditer(text):
        a, b = m.span()
        keep(done, a)
        done = b
        kind = m.lastgroup
        if kind == "surrogate":  # half of a broken pair: no text to read, and spaCy cannot encode it
            put("\ufffd", [(a, b)])
        elif kind == "fmt":
            if text[a] == "\r" and not (b < len(text) and text[b] == "\n"):
                put("\n", [(a, b)])  # a line break of its own (old Mac files)
        elif kind == "bracket":
            pass  # an editor's brackets go, their words stay: "President [Anna] Kova"
        elif kind == "space":
            put(" ", [(a, b)])  # the whole run is one space
        elif kind == "rule":
            put(_RULE, [(a, a), (a, b), (b, b)])
        elif kind == "run":
            put(text[a:a + MAX_RUN], [(a + k, a + k + 1) for k in range(MAX_RUN - 1)] + [(a + MAX_RUN - 1, b)])
        else:  # a long "word": its runs cleaned as anywhere else, and a space after every MAX_TOKEN characters
            since = 0  # characters put since the last space
            pos = a
            for r in _inner().finditer(text, a, b):
                since = _cut(text, pos, r.start(), since, keep, put)
                if r.lastgroup == "rule":
                    put(_RULE, [(r.start(), r.start()), r.span(), (r.end(), r.end())])
                    since = 0
                else:
                    put(text[r.start():r.start() + MAX_RUN], [(r.start() + k, r.start() + k + 1) for k in range(MAX_RUN - 1)]
                        + [(r.start() + MAX_RUN - 1, r.end())])
                    since += MAX_RUN
                pos = r.end()
            _cut(text, pos, b, since, keep, put)
    keep(done, len(text))
    return Normalized(text, "".join(out), starts, ends)
