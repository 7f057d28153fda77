"""The corpus commands: ingest, search, speakers, timeline, show, export (wired up in cli.py)."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from typing import Any

from onrecord.corpus.store import DEFAULT_DB
from onrecord.errors import OnrecordError


def add_commands(sub) -> None:
    def with_db(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--db", default=DEFAULT_DB, help=f"the corpus database (default: {DEFAULT_DB})")
        return p

    def with_format(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--format", "-f", choices=("table", "json", "csv"), default=None,
                       help="output format (default: table on a terminal, json otherwise)")
        return p

    p = with_db(sub.add_parser("ingest", help="extract articles into the corpus database",
                               description="Extract every article into an SQLite database. Articles the "
                                           "database already has are skipped; a killed run can be re-run."))
    p.add_argument("paths", nargs="*", metavar="PATH")
    p.add_argument("--from-parquet", metavar="DIR",
                   help="store what `onrecord spark --out DIR` wrote, instead of extracting PATHs")
    p.add_argument("--jobs", "-j", type=int, default=None, help="worker processes (default: all cores)")
    from onrecord.cli import add_rules, add_timeout

    add_timeout(p)
    add_rules(p)

    p = with_format(with_db(sub.add_parser("search", help="full-text search over quotes")))
    p.add_argument("text")
    p.add_argument("--speaker")
    p.add_argument("--since", metavar="YYYY-MM-DD")
    p.add_argument("--until", metavar="YYYY-MM-DD")
    p.add_argument("--kind", choices=("direct", "block", "indirect", "mixed"))
    p.add_argument("--limit", type=int, default=20)

    p = with_format(with_db(sub.add_parser(
        "speakers", help="who is quoted most; --merge/--split correct who is who",
        description="Who is quoted most. --merge A B: B is the same person as A. --split A B: the quotes "
                    "of A whose article called the speaker B are someone else, B. Corrections are kept and "
                    "obeyed by every later ingest.")))
    p.add_argument("--top", type=int, default=20)
    fix = p.add_mutually_exclusive_group()
    fix.add_argument("--merge", nargs=2, metavar=("A", "B"), help="B is the same speaker as A")
    fix.add_argument("--split", nargs=2, metavar=("A", "B"), help="quotes of A attributed to B are B's own")
    p.add_argument("--since", metavar="YYYY-MM-DD")
    p.add_argument("--until", metavar="YYYY-MM-DD")

    p = with_format(with_db(sub.add_parser("timeline", help="one speaker's quotes in date order")))
    p.add_argument("name")
    p.add_argument("--about", metavar="TEXT", help="only quotes matching this text")
    p.add_argument("--limit", type=int, default=1000, help="list at most this many (default: 1000; the count "
                                                            "and the plot always take them all)")
    p.add_argument("--plot", metavar="FILE.png", help="also draw quotes per week into this image")

    p = with_db(sub.add_parser("show", help="one article with its quotes and speakers marked"))
    p.add_argument("article", metavar="ARTICLE_ID", help="the input's id, or the database id")
    p.add_argument("--format", "-f", choices=("table", "json"), default=None)

    p = with_db(sub.add_parser("export", help="everything, for pandas, DuckDB or Spark"))
    p.add_argument("out", metavar="OUT")
    p.add_argument("--format", "-f", choices=("jsonl", "csv", "parquet", "dna"), required=True,
                   help="jsonl: one article per line in extract's JSON form; csv, parquet: one quote per row "
                        "(Parquet schema: docs/schema.md); dna: the statements coded for --codebook, in the "
                        "Discourse Network Analyzer's variables (docs/positions.md)")
    p.add_argument("--codebook", metavar="FILE.yaml", help="for --format dna: the concepts to code for")


def _open(args: argparse.Namespace, write: bool = False):
    """The corpus database: created if missing when the command writes (ingest), else it must exist."""
    from pathlib import Path

    from onrecord.corpus.store import Store
    from onrecord.errors import OnrecordError

    if not write and not Path(args.db).exists():
        raise OnrecordError(f"{args.db}: no such database; create it with `onrecord ingest PATH --db {args.db}`")
    return Store(args.db, write=write)


def _emit(rows: list[dict[str, Any]], fmt: str | None, columns: list[str], title: str) -> None:
    fmt = fmt or ("table" if sys.stdout.isatty() else "json")
    if fmt == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        w = csv.DictWriter(sys.stdout, fieldnames=columns, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({k: ("; ".join(v) if isinstance(v, list) else v) for k, v in r.items()})
    else:
        from rich.console import Console
        from rich.table import Table

        t = Table(title=title, show_lines=True, expand=True)
        for c in columns:
            t.add_column(c, ratio=4 if c in ("text", "context") else 1)
        for r in rows:
            t.add_row(*("\n".join(r[c]) if isinstance(r[c], list) else ("" if r[c] is None else str(r[c]))
                        for c in columns))
        Console().print(t)


def cmd_ingest(args: argparse.Namespace) -> int:
    from onrecord.cli import notice
    from onrecord.corpus.ingest import ingest

    if bool(args.paths) == bool(args.from_parquet):
        raise OnrecordError("give the articles to ingest (PATH ...) or --from-parquet DIR, one of the two")
    with _open(args, write=True) as store:
        if args.from_parquet:
            from onrecord.corpus.ingest import ingest_parquet

            summary = ingest_parquet(args.from_parquet, store)
        elif sys.stderr.isatty():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            from onrecord.read import count_articles

            total = count_articles(args.paths)
            # refreshed by hand: no refresh thread may be running while worker processes are forked
            with Progress(TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(),
                          TextColumn("{task.fields[quotes]} quotes, {task.fields[rate]}"), TimeRemainingColumn(),
                          transient=True, auto_refresh=False) as bar:
                task = bar.add_task("ingest", total=total, quotes=0, rate="")

                def show(s) -> None:
                    elapsed = bar.tasks[0].elapsed or 1e-9
                    done = s.added + s.already + len(s.errors)
                    bar.update(task, completed=done, quotes=s.quotes, rate=f"{s.added / elapsed:.1f} articles/s",
                               refresh=True)

                summary = ingest(args.paths, store, jobs=args.jobs, on_progress=show, timeout=args.timeout,
                                 on_notice=notice, model=args.model, nested=args.nested)
        else:
            summary = ingest(args.paths, store, jobs=args.jobs, timeout=args.timeout, on_notice=notice,
                             model=args.model, nested=args.nested)
    for w in summary.warnings:
        notice(w)
    for e in summary.errors:
        print(f"onrecord: skipped {e}", file=sys.stderr)
    print(f"onrecord: {summary.added} new article(s), {summary.quotes} quote(s), {summary.already} already in "
          f"{args.db}, {len(summary.errors)} input(s) skipped (see the input_errors table) "
          f"in {summary.seconds:.1f} s", file=sys.stderr)
    return 1 if summary.errors else 0


def cmd_search(args: argparse.Namespace) -> int:
    from onrecord.corpus.query import search

    with _open(args) as store:
        hits = search(store, args.text, args.speaker, args.since, args.until, args.kind, args.limit)
    _emit([h.as_dict() for h in hits], args.format,
          ["speaker", "date", "article", "kind", "appearances", "text", "context"],
          f"{len(hits)} quotes for {args.text!r}")
    return 0


def cmd_speakers(args: argparse.Namespace) -> int:
    from onrecord.corpus.identity import merge, split
    from onrecord.corpus.query import speakers

    with _open(args, write=bool(args.merge or args.split)) as store:
        if args.merge or args.split:
            a, b = args.merge or args.split
            with store.transaction() as db:
                moved = merge(db, a, b) if args.merge else split(db, a, b)
            what = f"{b!r} merged into {a!r}" if args.merge else f"{b!r} split from {a!r}"
            print(f"onrecord: {what}: {moved} quote(s) moved; later ingests will do the same", file=sys.stderr)
            return 0
        rows = speakers(store, args.top, args.since, args.until)
    _emit(rows, args.format, ["speaker", "quotes", "appearances", "articles", "first", "last", "titles"],
          "who is quoted most (quotes: distinct quotations; appearances: with copies in other outlets)")
    return 0


def cmd_timeline(args: argparse.Namespace) -> int:
    from onrecord.corpus.query import timeline
    from onrecord.errors import NotFound

    if args.limit < 1:
        raise OnrecordError("--limit must be at least 1")
    with _open(args) as store:
        try:
            tl = timeline(store, args.name, args.about, args.limit)
        except NotFound as e:  # nothing to show is an answer, as for search
            print(f"onrecord: {e}", file=sys.stderr)
            _emit([], args.format, ["date", "speaker", "article", "kind", "text"], f"{args.name}: no quotes")
            return 0
    if args.plot:
        from onrecord.corpus.plot import quotes_per_week

        weeks = quotes_per_week(tl.dates, args.plot, tl.speaker + (f" on {args.about!r}" if args.about else ""))
        print(f"onrecord: {tl.total} quote(s) over {weeks} week(s) drawn in {args.plot}", file=sys.stderr)
    shown = f"{len(tl.hits)} of {tl.total}" if len(tl.hits) < tl.total else f"{tl.total}"
    if len(tl.hits) < tl.total:
        print(f"onrecord: showing the first {shown} quotes; --limit {tl.total} lists them all", file=sys.stderr)
    _emit([h.as_dict() for h in tl.hits], args.format, ["date", "speaker", "article", "kind", "text"],
          f"{tl.speaker}: {shown} quotes")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from onrecord.corpus.query import load_result
    from onrecord.output import Writer

    with _open(args) as store:
        result = load_result(store, args.article)
    writer = Writer(args.format or ("table" if sys.stdout.isatty() else "json"), sys.stdout)
    if writer.fmt == "table":
        writer.article(result)  # the text with its quotes and speakers marked, then the quotes
    else:
        writer.write(result)
    writer.close()
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from onrecord.corpus.export import export

    if args.format == "dna":
        return _export_dna(args)
    with _open(args) as store:
        n = export(store, args.format, args.out)
    print(f"onrecord: {n} {'quote(s)' if args.format == 'parquet' else 'article(s)'} written to {args.out}",
          file=sys.stderr)
    return 0


def _export_dna(args: argparse.Namespace) -> int:
    from onrecord.corpus.positions import statements
    from onrecord.networks import dna
    from onrecord.networks.codebook import load

    if not args.codebook:
        raise OnrecordError("--format dna needs --codebook FILE.yaml: the statements are coded for its concepts")
    codebook = load(args.codebook)
    with _open(args) as store:
        written, left = dna.write(statements(store, codebook), args.out)
    print(f"onrecord: {written} statement(s) written to {args.out}"
          + (f"; {left} taking no side left out (DNA's agreement is 1 or 0)" if left else ""), file=sys.stderr)
    return 0


COMMANDS = {"ingest": cmd_ingest, "search": cmd_search, "speakers": cmd_speakers, "timeline": cmd_timeline,
            "show": cmd_show, "export": cmd_export}
