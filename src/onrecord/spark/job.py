"""`onrecord spark`: the extraction of `onrecord extract`, run inside Spark executors.

The driver lists the input files (as `extract` does: directories searched, hidden files skipped) and
Parquet inputs; the executors read each file's bytes (any file system Spark reads: local, HDFS, S3)
with onrecord's own readers (`read_bytes`), spread the articles over ``partitions``, and analyse them
with one Extractor per Python worker process, loaded once and kept (Spark reuses its Python workers).
Every article becomes rows of the tables in corpus/tables.py; every input error a row of errors/. The
analysed rows are persisted, so the datasets are written from one pass of extraction. Two corpus-wide
stages follow, each replaying a rule of the store: speakers across articles (spark/speakers.py) and
quotations across outlets (spark/quotations.py).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from onrecord.errors import InputError, OnrecordError
from onrecord.run.pool import BLAS_THREAD_VARS, one_blas_thread_env

TABLES = ("articles", "quotes", "entities", "errors", "speakers")
_EXTRACTOR = None  # one per Python worker process


def _extractor(model: str, nested: bool = False):
    global _EXTRACTOR
    from onrecord.run.pool import _fits, _make_extractor

    if not _fits(_EXTRACTOR, False, model, nested):
        _EXTRACTOR = _make_extractor(False, model, nested)
    return _EXTRACTOR


def _spark_type(t):
    """The Spark SQL type of an Arrow type of corpus/tables.py."""
    import pyarrow as pa
    from pyspark.sql import types as T

    if pa.types.is_string(t):
        return T.StringType()
    if pa.types.is_int64(t):
        return T.LongType()
    if pa.types.is_boolean(t):
        return T.BooleanType()
    if pa.types.is_float64(t):
        return T.DoubleType()
    if pa.types.is_list(t):
        return T.ArrayType(_spark_type(t.value_type))
    raise TypeError(f"no Spark type for {t}")


def spark_schema(table: str):
    from pyspark.sql import types as T

    from onrecord.corpus.tables import schema

    return T.StructType([T.StructField(f.name, _spark_type(f.type), True) for f in schema(table)])


def _records(name: str, data: bytes, file_no: int) -> Iterator[tuple]:
    """(ordinal, Article or InputError) for each record of one input file."""
    from onrecord.read import read_bytes

    for n, item in enumerate(read_bytes(name, data)):
        yield (file_no << 32) + n, item


def _parquet_articles(rows: Iterable, file_no: int) -> Iterator[tuple]:
    from onrecord.read.dates import NotADate, parse_date
    from onrecord.read.limits import check_length
    from onrecord.read.outlet import outlet
    from onrecord.types import Article

    for n, row in enumerate(rows):
        d = row.asDict()
        where = d.get("source") or f"parquet:{file_no}:{n + 1}"
        text = d.get("text")
        if not isinstance(text, str) or not text.strip():
            yield (file_no << 32) + n, InputError(where, "no \"text\" with article text")
            continue
        try:
            check_length(text, where)
            date = parse_date(d.get("date"))
        except InputError as e:
            yield (file_no << 32) + n, e
            continue
        except NotADate:
            date = None
        url = d.get("url")
        yield (file_no << 32) + n, Article(text=text, id=None if d.get("id") is None else str(d["id"]), date=date,
                                           title=d.get("title"), url=url, source=where,
                                           outlet=outlet(d.get("outlet") or d.get("publisher"), url))


def _analyse(items: Iterable[tuple], model: str, batch: int, nested: bool = False) -> Iterator[tuple[str, dict]]:
    """Rows, tagged with their table, for a partition's (ordinal, Article or InputError)."""
    from onrecord.corpus.ingest import article_hash
    from onrecord.corpus.tables import result_rows
    from onrecord.run.pool import _analyse as analyse
    from onrecord.spark.quotations import article_quotes
    from onrecord.spark.speakers import article_calls

    def error_row(e: InputError) -> tuple[str, dict]:
        return "errors", {"path": e.path, "line": e.line, "reason": e.reason}

    pending: list[tuple[int, object]] = []

    def flush() -> Iterator[tuple[str, dict]]:
        arts = [a for _, a in pending]
        for (ordinal, _), r in zip(pending, analyse(_extractor(model, nested), arts), strict=True):
            if isinstance(r, InputError):
                yield error_row(r)
                continue
            h = article_hash(r.article.text)
            art, quotes, ents = result_rows(r, h, ordinal)
            yield "articles", art
            for q in quotes:
                yield "quotes", q
            for e in ents:
                yield "entities", e
            for c in article_calls(h, ordinal, quotes, ents):  # for the corpus-wide stage; not written
                yield "calls", c
            for q in article_quotes(h, ordinal, quotes):  # the same, for the quotations across outlets
                yield "matched", q
        pending.clear()

    for ordinal, item in items:
        if isinstance(item, InputError):
            yield error_row(item)
            continue
        pending.append((ordinal, item))
        if len(pending) >= batch:
            yield from flush()
    if pending:
        yield from flush()


def _inputs(paths: list[str]) -> tuple[list[str], list[str], list[InputError]]:
    """The article files and the Parquet inputs ``paths`` name, and what cannot be read as either."""
    from onrecord.read import _expand

    files, parquet, errors = [], [], []
    for p in paths:
        if p.lower().endswith(".parquet") or (os.path.isdir(p) and any(
                f.endswith(".parquet") for f in os.listdir(p))):
            parquet.append(p)
            continue
        for f in _expand([p]):
            if isinstance(f, InputError):
                errors.append(f)
            elif f == "-":
                raise OnrecordError("onrecord spark reads files, not standard input")
            elif not os.path.exists(f):
                errors.append(InputError(f, "no such file or directory"))
            else:
                files.append(f)
    return files, parquet, errors


def run(paths: list[str], out: str, master: str = "local[*]", partitions: int | None = None,
        model: str = "default", batch: int = 16, log=None, nested: bool = False) -> dict[str, int]:
    """Extract ``paths`` into the Parquet datasets out/articles, out/quotes, out/entities, out/errors and
    out/speakers (quotes.speaker_id: one speaker across articles; quotes.quotation_id: one quotation
    across outlets; both by the store's rules); returns the rows of each. ``log``, when given, is told
    each stage as it ends (one line each)."""
    say = log or (lambda msg: None)
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise OnrecordError("onrecord spark needs PySpark: pip install 'onrecord[spark]' (and Java 17 or newer)"
                            ) from None
    if Path(out).exists() and any(Path(out).iterdir()):
        raise OnrecordError(f"{out}: exists and is not empty; give a new folder to --out")
    files, parquet, errors = _inputs(paths)
    # the executors' Python is this one unless the user says otherwise (on a cluster: an environment with
    # onrecord installed on every node, named by PYSPARK_PYTHON; docs/scale.md)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    # one BLAS thread per Python worker, as `extract --jobs N` gives each of its processes: Spark runs a
    # worker per core, and spaCy's tok2vec multiplies through numpy (analyze/nlp.py), whose OpenBLAS would
    # otherwise start a thread per core in every worker (in local mode the workers inherit this process's
    # environment; on a cluster spark.executorEnv carries it; a user's own setting stands)
    one_blas_thread_env()
    try:
        spark = _session(SparkSession, master)
    except Exception as e:  # no Java, a master that cannot be reached, a bad URL
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise OnrecordError(f"cannot start Spark with master {master!r}: {first} (onrecord spark needs Java 17 "
                            "or newer: java -version)") from None
    spark.sparkContext.setLogLevel("ERROR")
    say(f"Spark started (master {master}, {spark.sparkContext.defaultParallelism} core(s))")
    try:
        return _extract(spark, files, parquet, errors, out, partitions, model, batch, say, nested)
    finally:
        spark.stop()


def _session(SparkSession, master: str):
    return (SparkSession.builder.master(master).appName("onrecord")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.driver.extraJavaOptions",
                     f"-Dlog4j2.configurationFile={Path(__file__).with_name('log4j2.properties').as_uri()}")
             .config("spark.sql.session.timeZone", "UTC")
             .config(map={f"spark.executorEnv.{v}": os.environ[v] for v in BLAS_THREAD_VARS})  # set in run
             # a Python worker holds the pipeline (about 400 MB) for its whole life; at Spark's default
             # of 512m its shuffles would spill to disk after every few records
             .config("spark.python.worker.memory", os.environ.get("ONRECORD_SPARK_WORKER_MEMORY", "2g"))
             .getOrCreate())


def _extract(spark, files: list[str], parquet: list[str], errors: list[InputError], out: str,
             partitions: int | None, model: str, batch: int, say, nested: bool = False) -> dict[str, int]:
    """The job itself: inputs to tagged rows (extracted once, persisted), then one dataset per table."""
    from pyspark import StorageLevel

    sc = spark.sparkContext
    parts = partitions or sc.defaultParallelism
    rdds = []
    if files:
        # by absolute path: its place in the input, and its name as given (articles' source, as extract)
        given = {os.path.abspath(f): (i, f) for i, f in enumerate(files)}
        raw = sc.binaryFiles(",".join(given), minPartitions=min(len(files), parts))
        rdds.append(raw.flatMap(lambda kv: _records(given.get(_local(kv[0]), (0, kv[0]))[1], kv[1],
                                                    given.get(_local(kv[0]), (0, kv[0]))[0])))
    for j, p in enumerate(parquet, start=len(files)):
        try:
            df = spark.read.parquet(p)
        except Exception as e:  # missing, damaged, not Parquet: a row of errors/, not a failed job
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            errors.append(InputError(p, f"not a readable Parquet dataset ({first[:300]})"))
            continue
        rdds.append(df.rdd.mapPartitionsWithIndex(
            lambda i, rows, j=j: _parquet_articles(rows, (j << 16) + i)))
    if errors:
        rdds.append(sc.parallelize([(0, e) for e in errors], 1))
    if not rdds:
        raise OnrecordError("no input: give files, directories or Parquet datasets")
    items = sc.union(rdds).repartition(parts)
    tagged = items.mapPartitions(lambda it: _analyse(it, model, batch, nested)).persist(
        StorageLevel.MEMORY_AND_DISK)
    articles = tagged.filter(lambda x: x[0] == "articles").count()  # the extraction itself, done once here
    say(f"extracted {articles} article(s) from {len(files)} file(s) and {len(parquet)} Parquet input(s)")
    of = {t: tagged.filter(lambda x, t=t: x[0] == t).map(lambda x: x[1]) for t in ("articles", "entities", "errors")}
    quotes, of["speakers"], assigned = _speakers(tagged, parts)
    say(f"speakers across articles: {assigned.count()} article speaker(s) resolved")
    of["quotes"] = _quotations(tagged, quotes, assigned, parts, say)
    counts = {}
    for table in TABLES:
        schema = spark_schema(table)
        names = schema.fieldNames()
        rows = of[table].map(lambda d, names=names: tuple(d.get(n) for n in names))
        df = spark.createDataFrame(rows, schema)
        df.write.mode("errorifexists").parquet(os.path.join(out, table))
        counts[table] = spark.read.parquet(os.path.join(out, table)).count()
        say(f"wrote {table}/: {counts[table]} row(s)")
    tagged.unpersist()
    return counts


def _speakers(tagged, parts: int):
    """The corpus-wide speakers (spark/speakers.py): the quotes rows with their ``speaker_id``, the
    speakers, and each (article, local speaker)'s. An article the input holds twice is resolved once,
    where it first comes, as the store does."""
    from pyspark import StorageLevel

    from onrecord.spark.speakers import group_of, replay

    calls = _first_copy(tagged.filter(lambda t: t[0] == "calls").map(lambda t: t[1]), parts)
    assigned = calls.map(lambda c: (group_of(c), c)).groupByKey(parts).flatMap(lambda kv: replay(kv[1])).persist(
        StorageLevel.MEMORY_AND_DISK)
    quotes = tagged.filter(lambda t: t[0] == "quotes").map(lambda t: t[1])

    def local(q: dict):
        return (q["article_hash"], q["entity"] or q["speaker"]) if q["speaker"] else (q["article_hash"], None)

    def with_id(kv) -> dict:
        q, found = kv[1]
        return {**q, "speaker_id": found[0]} if found is not None else q

    quotes = quotes.map(lambda q: (local(q), q)).leftOuterJoin(assigned, parts).map(with_id)
    speakers = assigned.map(lambda kv: kv[1]).distinct(parts).map(
        lambda s: {"speaker_id": s[0], "name": s[1], "key": s[2], "type": s[3]})
    return quotes, speakers, assigned


def _first_copy(rows, parts: int):
    """``rows`` (dicts with article_hash and ordinal) of each article's first place in the input only."""
    first = rows.map(lambda r: (r["article_hash"], r["ordinal"])).reduceByKey(min, parts)
    return rows.map(lambda r: (r["article_hash"], r)).join(first, parts).filter(
        lambda kv: kv[1][0]["ordinal"] == kv[1][1]).map(lambda kv: kv[1][0])


# up to this many (key, quote) pairs the components are found on the driver (docs/scale.md)
LOCAL_EDGES = int(os.environ.get("ONRECORD_SPARK_LOCAL_EDGES", "2000000"))


def components(edges, parts: int, say=lambda msg: None, local_edges: int | None = None):
    """The connected components of a graph given as (edge, node) pairs, nodes comparable: (node, least
    node of its component). Up to ``local_edges`` pairs, collected and joined on the driver (one pass);
    beyond, by min-label propagation until no label changes (spark/quotations.py). Every shuffle has
    ``parts`` partitions (a union would otherwise double them each round)."""
    from pyspark import StorageLevel

    edges = edges.partitionBy(parts).persist(StorageLevel.MEMORY_AND_DISK)
    if edges.count() <= (LOCAL_EDGES if local_edges is None else local_edges):
        label = edges.context.parallelize(sorted(_union_find(edges.collect()).items()), parts)
        edges.unpersist()
        say("quotations across outlets: components found on the driver")
        return label
    label = edges.map(lambda en: (en[1], en[1])).distinct(parts).persist(StorageLevel.MEMORY_AND_DISK)
    rounds = 0
    while True:
        rounds += 1
        by_edge = edges.map(lambda en: (en[1], en[0])).join(label, parts).map(lambda kv: kv[1]).reduceByKey(
            min, parts)
        new = edges.join(by_edge, parts).map(lambda kv: kv[1]).union(label).reduceByKey(min, parts).persist(
            StorageLevel.MEMORY_AND_DISK)
        changed = new.join(label, parts).filter(lambda kv: kv[1][0] != kv[1][1]).count()
        label.unpersist()
        label = new
        say(f"quotations across outlets: round {rounds} of the components, {changed} label(s) changed")
        if changed == 0:
            edges.unpersist()
            return label


def _union_find(pairs) -> dict:
    """node -> least node of its component, for (edge, node) pairs."""
    parent: dict = {}

    def root(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first: dict = {}
    for e, n in pairs:
        parent.setdefault(n, n)
        if e in first:
            a, b = root(first[e]), root(n)
            if a != b:
                parent[max(a, b)] = min(a, b)
        else:
            first[e] = n
    return {n: root(n) for n in parent}


def _quotations(tagged, quotes, assigned, parts: int, say):
    """The same quotation across outlets (spark/quotations.py): the quotes rows with ``quotation_id``,
    ``appearances`` and ``first_appearance`` filled as the store fills them."""
    from pyspark import StorageLevel

    from onrecord.spark.quotations import edges, replay

    matched = _first_copy(tagged.filter(lambda t: t[0] == "matched").map(lambda t: t[1]), parts)
    matched = matched.map(lambda q: ((q["article_hash"], q["local"]), q)).leftOuterJoin(assigned, parts).map(
        lambda kv: {**kv[1][0], "speaker_id": kv[1][1][0] if kv[1][1] is not None else None})
    nodes = matched.map(lambda q: ((q["ordinal"], q["seq"]), q)).persist(StorageLevel.MEMORY_AND_DISK)
    label = components(nodes.flatMap(lambda nq: [(e, nq[0]) for e in edges(nq[1])]), parts, say)
    found = nodes.leftOuterJoin(label, parts).map(
        lambda kv: (kv[1][1] if kv[1][1] is not None else kv[0], kv[1][0])).groupByKey(parts).flatMap(
        lambda kv: replay(kv[1]))

    def fill(kv) -> dict:
        q, f = kv[1]
        return {**q, "quotation_id": f[0], "appearances": f[1], "first_appearance": f[2]} if f is not None else q

    return quotes.map(lambda q: ((q["article_hash"], q["quote_id"]), q)).leftOuterJoin(found, parts).map(fill)


def _local(uri: str) -> str:
    """A path as `extract` names it: file:/a/b -> /a/b (other file systems keep their URI)."""
    return uri[5:] if uri.startswith("file:") and not uri.startswith("file://") else (
        uri[7:] if uri.startswith("file://") else uri)
