"""The tables onrecord writes for other tools, written down once: articles, quotes, entities and input
errors as Arrow schemas, and the mapping between them and a Result.

`export --format parquet` writes QUOTES (one row per quote, corpus ids filled in by the store);
`onrecord spark` writes all four as Parquet datasets (articles/, quotes/, entities/, errors/), the corpus
ids null (they are given by the store, or by a corpus-wide stage); `ingest --from-parquet` reads them
back into Results. docs/schema.md documents the columns.
"""

from __future__ import annotations

from typing import Any

from onrecord.types import Article, Cue, Entity, Quote, Result, Speaker


def _schemas():
    import pyarrow as pa

    s, i, b, f = pa.string(), pa.int64(), pa.bool_(), pa.float64()
    articles = pa.schema([
        ("article_hash", s), ("article_id", s), ("date", s), ("title", s), ("url", s), ("outlet", s),
        ("source", s), ("text", s),
        ("ordinal", i),  # the article's place in the input: (file's place) * 2**32 + (its place in the file)
    ])
    quotes = pa.schema([
        ("article_db_id", i), ("article_id", s), ("article_hash", s), ("date", s), ("title", s), ("url", s),
        ("outlet", s), ("quote_id", s), ("kind", s), ("question", b), ("text", s), ("start", i), ("end", i),
        ("speaker", s), ("speaker_id", i), ("speaker_mention", s), ("speaker_start", i), ("speaker_end", i),
        ("via", s), ("entity", s), ("cue", s), ("cue_start", i), ("cue_end", i), ("parent", s),
        ("confidence", f), ("quotation_id", i), ("appearances", i), ("first_appearance", b),
    ])
    entities = pa.schema([
        ("article_hash", s), ("entity", s), ("name", s), ("type", s), ("titles", pa.list_(s)),
        ("orgs", pa.list_(s)), ("mentions", pa.list_(pa.list_(i))),
    ])
    errors = pa.schema([("path", s), ("line", i), ("reason", s)])
    # the speakers of a Spark run's corpus-wide stage (spark/speakers.py): quotes.speaker_id points here
    speakers = pa.schema([("speaker_id", i), ("name", s), ("key", s), ("type", s)])
    return {"articles": articles, "quotes": quotes, "entities": entities, "errors": errors, "speakers": speakers}


_CACHE: dict[str, Any] = {}


def schema(table: str):
    """The Arrow schema of ``table``: articles, quotes, entities, errors or speakers."""
    if not _CACHE:
        _CACHE.update(_schemas())
    return _CACHE[table]


def result_rows(r: Result, article_hash: str, ordinal: int) -> tuple[dict, list[dict], list[dict]]:
    """One article's rows: its articles row, its quotes rows, its entities rows (corpus ids null)."""
    a = r.article
    art = {"article_hash": article_hash, "article_id": a.id, "date": a.date, "title": a.title, "url": a.url,
           "outlet": a.outlet, "source": a.source, "text": a.text, "ordinal": ordinal}
    quotes = []
    for q in r.quotes:
        sp, cue = q.speaker, q.cue
        quotes.append({
            "article_db_id": None, "article_id": a.id, "article_hash": article_hash, "date": a.date,
            "title": a.title, "url": a.url, "outlet": a.outlet, "quote_id": q.id, "kind": q.kind,
            "question": q.question, "text": q.text, "start": q.start, "end": q.end,
            "speaker": sp.name if sp else None, "speaker_id": None, "speaker_mention": sp.mention if sp else None,
            "speaker_start": sp.start if sp else None, "speaker_end": sp.end if sp else None,
            "via": sp.via if sp else None, "entity": sp.entity if sp else None,
            "cue": cue.text if cue else None, "cue_start": cue.start if cue else None,
            "cue_end": cue.end if cue else None, "parent": q.parent, "confidence": q.confidence,
            "quotation_id": None, "appearances": None, "first_appearance": None})
    entities = [{"article_hash": article_hash, "entity": e.id, "name": e.name, "type": e.type,
                 "titles": list(e.titles), "orgs": list(e.orgs), "mentions": [list(m) for m in e.mentions]}
                for e in r.entities]
    return art, quotes, entities


def result_from_rows(art: dict, quotes: list[dict], entities: list[dict]) -> Result:
    """The inverse of ``result_rows``: the Result an article's rows were made from."""
    article = Article(text=art["text"], id=art["article_id"], date=art["date"], title=art["title"],
                      url=art["url"], source=art["source"], outlet=art["outlet"])
    out = []
    for q in sorted(quotes, key=lambda q: int(q["quote_id"][1:]) if q["quote_id"][1:].isdigit() else 0):
        sp = None
        if q["speaker_mention"] is not None:
            sp = Speaker(q["speaker_mention"], q["speaker_start"], q["speaker_end"], q["speaker"], q["via"],
                         q["entity"])
        cue = Cue(q["cue"], q["cue_start"], q["cue_end"]) if q["cue"] is not None else None
        out.append(Quote(q["quote_id"], q["kind"], q["text"], q["start"], q["end"], sp, cue, bool(q["question"]),
                         q["parent"], q["confidence"]))
    ents = [Entity(e["entity"], e["name"], e["type"], list(e["titles"] or []), list(e["orgs"] or []),
                   [tuple(m) for m in e["mentions"] or []]) for e in entities]
    ents.sort(key=lambda e: int(e.id[1:]) if e.id[1:].isdigit() else 0)
    return Result(article, out, ents)
