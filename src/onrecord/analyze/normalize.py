"""The text onrecord analyses, and the way back to the text as stored.

Scraped and converted news carries characters that change nothing for a reader and break a parser:
zero-width spaces and joiners, soft hyphens and bidirectional marks (Unicode format characters) inside
words, runs of spaces or tabs, special spaces, carriage returns, and rules drawn with dashes
("Ortiz.----------She said"). The analysis runs on a cleaned copy:

- format characters (category Cf: U+200B, U+200C, U+200D, U+00AD, U+2060, U+FEFF, ...) and carriage
  returns are removed: "Or\u200ctiz" is "Ortiz";
- a run of spaces, tabs or special spaces (no-break, thin, ideographic, ...) is one plain space;
- a run of three or more dashes, underscores or equals signs is " — ", an aside's dash.

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


@cache
def _format_chars() -> str:
    """Every format character of the Basic Multilingual Plane, and the tag characters."""
    codes = [*range(0x10000), *range(0xE0000, 0xE0080)]
    return "".join(chr(c) for c in codes if unicodedata.category(chr(c)) == "Cf")


@cache
def _needs_cleaning() -> re.Pattern[str]:
    # linear: one character class, or a run of a class of fixed length, never nested
    fmt = re.escape(_format_chars() + "\r")
    spaces = re.escape(_SPACES)
    rules = re.escape(_RULE_CHARS)
    return re.compile(f"[{fmt}]|[{spaces}]{{2}}|[\xa0\u1680\u2000-\u200a\u202f\u205f\u3000\t]|[{rules}]{{3}}")


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


def normalize(text: str) -> Normalized:
    if _needs_cleaning().search(text) is None:
        return Normalized(text, text)
    fmt = set(_format_chars())
    spaces, rules = set(_SPACES), set(_RULE_CHARS)
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in fmt or (ch == "\r" and i + 1 < n and text[i + 1] == "\n"):
            i += 1
            continue
        if ch == "\r":  # a line break of its own (old Mac files)
            ch = "\n"
        if ch in spaces:
            j = i
            while j < n and (text[j] in spaces or text[j] in fmt):
                j += 1
            out.append(" ")  # the whole run is one space
            starts.append(i)
            ends.append(j)
            i = j
            continue
        if ch in rules:
            j = i
            while j < n and text[j] in rules:
                j += 1
            if j - i >= 3:
                out.append(_RULE)
                starts += [i, i, j]
                ends += [i, j, j]
                i = j
                continue
            for k in range(i, j):
                out.append(text[k])
                starts.append(k)
                ends.append(k + 1)
            i = j
            continue
        out.append(ch)
        starts.append(i)
        ends.append(i + 1)
        i += 1
    return Normalized(text, "".join(out), starts, ends)
