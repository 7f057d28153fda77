"""Running time against article length, for ordinary and adversarial articles: it must grow linearly.

usage: python benchmarks/sizes.py [--sizes 1000,10000,100000,1000000] [--write docs/benchmarks.md]

Every article is made here from text written for the project (samples/briefing.txt, or the adversarial
patterns below), so this needs no data. Times are seconds per article in one warm process (the pipeline
loaded once), the best of --runs for the smaller sizes; the ratio per tenfold size is what to read:
about 10x is linear. Peak memory is that of a whole `onrecord extract --jobs 1` run on the largest
ordinary article (worker included).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from report import write_section  # benchmarks/report.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
START, END = "<!-- sizes:start -->", "<!-- sizes:end -->"
SAMPLE = (ROOT / "samples" / "briefing.txt").read_text(encoding="utf-8").split("\n", 1)[1]


def fill(unit: str, n: int) -> str:
    return (unit * (n // len(unit) + 1))[:n]


def reported(sep: str, n: int) -> str:
    """The reliability issue's paragraph, its two runs of a separator grown to make n characters."""
    head = "Even before the vote, the mayor made it clear that she intended to fight, when she held a 2"
    tail = "-hour hearing with four residents who claimed they had been ignored by the council."
    run = max(1, (n - len(head) - len(tail) - 3) // 2)
    return head + sep * run + "1/2" + sep * run + tail


KINDS = {
    "ordinary (the sample briefing, repeated)": lambda n: fill(SAMPLE + "\n", n),
    "runs of spaces in a reported clause": lambda n: reported(" ", n),
    "runs of tabs": lambda n: reported("\t", n),
    "runs of dashes": lambda n: reported("-", n),
    "runs of commas": lambda n: reported(",", n),
    "runs of zero-width spaces": lambda n: reported("\u200b", n),
    "nothing but straight quotation marks": lambda n: '"' * n,
    "alternating “” and '": lambda n: fill("“a” 'b' ", n),
    "unclosed quotation marks, one paragraph": lambda n: fill("The mayor said “we will win ", n),
    "one line without spaces": lambda n: "a" * n,
    "deeply nested brackets": lambda n: "(" * (n // 2) + ")" * (n // 2),
    "deeply nested quotation marks": lambda n: "“‘" * (n // 4) + "’”" * (n // 4),
    "every word a cue": lambda n: fill("said ", n),
    "a quote in every short paragraph": lambda n: fill("“No,” he said.\n\n", n),
}


def seconds(extractor, text: str, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        extractor.extract(text)
        best = min(best, time.perf_counter() - t)
    return best


# the articles whose whole run's peak memory is measured at the largest size: an ordinary one, and the one
# that holds most per character (a quote in every short paragraph)
MEMORY = ("ordinary (the sample briefing, repeated)", "a quote in every short paragraph")


# the peak RSS of the children of a fresh process that runs one command (so each measure is its own)
_PEAK = ("import resource, subprocess, sys; rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode; "
         "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if rc == 0 else -1)")


def peak_rss_mib(path: Path) -> float:
    """Peak RSS of a whole run (``--timeout 0``: a loaded machine must not turn the measure into a skipped
    article), read in a process of its own so that no other run's peak is counted."""
    proc = subprocess.run([sys.executable, "-c", _PEAK, str(BIN / "onrecord"), "extract", str(path), "-f", "jsonl",
                           "--jobs", "1", "--timeout", "0"], capture_output=True, text=True, check=True)
    kib = int(proc.stdout.split()[-1])
    if kib < 0:
        raise SystemExit(f"onrecord extract {path} failed: {proc.stderr.strip()}")
    return kib / 1024


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,100000,1000000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--write", metavar="FILE")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    # memory first, while this process is small: Linux keeps a child's peak RSS across exec, so a child
    # forked after the in-process runs below would report this process's own size
    rss = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in MEMORY:
            big = Path(tmp) / "big.txt"
            big.write_text(KINDS[name](max(sizes)), encoding="utf-8")
            rss[name] = peak_rss_mib(big)
            print(f"peak RSS, {name}, {max(sizes):,} characters: {rss[name]:.0f} MiB", file=sys.stderr, flush=True)
    from onrecord.analyze.pipeline import Extractor

    extractor = Extractor()
    extractor.extract(SAMPLE)  # warm up
    table: dict[str, list[float]] = {}
    for name, make in KINDS.items():
        row = []
        for n in sizes:
            row.append(seconds(extractor, make(n), args.runs if n <= 100_000 else 1))
            print(f"{name}, {n:,} characters: {row[-1]:.3f} s", file=sys.stderr, flush=True)
        table[name] = row

    def ratios(row: list[float]) -> str:
        return " / ".join(f"{b / a:.0f}x" if a > 0.002 else "-" for a, b in zip(row, row[1:], strict=False))

    lines = [
        START,
        f"### Time against article length ({date.today().isoformat()}, `make bench`)",
        "",
        "Seconds per article in one warm process; the last column is the growth per tenfold size (about 10x "
        "is linear; \"-\" where the smaller time is under 2 ms and the ratio means nothing).",
        "",
        "| article | " + " | ".join(f"{n:,} chars" for n in sizes) + " | per 10x |",
        "| --- | " + " | ".join("---" for _ in sizes) + " | --- |",
        *(f"| {name} | " + " | ".join(f"{t:.3f}" for t in row) + f" | {ratios(row)} |" for name, row in table.items()),
        "",
        f"Peak RSS of `onrecord extract --jobs 1` on an article of {max(sizes):,} characters (the limit set "
        "is 1.5 GiB; an article over 100,000 characters is read in pieces, analyze/segment.py): "
        + "; ".join(f"{name}, {mib:.0f} MiB" for name, mib in rss.items()) + ".",
        END,
    ]
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_section(args.write, report, START, END, after="<!-- corpus:end -->")
        print(f"written to {args.write}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
