"""`onrecord serve` refuses what it cannot serve in one line, before it listens."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def serve(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "onrecord"), "serve", *args], capture_output=True, text=True, timeout=60)


def one_line(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def test_a_missing_or_foreign_database_is_one_line(tmp_path):
    assert "no such database" in one_line(serve("--db", str(tmp_path / "missing.db")))
    junk = tmp_path / "notes.db"
    junk.write_bytes(b"these are my notes, not a database" * 100)
    assert "not an onrecord database" in one_line(serve("--db", str(junk)))
    assert not (tmp_path / "missing.db").exists()  # serve never creates one


def test_a_port_in_use_is_one_line(served_db):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        line = one_line(serve("--db", str(served_db), "--port", str(port)))
    assert f"127.0.0.1:{port}" in line and "--port" in line


def test_several_worker_processes_answer(served_db):
    import json
    import re
    import time
    import urllib.request

    proc = subprocess.Popen([str(BIN / "onrecord"), "serve", "--db", str(served_db), "--port", "0", "--workers", "2"],
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()
        m = re.search(r"at (http://127\.0\.0\.1:\d+/) \(read-only; 2 processes", line)
        assert m, line
        deadline = time.monotonic() + 30
        while True:  # the workers start after the line; the socket already queues connections
            try:
                with urllib.request.urlopen(m.group(1) + "api/stats", timeout=10) as r:
                    stats = json.load(r)
                break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        assert stats["articles"] >= 4 and stats["concepts"] == ["Harbour bridge"]
    finally:
        proc.terminate()
        proc.wait(timeout=20)
