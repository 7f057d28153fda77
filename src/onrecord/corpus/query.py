"""The questions people ask of a corpus: search, who is quoted, one person over time, one article."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from datetime import date
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


def _filters(speaker: str | None, since: str | None, until: str | None, kind: str | None,
             outlet: str | None = None) -> tuple[str, list[Any]]:
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
    if outlet:
        where.append("lower(a.outlet) = lower(?)")
        args.append(outlet)
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
    article_id: int = 0  # the article's database id
    speaker_id: int | None = None  # the speaker's database id (null: no named speaker)
    outlet: str | None = None
    matches: list[tuple[int, int]] = field(default_factory=list)  # spans of ``text`` a search matched

    def as_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["matches"] = [list(m) for m in self.matches]
        return d


CONTEXT = 400  # characters either side of a quote that its sentence is looked for in (sentence_around)

# FTS5's highlight() puts these around each matched word; private-use characters, which news text lacks
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"

_SELECT = """
    SELECT q.id, q.kind, q.text, q.start, q."end", q.cue, q.speaker_mention, q.speaker_id, s.name AS speaker,
           a.id AS aid, a.ext_id, a.date, a.title, a.outlet,
           -- the article's text within CONTEXT characters of the quote, not all of it: enough for its sentence
           substr(a.text, max(q.start - {CONTEXT}, 0) + 1, q."end" + {CONTEXT} - max(q.start - {CONTEXT}, 0)) AS window,
           max(q.start - {CONTEXT}, 0) AS w0,
           COALESCE(t.appearances, 1) AS appearances, COALESCE(t.first_quote_id = q.id, 1) AS first
    FROM {source}
    JOIN articles a ON a.id = q.article_id
    LEFT JOIN speakers s ON s.id = q.speaker_id
    LEFT JOIN quotations t ON t.id = q.quotation_id
""".replace("{CONTEXT}", str(CONTEXT))


def _matches(text: str, marked: str | None) -> list[tuple[int, int]]:
    """The spans of ``text`` that highlight() marked in ``marked``."""
    if not marked or MARK_OPEN in text or MARK_CLOSE in text:
        return []
    out, pos, start = [], 0, None
    for ch in marked:
        if ch == MARK_OPEN:
            start = pos
        elif ch == MARK_CLOSE:
            if start is not None:
                out.append((start, pos))
            start = None
        else:
            pos += 1
    return out if pos == len(text) else []


def _hit(row) -> Hit:
    return Hit(row["id"], row["ext_id"] or str(row["aid"]), row["date"], row["title"],
               row["speaker"] or row["speaker_mention"], row["kind"], row["cue"], row["text"],
               sentence_around(row["window"], row["start"] - row["w0"], row["end"] - row["w0"], CONTEXT),
               row["appearances"], bool(row["first"]),
               row["aid"], row["speaker_id"] if row["speaker"] else None, row["outlet"])


_HIGHLIGHT = f"highlight(quotes_fts, 0, '{MARK_OPEN}', '{MARK_CLOSE}')"


def _by_ids(store: Store, ids: list[int], fts: str | None = None, marked: dict[int, str] | None = None
            ) -> list[Hit]:
    """The hits of quotes ``ids``, in that order; with ``fts`` (the FTS5 query they matched), the words it
    matched marked (``marked``: highlight()'s answer by id, when the caller has it already). Pages pick
    their ids first over narrow rows and read article texts only for these."""
    if not ids:
        return []
    marks = (",?" * len(ids))[1:]
    rows = {r["id"]: r for r in store.db.execute(
        _SELECT.format(source="quotes q") + f" WHERE q.id IN ({marks})", ids)}
    if marked is None and fts is not None:
        marked = dict(store.db.execute(f"SELECT rowid, {_HIGHLIGHT} FROM quotes_fts WHERE quotes_fts MATCH ?"
                                       f" AND rowid IN ({marks})", [fts, *ids]).fetchall())
    marked = marked or {}
    out = []
    for i in ids:
        if i in rows:
            h = _hit(rows[i])
            h.matches = _matches(h.text, marked.get(i))
            out.append(h)
    return out


def search(store: Store, text: str, speaker: str | None = None, since: str | None = None,
           until: str | None = None, kind: str | None = None, limit: int = 20, offset: int = 0,
           outlet: str | None = None) -> list[Hit]:
    """Quotes matching ``text``, best first (FTS5 bm25); ``Hit.matches`` marks the words matched."""
    extra, args = _filters(speaker, since, until, kind, outlet)
    fts = fts_query(text)
    if extra:
        sql = ("SELECT q.id FROM quotes_fts f JOIN quotes q ON q.id = f.rowid JOIN articles a ON a.id = q.article_id"
               f" LEFT JOIN speakers s ON s.id = q.speaker_id WHERE quotes_fts MATCH ? {extra}"
               " ORDER BY bm25(quotes_fts), q.id LIMIT ? OFFSET ?")
    else:  # FTS5's own ranked scan, no join; it marks the words of the rows it returns only
        sql = f"SELECT rowid, {_HIGHLIGHT} FROM quotes_fts WHERE quotes_fts MATCH ? ORDER BY rank LIMIT ? OFFSET ?"
    try:
        rows = store.db.execute(sql, [fts, *args, limit, offset]).fetchall()
        ids = [r[0] for r in rows]
        return _by_ids(store, ids, fts, None if extra else {r[0]: r[1] for r in rows})
    except sqlite3.Error as e:  # a malformed FTS5 query
        raise OnrecordError(f"cannot search for {text!r}: {e}") from None


def count_search(store: Store, text: str, speaker: str | None = None, since: str | None = None,
                 until: str | None = None, kind: str | None = None, outlet: str | None = None) -> int:
    """How many quotes ``search`` would find with no limit."""
    extra, args = _filters(speaker, since, until, kind, outlet)
    sql = ("SELECT COUNT(*) FROM quotes_fts f JOIN quotes q ON q.id = f.rowid JOIN articles a"
           " ON a.id = q.article_id LEFT JOIN speakers s ON s.id = q.speaker_id"
           f" WHERE quotes_fts MATCH ? {extra}") if extra else \
        "SELECT COUNT(*) FROM quotes_fts WHERE quotes_fts MATCH ?"  # every row of quotes_fts is a quote's
    try:
        return store.db.execute(sql, [fts_query(text), *args]).fetchone()[0]
    except sqlite3.Error as e:
        raise OnrecordError(f"cannot search for {text!r}: {e}") from None


def speakers(store: Store, top: int = 20, since: str | None = None, until: str | None = None,
             offset: int = 0) -> list[dict[str, Any]]:
    """Who is quoted most. ``quotes`` counts quotations (the same quote in three outlets is one);
    ``appearances`` counts them all."""
    extra, args = _filters(None, since, until, None)
    rows = store.db.execute(
        f"""SELECT s.id, s.name, s.type, COUNT(DISTINCT COALESCE(q.quotation_id, -q.id)) AS quotes,
                   COUNT(q.id) AS appearances, COUNT(DISTINCT q.article_id) AS articles,
                   MIN(a.date) AS first, MAX(a.date) AS last
            FROM quotes q JOIN speakers s ON s.id = q.speaker_id JOIN articles a ON a.id = q.article_id
            WHERE 1 {extra} GROUP BY s.id ORDER BY quotes DESC, s.name LIMIT ? OFFSET ?""",
        [*args, top, offset]).fetchall()
    out = []
    for r in rows:
        out.append({"speaker": r["name"], "type": r["type"], "quotes": r["quotes"],
                    "appearances": r["appearances"], "articles": r["articles"],
                    "first": r["first"], "last": r["last"],
                    "titles": [_title_text(t) for t in _titles(store, r["id"])], "speaker_id": r["id"]})
    return out


def count_speakers(store: Store, since: str | None = None, until: str | None = None) -> int:
    """How many speakers ``speakers`` would list with no limit."""
    extra, args = _filters(None, since, until, None)
    return store.db.execute(
        "SELECT COUNT(DISTINCT q.speaker_id) FROM quotes q JOIN articles a ON a.id = q.article_id"
        f" WHERE q.speaker_id IS NOT NULL {extra}", args).fetchone()[0]


def _titles(store: Store, sid: int) -> list:
    return store.db.execute("SELECT title, org, first_date, last_date FROM speaker_titles WHERE speaker_id = ?"
                            " ORDER BY first_date, title", (sid,)).fetchall()


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
    speaker_id: int = 0


def timeline(store: Store, name: str, about: str | None = None, limit: int = 1000) -> Timeline:
    """One speaker's quotes in date order (optionally only those matching ``about``); ``limit`` caps
    the quotes listed, never the count or the dates."""
    sid, canonical = resolve_speaker(store, name)
    return speaker_timeline(store, sid, about, limit)


def speaker_timeline(store: Store, sid: int, about: str | None = None, limit: int = 1000, offset: int = 0,
                     newest_first: bool = False, dates: bool = True) -> Timeline:
    """``timeline`` of the speaker with database id ``sid``; ``offset`` skips the first quotes listed.
    ``dates=False``: only the count, not every quote's date (``speaker_weeks`` counts them by week)."""
    row = store.db.execute("SELECT name FROM speakers WHERE id = ?", (sid,)).fetchone()
    if row is None:
        raise NotFound(f"no speaker {sid} in {store.path}")
    fts = fts_query(about) if about else None
    if fts:
        source, where, args = "quotes_fts f JOIN quotes q ON q.id = f.rowid", "quotes_fts MATCH ? AND", [fts]
    else:
        source, where, args = "quotes q", "", []
    # the article's date from the narrow (id, date) index, not from its wide row (schema 6)
    body = (f" FROM {source} JOIN articles a INDEXED BY articles_id_date ON a.id = q.article_id"
            f" WHERE {where} q.speaker_id = ?")
    d = "DESC" if newest_first else ""
    try:
        ids = [r[0] for r in store.db.execute(f"SELECT q.id{body} ORDER BY a.date {d}, a.id {d}, q.start {d}"
                                               " LIMIT ? OFFSET ?", [*args, sid, limit, offset])]
        if dates:
            every = [r[0] for r in store.db.execute(f"SELECT a.date{body} ORDER BY a.date, a.id, q.start",
                                                    [*args, sid])]
            total = len(every)
        else:
            every, total = [], store.db.execute(f"SELECT COUNT(*){body}", [*args, sid]).fetchone()[0]
        hits = _by_ids(store, ids, fts)
    except sqlite3.Error as e:  # a malformed FTS5 query
        raise OnrecordError(f"cannot search for {about!r}: {e}") from None
    return Timeline(row["name"], hits, total, every, sid)


def speaker_weeks(store: Store, sid: int) -> list[tuple[date, int]]:
    """How many quotes speaker ``sid`` has in each week, every week from their first to their last."""
    from onrecord.corpus.plot import per_week

    return per_week([tuple(r) for r in store.db.execute(
        "SELECT a.date, COUNT(*) FROM quotes q JOIN articles a ON a.id = q.article_id WHERE q.speaker_id = ?"
        " GROUP BY a.date", (sid,))])


def speaker_profile(store: Store, sid: int) -> dict[str, Any]:
    """Who speaker ``sid`` is: name, type, titles and organisations with their dates, and how much they
    are quoted (``quotes`` distinct quotations, ``appearances`` with copies, ``articles``, first and last)."""
    row = store.db.execute("SELECT id, name, type FROM speakers WHERE id = ?", (sid,)).fetchone()
    if row is None:
        raise NotFound(f"no speaker {sid} in {store.path}")
    n = store.db.execute(
        """SELECT COUNT(DISTINCT COALESCE(q.quotation_id, -q.id)) AS quotes, COUNT(q.id) AS appearances,
                  COUNT(DISTINCT q.article_id) AS articles, MIN(a.date) AS first, MAX(a.date) AS last
           FROM quotes q JOIN articles a ON a.id = q.article_id WHERE q.speaker_id = ?""", (sid,)).fetchone()
    return {"speaker_id": row["id"], "speaker": row["name"], "type": row["type"],
            "titles": [{"title": t["title"], "org": t["org"] or None, "first": t["first_date"],
                        "last": t["last_date"]} for t in _titles(store, sid)],
            "quotes": n["quotes"], "appearances": n["appearances"], "articles": n["articles"],
            "first": n["first"], "last": n["last"]}


def quotation(store: Store, quote_id: int) -> dict[str, Any]:
    """Every appearance of the quotation that quote ``quote_id`` is one of, earliest first (``first`` marks
    the earliest; a quote that no other article repeats is its own only appearance)."""
    row = store.db.execute("SELECT quotation_id FROM quotes WHERE id = ?", (quote_id,)).fetchone()
    if row is None:
        raise NotFound(f"no quote {quote_id} in {store.path}")
    if row["quotation_id"] is None:
        where, arg = "q.id = ?", quote_id
    else:
        where, arg = "q.quotation_id = ?", row["quotation_id"]
    rows = store.db.execute(_SELECT.format(source="quotes q") + f" WHERE {where}"
                            " ORDER BY a.date IS NULL, a.date, a.id, q.start", (arg,)).fetchall()
    hits = [_hit(r) for r in rows]
    return {"quote_id": quote_id, "quotation_id": row["quotation_id"], "appearances": hits,
            "first_quote_id": next((h.quote_id for h in hits if h.first), hits[0].quote_id)}


def corpus_stats(store: Store) -> dict[str, Any]:
    """What the database holds: articles, quotes, speakers, quotations, outlets, and the dates covered."""
    one = store.db.execute
    a = one("SELECT COUNT(*) AS n, MIN(date) AS first, MAX(date) AS last, COUNT(DISTINCT outlet) AS outlets"
            " FROM articles").fetchone()
    return {"articles": a["n"], "first": a["first"], "last": a["last"], "outlets": a["outlets"],
            "quotes": one("SELECT COUNT(*) FROM quotes").fetchone()[0],
            "speakers": one("SELECT COUNT(*) FROM speakers").fetchone()[0],
            "repeated_quotations": one("SELECT COUNT(*) FROM quotations WHERE appearances > 1").fetchone()[0]}


def load_result(store: Store, article: str) -> Result:
    """An article (by the input's id, or the database id) with its quotes, as extract returns it."""
    row = store.db.execute("SELECT * FROM articles WHERE ext_id = ? ORDER BY id LIMIT 1", (article,)).fetchone()
    if row is None and article.isdigit():
        row = store.db.execute("SELECT * FROM articles WHERE id = ?", (int(article),)).fetchone()
    if row is None:
        raise OnrecordError(f"no article {article!r} in {store.path}")
    return _result(store, row)


def load_article(store: Store, article_id: int) -> tuple[Result, dict[str, dict[str, int]]]:
    """The article with database id ``article_id`` as ``load_result`` gives it, and for each of its quotes
    (by its id in the article, q1, q2, ...) its database ``quote_id`` and its quotation's ``appearances``."""
    row = store.db.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
    if row is None:
        raise NotFound(f"no article {article_id} in {store.path}")
    ids = {r["qid"]: {"quote_id": r["id"], "appearances": r["n"]} for r in store.db.execute(
        "SELECT q.id, q.qid, COALESCE(t.appearances, 1) AS n FROM quotes q"
        " LEFT JOIN quotations t ON t.id = q.quotation_id WHERE q.article_id = ?", (article_id,))}
    return _result(store, row), ids


def _result(store: Store, row) -> Result:
    art = Article(text=row["text"], id=row["ext_id"] or str(row["id"]), date=row["date"], title=row["title"],
                  url=row["url"], source=row["source"], outlet=row["outlet"])
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
