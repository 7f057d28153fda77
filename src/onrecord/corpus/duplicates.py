"""The same quotation in many outlets: one row in ``quotations``, many appearances in ``quotes``.

Texts are compared as sets of word pairs after normalising case, quotation marks, apostrophes and
punctuation, so small edits, different marks and trimming ("…the alliance will not move" against the
full sentence) still match: two texts are one quotation when one contains at least MIN_CONTAINMENT of
the other's word pairs and is at least MIN_LENGTH_RATIO as long. Two quotes of one article are never one
quotation (they are two attributions, often one inside the other). Candidates are found through the KEYS
smallest hashes of each text's word pairs that hold a content word (a bottom-k sketch); attributions to
two different known speakers never merge. Quotes under MIN_WORDS
words ("It is true") are too common to be told apart by their words: they are one quotation only when
the words are the same after normalising and so is the named speaker ("We are ready," said by the same
mayor in five outlets); with no named speaker they stay on their own.
"""

from __future__ import annotations

import re
import sqlite3
import zlib

MIN_WORDS = 8
MIN_CONTAINMENT = 0.7
MIN_LENGTH_RATIO = 0.4
KEYS = 4
CANDIDATES = 5
_WORDS = re.compile(r"[a-z0-9]+")


def normalise(text: str) -> str:
    text = text.lower().replace("’", "'").replace("‘", "'")
    return " ".join(_WORDS.findall(text.replace("'", "")))


def shingles(norm: str) -> set[int]:
    words = norm.split()
    return {zlib.crc32(" ".join(words[i:i + 2]).encode()) for i in range(max(1, len(words) - 1))}


def lookup_keys(norm: str) -> list[int]:
    """The KEYS smallest hashes among word pairs holding a content word (4+ letters): common pairs
    ("of the", "it is") would make every quote a candidate for every other."""
    words = norm.split()
    pairs = {zlib.crc32(f"{a} {b}".encode()) for a, b in zip(words, words[1:], strict=False)
             if len(a) >= 4 or len(b) >= 4}
    return sorted(pairs)[:KEYS]


def containment(a: set[int], b: set[int]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


class Quotations:
    """What the matching rule asks of the quotations known so far. _Db answers from the store; the Spark
    stage answers from memory (spark/quotations.py), so both follow one rule: ``decide``. Quotation ids
    are given in creation order, which breaks ties between candidates."""

    def short_match(self, norm: str, speaker_id: int, article_id) -> int | None: ...
    def candidates(self, keys: list[int], speaker_id: int | None) -> list[tuple[int, str]]: ...
    def in_article(self, qid: int, article_id) -> bool: ...
    def create(self, quote_id, norm: str, speaker_id: int | None, date: str | None, short: bool,
               keys: list[int]) -> int: ...
    def attach(self, qid: int, quote_id, speaker_id: int | None, date: str | None) -> None: ...


def decide(reg: Quotations, quote_id, text: str, speaker_id: int | None, date: str | None, article_id) -> None:
    """Attach a quote to its quotation, creating one if it is new (a short quote without a named speaker
    gets none)."""
    norm = normalise(text)
    if len(norm.split()) < MIN_WORDS:
        # too common to match by its words alone ("It is true"): one quotation with another only when
        # the words are the same and so is the named speaker
        if speaker_id is None or not norm:
            return
        found = reg.short_match(norm, speaker_id, article_id)
        if found is not None:
            reg.attach(found, quote_id, speaker_id, date)
        else:
            reg.create(quote_id, norm, speaker_id, date, True, [])
        return
    sh = shingles(norm)
    keys = lookup_keys(norm)
    best: tuple[float, int] | None = None
    for qid, qnorm in (reg.candidates(keys, speaker_id) if keys else []):  # bounded work per quote
        other = shingles(qnorm)
        if min(len(sh), len(other)) < MIN_LENGTH_RATIO * max(len(sh), len(other)):
            continue  # a fragment of a longer quote is not the same quotation
        if reg.in_article(qid, article_id):
            continue  # two attributions in one article (one inside the other) are not copies
        c = containment(sh, other)
        if c >= MIN_CONTAINMENT and (best is None or c > best[0]):
            best = (c, qid)
    if best is None:
        reg.create(quote_id, norm, speaker_id, date, False, keys)
    else:
        reg.attach(best[1], quote_id, speaker_id, date)


def earlier(date: str | None, first: str | None) -> bool:
    """Whether an appearance dated ``date`` comes before the quotation's first (undated ones never do)."""
    return date is not None and (first is None or date < first)


class _Db(Quotations):
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def short_match(self, norm: str, speaker_id: int, article_id) -> int | None:
        row = self.db.execute(
            "SELECT id FROM quotations WHERE short = 1 AND norm = ? AND speaker_id = ? AND NOT EXISTS"
            " (SELECT 1 FROM quotes WHERE quotation_id = quotations.id AND article_id = ?)",
            (norm, speaker_id, article_id)).fetchone()
        return row[0] if row else None

    def candidates(self, keys: list[int], speaker_id: int | None) -> list[tuple[int, str]]:
        """The few quotations sharing most keys with the quote (attributions to another known speaker
        never merge)."""
        marks = ",".join("?" * len(keys))
        return self.db.execute(
            f"SELECT q.id, q.norm FROM quotation_keys k JOIN quotations q ON q.id = k.quotation_id"
            f" WHERE k.key IN ({marks}) AND (? IS NULL OR q.speaker_id IS NULL OR q.speaker_id = ?)"
            f" GROUP BY q.id ORDER BY COUNT(*) DESC, q.id LIMIT {CANDIDATES}",
            [*keys, speaker_id, speaker_id]).fetchall()

    def in_article(self, qid: int, article_id) -> bool:
        return self.db.execute("SELECT 1 FROM quotes WHERE quotation_id = ? AND article_id = ?",
                               (qid, article_id)).fetchone() is not None

    def create(self, quote_id, norm: str, speaker_id: int | None, date: str | None, short: bool,
               keys: list[int]) -> int:
        qid = self.db.execute("INSERT INTO quotations(norm, speaker_id, first_quote_id, first_date, appearances,"
                              " short) VALUES (?, ?, ?, ?, 1, ?)",
                              (norm, speaker_id, quote_id, date, int(short))).lastrowid
        self.db.executemany("INSERT INTO quotation_keys(key, quotation_id) VALUES (?, ?)", [(k, qid) for k in keys])
        self.db.execute("UPDATE quotes SET quotation_id = ? WHERE id = ?", (qid, quote_id))
        return qid

    def attach(self, qid: int, quote_id, speaker_id: int | None, date: str | None) -> None:
        first = self.db.execute("SELECT first_date FROM quotations WHERE id = ?", (qid,)).fetchone()[0]
        if earlier(date, first):
            self.db.execute("UPDATE quotations SET first_quote_id = ?, first_date = ? WHERE id = ?",
                            (quote_id, date, qid))
        self.db.execute("UPDATE quotations SET appearances = appearances + 1, speaker_id = COALESCE(speaker_id, ?)"
                        " WHERE id = ?", (speaker_id, qid))
        self.db.execute("UPDATE quotes SET quotation_id = ? WHERE id = ?", (qid, quote_id))


def assign(db: sqlite3.Connection, quote_id: int, text: str, speaker_id: int | None, date: str | None,
           article_id: int) -> None:
    """Attach a stored quote to its quotation in the store, creating one if it is new."""
    decide(_Db(db), quote_id, text, speaker_id, date, article_id)
