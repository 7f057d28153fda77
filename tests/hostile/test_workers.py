"""Worker processes that die are survived: the batch finishes, lost articles are named, nothing hangs.

The tests kill worker processes (never the parent) with SIGKILL, as the kernel's out-of-memory killer
would, in the middle of `extract --jobs 2` and `ingest --jobs 2`.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

GUARD = 240  # seconds; a hang is what these tests look for

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc to find workers")


def write_articles(path: Path, n: int) -> Path:
    with path.open("w") as fh:
        for i in range(n):
            text = "\n\n".join(
                f"Mayor Lina Ortiz{i % 7} said on Tuesday that bridge number {i}.{k} would reopen soon, and "
                f"“We have checked every bolt twice,” Ortiz{i % 7} told reporters about part {k}."
                for k in range(6))
            fh.write(json.dumps({"id": f"a{i}", "date": "2026-03-02", "text": text}) + "\n")
    return path


def children(pid: int) -> list[int]:
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                stat = Path(f"/proc/{d}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(d))
    return out


def start(*args) -> subprocess.Popen:
    """The command, its output going to files: a full pipe would stop it, and the workers with it."""
    out, err = tempfile.TemporaryFile("w+"), tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed in finish()
    p = subprocess.Popen([sys.executable, "-m", "onrecord.cli", *map(str, args)], stdout=out, stderr=err, text=True)
    p.files = (out, err)  # type: ignore[attr-defined]
    return p


def kill_workers(p: subprocess.Popen, rounds: int, every: float = 0.25) -> int:
    """Wait until the workers run, then SIGKILL every worker alive, ``rounds`` times; kills made."""
    deadline = time.monotonic() + 60
    while not children(p.pid) and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # let them get going
    killed = 0
    for _ in range(rounds):
        for c in children(p.pid):
            try:
                os.kill(c, signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
        time.sleep(every)
    return killed


def finish(p: subprocess.Popen) -> tuple[int, str, str]:
    p.wait(timeout=GUARD)
    texts = []
    for f in p.files:  # type: ignore[attr-defined]
        f.seek(0)
        texts.append(f.read())
        f.close()
    return p.returncode, texts[0], texts[1]


def lost_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("onrecord: skipped ")]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    d = tmp_path_factory.mktemp("batch")
    src = write_articles(d / "batch.jsonl", 160)
    clean = subprocess.run([sys.executable, "-m", "onrecord.cli", "extract", str(src), "-f", "jsonl", "-j", "2"],
                           capture_output=True, text=True, timeout=GUARD)
    assert clean.returncode == 0, clean.stderr
    return src, [json.loads(line) for line in clean.stdout.splitlines()]


@pytest.mark.timeout(GUARD)
def test_one_killed_worker_costs_nothing(batch):
    src, clean = batch
    p = start("extract", src, "-f", "jsonl", "-j", "2")
    assert kill_workers(p, rounds=1) >= 1
    rc, out, err = finish(p)
    assert rc == 0, err
    assert "was killed by signal 9 (SIGKILL); trying them one at a time" in err
    assert "Traceback" not in err
    # the articles in the dead worker's hands were tried again: the output is the clean run's
    assert [json.loads(line) for line in out.splitlines()] == clean


@pytest.mark.timeout(GUARD)
def test_workers_killed_again_and_again_lose_only_the_articles_they_held(batch):
    src, clean = batch
    p = start("extract", src, "-f", "jsonl", "-j", "2")
    kill_workers(p, rounds=10)
    rc, out, err = finish(p)
    lost = lost_lines(err)
    assert rc == 1 and lost, err
    assert "Traceback" not in err
    for line in lost:  # one line each, naming the file and line
        assert line.startswith(f"onrecord: skipped {src}:")
        assert line.endswith("the worker process analysing it was killed by signal 9 (SIGKILL)")
    got = [json.loads(line) for line in out.splitlines()]
    lost_ids = {f"a{int(line.split(':')[2]) - 1}" for line in lost}
    assert [r for r in clean if r["id"] not in lost_ids] == got


def rows(db: Path) -> dict:
    """What an ingest stores, independent of the order in which rows were written."""
    con = sqlite3.connect(db)
    try:
        return {
            "articles": sorted(con.execute("SELECT hash, ext_id, date, source, text FROM articles")),
            "quotes": sorted(con.execute(
                "SELECT a.hash, q.qid, q.kind, q.text, q.start, q.\"end\", s.name, q.speaker_mention, q.cue,"
                " q.parent_qid, q.confidence FROM quotes q JOIN articles a ON a.id = q.article_id"
                " LEFT JOIN speakers s ON s.id = q.speaker_id")),
            "speakers": sorted(con.execute("SELECT name, key, type FROM speakers")),
            "errors": sorted(con.execute("SELECT path, line, reason FROM input_errors")),
        }
    finally:
        con.close()


@pytest.mark.timeout(GUARD)
def test_an_ingest_whose_workers_die_is_completed_by_running_it_again(batch, tmp_path):
    src, _clean = batch
    want = tmp_path / "clean.db"
    ok = subprocess.run([sys.executable, "-m", "onrecord.cli", "ingest", str(src), "--db", str(want), "-j", "2"],
                        capture_output=True, text=True, timeout=GUARD)
    assert ok.returncode == 0, ok.stderr

    db = tmp_path / "news.db"
    p = start("ingest", src, "--db", db, "-j", "2")
    kill_workers(p, rounds=10)
    rc, _out, err = finish(p)
    lost = lost_lines(err)
    assert rc == 1 and lost, err
    assert "Traceback" not in err
    assert f"{len(lost)} input(s) skipped" in err
    stored = sqlite3.connect(db).execute("SELECT path, line FROM input_errors").fetchall()
    assert len(stored) == len(lost)

    again = subprocess.run([sys.executable, "-m", "onrecord.cli", "ingest", str(src), "--db", str(db), "-j", "2"],
                           capture_output=True, text=True, timeout=GUARD)
    assert again.returncode == 0, again.stderr
    assert f"{len(lost)} new article(s)" in again.stderr
    assert rows(db) == rows(want)  # the lost articles are in, their errors gone, nothing twice
