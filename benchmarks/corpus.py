"""The corpus store must not be the bottleneck, and search must answer fast.

usage: python benchmarks/corpus.py [--copies 6] [--write docs/benchmarks.md]

- throughput: `onrecord ingest --jobs all` into a new database against `onrecord extract --jobs all` to
  /dev/null, same articles (PolNeAR train, 840), interleaved, median of --runs; the ratio is reported.
- search: a database of --copies id-shifted copies of PolNeAR train (each copy's texts carry a one-line
  marker, or the content hash would rightly refuse them as repeats), then the median and worst time of
  `search()` over a set of queries, in process, database warm.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from report import write_section  # benchmarks/report.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
TRAIN = ROOT.parent / "shared" / "data" / "polnear" / "train.jsonl"
BIN = Path(sys.executable).parent
START, END = "<!-- corpus:start -->", "<!-- corpus:end -->"
QUERIES = ["tax returns", "no-fly zone", "email server", "rigged election", "health care", "Russia",
           "immigration wall", "debate moderator", "Supreme Court nominee", "climate change"]


def copies(n: int, dest: Path) -> int:
    arts = [json.loads(line) for line in TRAIN.read_text().splitlines() if line.strip()]
    with dest.open("w") as fh:
        for c in range(n):
            for a in arts:
                text = a["text"] if c == 0 else f"{a['text']}\n\n(Copy {c}.)"
                fh.write(json.dumps({"id": f"{a['id']}#{c}", "date": a.get("date"), "text": text}) + "\n")
    return n * len(arts)


def timed(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=6)  # 6 copies of train: just over 100,000 quotes
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--write", metavar="FILE")
    args = ap.parse_args()
    if not TRAIN.exists():
        print(f"benchmark data not found at {TRAIN}; nothing measured", file=sys.stderr)
        return 1
    cores = str(len(os.sched_getaffinity(0)))
    with tempfile.TemporaryDirectory() as tmp:
        t_ing, t_ext = [], []
        print(f"throughput: {args.runs} interleaved runs on PolNeAR train…", file=sys.stderr)
        for i in range(args.runs):
            t_ext.append(timed([str(BIN / "onrecord"), "extract", str(TRAIN), "-f", "jsonl", "--jobs", cores]))
            t_ing.append(timed([str(BIN / "onrecord"), "ingest", str(TRAIN), "--db", f"{tmp}/t{i}.db",
                                "--jobs", cores]))
        ratio = statistics.median(t_ext) / statistics.median(t_ing)

        print(f"search: building a database of {args.copies} copies of PolNeAR train…", file=sys.stderr)
        src = Path(tmp) / "copies.jsonl"
        n_articles = copies(args.copies, src)
        db = Path(tmp) / "big.db"
        t_build = timed([str(BIN / "onrecord"), "ingest", str(src), "--db", str(db), "--jobs", cores])

        from onrecord.corpus.query import search
        from onrecord.corpus.store import Store

        with Store(db) as store:
            n_quotes = store.db.execute("SELECT COUNT(*) FROM quotes").fetchone()[0]
            for q in QUERIES:  # warm the cache once
                search(store, q)
            times = []
            for _ in range(5):
                for q in QUERIES:
                    t = time.perf_counter()
                    search(store, q, limit=20)
                    times.append((time.perf_counter() - t) * 1000)
            t_filtered = []
            for q in QUERIES:
                t = time.perf_counter()
                search(store, q, speaker="Trump", since="2016-03-01", kind="direct")
                t_filtered.append((time.perf_counter() - t) * 1000)
        size_mib = db.stat().st_size / 2**20

    lines = [
        START,
        f"### Corpus ({time.strftime('%Y-%m-%d')}, `make bench`)",
        "",
        "| measure | result |",
        "| --- | --- |",
        f"| `onrecord ingest --jobs {cores}` throughput relative to `onrecord extract --jobs {cores}` to /dev/null "
        f"(PolNeAR train, median of {args.runs}) | {ratio:.2f}x |",
        f"| database built from {n_articles:,} articles ({args.copies} copies of train) | {n_quotes:,} quotes, "
        f"{size_mib:.0f} MiB, built in {t_build:.0f} s |",
        f"| `search`, 20 best of {n_quotes:,} quotes, {len(times)} queries | median {statistics.median(times):.1f} ms, "
        f"worst {max(times):.1f} ms |",
        f"| `search` with speaker, date and kind filters | median {statistics.median(t_filtered):.1f} ms, "
        f"worst {max(t_filtered):.1f} ms |",
        END,
    ]
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_section(args.write, report, START, END, after="<!-- bench:end -->")
    return 0


if __name__ == "__main__":
    sys.exit(main())
