"""Quoted passages found from quotation marks alone, before any parsing.

Handles every common mark style (" “ ” « » „ ‘ ’ ‹ ›), quotes that run over several paragraphs (an
opening mark with no close at the paragraph end continues when the next paragraph opens with a mark),
and unbalanced marks: a quote left open at the end of a paragraph ends there, a new opening mark inside
an open quote of the same kind closes the open one first. Nothing here raises on odd input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# converted text mixes straight and curly marks: a straight opener may close with a curly mark ("I have
# been open.”) and a curly one with a straight mark (“If they can't, send it nonsecure," she wrote)
DOUBLE_OPEN = {"“": '”"', "„": "“”", "«": "»", "»": "«", '"': '"”', "‟": "”"}
SINGLE_OPEN = {"‘": "’", "‹": "›", "‚": "‘’", "'": "'’"}
# words that open with an apostrophe, not a quotation: rock 'n' roll, 'em, 'til, 'tis, 'cause
_ELISIONS = {"n", "em", "til", "tis", "twas", "cause", "bout", "round", "nuff", "cept", "ve", "s", "d",
             "ll", "re", "m", "t", "im", "er", "un", "ere", "ow", "ome", "appen"}
ALL_MARKS = "\"“”«»„‟‘’‹›‚"
_PARA = re.compile(r"[^\n]+")


@dataclass
class Marked:
    start: int  # first character inside the marks (whitespace trimmed)
    end: int
    outer_start: int  # the opening mark
    outer_end: int  # just after the closing mark (or the paragraph end when unclosed)
    closed: bool


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line; news text puts one paragraph on a line."""
    return [(m.start(), m.end()) for m in _PARA.finditer(text) if m.group().strip()]


def strip_chars(text: str, a: int, b: int, chars) -> tuple[int, int]:
    """The span [a, b) without the characters in ``chars`` at either end."""
    while a < b and text[a] in chars:
        a += 1
    while b > a and text[b - 1] in chars:
        b -= 1
    return a, b


_CLOSING = " ”\"’"


def last_sign(quoted: str) -> str:
    """The last character of a quotation's words, closing marks and spaces skipped: "." in “We won.”"""
    return quoted.rstrip(_CLOSING)[-1:]


def strip_space(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def _opens_single(text: str, i: int, end: int) -> bool:
    """A single mark opens a quotation after a space, a bracket or a dash, before a word. A straight
    one (British house style) must open a word that is not an elision ('n', 'em, 'til) nor a decade
    ('90s), and must be closed in its paragraph (find_marked)."""
    prev = text[i - 1] if i > 0 else " "
    nxt = text[i + 1] if i + 1 < end else " "
    if not (prev.isspace() or prev in "([—–-\"“") or nxt.isspace() or nxt.isdigit():
        return False
    if text[i] != "'":
        return True
    j = i + 1
    while j < end and j - i <= 6 and text[j].isalpha():
        j += 1
    return (nxt.isalpha() or nxt in "‘“\"") and text[i + 1:j].lower() not in _ELISIONS


def _closes_single(text: str, i: int, end: int) -> bool:
    nxt = text[i + 1] if i + 1 < end else " "
    return not nxt.isalnum()


def _closes_straight(text: str, i: int, start: int) -> bool:
    return i > start


def _inch_mark(text: str, i: int) -> bool:
    """Whether the double mark at ``i`` is the inch sign of a height written with primes, not the end of
    a quotation: 6’2”, 5'11" (one or two digits, a prime, a digit). A bounded look back, no pattern."""
    k = i - 1
    while k >= 0 and i - 1 - k < 2 and text[k].isdigit():
        k -= 1
    return k < i - 1 and k >= 1 and text[k] in "’'" and text[k - 1].isdigit()


def find_marked(text: str) -> list[Marked]:
    """Every passage between quotation marks, in text order, never overlapping.

    Two apostrophes ('') are read as a straight double mark (an old newswire convention). A straight mark
    left unclosed in a document that otherwise uses curly marks is a stray, not a quotation.
    """
    if "''" in text:
        text = text.replace("''", '" ')  # same length, so every offset still holds
    curly = "“" in text or "”" in text
    out: list[Marked] = []
    paras = paragraphs(text)
    open_at: int | None = None
    closers = ""
    single = False
    for pi, (ps, pe) in enumerate(paras):
        i = ps
        if open_at is not None:
            # continuing from the previous paragraph: skip this paragraph's re-opening mark
            j = ps
            while j < pe and text[j].isspace():
                j += 1
            if j < pe and text[j] in DOUBLE_OPEN:
                i = j + 1
        while i < pe:
            ch = text[i]
            if open_at is None:
                if ch == "”" and (i == ps or text[i - 1].isspace()) and i + 1 < pe and text[i + 1].isalnum():
                    open_at, closers, single = i, "”“", False  # a backwards mark used as an opener
                elif ch in DOUBLE_OPEN and ch != "»" and not _inch_mark(text, i):
                    open_at, closers, single = i, DOUBLE_OPEN[ch], False
                elif ch in SINGLE_OPEN and _opens_single(text, i, pe):
                    open_at, closers, single = i, SINGLE_OPEN[ch], True
            elif ch in closers and (not single or _closes_single(text, i, pe)) \
                    and (ch != '"' or _closes_straight(text, i, open_at + 1)) and (single or not _inch_mark(text, i)):
                _emit(out, text, open_at, i, i + 1, True)
                open_at = None
            elif not single and ch in "“„«" and closers != DOUBLE_OPEN['"']:
                # a second opening mark inside an open quote: the first one was never closed
                _emit(out, text, open_at, i, i, False)
                open_at, closers = i, DOUBLE_OPEN[ch]
            elif not single and ch == "“" and closers == DOUBLE_OPEN['"']:
                # a curly opener after an open straight mark: the straight one was a stray
                open_at, closers = i, DOUBLE_OPEN[ch]
            i += 1
        if open_at is not None:
            nxt = paras[pi + 1] if pi + 1 < len(paras) else None
            starts_with_mark = False
            if nxt is not None and not single:
                k = nxt[0]
                while k < nxt[1] and text[k].isspace():
                    k += 1
                starts_with_mark = k < nxt[1] and text[k] in DOUBLE_OPEN
            if not starts_with_mark:
                # an unclosed single mark is more likely an apostrophe; an unclosed straight one in a
                # document with curly marks, a stray
                if not single and not (closers == DOUBLE_OPEN['"'] and curly):
                    _emit(out, text, open_at, pe, pe, False)
                open_at = None
    return out


def _emit(out: list[Marked], text: str, open_at: int, close_at: int, outer_end: int, closed: bool) -> None:
    a, b = strip_space(text, open_at + 1, close_at)
    if b > a:
        out.append(Marked(a, b, open_at, outer_end, closed))
