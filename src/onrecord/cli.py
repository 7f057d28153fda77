"""The onrecord command. Thin: parses arguments, calls the library, formats output.

Every OnrecordError becomes one line on stderr; bad inputs are reported and skipped (exit status 1),
never a traceback.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Sequence

from onrecord import __version__
from onrecord.errors import InputError, OnrecordError
from onrecord.run.pool import DEFAULT_TIMEOUT
from onrecord.types import MODELS


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="onrecord", description="Who said what, when, in dated news articles.")
    p.add_argument("--version", action="version", version=f"onrecord {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ex = sub.add_parser("extract", help="quotes, speakers and cues of articles",
                        description="Find every quote in the given articles (.txt, .jsonl, .jsonl.gz, .html; "
                                    "directories are searched recursively; - reads stdin).")
    ex.add_argument("paths", nargs="+", metavar="PATH")
    ex.add_argument("--format", "-f", choices=("table", "jsonl", "json", "csv"),
                    help="output format (default: table on a terminal, jsonl otherwise)")
    ex.add_argument("--jobs", "-j", type=int, default=None,
                    help="worker processes (default: all cores; 1 = a single process)")
    ex.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    add_timeout(ex)
    add_rules(ex)

    ev = sub.add_parser("evaluate", help="score onrecord (or a predictions file) against gold attributions",
                        description="Score against gold attributions in PolNeAR-style JSONL "
                                    "(see docs/accuracy.md for the definitions).")
    ev.add_argument("gold", metavar="GOLD.jsonl")
    ev.add_argument("--predictions", "-p", metavar="P.jsonl",
                    help="score this file instead of running onrecord (scorer format or onrecord's JSONL)")
    ev.add_argument("--errors", action="store_true", help="list misses, false hits and wrong speakers")
    ev.add_argument("--format", "-f", choices=("table", "json"), default="table")
    ev.add_argument("--jobs", "-j", type=int, default=None, help="worker processes (default: all cores)")
    add_rules(ev)

    from onrecord.corpus_cli import add_commands

    add_commands(sub)
    from onrecord.positions_cli import add_commands as add_position_commands

    add_position_commands(sub)
    from onrecord.serve_cli import add_commands as add_serve_commands

    add_serve_commands(sub)
    from onrecord.spark_cli import add_commands as add_spark_commands

    add_spark_commands(sub)
    return p


def add_timeout(p: argparse.ArgumentParser) -> None:
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help=f"abandon an article that takes longer than this (default: {DEFAULT_TIMEOUT:g}; 0: no "
                        "limit); it is reported and the batch goes on")


def add_rules(p: argparse.ArgumentParser) -> None:
    """--model (what decides the quotes) and --rules, its short form for the rules alone."""
    g = p.add_mutually_exclusive_group()
    g.add_argument("--model", choices=MODELS, default="default",
                   help="what decides the quotes: the learned tagger (default); 'accurate', the tagger that also "
                        "reads a pretrained encoder (about 3 times slower, needs onrecord[embed]); 'rules', the "
                        "rules alone (faster, less accurate). Figures: docs/accuracy.md")
    g.add_argument("--rules", dest="model", action="store_const", const="rules",
                   help="the same as --model rules")
    p.add_argument("--nested", action="store_true",
                   help="also report attributions nested inside a quotation (\"As the governor said, ...\" in "
                        "the mayor's words), each with its parent quote; off by default: they are the quoted "
                        "speaker's account of someone else (docs/accuracy.md)")


def _error(msg: str) -> None:
    print(f"onrecord: {msg}", file=sys.stderr, flush=True)


def notice(msg: str) -> None:
    """A worker died or ran out of time; said on stderr as it happens."""
    _error(f"warning: {msg}")


def cmd_extract(args: argparse.Namespace) -> int:
    from onrecord.output import atomic_file

    if args.output:
        # written beside the file and renamed when complete: an interrupted run leaves no half file
        with atomic_file(args.output) as tmp, open(tmp, "w", encoding="utf-8") as out:
            return _extract_to(args, out)
    return _extract_to(args, sys.stdout)


def _extract_to(args: argparse.Namespace, out) -> int:
    from onrecord.output import Writer
    from onrecord.read import iter_articles
    from onrecord.run.pool import run

    fmt = args.format or ("table" if out.isatty() else "jsonl")
    writer = Writer(fmt, out)
    skipped = articles = quotes = 0
    progress = _Progress(enabled=sys.stderr.isatty() and fmt != "table")
    try:
        for item in run(iter_articles(args.paths), jobs=args.jobs, timeout=args.timeout,
                        on_notice=progress.wrap(notice), model=args.model, nested=args.nested):
            if isinstance(item, InputError):
                skipped += 1
                progress.clear()
                _error(f"skipped {item}")
                continue
            for w in item.article.warnings:
                progress.clear()
                notice(f"{item.article.source or 'input'}: {w}")
            articles += 1
            quotes += len(item.quotes)
            writer.write(item)
            progress.update(articles, quotes)
    finally:
        progress.clear()
        writer.close()
    if sys.stderr.isatty() or skipped:
        print(f"onrecord: {articles} article(s), {quotes} quote(s)"
              + (f", {skipped} input(s) skipped" if skipped else ""), file=sys.stderr)
    return 1 if skipped else 0


class _Progress:
    """A one-line counter on stderr while a long extraction runs (terminal only)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled, self.shown = enabled, False

    def update(self, articles: int, quotes: int) -> None:
        if self.enabled and articles % 10 == 0:
            print(f"\r{articles} articles, {quotes} quotes…", end="", file=sys.stderr, flush=True)
            self.shown = True

    def wrap(self, say):
        """``say``, with the counter cleared first so that the line stands on its own."""
        def said(msg: str) -> None:
            self.clear()
            say(msg)
        return said

    def clear(self) -> None:
        if self.shown:
            print("\r\033[K", end="", file=sys.stderr, flush=True)
            self.shown = False


def cmd_evaluate(args: argparse.Namespace) -> int:
    from onrecord.evaluate.report import evaluate, print_errors, print_scores

    outcomes = evaluate(args.gold, args.predictions, jobs=args.jobs, model=args.model,
                        nested=args.nested)
    if args.errors:
        print_errors(outcomes, sys.stdout)
    print_scores(outcomes, sys.stdout, args.format)
    return 0


def _commands() -> dict:
    from onrecord.corpus_cli import COMMANDS as CORPUS
    from onrecord.positions_cli import COMMANDS as POSITIONS
    from onrecord.serve_cli import COMMANDS as SERVE
    from onrecord.spark_cli import COMMANDS as SPARK

    return {"extract": cmd_extract, "evaluate": cmd_evaluate, **CORPUS, **POSITIONS, **SERVE, **SPARK}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if getattr(args, "jobs", 1) != 1:
        # one BLAS thread per worker: with N processes on N cores more threads only wait for each other;
        # a single process lets spaCy's tok2vec (through numpy, analyze/nlp.py) use the idle cores
        # (set before numpy is first imported; a user's own setting stands)
        from onrecord.run.pool import one_blas_thread_env  # imports no numpy

        one_blas_thread_env()
    if getattr(args, "model", None) != "accurate":
        from onrecord.analyze.nlp import import_spacy_without_torch

        import_spacy_without_torch()  # 3 s less to start where PyTorch is installed
    if getattr(args, "jobs", None) is not None and args.jobs < 1:
        _error("--jobs must be at least 1")
        return 2
    if getattr(args, "timeout", None) is not None and args.timeout < 0:
        _error("--timeout must be 0 (no limit) or more seconds")
        return 2
    try:
        return _commands()[args.command](args)
    except OnrecordError as e:
        _error(str(e))
        return 2
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except sqlite3.Error as e:  # a locked, full or damaged corpus database
        _error(f"database error: {e} (the database is unchanged since its last complete batch)")
        return 2
    except OSError as e:  # disk full, permissions, ... on our own output
        if isinstance(e, BrokenPipeError):
            return 0
        _error(f"{e.filename + ': ' if e.filename else ''}{e.strerror or e}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
