"""The same quotation across outlets, in Spark, by the store's own rule (corpus/duplicates.py ``decide``).

The store compares a quote only with the quotations that share one of its lookup keys (the smallest
hashes of its word pairs), and a quotation keeps the keys of the quote that began it. So a quote's
answer depends only on the quotes it is joined to through shared keys, however indirectly: the
connected components of the quote-key graph are independent. The stage finds them by min-label
propagation (each round, every key takes the least label of its quotes and every quote the least label
of its keys, until nothing changes: as many rounds as the longest chain of keys), then replays
``decide`` in input order inside each component against a dictionary. Short quotes (under MIN_WORDS
words) match on their words and speaker only, so (words, speaker) is their component. The answer is the
store's, up to the numbering: a quotation's id is a stable hash of the quote that began it.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator

from onrecord.corpus.duplicates import (
    CANDIDATES,
    MIN_WORDS,
    Quotations,
    decide,
    earlier,
    lookup_keys,
    normalise,
)


def quotation_number(article_hash: str, quote_id: str) -> int:
    """A quotation's id in Spark's output: 63 bits of the sha256 of the quote that began it."""
    return int.from_bytes(hashlib.sha256(f"{article_hash} {quote_id}".encode()).digest()[:8], "big") >> 1


def article_quotes(article_hash: str, ordinal: int, quotes: list[dict]) -> list[dict]:
    """The quotes of one article the store matches, in its order: those not nested in another quote."""
    out = []
    for q in sorted(quotes, key=lambda q: int(q["quote_id"][1:])):
        if q["parent"] is None:
            out.append({"article_hash": article_hash, "ordinal": ordinal, "seq": len(out),
                        "quote_id": q["quote_id"], "text": q["text"], "date": q["date"],
                        "local": (q["entity"] or q["speaker"]) if q["speaker"] else None})
    return out


def edges(q: dict) -> list:
    """What joins a quote to others: its lookup keys; for a short quote with a named speaker, its
    words and speaker; nothing for a short quote without one (it is never matched)."""
    norm = normalise(q["text"])
    if len(norm.split()) < MIN_WORDS:
        return [("short", norm, q["speaker_id"])] if q["speaker_id"] is not None and norm else []
    return [("key", k) for k in lookup_keys(norm)]


class _Memory(Quotations):
    def __init__(self) -> None:
        self.norm: list[str] = []
        self.speaker: list[int | None] = []
        self.first: list[tuple] = []
        self.first_date: list[str | None] = []
        self.members: list[list[tuple]] = []
        self.articles: list[set[str]] = []
        self.by_key: dict[int, list[int]] = defaultdict(list)
        self.by_short: dict[tuple[str, int], list[int]] = defaultdict(list)

    def short_match(self, norm: str, speaker_id: int, article_id) -> int | None:
        for qid in self.by_short.get((norm, speaker_id), []):  # lowest id first, as the store's index
            if article_id not in self.articles[qid]:
                return qid
        return None

    def candidates(self, keys: list[int], speaker_id: int | None) -> list[tuple[int, str]]:
        shared: dict[int, int] = defaultdict(int)
        for k in keys:
            for qid in self.by_key.get(k, []):
                if speaker_id is None or self.speaker[qid] is None or self.speaker[qid] == speaker_id:
                    shared[qid] += 1
        best = sorted(shared, key=lambda qid: (-shared[qid], qid))[:CANDIDATES]
        return [(qid, self.norm[qid]) for qid in best]

    def in_article(self, qid: int, article_id) -> bool:
        return article_id in self.articles[qid]

    def create(self, quote_id, norm: str, speaker_id: int | None, date: str | None, short: bool,
               keys: list[int]) -> int:
        qid = len(self.norm)
        self.norm.append(norm)
        self.speaker.append(speaker_id)
        self.first.append(quote_id)
        self.first_date.append(date)
        self.members.append([quote_id])
        self.articles.append({quote_id[0]})
        for k in keys:
            self.by_key[k].append(qid)
        if short:
            self.by_short[(norm, speaker_id)].append(qid)
        return qid

    def attach(self, qid: int, quote_id, speaker_id: int | None, date: str | None) -> None:
        if earlier(date, self.first_date[qid]):
            self.first[qid], self.first_date[qid] = quote_id, date
        if self.speaker[qid] is None:
            self.speaker[qid] = speaker_id
        self.members[qid].append(quote_id)
        self.articles[qid].add(quote_id[0])


def replay(quotes: Iterable[dict]) -> Iterator[tuple[tuple[str, str], tuple[int, int, bool]]]:
    """((article_hash, quote_id), (quotation id, appearances, first appearance)) for one component."""
    reg = _Memory()
    for q in sorted(quotes, key=lambda q: (q["ordinal"], q["seq"])):
        decide(reg, (q["article_hash"], q["quote_id"]), q["text"], q["speaker_id"], q["date"], q["article_hash"])
    for qid, members in enumerate(reg.members):
        number = quotation_number(*reg.first[qid])
        for m in members:
            yield m, (number, len(members), m == reg.first[qid])
