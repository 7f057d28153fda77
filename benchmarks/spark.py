"""The cost of Spark itself: `onrecord spark` on local[1] and local[2] against `onrecord extract --jobs 1/2`,
the same articles, one run each, in one sitting.

usage: python benchmarks/spark.py [--articles 200] [--write docs/benchmarks.md]

Start-up is measured by `onrecord spark` on one short article (the JVM, the session, one Python worker
loading the pipeline); "without start-up" subtracts it from each Spark run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import TRAIN
from report import write_section

BIN = Path(sys.executable).parent
START, END = "<!-- spark:start -->", "<!-- spark:end -->"


def timed(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=200)
    ap.add_argument("--write", metavar="FILE")
    args = ap.parse_args()
    if not TRAIN.exists():
        print(f"benchmark data not found at {TRAIN}; nothing measured", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "articles.jsonl"
        lines = [line for line in TRAIN.read_text().splitlines() if line.strip()][: args.articles]
        src.write_text("\n".join(json.dumps({k: v for k, v in json.loads(x).items() if k != "attributions"})
                                 for x in lines) + "\n")
        one = Path(tmp) / "one.txt"
        one.write_text("Mayor Lina Ortiz said the bridge would open in May.")
        n = len(lines)

        def spark(master: str, what: Path) -> float:
            out = Path(tmp) / "out"
            shutil.rmtree(out, ignore_errors=True)
            return timed([str(BIN / "onrecord"), "spark", str(what), "--out", str(out), "--master", master])

        print("start-up…", file=sys.stderr)
        startup = {m: spark(m, one) for m in ("local[1]", "local[2]")}
        rows = []
        for jobs, master in ((1, "local[1]"), (2, "local[2]")):
            print(f"{n} articles: extract --jobs {jobs}, spark {master}…", file=sys.stderr)
            t_ext = timed([str(BIN / "onrecord"), "extract", str(src), "-f", "jsonl", "--jobs", str(jobs)])
            t_sp = spark(master, src)
            rows.append((jobs, master, t_ext, t_sp, startup[master]))
    cores = len(os.sched_getaffinity(0))
    lines = [START, f"### Spark ({time.strftime('%Y-%m-%d')}, `make bench`, {n} PolNeAR train articles, "
             f"{cores} cores)", "",
             "| run | seconds | articles/s | relative to extract | without start-up | relative |",
             "| --- | --- | --- | --- | --- | --- |"]
    for jobs, master, t_ext, t_sp, t0 in rows:
        lines.append(f"| `extract --jobs {jobs}` | {t_ext:.1f} | {n / t_ext:.2f} | 1.00x | | |")
        bare = max(t_sp - t0, 1e-9)
        lines.append(f"| `spark --master {master}` | {t_sp:.1f} | {n / t_sp:.2f} | {t_ext / t_sp:.2f}x | "
                     f"{n / bare:.2f} | {t_ext / bare:.2f}x |")
    lines += ["", "Start-up of `onrecord spark` (one short article): "
              + ", ".join(f"{m} {t:.1f} s" for m, t in startup.items()) + ".", END]
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_section(args.write, report, START, END, after="<!-- serve:end -->")
    return 0


if __name__ == "__main__":
    sys.exit(main())
