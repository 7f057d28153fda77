"""Speed, memory and accuracy of onrecord against textacy + spaCy, measured side by side in one run.

usage: python benchmarks/run.py [--runs 5] [--write docs/benchmarks.md]

- speed: whole processes (start-up included) on the same articles, onrecord and textacy interleaved run by
  run, median of --runs; reported as ratios (this machine is shared and noisy; absolute times are not
  comparable between runs).
- memory: peak RSS of `onrecord extract` on 250 and on 1,000 articles (streamed; it should not grow).
- accuracy: `onrecord evaluate` and textacy's predictions scored with the same metrics on PolNeAR dev.
The articles are ../shared/data/polnear/dev.jsonl (84 news articles); without that data the benchmark
says so and stops.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from report import write_section  # benchmarks/report.py, beside this script

from onrecord.run.pool import BLAS_THREAD_VARS

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "polnear"
BIN = Path(sys.executable).parent
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def timed(cmd: list[str], stdout=subprocess.DEVNULL, env: dict | None = None) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, stdout=stdout, stderr=subprocess.DEVNULL, check=True,
                   env=None if env is None else {**os.environ, **env})
    return time.perf_counter() - t


def peak_rss_mib(cmd: list[str]) -> float:
    """Peak RSS of the largest process in the command's tree (the runner itself excluded)."""
    code = ("import resource,subprocess,sys;subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,"
            "stderr=subprocess.DEVNULL,check=True);"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, *cmd], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def copies(src: Path, n: int, dest: Path) -> Path:
    """n articles made of repeated copies of src with shifted ids."""
    arts = [json.loads(line) for line in src.read_text().splitlines() if line.strip()]
    with dest.open("w") as fh:
        for i in range(n):
            a = arts[i % len(arts)]
            fh.write(json.dumps({"id": f"{a['id']}#{i}", "text": a["text"]}) + "\n")
    return dest


def score(gold: Path, preds: Path) -> dict:
    out = subprocess.run([str(BIN / "onrecord"), "evaluate", str(gold), "-p", str(preds), "-f", "json"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--write", metavar="FILE")
    args = ap.parse_args()
    dev = DATA / "dev.jsonl"
    if not dev.exists():
        print(f"benchmark data not found at {dev}; nothing measured", file=sys.stderr)
        return 1
    if importlib.util.find_spec("textacy") is None:
        print("textacy is not installed (the baseline every ratio is measured against): run `make bench`, "
              "or pip install -e '.[bench]' first; nothing measured", file=sys.stderr)
        return 1
    cores = len(os.sched_getaffinity(0))
    onrecord = [str(BIN / "onrecord"), "extract", str(dev), "-f", "jsonl"]
    textacy = [sys.executable, str(ROOT / "benchmarks" / "textacy_baseline.py"), str(dev)]
    n_articles = sum(1 for line in dev.read_text().splitlines() if line.strip())

    print(f"speed: {args.runs} interleaved runs on {n_articles} articles…", file=sys.stderr)
    t_one, t_core, t_all, t_tx, t_rules, t_acc = [], [], [], [], [], []
    one_thread = dict.fromkeys(BLAS_THREAD_VARS, "1")
    for _ in range(args.runs):
        t_tx.append(timed(textacy))
        t_one.append(timed([*onrecord, "--jobs", "1"]))
        t_core.append(timed([*onrecord, "--jobs", "1"], env=one_thread))
        t_all.append(timed([*onrecord, "--jobs", str(cores)]))
        t_rules.append(timed([*onrecord, "--jobs", "1", "--rules"]))
        t_acc.append(timed([*onrecord, "--jobs", "1", "--model", "accurate"]))
    med = {k: statistics.median(v) for k, v in (("one", t_one), ("core", t_core), ("all", t_all), ("tx", t_tx), ("rules", t_rules),
                                                ("acc", t_acc))}

    print("memory…", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        rss = {}
        for n in (250, 1000):
            f = copies(dev, n, Path(tmp) / f"a{n}.jsonl")
            rss[n] = peak_rss_mib([str(BIN / "onrecord"), "extract", str(f), "-f", "jsonl", "--jobs", "1"])
        rss_all = peak_rss_mib([str(BIN / "onrecord"), "extract", str(Path(tmp) / "a1000.jsonl"), "-f", "jsonl",
                                "--jobs", str(cores)])
        print("accuracy…", file=sys.stderr)
        ours_p, rules_p, tx_p = Path(tmp) / "ours.jsonl", Path(tmp) / "rules.jsonl", Path(tmp) / "tx.jsonl"
        acc_p = Path(tmp) / "accurate.jsonl"
        with acc_p.open("w") as fh:
            subprocess.run([*onrecord, "--jobs", str(cores), "--model", "accurate"], stdout=fh, check=True)
        with ours_p.open("w") as fh:
            subprocess.run([*onrecord, "--jobs", str(cores)], stdout=fh, check=True)
        with rules_p.open("w") as fh:
            subprocess.run([*onrecord, "--jobs", str(cores), "--rules"], stdout=fh, check=True)
        with tx_p.open("w") as fh:
            tx_run = subprocess.run(textacy, stdout=fh, stderr=subprocess.PIPE, text=True, check=True)
        refused = re.search(r"refused (\d+)", tx_run.stderr)
        acc = {"onrecord": score(dev, ours_p), "rules": score(dev, rules_p), "textacy": score(dev, tx_p),
               "accurate": score(dev, acc_p)}

    # (name, figure, target): the targets are issue 13's, on dev
    rows = [
        ("content overlap F1", lambda s: s["content_overlap"]["F1"], 0.82),
        ("content overlap P / R", lambda s: f"{s['content_overlap']['P']:.3f} / {s['content_overlap']['R']:.3f}", None),
        ("content exact F1", lambda s: s["content_exact"]["F1"], 0.72),
        ("attribution end-to-end F1", lambda s: s["attribution_e2e"]["F1"], 0.76),
        ("recall on direct quotes", lambda s: s["recall_direct"], 0.96),
        ("recall on indirect", lambda s: s["recall_indirect"], 0.75),
        ("speaker accuracy on matched", lambda s: s["speaker_acc_on_matched"], 0.93),
    ]

    def cell(v) -> str:
        return f"{v:.3f}" if isinstance(v, float) else str(v)

    lines = [
        START,
        f"## Latest measurement ({date.today().isoformat()}, `make bench`)",
        "",
        f"Machine: {cpu_model()}, {cores} cores, Python {platform.python_version()}, {platform.system()}.",
        f"Articles: PolNeAR dev, {n_articles} articles. Median of {args.runs} interleaved whole-process runs.",
        "",
        "| speed (articles/s, relative to textacy + spaCy sm, one process) | ratio |",
        "| --- | --- |",
        "| textacy `direct_quotations` over the full en_core_web_sm pipeline | 1.0x |",
        f"| `onrecord extract --jobs 1` (the tagger, the default; target 2.0x) | {med['tx'] / med['one']:.2f}x |",
        f"| the same on one core (`OPENBLAS_NUM_THREADS=1`; textacy's BLIS uses one) | {med['tx'] / med['core']:.2f}x |",
        f"| `onrecord extract --jobs {cores}` (all cores) | {med['tx'] / med['all']:.2f}x |",
        f"| `onrecord extract --jobs 1 --rules` (the rules alone) | {med['tx'] / med['rules']:.2f}x |",
        f"| `onrecord extract --jobs 1 --model accurate` (the tagger with the encoder) | {med['tx'] / med['acc']:.2f}x |",
        "",
        f"Peak RSS of `onrecord extract --jobs 1`: {rss[250]:.0f} MiB on 250 articles, {rss[1000]:.0f} MiB on "
        f"1,000 articles (largest process of `--jobs {cores}` on 1,000: {rss_all:.0f} MiB).",
        "",
        "| accuracy on PolNeAR dev | textacy | onrecord `--rules` | onrecord (tagger, default) | onrecord "
        "`--model accurate` | target | met by the default |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        *(f"| {name} | {cell(f(acc['textacy']))} | {cell(f(acc['rules']))} | {cell(f(acc['onrecord']))} | "
          f"{cell(f(acc['accurate']))} | "
          f"{'' if t is None else t} | {'' if t is None else ('yes' if f(acc['onrecord']) >= t else 'no')} |"
          for name, f, t in rows),
        "",
        f"textacy refused {refused.group(1) if refused else '?'} of {n_articles} articles "
        "(unbalanced quotation marks).",
        END,
    ]
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_section(args.write, report, START, END)
        print(f"written to {args.write}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
