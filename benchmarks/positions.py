"""How fast quotes are coded for a codebook, and what the coding finds, on PolNeAR train.

usage: python benchmarks/positions.py [--write docs/benchmarks.md]

A database of PolNeAR train (840 articles, `onrecord ingest`), then, in one process:
- the first coding for a codebook of keywords only, and for the same codebook with examples (every quote
  without a keyword is embedded), in quotes per second;
- a second call with nothing new (the stored coding is read), and building the three networks;
- how many statements each concept gets and how they split between yes, no and no side.
The codebook is benchmarks/positions/campaign2016.yaml, written for the 2016 US campaign that PolNeAR
covers before any article was read for coding. Then the accuracy: `onrecord evaluate-positions` on the
hand-coded tuning set of 20 train articles and the gold of 40 dev articles (benchmarks/positions/;
docs/positions.md).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from report import write_section  # benchmarks/report.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
TRAIN = ROOT.parent / "shared" / "data" / "polnear" / "train.jsonl"
BIN = Path(sys.executable).parent
START, END = "<!-- positions:start -->", "<!-- positions:end -->"

BOOK = ROOT / "benchmarks" / "positions" / "campaign2016.yaml"  # the frozen codebook of the dev gold set
DEV = TRAIN.with_name("dev.jsonl")
GOLD = ROOT / "benchmarks" / "positions" / "dev_gold.jsonl"
TUNE = ROOT / "benchmarks" / "positions" / "train_gold.jsonl"
EXAMPLES = {
    "Border wall": ["We will stop illegal immigrants from crossing the southern border"],
    "Gun control": ["Congress must pass laws to keep guns away from dangerous people"],
}


def _accuracy(codebook) -> list[str]:
    """evaluate-positions on the train tuning set and the dev gold set, as table lines (targets: issue 14)."""
    from onrecord.evaluate.positions import evaluate_positions

    if not DEV.exists():
        return [f"(no accuracy: {DEV} not found)"]
    print("positions: scoring the hand-coded sets…", file=sys.stderr)
    jobs = len(os.sched_getaffinity(0))
    tune = evaluate_positions(str(TUNE), codebook, str(TRAIN), jobs=jobs)
    dev = evaluate_positions(str(GOLD), codebook, str(DEV), jobs=jobs)

    def cell(s, which: str) -> str:
        x = getattr(s, which)
        return f"{x.f1:.3f} ({x.p:.3f} / {x.r:.3f})"
    return [
        "Accuracy against hand coding (`onrecord evaluate-positions`, benchmarks/positions/; decided on the "
        "train tuning set, dev only reported)",
        "",
        f"| measure | train tuning set, {tune.articles} articles, {tune.triples.gold} triples | "
        f"dev, {dev.articles} articles, {dev.triples.gold} triples | target |",
        "| --- | --- | --- | --- |",
        f"| triples (actor, concept, side) F1 (P / R) | {cell(tune, 'triples')} | {cell(dev, 'triples')} | "
        "F1 >= 0.75 |",
        f"| pairs (actor, concept) F1 (P / R) | {cell(tune, 'pairs')} | {cell(dev, 'pairs')} | |",
        f"| agreement accuracy on the pairs found | {tune.agreement_accuracy:.3f} ({tune.agreement_found}) | "
        f"{dev.agreement_accuracy:.3f} ({dev.agreement_found}) | >= 0.85 |",
    ]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", metavar="FILE")
    args = ap.parse_args()
    if not TRAIN.exists():
        print(f"benchmark data not found at {TRAIN}; nothing measured", file=sys.stderr)
        return 1
    import yaml

    from onrecord.corpus.positions import coding_for, statements
    from onrecord.corpus.store import Store
    from onrecord.networks import graphs
    from onrecord.networks.codebook import parse

    book = yaml.safe_load(BOOK.read_text(encoding="utf-8"))
    keywords_only = parse(book, str(BOOK))
    with_examples = parse({**book, "concepts": [{**c, "examples": EXAMPLES[c["name"]]} if c["name"] in EXAMPLES
                                                else c for c in book["concepts"]]})
    concepts = book["concepts"]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "train.db"
        print("positions: ingesting PolNeAR train…", file=sys.stderr)
        subprocess.run([str(BIN / "onrecord"), "ingest", str(TRAIN), "--db", str(db),
                        "--jobs", str(len(os.sched_getaffinity(0)))], check=True, stderr=subprocess.DEVNULL)
        with Store(db) as store:
            n_quotes = store.db.execute("SELECT COUNT(*) FROM quotes").fetchone()[0]
            from onrecord.analyze.nlp import load_lemmas

            load_lemmas()  # the pipeline's loading is not the coding's cost
            t = time.perf_counter()
            coding_for(store, keywords_only)
            t_kw = time.perf_counter() - t
            t = time.perf_counter()
            found = statements(store, keywords_only)
            t_again = time.perf_counter() - t
            t = time.perf_counter()
            for kind in graphs.TYPES:
                graphs.build(found, kind)
            t_nets = time.perf_counter() - t
            from onrecord.networks.agreement import Embedder

            Embedder()  # loaded once, before the clock: torch and the model take seconds to load
            t = time.perf_counter()
            coding_for(store, with_examples)
            t_ex = time.perf_counter() - t
            found_ex = statements(store, with_examples)
    accuracy = _accuracy(keywords_only)
    per = Counter((s.concept, s.agreement) for s in found)
    by_example = len(found_ex) - len(found)
    lines = [
        START,
        f"### Positions ({time.strftime('%Y-%m-%d')}, `make bench`, PolNeAR train, {n_quotes:,} quotes)",
        "",
        "| measure | result |",
        "| --- | --- |",
        f"| first coding, {len(concepts)} concepts by keywords | {t_kw:.1f} s ({n_quotes / t_kw:,.0f} quotes/s) |",
        f"| same codebook with examples for {len(EXAMPLES)} concepts (every quote without their keywords "
        f"embedded) | {t_ex:.1f} s ({n_quotes / t_ex:,.0f} quotes/s); {by_example:+d} statements |",
        f"| `positions` again, nothing new (the stored coding read) | {t_again * 1000:.0f} ms |",
        f"| the three networks from {len(found):,} statements | {t_nets * 1000:.0f} ms |",
        "",
        "| concept | statements | yes | no | no side |",
        "| --- | --- | --- | --- | --- |",
        *(f"| {c['name']} | {sum(per[c['name'], a] for a in ('yes', 'no', None))} | {per[c['name'], 'yes']} | "
          f"{per[c['name'], 'no']} | {per[c['name'], None]} |" for c in concepts),
        "",
        *accuracy,
        END,
    ]
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_section(args.write, report, START, END, after="<!-- corpus:end -->")
    return 0


if __name__ == "__main__":
    sys.exit(main())
