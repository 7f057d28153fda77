"""Articles in, rows in the corpus database out.

Nothing lost, nothing twice: an article is identified by the sha256 of its text, so ingesting the same
files again adds nothing (and does not analyse them again). Results are written in batches, each in one
transaction; an ingest killed at any moment leaves the database as it was after the last whole batch,
and running the same command again finishes the job with the result of one uninterrupted run.
Unreadable inputs are kept in the ``input_errors`` table as well as reported.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from onrecord.corpus.duplicates import assign as assign_quotation
from onrecord.corpus.identity import record_titles, speaker_id
from onrecord.corpus.store import Store
from onrecord.errors import InputError
from onrecord.read import iter_articles
from onrecord.run.pool import DEFAULT_TIMEOUT, run
from onrecord.types import Article, Result

BATCH = 32


def article_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Summary:
    added: int = 0  # new articles stored
    already: int = 0  # articles the database had
    quotes: int = 0
    errors: list[InputError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # "path:line: date 'x' is not a date; ..."
    seconds: float = 0.0


def ingest(paths: Iterable[str], store: Store, jobs: int | None = None, batch: int = BATCH,
           on_progress: Callable[[Summary], None] | None = None, timeout: float | None = DEFAULT_TIMEOUT,
           on_notice: Callable[[str], None] | None = None, model: str = "default",
           nested: bool = False) -> Summary:
    """Store the articles of ``paths`` (files, folders, JSONL: what ``extract`` reads)."""
    return ingest_articles(iter_articles(paths), store, jobs, batch, on_progress, timeout, on_notice, model,
                           nested)


def ingest_articles(articles: Iterable[Article | InputError], store: Store, jobs: int | None = None,
                    batch: int = BATCH, on_progress: Callable[[Summary], None] | None = None,
                    timeout: float | None = DEFAULT_TIMEOUT, on_notice: Callable[[str], None] | None = None,
                    model: str = "default", nested: bool = False) -> Summary:
    """Store articles already read (and the inputs that could not be), as ``ingest`` does."""
    summary = Summary()
    return _store_all(run(_new_only(articles, store, summary), jobs=jobs, timeout=timeout, on_notice=on_notice,
                          model=model, nested=nested), store, summary, batch, on_progress)


def _store_all(items: Iterable[Result | InputError], store: Store, summary: Summary, batch: int,
               on_progress: Callable[[Summary], None] | None) -> Summary:
    """Write ``items`` in transactions of ``batch``, reporting after each."""
    t0 = time.perf_counter()
    pending: list[Result | InputError] = []
    for item in items:
        pending.append(item)
        if len(pending) >= batch:
            _write(store, pending, summary)
            pending = []
            if on_progress:
                on_progress(summary)
    if pending:
        _write(store, pending, summary)
    summary.seconds = time.perf_counter() - t0
    if on_progress:
        on_progress(summary)
    return summary


def _new_only(items: Iterable, store: Store, summary: Summary) -> Iterator:
    """Articles (or Results) the database does not have yet, once each even if an input repeats one;
    input errors pass through."""
    seen: set[str] = set()
    for item in items:
        if isinstance(item, Article | Result):
            h = article_hash(item.text if isinstance(item, Article) else item.article.text)
            if h in seen or store.db.execute("SELECT 1 FROM articles WHERE hash = ?", (h,)).fetchone():
                summary.already += 1
                continue
            seen.add(h)
        yield item


def _write(store: Store, items: list[Result | InputError], summary: Summary) -> None:
    with store.transaction() as db:
        for item in items:
            if isinstance(item, InputError):
                db.execute("INSERT OR IGNORE INTO input_errors(path, line, reason) VALUES (?, ?, ?)",
                           (item.path, item.line, item.reason))
                summary.errors.append(item)
                continue
            summary.warnings += [f"{item.article.source or 'input'}: {w}" for w in item.article.warnings]
            n = _write_result(db, item)
            if n is None:  # another ingest stored it first
                summary.already += 1
                continue
            summary.quotes += n
            summary.added += 1
            # an input that failed in an earlier ingest and is stored now is no longer an error
            path, line = _where(item.article.source)
            if path is not None:
                db.execute("DELETE FROM input_errors WHERE path = ? AND line IS ?", (path, line))


def _where(source: str | None) -> tuple[str | None, int | None]:
    if not source:
        return None, None
    path, _, line = source.rpartition(":")
    return (path, int(line)) if path and line.isdigit() else (source, None)


def _write_result(db: sqlite3.Connection, r: Result) -> int | None:
    """Store one article and its quotes; the number of quotes, or None when the database has the
    article already (stored by another ingest running at the same time)."""
    a = r.article
    cur = db.execute(
        "INSERT OR IGNORE INTO articles(hash, ext_id, url, outlet, date, title, source, text)"
        " VALUES (?,?,?,?,?,?,?,?)",
        (article_hash(a.text), a.id, a.url, a.outlet, a.date, a.title, a.source, a.text))
    if cur.rowcount == 0:
        return None
    article_id = cur.lastrowid
    entities = {e.id: e for e in r.entities}
    ids: dict[str, int | None] = {}  # entity id in the article -> speaker id in the corpus
    for q in r.quotes:
        sp = q.speaker
        sid = None
        if sp is not None and sp.name:
            ent = entities.get(sp.entity or "")
            key = sp.entity or sp.name
            if key not in ids:
                ids[key] = speaker_id(db, sp.name, ent.type if ent else "PERSON")
                if ent is not None:
                    record_titles(db, ids[key], ent, a.date)
            sid = ids[key]
        quote_id = db.execute(
            "INSERT INTO quotes(article_id, qid, kind, question, text, start, \"end\", speaker_id, speaker_name,"
            " speaker_mention, speaker_start, speaker_end, via, cue, cue_start, cue_end, parent_qid, confidence)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (article_id, q.id, q.kind, int(q.question), q.text, q.start, q.end, sid, sp.name if sp else None,
             sp.mention if sp else None, sp.start if sp else None, sp.end if sp else None,
             sp.via if sp else None, q.cue.text if q.cue else None, q.cue.start if q.cue else None,
             q.cue.end if q.cue else None, q.parent, q.confidence)).lastrowid
        if q.parent is None:
            assign_quotation(db, quote_id, q.text, sid, a.date, article_id)
    return len(r.quotes)


def parquet_results(folder: str) -> Iterator[Result | InputError]:
    """The Results (and input errors) of an `onrecord spark` output folder, articles in input order. An
    article the input held twice comes once. The folder's tables are read into memory."""
    from collections import defaultdict
    from pathlib import Path

    from onrecord.corpus.tables import result_from_rows
    from onrecord.errors import OnrecordError

    try:
        import pyarrow.parquet as pq

        def table(name: str) -> list[dict]:
            path = Path(folder) / name
            if not path.is_dir():
                raise OnrecordError(f"{folder}: no {name}/ dataset here; is it the --out folder of onrecord spark?")
            return pq.read_table(path).to_pylist()

        articles, quotes, entities, errors = (table(t) for t in ("articles", "quotes", "entities", "errors"))
    except OSError as e:  # pyarrow.ArrowInvalid is an OSError too: a damaged or foreign file
        raise OnrecordError(f"{folder}: cannot read the Parquet datasets ({e})") from None
    by_quote: dict[str, dict[str, dict]] = defaultdict(dict)
    for q in quotes:
        by_quote[q["article_hash"]][q["quote_id"]] = q  # an article held twice has its quotes twice
    by_entity: dict[str, dict[str, dict]] = defaultdict(dict)
    for e in entities:
        by_entity[e["article_hash"]][e["entity"]] = e
    for e in errors:
        yield InputError(e["path"], e["reason"], e["line"])
    seen: set[str] = set()
    for a in sorted(articles, key=lambda a: a["ordinal"]):
        h = a["article_hash"]
        if h in seen:
            continue
        seen.add(h)
        yield result_from_rows(a, list(by_quote[h].values()), list(by_entity[h].values()))


def ingest_parquet(folder: str, store: Store, batch: int = BATCH,
                   on_progress: Callable[[Summary], None] | None = None) -> Summary:
    """Store what `onrecord spark` wrote to ``folder``, with ingest's guarantees: an article the database
    has is skipped, and each batch is one transaction (a killed run, run again, finishes the job)."""
    summary = Summary()
    return _store_all(_new_only(parquet_results(folder), store, summary), store, summary, batch, on_progress)
