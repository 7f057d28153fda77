"""The questions people ask of a corpus: search, who is quoted, one person over time, one article."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from onrecord.corpus.store import Store
from onrecord.errors import NotFound, OnrecordError
from onrecord.types import Article, Cue, Entity, Quote, Result, Speaker

_FTS_SYNTAX = re.compile(r'["*()]|\b(?:AND|OR|NOT|NEAR)\b')


def fts_query(text: str) -> str:
    """A user's words as an FTS5 query: every word must occur ("no-fly zone" -> no AND fly AND zone).
    A query already written in FTS5 syntax (quotes, AND/OR/NOT, *) is passed through."""
    if _FTS_SYNTAX.search(text):
        return text
    words = re.findall(r"\w+", text)
    if not words:
        raise OnrecordError("the search has no words in it")
    return " ".join(f'"{w}"' for w in words)


def _filters(speaker: str | None, since: str | None, until: str | None, kind: str | None
             ) -> tuple[str, list[Any]]:
    where, args = [], []
    if speaker:
        where.append("(s.name LIKE ? OR q.speaker_mention LIKE ?)")
        args += [f"%{speaker}%", f"%{speaker}%"]
    if since:
        where.append("a.date >= ?")
        args.append(since)
    if until:
        where.append("a.date <= ?")
        args.append(until)
    if kind:
        where.append("q.kind = ?")
        args.append(kind)
    return "".join(f" AND {w}" for w in where), args


def sentence_around(text: str, start: int, end: int, limit: int = 400) -> str:
    """The sentence(s) holding text[start:end], at most ``limit`` characters on either side."""
    left = max(text.rfind(". ", max(0, start - limit), start), text.rfind("\n", max(0, start - limit), start))
    a = left + 1 if left >= 0 else max(0, start - limit)
    candidates = [i for i in (text.find(". ", end, end + limit), text.find("\n", end, end + limit)) if i >= 0]
    b = min(candidates) + 1 if candidates else min(len(text), end + limit)
    return " ".join(text[a:b].split())


@dataclass
class Hit:
    quote_id: int
    article: str  # the input's id, or the database id
    date: str | None
    title: str | None
    speaker: str | None
    kind: str
    cue: str | None
    text: str
    context: str
    appearances: int  # how many articles carry this quotation (1 when it is not a known duplicate)
    first: bool  # whether this is its earliest appearance

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


_SELECT = """
    SELECT q.id, q.kind, q.text, q.start, q."end", q.cue, q.speaker_mention, s.name AS speaker,
           a.id AS aid, a.ext_id, a.date, a.title, a.text AS atext,
           COALESCE(t.appearances, 1) AS appearances, COALESCE(t.first_quote_id = q.id, 1) AS first
    FROM {source}
    JOIN articles a ON a.id = q.article_id
    LEFT JOIN speakers s ON s.id = q.speaker_id
    LEFT JOIN quotations t ON t.id = q.quotation_id
"""


def _hit(row) -> Hit:
    return Hit(row["id"], row["ext_id"] or str(row["aid"]), row["date"], row["title"],
               row["speaker"] or row["speaker_mention"], row["kind"], row["cue"], row["text"],
               sentence_around(row["atext"], row["start"], row["end"]), row["appearances"], bool(row["first"]))


def search(store: Store, text: str, speaker: str | None = None, since: str | None = None,
           until: str | None = None, kind: str | None = None, limit: int = 20) -> list[Hit]:
    """Quotes matching ``text``, best first (FTS5 bm25)."""
    extra, args = _filters(speaker, since, until, kind)
    sql = (_SELECT.format(source="quotes_fts f JOIN quotes q ON q.id = f.rowid")
           + f" WHERE quotes_fts MATCH ? {extra} ORDER BY bm25(quotes_fts) LIMIT ?")
    try:
        rows = store.db.execute(sql, [fts_query(text), *args, limit]).fetchall()
    except Exception as e:  # sqlite3.OperationalError: a malformed FTS5 query
        raise OnrecordError(f"cannot search for {text!r}: {e}") from None
    return [_hit(r) for r in rows]


def speakers(store: Store, top: int = 20, since: str | None = None, until: str | None = None
             ) -> list[dict[str, Any]]:
    """Who is quoted most. ``quotes`` counts quotations (the same quote in three outlets is one);
    ``appearances`` counts them all."""
    extra, args = _filters(None, since, until, None)
    rows = store.db.execute(
        f"""SELECT s.id, s.name, s.type, COUNT(DISTINCT COALESCE(q.quotation_id, -q.id)) AS quotes,
                   COUNT(q.id) AS appearances, COUNT(DISTINCT q.article_id) AS articles,
                   MIN(a.date) AS first, MAX(a.date) AS last
            FROM quotes q JOIN speakers s ON s.id = q.speaker_id JOIN articles a ON a.id = q.article_id
            WHERE 1 {extra} GROUP BY s.id ORDER BY quotes DESC, s.name LIMIT ?""", [*args, top]).fetchall()
    out = []
    for r in rows:
        titles = store.db.execute(
            "SELECT title, org, first_date, last_date FROM speaker_titles WHERE speaker_id = ?"
            " ORDER BY first_date", (r["id"],)).fetchall()
        out.append({"speaker": r["name"], "type": r["type"], "quotes": r["quotes"],
                    "appearances": r["appearances"], "articles": r["articles"],
                    "first": r["first"], "last": r["last"],
                    "titles": [_title_text(t) for t in titles]})
    return out


def _title_text(t) -> str:
    span = " – ".join(x for x in (t["first_date"], t["last_date"]) if x)
    return f"{t['title']}{', ' + t['org'] if t['org'] else ''}" + (f" ({span})" if span else "")


def resolve_speaker(store: Store, name: str) -> tuple[int, str]:
    """The one speaker ``name`` means: an exact (case-blind) name, else the only name containing it."""
    key = " ".join(name.lower().split())
    row = store.db.execute("SELECT id, name FROM speakers WHERE key = ?", (key,)).fetchone()
    if row:
        return row["id"], row["name"]
    rows = store.db.execute(
        "SELECT s.id, s.name, COUNT(q.id) AS n FROM speakers s LEFT JOIN quotes q ON q.speaker_id = s.id"
        " WHERE s.key LIKE ? GROUP BY s.id ORDER BY n DESC", (f"%{key}%",)).fetchall()
    if len(rows) == 1:
        return rows[0]["id"], rows[0]["name"]
    if not rows:
        raise NotFound(f"no speaker named {name!r} in {store.path}")
    names = ", ".join(f"{r['name']} ({r['n']})" for r in rows[:6])
    raise OnrecordError(f"{name!r} could be several speakers: {names}{', ...' if len(rows) > 6 else ''}; "
                        "give the full name")


@dataclass
class Timeline:
    speaker: str  # the canonical name ``name`` resolved to
    hits: list[Hit]  # the first ``limit`` quotes, in date order
    total: int  # how many there are in all
    dates: list[str | None]  # the date of every one of them, for a plot


def timeline(store: Store, name: str, about: str | None = None, limit: int = 1000) -> Timeline:
    """One speaker's quotes in date order (optionally only those matching ``about``); ``limit`` caps
    the quotes listed, never the count or the dates."""
    sid, canonical = resolve_speaker(store, name)
    if about:
        source = "quotes_fts f JOIN quotes q ON q.id = f.rowid"
        where, args = "quotes_fts MATCH ? AND", [fts_query(about)]
    else:
        source, where, args = "quotes q", "", []
    order = f" WHERE {where} q.speaker_id = ? ORDER BY a.date, a.id, q.start"
    try:
        rows = store.db.execute(_SELECT.format(source=source) + order + " LIMIT ?", [*args, sid, limit]).fetchall()
        dates = [r[0] for r in store.db.execute(
            f"SELECT a.date FROM {source} JOIN articles a ON a.id = q.article_id" + order, [*args, sid])]
    except Exception as e:  # sqlite3.OperationalError: a malformed FTS5 query
        raise OnrecordError(f"cannot search for {about!r}: {e}") from None
    return Timeline(canonical, [_hit(r) for r in rows], len(dates), dates)


def load_result(store: Store, article: str) -> Result:
    """An article (by the input's id, or the database id) with its quotes, as extract returns it."""
    row = store.db.execute("SELECT * FROM articles WHERE ext_id = ? ORDER BY id LIMIT 1", (article,)).fetchone()
    if row is None and article.isdigit():
        row = store.db.execute("SELECT * FROM articles WHERE id = ?", (int(article),)).fetchone()
    if row is None:
        raise OnrecordError(f"no article {article!r} in {store.path}")
    return _result(store, row)


def _result(store: Store, row) -> Result:
    art = Article(text=row["text"], id=row["ext_id"] or str(row["id"]), date=row["date"], title=row["title"],
                  url=row["url"], source=row["source"])
    quotes = []
    for q in store.db.execute(
            "SELECT q.*, s.name FROM quotes q LEFT JOIN speakers s ON s.id = q.speaker_id"
            " WHERE article_id = ? ORDER BY q.id", (row["id"],)):
        sp = None
        if q["speaker_mention"] is not None:
            sp = Speaker(q["speaker_mention"], q["speaker_start"], q["speaker_end"], q["name"], q["via"],
                         f"s{q['speaker_id']}" if q["speaker_id"] else None)
        cue = Cue(q["cue"], q["cue_start"], q["cue_end"]) if q["cue"] is not None else None
        quotes.append(Quote(q["qid"], q["kind"], q["text"], q["start"], q["end"], sp, cue, bool(q["question"]),
                            q["parent_qid"], q["confidence"]))
    return Result(art, quotes, _entities(store, quotes))


def _entities(store: Store, quotes: list[Quote]) -> list[Entity]:
    """The corpus speakers an article's quotes name (ids s<N> are speakers.id), with their mentions."""
    out: dict[str, Entity] = {}
    for q in quotes:
        sp = q.speaker
        if sp is None or sp.entity is None:
            continue
        ent = out.get(sp.entity)
        if ent is None:
            sid = int(sp.entity[1:])
            row = store.db.execute("SELECT name, type FROM speakers WHERE id = ?", (sid,)).fetchone()
            titles = store.db.execute("SELECT DISTINCT title, org FROM speaker_titles WHERE speaker_id = ?",
                                      (sid,)).fetchall()
            ent = out[sp.entity] = Entity(sp.entity, row["name"], row["type"],
                                          sorted({t["title"] for t in titles}),
                                          sorted({t["org"] for t in titles if t["org"]}))
        if (sp.start, sp.end) not in ent.mentions:
            ent.mentions.append((sp.start, sp.end))
    return list(out.values())


def all_results(store: Store):
    for row in store.db.execute("SELECT * FROM articles ORDER BY id").fetchall():
        yield _result(store, row)
