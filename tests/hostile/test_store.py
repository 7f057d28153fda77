"""The corpus database under conditions a user meets: a read-only file, a full disk, two ingests at
once, an interrupted export, a path that does not exist. Each is one line naming the file, exit 2 for a
command that cannot do its work, and nothing stored is lost."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

GUARD = 240


def onrecord(*args, **kw):
    return subprocess.run([sys.executable, "-m", "onrecord.cli", *map(str, args)], capture_output=True,
                          text=True, timeout=GUARD, **kw)


def articles(path: Path, n: int, start: int = 0, words: int = 0) -> Path:
    """``n`` articles; ``words`` adds a paragraph of that many words that holds no speech (stored, not
    parsed: it fills a disk quickly)."""
    with path.open("w") as fh:
        for i in range(start, start + n):
            filler = " ".join(f"word{i}x{k}" for k in range(words))
            fh.write(json.dumps({"id": f"a{i}", "date": "2026-03-02",
                                 "text": f"Mayor Lina Ortiz said bridge {i} was safe.\n\n{filler}\n\n"
                                         f"“We checked bolt {i} twice,” Ortiz told reporters."}) + "\n")
    return path


def one_line(err: str) -> str:
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def count(db: Path, table: str) -> int:
    con = sqlite3.connect(db)
    try:
        return con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    d = tmp_path_factory.mktemp("store")
    src = articles(d / "news.jsonl", 12)
    db = d / "news.db"
    p = onrecord("ingest", src, "--db", db, "-j", "1")
    assert p.returncode == 0, p.stderr
    return d, src, db


def mount_tmpfs(where: Path, size: str) -> bool:
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True)
    return r.returncode == 0


@pytest.fixture
def read_only_copy(built, tmp_path):
    """The corpus database in a folder nobody may write to: a read-only mount where this machine can
    make one (root ignores file permissions), else a file and folder without write permission."""
    _d, _src, db = built
    folder = tmp_path / "ro"
    folder.mkdir()
    mounted = mount_tmpfs(folder, "8m")
    shutil.copy(db, folder / "news.db")
    if mounted:
        r = subprocess.run(["mount", "-o", "remount,ro", str(folder)], capture_output=True)
        assert r.returncode == 0, r.stderr
    else:
        (folder / "news.db").chmod(0o444)
        folder.chmod(0o555)
    try:
        if os.access(folder / "news.db", os.W_OK):
            pytest.skip("this user may write a read-only file, and no read-only mount can be made here")
        yield folder / "news.db"
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)
        else:
            folder.chmod(0o755)
            (folder / "news.db").chmod(0o644)


@pytest.mark.timeout(GUARD)
def test_a_read_only_database_is_read_and_never_written(built, read_only_copy):
    _d, src, _db = built
    ro = read_only_copy
    hits = onrecord("search", "bridge", "--db", ro, "-f", "json")
    assert hits.returncode == 0, hits.stderr
    assert json.loads(hits.stdout)
    assert onrecord("speakers", "--db", ro, "-f", "json").returncode == 0
    p = onrecord("ingest", src, "--db", ro, "-j", "1")
    assert p.returncode == 2
    assert one_line(p.stderr) == f"onrecord: {ro}: cannot write to the database: the database file is read-only"
    assert sorted(os.listdir(ro.parent)) == ["news.db"]  # no -wal or -shm files left beside it


@pytest.mark.timeout(GUARD)
def test_a_database_in_a_missing_folder_is_named(tmp_path, built):
    _d, src, _db = built
    p = onrecord("ingest", src, "--db", tmp_path / "nodir" / "x.db", "-j", "1")
    assert p.returncode == 2
    assert one_line(p.stderr) == (f"onrecord: {tmp_path / 'nodir' / 'x.db'}: cannot create the database: "
                                  f"there is no folder '{tmp_path / 'nodir'}'")
    q = onrecord("search", "x", "--db", tmp_path / "nodir" / "x.db")
    assert q.returncode == 2 and "no such database" in one_line(q.stderr)


@pytest.mark.timeout(GUARD)
def test_a_file_that_is_not_a_database(tmp_path):
    f = tmp_path / "notes.db"
    f.write_text("shopping list\n" * 100)
    p = onrecord("search", "x", "--db", f)
    assert p.returncode == 2 and one_line(p.stderr).startswith(f"onrecord: {f}: not an onrecord database")


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MiB file system (tmpfs), or a skip where this machine cannot mount one."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if not mount_tmpfs(mnt, "3m"):
        pytest.skip("cannot mount a small file system here (mount needs root)")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


@pytest.mark.timeout(GUARD)
def test_a_full_disk_stops_with_one_line_and_keeps_every_batch_before(small_disk, tmp_path):
    # about 3 MB of text: more than the disk holds (read by the rules alone: the disk is the point here)
    src = articles(tmp_path / "big.jsonl", 400, words=600)
    db = small_disk / "news.db"
    p = onrecord("ingest", src, "--db", db, "-j", "1", "--rules")
    assert p.returncode == 2
    line = one_line(p.stderr)
    assert line.startswith(f"onrecord: {db}: database or disk is full") and "every batch written before is kept" in line
    stored = count(db, "articles")
    assert 0 < stored < 400
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    # the same database, moved to where there is room, takes the rest with the same command
    roomy = tmp_path / "news.db"
    con, dest = sqlite3.connect(db), sqlite3.connect(roomy)
    con.backup(dest)  # through its write-ahead log, which holds the last batches
    con.close()
    dest.close()
    again = onrecord("ingest", src, "--db", roomy, "-j", "1", "--rules")
    assert again.returncode == 0, again.stderr
    assert count(roomy, "articles") == 400 and f"{stored} already in" in again.stderr


@pytest.mark.timeout(GUARD)
def test_an_export_that_cannot_be_written_leaves_nothing_half_written(built, small_disk):
    _d, _src, db = built
    out = small_disk / "all.jsonl"
    out.write_text("an earlier export\n")
    fd = os.open(small_disk / "filler", os.O_WRONLY | os.O_CREAT)
    try:  # fill the disk
        while os.write(fd, b"\0" * 65536):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
    p = onrecord("export", out, "--db", db, "--format", "jsonl")
    assert p.returncode == 2
    assert one_line(p.stderr).startswith(f"onrecord: cannot write {out}: No space left on device")
    assert out.read_text() == "an earlier export\n"  # the earlier file, untouched
    assert sorted(x.name for x in small_disk.iterdir()) == ["all.jsonl", "filler"]  # no partial file


@pytest.mark.timeout(GUARD)
def test_an_interrupted_export_keeps_the_earlier_file(built, tmp_path):
    _d, _src, db = built
    out = tmp_path / "quotes.parquet"
    out.write_bytes(b"earlier")
    p = subprocess.Popen([sys.executable, "-c",
                          "import sys, onrecord.corpus.export as e;"
                          "from onrecord.corpus.store import Store;"
                          "orig = e.all_results\n"
                          "def slow(store):\n"
                          "    for r in orig(store):\n"
                          "        yield r\n"
                          "        raise KeyboardInterrupt\n"
                          "e.all_results = slow\n"
                          f"e.export(Store({str(db)!r}, write=False), 'jsonl', {str(out)!r})"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    p.communicate(timeout=GUARD)
    assert p.returncode != 0
    assert out.read_bytes() == b"earlier"
    assert [x.name for x in tmp_path.iterdir()] == ["quotes.parquet"]


@pytest.mark.timeout(GUARD)
def test_two_ingests_at_once_store_each_article_once_and_say_so(tmp_path):
    src = articles(tmp_path / "news.jsonl", 120)
    db = tmp_path / "news.db"
    cmd = [sys.executable, "-m", "onrecord.cli", "ingest", str(src), "--db", str(db), "-j", "1"]
    a = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    b = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ea, eb = a.communicate(timeout=GUARD)[1], b.communicate(timeout=GUARD)[1]
    assert a.returncode == 0 and b.returncode == 0, ea + eb
    assert count(db, "articles") == 120
    new = [int(e.split(" new article(s)")[0].rsplit(" ", 1)[1]) for e in (ea, eb)]
    already = [int(e.split(" already in")[0].rsplit(" ", 1)[1]) for e in (ea, eb)]
    assert sum(new) == 120  # between them, each article once
    assert [n + k for n, k in zip(new, already, strict=True)] == [120, 120]


@pytest.mark.timeout(GUARD)
def test_exit_codes_are_consistent(built, tmp_path):
    _d, _src, db = built
    assert onrecord("search", "zzzunknownzzz", "--db", db, "-f", "json").returncode == 0
    p = onrecord("timeline", "Nobody Atall", "--db", db, "-f", "json")
    assert p.returncode == 0 and json.loads(p.stdout) == []
    assert one_line(p.stderr) == f"onrecord: no speaker named 'Nobody Atall' in {db}"
    empty = tmp_path / "empty"
    empty.mkdir()
    e = onrecord("extract", empty, "-f", "jsonl")
    assert e.returncode == 1 and "no article files in this directory" in e.stderr
    assert onrecord("search", "x", "--db", db, "--kind", "nonsense").returncode == 2


@pytest.mark.timeout(GUARD)
def test_timeline_says_when_it_shows_fewer_than_it_has(built):
    _d, _src, db = built
    p = onrecord("timeline", "Lina Ortiz", "--db", db, "-f", "json", "--limit", "5")
    assert p.returncode == 0
    assert len(json.loads(p.stdout)) == 5
    line = one_line(p.stderr)
    total = int(line.split(" of ")[1].split(" ")[0])
    assert total > 5 and f"--limit {total} lists them all" in line


@pytest.mark.timeout(GUARD)
def test_a_short_quotation_in_many_outlets_counts_once(tmp_path):
    src = tmp_path / "wire.jsonl"
    with src.open("w") as fh:
        for i, outlet in enumerate(["Daily", "Herald", "Post", "Times", "Star"]):
            fh.write(json.dumps({"id": f"{outlet}-{uuid.uuid4().hex[:6]}", "date": f"2026-03-0{i + 1}",
                                 "text": f"The {outlet} reports from the council.\n\n"
                                         f"“We are ready,” said Mayor Lina Ortiz at the {outlet} event."}) + "\n")
        fh.write(json.dumps({"id": "other", "date": "2026-03-09",
                             "text": "“We are ready,” said coach Ben Hall after training."}) + "\n")
    db = tmp_path / "c.db"
    assert onrecord("ingest", src, "--db", db, "-j", "1").returncode == 0
    rows = {r["speaker"]: r for r in json.loads(onrecord("speakers", "--db", db, "-f", "json").stdout)}
    assert rows["Lina Ortiz"]["quotes"] == 1 and rows["Lina Ortiz"]["appearances"] == 5
    assert rows["Ben Hall"]["quotes"] == 1  # the same words from someone else are not the same quotation
    hits = json.loads(onrecord("search", "ready", "--db", db, "--speaker", "Ortiz", "-f", "json").stdout)
    assert {h["appearances"] for h in hits} == {5} and sum(h["first"] for h in hits) == 1
