"""`onrecord spark` on a real Spark (local[2], the machine's Java): the same quotes as `onrecord extract`,
bad input as rows of errors/, and `ingest --from-parquet` giving the database a plain ingest gives."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.serve.conftest import ARTICLES, REPEATED

BIN = Path(sys.executable).parent
pytest.importorskip("pyspark", reason="pip install 'onrecord[spark]' (make test installs it)")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("no Java: onrecord spark needs Java 17 or newer", allow_module_level=True)

LATER = (f"“The budget is fine,” Ortiz said on Friday. “Nobody should doubt it,” she added.\n\n"
         f"“{REPEATED.rsplit(' of ', 1)[0]},” Ortiz said again.")
PARQUET_TEXT = ("Minister Paul Mensah said the port would reopen in May. “The cranes are ready,” Mensah told "
                "dock workers.")


def onrecord(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "onrecord"), *args], capture_output=True, text=True, timeout=300, cwd=cwd,
                          env=None if env is None else {**os.environ, **env})


@pytest.fixture(scope="module")
def job(tmp_path_factory):
    """One `onrecord spark --master local[2]` run over JSON Lines (with a broken line), a text file and a
    Parquet dataset; the folder holding inputs and output."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    root = tmp_path_factory.mktemp("spark")
    # the last article names the mayor by her surname alone: across articles, she is still one speaker;
    # it carries her promise trimmed, and her short "Nobody should doubt it" again
    later = {"id": "herald-3", "date": "2026-02-24", "text": LATER}
    (root / "news.jsonl").write_text("".join(json.dumps(a) + "\n" for a in [*ARTICLES, later]) + "{not json\n")
    (root / "ferry.txt").write_text("date 2026-03-01\nGovernor Alma Reyes said the ferries would keep running. "
                                    "“The ferries are safe,” Reyes said.")
    pq.write_table(pa.table({"id": ["pq-1"], "date": ["2026-03-05"], "text": [PARQUET_TEXT]}),
                   root / "more.parquet")
    done = onrecord("spark", "news.jsonl", "ferry.txt", "more.parquet", "missing.parquet", "--out", "out",
                    "--master", "local[2]", "--partitions", "2", cwd=root,
                    env={"ONRECORD_SPARK_LOCAL_EDGES": "0"})  # the components as on a big corpus: in Spark
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1, done.stderr  # 1: it ran, and some input could not be read
    assert "6 article(s)" in done.stderr and "2 input error(s)" in done.stderr
    assert "round 1 of the components" in done.stderr
    return root


def test_the_same_quotes_speakers_and_offsets_as_extract(job):
    from onrecord.corpus.ingest import parquet_results
    from onrecord.types import Result

    spark = {r.article.source: r.to_dict() for r in parquet_results(str(job / "out")) if isinstance(r, Result)}
    done = onrecord("extract", "news.jsonl", "ferry.txt", "-f", "jsonl", cwd=job)
    local = {d["source"]: d for d in map(json.loads, done.stdout.splitlines())}
    assert set(local) <= set(spark) and len(local) == 5
    for source, d in local.items():
        assert spark[source] == d, source  # article for article: quotes, speakers, cues, offsets, entities
    parquet = [d for s, d in spark.items() if s not in local]
    assert len(parquet) == 1 and parquet[0]["id"] == "pq-1" and parquet[0]["date"] == "2026-03-05"
    assert any(q["speaker"] and q["speaker"]["name"] == "Paul Mensah" for q in parquet[0]["quotes"])


def test_bad_input_is_a_row_of_errors_and_the_job_goes_on(job):
    import pyarrow.parquet as pq

    errors = {e["path"]: e for e in pq.read_table(job / "out" / "errors").to_pylist()}
    assert set(errors) == {"news.jsonl", "missing.parquet"}
    assert errors["news.jsonl"]["line"] == 5 and "malformed JSON" in errors["news.jsonl"]["reason"]
    assert errors["missing.parquet"]["line"] is None and "Parquet" in errors["missing.parquet"]["reason"]
    for table in ("articles", "quotes", "entities"):
        assert pq.read_table(job / "out" / table).num_rows > 0


def test_ingest_from_parquet_gives_the_database_a_plain_ingest_gives(job):
    assert onrecord("ingest", "--from-parquet", "out", "--db", "spark.db", cwd=job).returncode == 1  # the bad inputs
    assert onrecord("ingest", "news.jsonl", "ferry.txt", "--db", "plain.db", "--jobs", "1", cwd=job).returncode == 1
    for db in ("spark.db", "plain.db"):
        assert onrecord("export", f"{db}.jsonl", "--db", db, "-f", "jsonl", cwd=job).returncode == 0
    spark = (job / "spark.db.jsonl").read_text().splitlines()
    plain = (job / "plain.db.jsonl").read_text().splitlines()
    assert spark[:5] == plain and len(spark) == 6  # the files' articles first, in input order; then Parquet's
    again = onrecord("ingest", "--from-parquet", "out", "--db", "spark.db", cwd=job)
    assert "0 new article(s)" in again.stderr and "6 already" in again.stderr  # idempotent


def test_speakers_across_articles_are_the_stores(job):
    """Spark's corpus-wide stage groups the quotes into the same speakers as the store does."""
    import sqlite3

    import pyarrow.parquet as pq

    spark = {(q["article_hash"], q["quote_id"]): q["speaker_id"]
             for q in pq.read_table(job / "out" / "quotes").to_pylist()}
    if not (job / "plain.db").exists():
        onrecord("ingest", "news.jsonl", "ferry.txt", "--db", "plain.db", "--jobs", "1", cwd=job)
    db = sqlite3.connect(job / "plain.db")
    store = {(h, qid): sid for h, qid, sid in db.execute(
        "SELECT a.hash, q.qid, q.speaker_id FROM quotes q JOIN articles a ON a.id = q.article_id")}
    both = [k for k in store if k in spark]
    assert len(both) == len(store) > 10
    pairs = {(store[k], spark[k]) for k in both}
    assert len({a for a, _ in pairs}) == len({b for _, b in pairs}) == len(pairs)  # one to one
    assert all((a is None) == (b is None) for a, b in pairs)
    names = {r["speaker_id"]: r["name"] for r in pq.read_table(job / "out" / "speakers").to_pylist()}
    ortiz = {spark[k] for k in both if spark[k] is not None and names[spark[k]] == "Lina Ortiz"}
    assert len(ortiz) == 1  # "Ortiz" alone, in the last article, joined her
    bare = next(k for k in spark if k[0] == _hash(LATER))
    assert spark[bare] in ortiz


def test_quotations_across_outlets_are_the_stores(job):
    """Spark's corpus-wide stage groups the quotes into the same quotations as the store does, with the
    same counts of appearances and the same first appearance."""
    import sqlite3

    import pyarrow.parquet as pq

    spark = {(q["article_hash"], q["quote_id"]): q for q in pq.read_table(job / "out" / "quotes").to_pylist()}
    if not (job / "plain.db").exists():
        onrecord("ingest", "news.jsonl", "ferry.txt", "--db", "plain.db", "--jobs", "1", cwd=job)
    db = sqlite3.connect(job / "plain.db")
    store = {(h, qid): (tid, n, first) for h, qid, tid, n, first in db.execute(
        "SELECT a.hash, q.qid, q.quotation_id, t.appearances, t.first_quote_id = q.id FROM quotes q"
        " JOIN articles a ON a.id = q.article_id LEFT JOIN quotations t ON t.id = q.quotation_id")}
    assert set(store) <= set(spark) and len(store) > 10
    pairs = {(store[k][0], spark[k]["quotation_id"]) for k in store}
    assert len({a for a, _ in pairs}) == len({b for _, b in pairs}) == len(pairs)  # one to one
    assert all((a is None) == (b is None) for a, b in pairs)
    for k, (_, n, first) in store.items():
        assert (spark[k]["appearances"], spark[k]["first_appearance"]) == (n, None if first is None else bool(first)), k
    repeated = [q for q in spark.values() if q["appearances"] == 3]
    assert len(repeated) == 3 and {q["article_id"] for q in repeated} == {"herald-1", "post-1", "herald-3"}
    assert [q["article_id"] for q in repeated if q["first_appearance"]] == ["herald-1"]
    short = [q for q in spark.values() if q["text"].startswith("Nobody should doubt it")]
    assert len(short) == 2 and len({q["quotation_id"] for q in short}) == 1  # the same words, the same mayor


def _hash(text: str) -> str:
    from onrecord.corpus.ingest import article_hash

    return article_hash(text)
