"""`onrecord serve` under load: 50 concurrent clients on loopback against a corpus of 100,000+ quotes.

usage: python benchmarks/serve.py [--copies 6] [--requests 6000] [--clients 50] [--keep FILE.db]
                                  [--write docs/benchmarks.md]

- the database: --copies id-shifted copies of PolNeAR train, as benchmarks/corpus.py builds it (--keep
  FILE.db builds it there once and reuses it after);
- the server: `onrecord serve --port 0`, one process, as a user starts it;
- the load: --clients HTTP/1.1 keep-alive connections from one asyncio process, each sending its next
  request as soon as the last is answered (closed loop, no pause), until --requests have been sent in
  all; a fixed, seeded mix: search (half the JSON API, half the page), a speaker's page, an article's
  page. It connects to 127.0.0.1 only and stops by itself.

Reported for each --workers (server processes; default 1 and 2): throughput, p50 and p99 latency per kind
and in all, and the errors (any status but 200, any broken connection). Target: no errors, search p99
under 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from corpus import QUERIES, TRAIN, copies  # benchmarks/corpus.py: the same database
from report import write_section

BIN = Path(sys.executable).parent
START, END = "<!-- serve:start -->", "<!-- serve:end -->"
HOST = "127.0.0.1"  # never anything else
TIMEOUT = 30  # seconds for one answer before it counts as an error


def build(db: Path, n: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "copies.jsonl"
        copies(n, src)
        t = time.perf_counter()
        subprocess.run([str(BIN / "onrecord"), "ingest", str(src), "--db", str(db),
                        "--jobs", str(len(os.sched_getaffinity(0)))], check=True, stderr=subprocess.DEVNULL)
        return time.perf_counter() - t


def plan(db: Path, total: int, seed: int = 7) -> list[tuple[str, str]]:
    """The requests, (kind, path), in the order they are sent."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    speakers = [r[0] for r in con.execute("SELECT speaker_id FROM quotes WHERE speaker_id IS NOT NULL"
                                          " GROUP BY speaker_id ORDER BY COUNT(*) DESC LIMIT 300")]
    articles = [r[0] for r in con.execute("SELECT id FROM articles")]
    con.close()
    rng = random.Random(seed)
    out = []
    for i in range(total):
        r = rng.random()
        if r < 0.5:
            q = quote(rng.choice(QUERIES))
            out.append(("search", f"/api/search?q={q}" if i % 2 else f"/search?q={q}"))
        elif r < 0.75:
            out.append(("speaker", f"/speaker/{rng.choice(speakers)}"))
        else:
            out.append(("article", f"/article/{rng.choice(articles)}"))
    return out


async def client(port: int, queue: list, results: list) -> None:
    reader = writer = None
    while queue:
        kind, path = queue.pop()
        t = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(HOST, port)
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n".encode())
            await writer.drain()
            async with asyncio.timeout(TIMEOUT):  # not wait_for: no task per request in the load generator
                status, body = await _response(reader)
            ok = status == 200 and body > 0
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
            ok = False
            if writer is not None:
                writer.close()
            reader = writer = None
        results.append((kind, time.perf_counter() - t, ok))
    if writer is not None:
        writer.close()


async def _response(reader) -> tuple[int, int]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    m = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
    if m is None:  # chunked: read chunk by chunk
        size = 0
        while True:
            n = int((await reader.readuntil(b"\r\n")).strip(), 16)
            await reader.readexactly(n + 2)
            size += n
            if n == 0:
                return status, size
    n = int(m.group(1))
    await reader.readexactly(n)
    return status, n


async def load(port: int, requests: list, clients: int) -> tuple[list, float]:
    queue = list(reversed(requests))
    results: list = []
    t = time.perf_counter()
    await asyncio.gather(*(client(port, queue, results) for _ in range(clients)))
    return results, time.perf_counter() - t


def run(db: Path, requests: list, clients: int, workers: int) -> tuple[list, float]:
    """One run against a fresh `onrecord serve --workers N`: its results and how long they took."""
    proc = subprocess.Popen([str(BIN / "onrecord"), "serve", "--db", str(db), "--port", "0", "--workers",
                             str(workers)], stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()
        m = re.search(r"127\.0\.0\.1:(\d+)/", line)
        if m is None:
            raise SystemExit(f"serve did not start: {line}")
        port = int(m.group(1))
        time.sleep(1 + workers)  # the worker processes start after the line
        asyncio.run(load(port, requests[:200], 10))  # warm: the first pages, the page cache
        print(f"load: {len(requests)} requests from {clients} clients, {workers} worker(s)…", file=sys.stderr)
        return asyncio.run(load(port, requests, clients))
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] * 1000


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=6)
    ap.add_argument("--requests", type=int, default=6000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="server processes, one run each")
    ap.add_argument("--keep", metavar="FILE.db", help="build the database here once, and reuse it after")
    ap.add_argument("--write", metavar="FILE")
    args = ap.parse_args()
    if not TRAIN.exists():
        print(f"benchmark data not found at {TRAIN}; nothing measured", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(args.keep) if args.keep else Path(tmp) / "big.db"
        built = None
        if not db.exists():
            print(f"building a database of {args.copies} copies of PolNeAR train…", file=sys.stderr)
            db.parent.mkdir(parents=True, exist_ok=True)
            built = build(db, args.copies)
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        n_quotes = con.execute("SELECT COUNT(*) FROM quotes").fetchone()[0]
        con.close()
        requests = plan(db, args.requests)
        runs = {w: run(db, requests, args.clients, w) for w in args.workers}
    lines = [
        START,
        f"### Serve ({time.strftime('%Y-%m-%d')}, `make bench`, {n_quotes:,} quotes)",
        "",
        f"`onrecord serve --workers N` and the load generator on the same {len(os.sched_getaffinity(0))}-core "
        f"machine, loopback; {args.clients} concurrent keep-alive clients, closed loop (each sends its next request "
        f"when the last is answered), {len(requests):,} requests per run"
        + (f"; database built in {built:.0f} s" if built else "") + ".",
        "",
        "| workers | requests | n | p50 | p99 | worst | throughput | errors |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    verdicts = []
    for w, (results, seconds) in runs.items():
        errors = sum(not ok for _, _, ok in results)
        for kind in ("search", "speaker", "article", "all"):
            xs = [t for k, t, _ in results if kind in (k, "all")]
            lines.append(f"| {w} | {kind} | {len(xs)} | {pct(xs, 50):.0f} ms | {pct(xs, 99):.0f} ms | "
                         f"{max(xs) * 1000:.0f} ms | {len(xs) / seconds:.0f}/s | "
                         f"{sum(not ok for k, _, ok in results if kind in (k, 'all'))} |")
        p99 = pct([t for k, t, _ in results if k == "search"], 99)
        verdicts.append(f"{w} worker{'s' if w > 1 else ''}: errors {errors} ({'met' if not errors else 'not met'}), "
                        f"search p99 {p99:.0f} ms ({'met' if p99 < 100 else 'not met'})")
    lines += ["", "Targets: no errors, search p99 under 100 ms. " + "; ".join(verdicts) + ".", END]
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_section(args.write, report, START, END, after="<!-- corpus:end -->")
    return 0


if __name__ == "__main__":
    sys.exit(main())
