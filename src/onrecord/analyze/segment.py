"""Very long articles read in pieces, so that memory stays bounded whatever an input holds.

Everything the analysis builds for an article (its parsed chunks, the tagger's columns, the drafts) is
held until the article's quotes are decided: a whole run peaked at 599 MiB on an ordinary article of a
million characters, 1,625 MiB on one of short quoted paragraphs (389 MiB read in pieces). No news article is near
that long (PolNeAR's longest is 33,672 characters), but an input can be: a whole book, a feed dumped
into one record, a scraper's mistake. An article longer than SEGMENT characters is therefore read as
pieces of at most SEGMENT characters, cut at a line's end (else a sentence's, else a space), each
analysed as an article of its own, and the pieces' results joined into one result for the whole text
(``join``): offsets shifted, quote ids renumbered, entities of the same name and type merged.

What a piece cannot see is the text of the pieces around it: a quotation open across a cut, or a "he"
whose name is only in the piece before, is read as if the article began at the cut. At 100,000
characters a piece is three times the longest article of a year of political news, so the cost falls
only on inputs that are not articles.
"""

from __future__ import annotations

import re
from dataclasses import replace

from onrecord.types import Cue, Entity, Quote, Result, Speaker

SEGMENT = 100_000  # characters: a longer article is read in pieces of at most this many
_SENT_END = re.compile(r"[.!?][\"”’)]*+\s++")


def cuts(text: str, size: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of the pieces ``text`` is read in: the whole text when it is at most ``size``
    (default SEGMENT) characters, else pieces of at most ``size``, each cut after the last line break of
    its second half, else after its last sentence end there, else after its last space there, else at
    ``size``."""
    size = size or SEGMENT
    out = []
    a, n = 0, len(text)
    while n - a > size:
        lo, hi = a + size // 2, a + size
        cut = text.rfind("\n", lo, hi) + 1
        if cut <= lo:
            cut = 0
            for m in _SENT_END.finditer(text, lo, hi):
                cut = m.end()
        if cut <= lo:
            cut = text.rfind(" ", lo, hi) + 1
        if cut <= lo:
            cut = hi
        out.append((a, cut))
        a = cut
    out.append((a, n))
    return out


def join(article, parts: list[tuple[int, Result]]) -> Result:
    """One result for ``article`` from the results of its pieces, each with the offset of its piece in
    the article's text: quotes in text order, numbered afresh (q1, q2, ...), with their parents;
    entities of one name and type merged into the first piece's, their titles, organisations and mentions
    joined, and every speaker pointed at the merged entity."""
    if len(parts) == 1 and parts[0][0] == 0:
        res = parts[0][1]
        return Result(article, res.quotes, res.entities)
    quotes: list[Quote] = []
    entities: dict[tuple[str, str], Entity] = {}
    for off, res in parts:
        ent_ids: dict[str, str] = {}
        for e in res.entities:
            key = (e.type, e.name)
            merged = entities.get(key)
            if merged is None:
                merged = entities[key] = Entity(f"e{len(entities) + 1}", e.name, e.type)
            ent_ids[e.id] = merged.id
            merged.titles.extend(t for t in e.titles if t not in merged.titles)
            merged.orgs.extend(o for o in e.orgs if o not in merged.orgs)
            merged.mentions.extend((s + off, t + off) for s, t in e.mentions)
        q_ids: dict[str, str] = {}
        for q in res.quotes:
            q_ids[q.id] = f"q{len(quotes) + len(q_ids) + 1}"
        for q in res.quotes:
            sp = q.speaker
            if sp is not None:
                sp = Speaker(sp.mention, sp.start + off, sp.end + off, sp.name, sp.via,
                             ent_ids.get(sp.entity) if sp.entity else None)
            cue = Cue(q.cue.text, q.cue.start + off, q.cue.end + off) if q.cue else None
            quotes.append(replace(q, id=q_ids[q.id], start=q.start + off, end=q.end + off, speaker=sp,
                                  cue=cue, parent=q_ids.get(q.parent) if q.parent else None))
    return Result(article, quotes, list(entities.values()))
