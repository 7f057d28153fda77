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
