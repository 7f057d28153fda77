"""The position commands: positions (statements coded for a codebook, corrections) and network (DNA's
affiliation, congruence and conflict networks) and evaluate-positions (the coding scored against hand
coding: evaluate/positions.py); wired up in cli.py. docs/positions.md shows them."""

from __future__ import annotations

import argparse
import sys

from onrecord.corpus.store import DEFAULT_DB
from onrecord.errors import OnrecordError


def add_commands(sub) -> None:
    p = sub.add_parser(
        "positions", help="quotes coded for the concepts of a codebook: who is for, who against",
        description="List every quote that speaks to a concept of the codebook, with the side it takes "
                    "(yes, no, or none) and the words that decided it. The coding is stored in the database "
                    "and redone when the codebook changes. --set corrects one coding; corrections outlive "
                    "re-coding and re-ingest.")
    p.add_argument("--db", default=DEFAULT_DB, help=f"the corpus database (default: {DEFAULT_DB})")
    p.add_argument("--codebook", metavar="FILE.yaml", help="the concepts (samples/codebook.yaml shows the form)")
    p.add_argument("--concept", metavar="NAME", help="only this concept")
    p.add_argument("--speaker", metavar="NAME", help="only this speaker (a full name, or part of one)")
    p.add_argument("--since", metavar="YYYY-MM-DD")
    p.add_argument("--until", metavar="YYYY-MM-DD")
    p.add_argument("--format", "-f", choices=("table", "json", "csv"), default=None,
                   help="output format (default: table on a terminal, json otherwise)")
    p.add_argument("--set", nargs=3, metavar=("QUOTE_ID", "CONCEPT", "yes|no|none"),
                   help="code quote QUOTE_ID on CONCEPT by hand (kept across re-coding and re-ingest)")
    p.add_argument("--recode", action="store_true", help="code every quote again, even if the codebook is unchanged")

    n = sub.add_parser(
        "network", help="discourse networks (DNA): affiliation, congruence, conflict",
        description="Build a discourse network from the coded statements, as Leifeld's Discourse Network "
                    "Analyzer defines it, and write it by the extension of --out: .graphml (Gephi, visone, "
                    "networkx, igraph), .gexf, .csv (edge list) or .matrix.csv (adjacency matrix).")
    n.add_argument("--db", default=DEFAULT_DB, help=f"the corpus database (default: {DEFAULT_DB})")
    n.add_argument("--codebook", metavar="FILE.yaml", required=True)
    n.add_argument("--type", choices=("affiliation", "congruence", "conflict"), default="congruence",
                   help="affiliation: actors and concepts; congruence: actors on the same side of a concept "
                        "(weight: concepts shared); conflict: on opposite sides (default: congruence)")
    n.add_argument("--qualifier", choices=("yes", "no", "both"), default="both",
                   help="only statements for (yes) or against (no) their concept (default: both)")
    n.add_argument("--concept", metavar="NAME", help="only this concept")
    n.add_argument("--since", metavar="YYYY-MM-DD")
    n.add_argument("--until", metavar="YYYY-MM-DD")
    n.add_argument("--window", type=int, metavar="DAYS",
                   help="one network per window of DAYS days, each in its own file (OUT-<first day>.graphml)")
    n.add_argument("--out", required=True, metavar="FILE", help=".graphml, .gexf, .csv or .matrix.csv")
    n.add_argument("--plot", metavar="FILE.png", help="also draw the network into this image")

    e = sub.add_parser(
        "evaluate-positions", help="score the positions against hand coding (actor, concept, side)",
        description="Ingest the gold file's articles (from --articles), code them with the codebook and score "
                    "the statements against the hand coding: P/R/F1 of (actor, concept, agreement) triples and "
                    "of (actor, concept) pairs, and the accuracy of agreement on the pairs found. "
                    "benchmarks/positions/ holds a gold set of PolNeAR dev and its codebook; "
                    "docs/positions.md gives the gold format and the coding guidelines.")
    e.add_argument("gold", metavar="GOLD.jsonl", help='one line per article: {"id", "sha256", "statements": [...]}')
    e.add_argument("--codebook", metavar="FILE.yaml", required=True)
    e.add_argument("--articles", metavar="ARTICLES.jsonl", required=True,
                   help="the articles' texts, with the gold's ids (any input extract reads)")
    e.add_argument("--db", metavar="DB", help="ingest into this database and keep it (default: a temporary one)")
    e.add_argument("--jobs", "-j", type=int, default=None, help="worker processes (default: all cores)")
    e.add_argument("--format", "-f", choices=("table", "json"), default="table")
    e.add_argument("--errors", action="store_true",
                   help="also list every missed, spurious and wrongly sided triple (on stdout)")


def _store(path: str):
    from pathlib import Path

    from onrecord.corpus.store import Store

    if not Path(path).exists():
        raise OnrecordError(f"{path}: no such database; create it with `onrecord ingest PATH --db {path}`")
    return Store(path, write=False)


def _progress(store_path: str):
    """A progress bar on stderr while quotes are coded (terminal only); returns (bar or None, callback)."""
    if not sys.stderr.isatty():
        return None, None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn("coding quotes"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   transient=True)
    task = bar.add_task("code", total=None)

    def show(done: int, total: int) -> None:
        if not bar.live.is_started:
            bar.start()
        bar.update(task, completed=done, total=total)
    return bar, show


def _statements(args: argparse.Namespace, store, codebook):
    from onrecord.corpus.positions import statements

    bar, show = _progress(args.db)
    try:
        return statements(store, codebook, args.concept, getattr(args, "speaker", None), args.since, args.until,
                          on_progress=show)
    finally:
        if bar is not None:
            bar.stop()


def cmd_positions(args: argparse.Namespace) -> int:
    from onrecord.corpus.positions import FIELDS, set_position
    from onrecord.corpus_cli import _emit
    from onrecord.errors import NotFound
    from onrecord.networks.codebook import load

    codebook = load(args.codebook) if args.codebook else None
    if args.set:
        quote, concept, agreement = args.set
        if not quote.isdigit():
            raise OnrecordError(f"QUOTE_ID must be a number (the quote_id column), not {quote!r}")
        if codebook is not None:
            concept = codebook.concept(concept).name
        with _store(args.db) as store:
            if store.readonly:
                raise OnrecordError(f"{args.db}: cannot record the correction: the database is read-only")
            text = set_position(store, int(quote), concept, agreement)
        short = text if len(text) <= 60 else text[:57] + "..."
        print(f"onrecord: quote {quote} ({short!r}) coded {agreement.lower()} on {concept!r}; kept across "
              "re-coding and re-ingest", file=sys.stderr)
        return 0
    if codebook is None:
        raise OnrecordError("positions needs --codebook FILE.yaml (samples/codebook.yaml shows the form)")
    with _store(args.db) as store:
        if args.recode:
            from onrecord.corpus.positions import coding_for

            bar, show = _progress(args.db)
            try:
                coding_for(store, codebook, show, recode=True)
            finally:
                if bar is not None:
                    bar.stop()
        try:
            found = _statements(args, store, codebook)
        except NotFound as e:  # no such speaker: nothing to show is an answer, as for search
            print(f"onrecord: {e}", file=sys.stderr)
            found = []
    rows = [s.as_dict() for s in found]
    sides = {k: sum(r["agreement"] == k for r in rows) for k in ("yes", "no", None)}
    _emit(rows, args.format, FIELDS,
          f"{len(rows)} statements: {sides['yes']} yes, {sides['no']} no, {sides[None]} taking no side")
    return 0


def cmd_network(args: argparse.Namespace) -> int:
    from onrecord.networks import graphs
    from onrecord.networks.codebook import load

    codebook = load(args.codebook)
    graphs.check_path(args.out)
    with _store(args.db) as store:
        found = _statements(args, store, codebook)
    title = f"{args.type} network" + (f", {args.concept}" if args.concept else "")
    if args.window is None:
        g = graphs.build(found, args.type, args.qualifier)
        graphs.write(g, args.out)
        if args.plot:
            graphs.plot(g, args.plot, title)
        actors = sum(1 for _, d in g.nodes(data=True) if d.get("kind") == "actor")
        print(f"onrecord: {args.type} network of {actors} actor(s) and {g.number_of_edges()} edge(s) "
              f"from {len(found)} statement(s) written to {args.out}", file=sys.stderr)
        return 0
    parts = graphs.windows(found, args.window, args.since, args.until)
    if not parts:
        raise OnrecordError("no dated statements to put into windows")
    for start, end, part in parts:
        g = graphs.build(part, args.type, args.qualifier)
        g.graph.update(start=start, end=end)
        out = graphs.window_path(args.out, start)
        graphs.write(g, out)
        if args.plot:
            graphs.plot_or_skip(g, graphs.window_path(args.plot, start), f"{title}, {start} to {end}")
        print(f"onrecord: {start} to {end}: {g.number_of_nodes()} node(s), {g.number_of_edges()} edge(s) "
              f"from {len(part)} statement(s) in {out}", file=sys.stderr)
    return 0


def cmd_evaluate_positions(args: argparse.Namespace) -> int:
    from onrecord.cli import notice
    from onrecord.evaluate.positions import evaluate_positions, print_errors, print_scores
    from onrecord.networks.codebook import load

    codebook = load(args.codebook)
    scores = evaluate_positions(args.gold, codebook, args.articles, args.db, args.jobs, notice)
    print_scores(scores, sys.stdout, args.format)
    if args.errors:
        print_errors(scores, sys.stdout)
    return 0


COMMANDS = {"positions": cmd_positions, "network": cmd_network, "evaluate-positions": cmd_evaluate_positions}
