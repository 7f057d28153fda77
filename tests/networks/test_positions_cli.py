"""Positions and networks as a user meets them: articles written for this test, a real SQLite file, the
CLI in a subprocess, GraphML read back with networkx."""

from __future__ import annotations

import csv
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import networkx as nx
import pytest

from tests.corpus.test_corpus import onrecord
from tests.hostile.test_store import mount_tmpfs

ARTICLES = [
    {"id": "a1", "date": "2026-03-01", "text":
        "Defence Minister Karl Brandt said on Monday that his government would not support a no-fly zone over "
        "the border region. “A no-fly zone would be a dangerous mistake,” Brandt told reporters in Berlin.\n\n"
        "Foreign Minister Ines Varga said the alliance must close the skies over the region before winter. "
        "Varga also called for tougher sanctions on the regime."},
    {"id": "a2", "date": "2026-03-09", "text":
        "Opposition leader Marta Quill rejected calls for a no-fly zone, saying it would drag the country into "
        "war. “There will be no no-fly zone while I sit in this parliament,” Quill said.\n\n"
        "Quill said new sanctions were necessary and overdue."},
    {"id": "a3", "date": "2026-03-20", "text":
        "Karl Brandt said the sanctions were a mistake that would hurt farmers.\n\n"
        "A reporter asked whether a no-fly zone was still on the table."},
]
LATER = {"id": "a4", "date": "2026-04-02", "text": "Ines Varga said on Thursday that she still backed a no-fly zone."}

BOOK = """\
concepts:
  - name: No-fly zone
    description: Establishing a no-fly zone over the region
    keywords: ["no-fly zone", "close the skies"]
  - name: Sanctions
    keywords: ["sanction"]
"""


def write_jsonl(path: Path, items: list[dict]) -> Path:
    path.write_text("".join(json.dumps(a) + "\n" for a in items), encoding="utf-8")
    return path


@pytest.fixture()
def corpus(tmp_path):
    db = tmp_path / "news.db"
    p = onrecord("ingest", write_jsonl(tmp_path / "news.jsonl", ARTICLES), "--db", db, "--jobs", "1")
    assert p.returncode == 0, p.stderr
    book = tmp_path / "book.yaml"
    book.write_text(BOOK)
    return tmp_path, db, book


def positions(db: Path, book: Path, *args) -> list[dict]:
    p = onrecord("positions", "--db", db, "--codebook", book, "--format", "json", *args)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def sides(rows: list[dict]) -> set[tuple]:
    return {(r["actor"], r["concept"], r["agreement"]) for r in rows}


def test_positions_lists_who_is_for_and_against(corpus):
    _d, db, book = corpus
    rows = positions(db, book)
    assert set(rows[0]) == {"quote_id", "date", "actor", "org", "concept", "agreement", "evidence", "text"}
    assert sides(rows) == {
        ("Karl Brandt", "No-fly zone", "no"), ("Ines Varga", "No-fly zone", "yes"),
        ("Ines Varga", "Sanctions", "yes"), ("Marta Quill", "No-fly zone", "no"),
        ("Marta Quill", "Sanctions", "yes"), ("Karl Brandt", "Sanctions", "no"), (None, "No-fly zone", None)}
    by_text = {r["text"]: r for r in rows}
    assert by_text["that his government would not support a no-fly zone over the border region"]["evidence"] \
        == "not support"
    question = next(r for r in rows if r["actor"] is None)
    assert question["evidence"] == "question" and "still on the table" in question["text"]
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)
    # filters
    assert sides(positions(db, book, "--concept", "sanctions")) == {
        ("Ines Varga", "Sanctions", "yes"), ("Marta Quill", "Sanctions", "yes"), ("Karl Brandt", "Sanctions", "no")}
    assert {r["actor"] for r in positions(db, book, "--speaker", "Brandt")} == {"Karl Brandt"}
    assert {r["date"] for r in positions(db, book, "--since", "2026-03-05", "--until", "2026-03-10")} == {"2026-03-09"}
    # csv
    p = onrecord("positions", "--db", db, "--codebook", book, "--format", "csv", "--concept", "Sanctions")
    table = list(csv.DictReader(p.stdout.splitlines()))
    assert len(table) == 3 and table[0]["concept"] == "Sanctions"


def test_the_coding_is_stored_and_follows_the_codebook_and_new_quotes(corpus):
    d, db, book = corpus
    positions(db, book)
    con = sqlite3.connect(db)
    stored = con.execute("SELECT COUNT(*), COUNT(DISTINCT concept) FROM positions").fetchone()
    assert stored[0] >= 7 and stored[1] == 2
    con.close()
    # a new ingest: the next call codes the new quote, and only it
    assert onrecord("ingest", write_jsonl(d / "later.jsonl", [LATER]), "--db", db, "--jobs", "1").returncode == 0
    assert ("Ines Varga", "No-fly zone", "yes") in sides(positions(db, book, "--since", "2026-04-01"))
    # a changed codebook: everything is coded again, for its concepts only
    book.write_text(BOOK.replace("  - name: Sanctions\n    keywords: [\"sanction\"]\n",
                                 "  - name: Farmers\n    keywords: [\"farmer\"]\n"))
    rows = positions(db, book)
    assert {r["concept"] for r in rows} == {"No-fly zone", "Farmers"}
    assert ("Karl Brandt", "Farmers", None) in sides(rows)
    con = sqlite3.connect(db)
    assert {c for (c,) in con.execute("SELECT DISTINCT concept FROM positions")} == {"No-fly zone", "Farmers"}
    assert con.execute("SELECT COUNT(*) FROM codings").fetchone()[0] == 1


def test_a_correction_outlives_recoding_and_reingest(corpus):
    d, db, book = corpus
    rows = positions(db, book, "--concept", "No-fly zone")
    question = next(r for r in rows if r["actor"] is None)
    varga = next(r for r in rows if r["actor"] == "Ines Varga")
    assert onrecord("positions", "--db", db, "--set", question["quote_id"], "No-fly zone", "no").returncode == 0
    # a quote the coder did not connect to a concept: the user says it speaks to it
    p = onrecord("positions", "--db", db, "--codebook", book, "--set", varga["quote_id"], "sanctions", "none")
    assert p.returncode == 0 and "coded none on 'Sanctions'" in p.stderr
    for _ in range(2):
        got = {(r["quote_id"], r["concept"]): r for r in positions(db, book)}
        assert got[question["quote_id"], "No-fly zone"]["agreement"] == "no"
        assert got[question["quote_id"], "No-fly zone"]["evidence"] == "set by hand"
        assert got[varga["quote_id"], "Sanctions"]["agreement"] is None
        assert positions(db, book, "--recode")
        assert onrecord("ingest", d / "news.jsonl", "--db", db, "--jobs", "1").returncode == 0  # nothing new
    bad = onrecord("positions", "--db", db, "--set", "999999", "No-fly zone", "yes")
    assert bad.returncode == 2 and "no quote 999999" in bad.stderr and "Traceback" not in bad.stderr
    bad = onrecord("positions", "--db", db, "--set", question["quote_id"], "No-fly zone", "maybe")
    assert bad.returncode == 2  # argparse takes any word; the library refuses it
    assert "yes, no or none" in bad.stderr
    bad = onrecord("positions", "--db", db, "--codebook", book, "--set", question["quote_id"], "Tariffs", "yes")
    assert bad.returncode == 2 and "no concept 'Tariffs'" in bad.stderr


def test_networks_as_dna_defines_them(corpus):
    d, db, book = corpus

    def network(kind: str, out: str, *args) -> nx.Graph:
        p = onrecord("network", "--db", db, "--codebook", book, "--type", kind, "--out", d / out, *args)
        assert p.returncode == 0, p.stderr
        return nx.read_graphml(d / out) if out.endswith(".graphml") else None

    congruence = network("congruence", "c.graphml")
    # Brandt and Quill are both against the no-fly zone; Varga and Quill both for sanctions
    assert {frozenset(e) for e in congruence.edges} == {frozenset({"Karl Brandt", "Marta Quill"}),
                                                       frozenset({"Ines Varga", "Marta Quill"})}
    assert congruence.edges["Karl Brandt", "Marta Quill"]["concepts"] == "No-fly zone"
    conflict = network("conflict", "x.graphml", "--plot", d / "x.png")
    assert conflict.edges["Ines Varga", "Karl Brandt"]["weight"] == 2  # opposite sides on both concepts
    assert {frozenset(e) for e in conflict.edges} == {frozenset({"Ines Varga", "Karl Brandt"}),
                                                     frozenset({"Ines Varga", "Marta Quill"}),
                                                     frozenset({"Karl Brandt", "Marta Quill"})}
    assert (d / "x.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and (d / "x.png").stat().st_size > 10_000
    affiliation = network("affiliation", "a.graphml")
    assert affiliation.nodes["No-fly zone"]["kind"] == "concept"
    assert affiliation.edges["Karl Brandt", "No-fly zone"]["no"] == 2
    assert affiliation.edges["Karl Brandt", "No-fly zone"]["agreement"] == "no"
    only_yes = network("congruence", "y.graphml", "--qualifier", "yes")
    assert {frozenset(e) for e in only_yes.edges} == {frozenset({"Ines Varga", "Marta Quill"})}
    network("affiliation", "a.matrix.csv")
    matrix = list(csv.reader((d / "a.matrix.csv").read_text().splitlines()))
    assert matrix[0] == ["", "No-fly zone", "Sanctions"] and ["Karl Brandt", "2", "1"] in matrix
    network("conflict", "edges.csv")
    edges = list(csv.DictReader((d / "edges.csv").read_text().splitlines()))
    assert {(e["source"], e["target"], e["weight"]) for e in edges} >= {("Ines Varga", "Karl Brandt", "2")}
    # one network per window
    p = onrecord("network", "--db", db, "--codebook", book, "--type", "conflict", "--window", "10",
                 "--out", d / "w.graphml")
    assert p.returncode == 0, p.stderr
    first, second = nx.read_graphml(d / "w-2026-03-01.graphml"), nx.read_graphml(d / "w-2026-03-11.graphml")
    assert first.graph["start"] == "2026-03-01" and first.graph["end"] == "2026-03-10"
    # Brandt's word on sanctions comes on 20 March: in the first ten days only the no-fly zone divides them
    assert {frozenset(e) for e in first.edges} == {frozenset({"Ines Varga", "Karl Brandt"}),
                                                  frozenset({"Ines Varga", "Marta Quill"})}
    assert second.number_of_edges() == 0 and "Karl Brandt" in second


REPORTED = {"id": "r1", "date": "2026-05-04", "text":
    "Foreign Minister Petra Lind spoke in Vienna on Monday.\n\n"
    "Opposition leader Jonas Berg condemned Lind's call for a no-fly zone, saying it would drag the country "
    "into war."}


def test_a_position_a_quote_reports_is_its_holders(tmp_path):
    """Berg condemns Lind's call: Lind (named in full as the article first writes her) is for the no-fly
    zone, Berg against it, and the conflict network joins them."""
    db = tmp_path / "r.db"
    assert onrecord("ingest", write_jsonl(tmp_path / "r.jsonl", [REPORTED]), "--db", db, "--jobs", "1").returncode == 0
    book = tmp_path / "book.yaml"
    book.write_text(BOOK)
    rows = positions(db, book)
    assert sides(rows) == {("Petra Lind", "No-fly zone", "yes"), ("Jonas Berg", "No-fly zone", "no")}
    assert {r["evidence"] for r in rows} == {"call", "condemned call"}
    p = onrecord("network", "--db", db, "--codebook", book, "--type", "conflict", "--out", tmp_path / "c.graphml")
    assert p.returncode == 0, p.stderr
    assert {frozenset(e) for e in nx.read_graphml(tmp_path / "c.graphml").edges} == {
        frozenset({"Petra Lind", "Jonas Berg"})}
    # a holder who is the quote's own speaker: one statement, the speaker's, with the holder's side
    own = {"id": "r2", "date": "2026-05-05", "text": "Foreign Minister Petra Lind said on Monday that Lind would "
           "never back a no-fly zone.\n\nLind spoke in Vienna."}
    assert onrecord("ingest", write_jsonl(tmp_path / "own.jsonl", [own]), "--db", db, "--jobs", "1").returncode == 0
    rows = [r for r in positions(db, book) if r["date"] == "2026-05-05"]
    assert [(r["actor"], r["agreement"], r["evidence"]) for r in rows] == [("Petra Lind", "no", "never back")]
    # a holder the article names once, after a headline in title case that ends in the name: the holder is
    # the name, not the headline
    headline = {"id": "r3", "date": "2026-05-06", "text": "Why Critics Are Turning On Halvorsen\n\n"
                "Opposition leader Jonas Berg condemned Halvorsen's call for a no-fly zone on Tuesday."}
    assert onrecord("ingest", write_jsonl(tmp_path / "h.jsonl", [headline]), "--db", db, "--jobs", "1").returncode == 0
    rows = [r for r in positions(db, book) if r["date"] == "2026-05-06"]
    assert sides(rows) == {("Halvorsen", "No-fly zone", "yes"), ("Jonas Berg", "No-fly zone", "no")}


def test_a_schema_6_database_keeps_its_coding(corpus, tmp_path):
    """Schema 7 gives positions a holder: a file coded before keeps every statement, each its speaker's."""
    _d, db, book = corpus
    before = positions(db, book)
    from onrecord.corpus.store import MIGRATIONS

    old = tmp_path / "old.db"
    shutil.copy(db, old)
    con = sqlite3.connect(old)
    con.executescript("""
        CREATE TABLE p6 (coding_id INTEGER NOT NULL, quote_id INTEGER NOT NULL, concept TEXT NOT NULL,
            agreement TEXT, evidence TEXT NOT NULL DEFAULT '', method TEXT NOT NULL, score REAL,
            PRIMARY KEY (coding_id, quote_id, concept));
        INSERT INTO p6 SELECT coding_id, quote_id, concept, agreement, evidence, method, score FROM positions;
        DROP TABLE positions; ALTER TABLE p6 RENAME TO positions;
        CREATE INDEX positions_concept ON positions(coding_id, concept); PRAGMA user_version = 6;""")
    con.close()
    p = onrecord("positions", "--db", old, "--codebook", book, "--format", "json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == before
    con = sqlite3.connect(old)
    assert con.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert {r[0] for r in con.execute("SELECT DISTINCT holder FROM positions")} == {""}
    con.close()


def test_network_mistakes_are_one_line(corpus):
    d, db, book = corpus
    for args, expected in [
        (["--type", "conflict", "--qualifier", "yes", "--out", d / "n.graphml"], "needs --qualifier both"),
        (["--out", d / "n.txt"], "by the file's extension"),
        (["--out", d / "nodir" / "n.graphml"], "cannot write"),
        (["--window", "0", "--out", d / "n.graphml"], "at least 1 day"),
    ]:
        p = onrecord("network", "--db", db, "--codebook", book, *args)
        assert p.returncode == 2 and expected in p.stderr and "Traceback" not in p.stderr, p.stderr
        assert len(p.stderr.strip().splitlines()) == 1
    p = onrecord("positions", "--db", d / "none.db", "--codebook", book)
    assert p.returncode == 2 and "no such database" in p.stderr


def test_dna_export(corpus):
    d, db, book = corpus
    p = onrecord("export", d / "dna.csv", "--db", db, "--format", "dna", "--codebook", book)
    assert p.returncode == 0, p.stderr
    assert "1 taking no side left out" in p.stderr
    rows = list(csv.DictReader((d / "dna.csv").read_text(encoding="utf-8").splitlines()))
    assert list(rows[0]) == ["id", "date", "person", "organization", "concept", "agreement", "text"]
    assert {(r["person"], r["concept"], r["agreement"]) for r in rows} == {
        ("Karl Brandt", "No-fly zone", "0"), ("Ines Varga", "No-fly zone", "1"), ("Ines Varga", "Sanctions", "1"),
        ("Marta Quill", "No-fly zone", "0"), ("Marta Quill", "Sanctions", "1"), ("Karl Brandt", "Sanctions", "0")}
    p = onrecord("export", d / "dna2.csv", "--db", db, "--format", "dna")
    assert p.returncode == 2 and "needs --codebook" in p.stderr


def test_a_read_only_database_is_read_but_not_recoded(corpus):
    """Coded once, the database answers from a read-only mount; a new codebook needs it writable."""
    d, db, book = corpus
    coded = positions(db, book)
    folder = d / "ro"
    folder.mkdir()
    mounted = mount_tmpfs(folder, "8m")
    shutil.copy(db, folder / "news.db")
    if mounted:
        assert subprocess.run(["mount", "-o", "remount,ro", str(folder)], capture_output=True).returncode == 0
    else:
        (folder / "news.db").chmod(0o444)
        folder.chmod(0o555)
    try:
        if os.access(folder / "news.db", os.W_OK):
            pytest.skip("this user may write a read-only file, and no read-only mount can be made here")
        assert positions(folder / "news.db", book) == coded
        book.write_text(BOOK.replace("sanction", "tariff"))
        p = onrecord("positions", "--db", folder / "news.db", "--codebook", book)
        assert p.returncode == 2 and "read-only, so the coding cannot be stored" in p.stderr
        assert "Traceback" not in p.stderr
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)
        else:
            folder.chmod(0o755)
