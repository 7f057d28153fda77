"""The spark command (wired up in cli.py): extraction in Apache Spark, Parquet datasets out."""

from __future__ import annotations

import argparse
import sys


def add_commands(sub) -> None:
    p = sub.add_parser("spark", help="extract articles with Apache Spark into Parquet datasets",
                       description="Run onrecord's extraction in Spark executors: articles from files, "
                                   "directories (as extract reads them) or Parquet datasets with a text column; "
                                   "out: the Parquet datasets articles/, quotes/, entities/, errors/ and speakers/, "
                                   "with speakers across articles and quotations across outlets (docs/scale.md). Needs pip install 'onrecord[spark]' and Java 17.")
    p.add_argument("paths", nargs="+", metavar="INPUT")
    p.add_argument("--out", required=True, metavar="DIR", help="a new folder for the datasets")
    p.add_argument("--master", default="local[*]", help="Spark master URL (default: local[*], this machine)")
    p.add_argument("--partitions", type=int, default=None,
                   help="partitions the articles are spread over (default: Spark's default parallelism)")
    from onrecord.cli import add_rules

    add_rules(p)


def cmd_spark(args: argparse.Namespace) -> int:
    from onrecord.errors import OnrecordError
    from onrecord.spark.job import run

    if args.partitions is not None and args.partitions < 1:
        raise OnrecordError("--partitions must be at least 1")
    import time

    t0 = time.perf_counter()

    def log(msg: str) -> None:
        print(f"onrecord: [{time.perf_counter() - t0:6.1f} s] {msg}", file=sys.stderr, flush=True)

    counts = run(args.paths, args.out, args.master, args.partitions, args.model, log=log, nested=args.nested)
    print(f"onrecord: {counts['articles']} article(s), {counts['quotes']} quote(s), {counts['entities']} "
          f"entit{'y' if counts['entities'] == 1 else 'ies'}, {counts['speakers']} speaker(s) across articles, "
          f"{counts['errors']} input error(s) written to "
          f"{args.out}", file=sys.stderr)
    return 1 if counts["errors"] else 0


COMMANDS = {"spark": cmd_spark}
