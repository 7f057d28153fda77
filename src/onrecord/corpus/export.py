"""Everything in the corpus, for pandas, DuckDB or Spark: JSON Lines (extract's form), CSV, Parquet.

The Parquet file has one row per quote (schema in docs/schema.md) and is written in row groups of
ROWS, so an export never holds the corpus in memory.
"""

from __future__ import annotations

from onrecord.corpus.query import all_results
from onrecord.corpus.store import Store
from onrecord.corpus.tables import schema
from onrecord.errors import OnrecordError
from onrecord.output import atomic_file

ROWS = 50_000

QUOTE_ROWS = """
    SELECT a.id AS article_db_id, a.ext_id AS article_id, a.hash AS article_hash, a.date, a.title, a.url,
           a.outlet, q.qid AS quote_id, q.kind, q.question, q.text, q.start, q."end", s.name AS speaker,
           q.speaker_id, q.speaker_mention, q.speaker_start, q.speaker_end, q.via,
           CASE WHEN q.speaker_id IS NOT NULL THEN 's' || q.speaker_id END AS entity,
           q.cue, q.cue_start, q.cue_end, q.parent_qid AS parent, q.confidence, q.quotation_id, t.appearances,
           (t.first_quote_id = q.id) AS first_appearance
    FROM quotes q JOIN articles a ON a.id = q.article_id
    LEFT JOIN speakers s ON s.id = q.speaker_id LEFT JOIN quotations t ON t.id = q.quotation_id
    ORDER BY q.id
"""


def parquet_schema():
    """One row per quote: the quotes table of corpus/tables.py, shared with `onrecord spark`."""
    return schema("quotes")


def export(store: Store, fmt: str, out: str) -> int:
    """Write the corpus to ``out``; returns the number of quotes (parquet) or articles (jsonl, csv).
    The file appears whole or not at all: it is written beside ``out`` under another name and renamed
    when complete, so an interrupted export (a full disk, Ctrl-C) leaves any earlier ``out`` as it was."""
    with atomic_file(out) as tmp:
        if fmt == "parquet":
            return _parquet(store, tmp)
        from onrecord.output import Writer

        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            writer = Writer(fmt, fh)
            for result in all_results(store):
                writer.write(result)
            writer.close()
        return writer.count


def _parquet(store: Store, out: str) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise OnrecordError("Parquet export needs pyarrow: pip install pyarrow") from None
    schema = parquet_schema()
    names = schema.names
    n = 0
    with pq.ParquetWriter(out, schema) as writer:
        cur = store.db.execute(QUOTE_ROWS)
        while rows := cur.fetchmany(ROWS):
            cols = {name: [r[name] for r in rows] for name in names}
            for b in ("question", "first_appearance"):
                cols[b] = [None if v is None else bool(v) for v in cols[b]]
            writer.write_table(pa.table(cols, schema=schema))
            n += len(rows)
    return n
