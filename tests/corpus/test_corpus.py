"""The corpus as a user meets it: a real SQLite file, the CLI in a subprocess, a killed ingest."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

PEOPLE = [("Mayor", "Lina Ortiz", "Ortiz"), ("Senator", "Ray Okafor", "Okafor"),
          ("Governor", "Alma Reyes", "Reyes"), ("Minister", "Paul Mensah", "Mensah")]
TOPICS = ["the harbour bridge", "the school budget", "the flood barrier", "the bus network", "the new stadium"]


def article(i: int) -> dict:
    """A made-up article: one person on one topic, named in full and then by surname."""
    title, name, surname = PEOPLE[i % len(PEOPLE)]
    topic = TOPICS[i % len(TOPICS)]
    text = (f"{title} {name} said on Tuesday that {topic} would be finished on time.\n\n"
            f"“We have checked every figure for {topic} twice,” {surname} told reporters. "
            f"“Nobody should worry about item {i}.”\n\n"
            f"Critics said the plan for {topic} was too expensive.")
    return {"id": f"art-{i}", "date": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}", "text": text}


def write_texts(path: Path, texts: list[str], prefix: str = "") -> Path:
    """One article per text, with ids prefix0, prefix1, ..."""
    path.write_text("".join(json.dumps({"id": f"{prefix}{i}", "text": t}) + "\n" for i, t in enumerate(texts)))
    return path


def write_articles(path: Path, n: int) -> Path:
    path.write_text("".join(json.dumps(article(i)) + "\n" for i in range(n)))
    return path


def onrecord(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "onrecord.cli", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout)


def dump(db: Path) -> dict:
    """Everything in the database that a run decides (not the time it ran)."""
    con = sqlite3.connect(db)
    out = {
        "articles": con.execute("SELECT id, hash, ext_id, date, text FROM articles ORDER BY id").fetchall(),
        "speakers": con.execute("SELECT id, name, key, type FROM speakers ORDER BY id").fetchall(),
        "titles": con.execute("SELECT * FROM speaker_titles ORDER BY 1, 2, 3").fetchall(),
        "quotes": con.execute("SELECT * FROM quotes ORDER BY id").fetchall(),
        "errors": con.execute("SELECT path, line, reason FROM input_errors ORDER BY id").fetchall(),
    }
    con.close()
    return out


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = tmp_path_factory.mktemp("corpus")
    src = write_articles(d / "news.jsonl", 12)
    (d / "broken.jsonl").write_text('{"id": "ok", "text": "Coach Ben Hall said the team was tired."}\n{oops\n')
    db = d / "c.db"
    p = onrecord("ingest", src, d / "broken.jsonl", "--db", db, "--jobs", "1")
    return d, db, p


def test_ingest_reports_and_keeps_bad_inputs(corpus):
    _d, db, p = corpus
    assert p.returncode == 1  # something was skipped
    assert "13 new article(s)" in p.stderr and "broken.jsonl:2: malformed JSON" in p.stderr
    assert "Traceback" not in p.stderr
    errors = dump(db)["errors"]
    assert len(errors) == 1 and errors[0][0].endswith("broken.jsonl") and errors[0][1] == 2


def test_ingesting_again_adds_nothing(corpus, tmp_path):
    d, db, _p = corpus
    before = dump(db)
    p = onrecord("ingest", d / "news.jsonl", d / "broken.jsonl", "--db", db, "--jobs", "2")
    assert "0 new article(s)" in p.stderr and "13 already" in p.stderr
    assert dump(db) == before


def test_one_speaker_per_person_across_articles(corpus):
    _d, db, _p = corpus
    rows = json.loads(onrecord("speakers", "--db", db, "-f", "json").stdout)
    names = {r["speaker"]: r for r in rows}
    assert set(names) >= {"Lina Ortiz", "Ray Okafor", "Alma Reyes", "Paul Mensah", "Ben Hall"}
    assert names["Lina Ortiz"]["articles"] == 3 and names["Lina Ortiz"]["quotes"] == 9
    assert any(t.startswith("Mayor") for t in names["Lina Ortiz"]["titles"])


def test_search_speaker_and_date_filters(corpus):
    _d, db, _p = corpus
    hits = json.loads(onrecord("search", "flood barrier", "--db", db, "-f", "json").stdout)
    assert hits and all("flood barrier" in h["text"] for h in hits)
    assert {h["speaker"] for h in hits} >= {"Alma Reyes"}
    assert all("flood barrier" in h["context"] for h in hits)
    only = json.loads(onrecord("search", "every figure", "--db", db, "--speaker", "Okafor", "--kind", "direct",
                               "-f", "json").stdout)
    assert only and {h["speaker"] for h in only} == {"Ray Okafor"} and {h["kind"] for h in only} == {"direct"}
    dated = json.loads(onrecord("search", "figure", "--db", db, "--since", "2026-06-01", "-f", "json").stdout)
    assert dated and all(h["date"] >= "2026-06-01" for h in dated)


def test_timeline_show_and_export(corpus, tmp_path):
    _d, db, _p = corpus
    tl = json.loads(onrecord("timeline", "Mensah", "--db", db, "-f", "json").stdout)
    assert [h["date"] for h in tl] == sorted(h["date"] for h in tl) and len(tl) == 9
    table = onrecord("show", "art-1", "--db", db, "-f", "table").stdout
    assert "[q1]" in table and "reporters" in table  # the article itself (wrapped to the terminal), quotes tagged
    shown = json.loads(onrecord("show", "art-1", "--db", db, "-f", "json").stdout)[0]
    assert shown["id"] == "art-1" and shown["quotes"]
    for q in shown["quotes"]:
        assert shown["text"][q["start"]:q["end"]] == q["text"]
        if q["cue"]:
            assert shown["text"][q["cue"]["start"]:q["cue"]["end"]] == q["cue"]["text"]
    out = tmp_path / "all.jsonl"
    p = onrecord("export", out, "--db", db, "--format", "jsonl")
    assert p.returncode == 0
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 13 and shown in lines
    assert onrecord("show", "nope", "--db", db).returncode == 2


def test_surnames_alone_join_one_person_but_namesakes_stay_apart(tmp_path):
    src = write_texts(tmp_path / "a.jsonl", [
        "Anna Berg said the vote was fair.",
        "Lars Berg said the vote was rigged.",
        "Senator Ray Okafor said the bill would pass.",
        "Okafor said the vote would be close.",   # a bare surname: the one Okafor
        "Berg said the count was wrong.",          # a bare surname shared by two people: stays apart
    ])
    db = tmp_path / "c.db"
    onrecord("ingest", src, "--db", db, "--jobs", "1")
    con = sqlite3.connect(db)
    by_article = dict(con.execute(
        "SELECT a.ext_id, s.name FROM quotes q JOIN articles a ON a.id = q.article_id "
        "JOIN speakers s ON s.id = q.speaker_id").fetchall())
    assert by_article["0"] == "Anna Berg" and by_article["1"] == "Lars Berg"
    assert by_article["3"] == "Ray Okafor"
    assert by_article["4"] == "Berg"


def test_killed_ingest_then_rerun_equals_one_clean_run(tmp_path):
    src = write_articles(tmp_path / "many.jsonl", 400)
    clean, killed = tmp_path / "clean.db", tmp_path / "killed.db"
    assert onrecord("ingest", src, "--db", clean, "--jobs", "1").returncode == 0
    proc = subprocess.Popen([sys.executable, "-m", "onrecord.cli", "ingest", str(src), "--db", str(killed),
                             "--jobs", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline:  # wait until some batches are committed, then kill mid-run
        time.sleep(0.2)
        try:
            con = sqlite3.connect(killed)
            n = con.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
            con.close()
        except sqlite3.Error:
            n = 0
        if n >= 64:
            break
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = dump(killed)["articles"]
    assert 0 < len(partial) < 400, "the kill should land mid-run"
    assert onrecord("ingest", src, "--db", killed, "--jobs", "1").returncode == 0
    assert dump(killed) == dump(clean)


def test_not_a_database_is_one_line(tmp_path):
    bogus = tmp_path / "x.db"
    bogus.write_text("this is not sqlite")
    p = onrecord("speakers", "--db", bogus)
    assert p.returncode == 2 and "Traceback" not in p.stderr and "not an onrecord database" in p.stderr
    p = onrecord("search", "x", "--db", tmp_path / "missing.db")
    assert p.returncode == 2 and "no such database" in p.stderr


def test_merge_and_split_survive_later_ingests(tmp_path):
    first = write_texts(tmp_path / "first.jsonl", [
        "Secretary of State Antony Blinken said the talks would resume.",
        "Tony Blinken said the envoy would travel on Monday.",
        "Anna Berg said the vote was fair.",
        "Berg said the count was right.",           # the one Berg in the corpus: joins Anna Berg
    ])
    db = tmp_path / "c.db"
    onrecord("ingest", first, "--db", db, "--jobs", "1")

    def speaker_of(ext_id: str) -> str:
        con = sqlite3.connect(db)
        (name,) = con.execute("SELECT s.name FROM quotes q JOIN articles a ON a.id = q.article_id JOIN speakers s"
                              " ON s.id = q.speaker_id WHERE a.ext_id = ?", (ext_id,)).fetchone()
        con.close()
        return name

    assert speaker_of("1") == "Tony Blinken" and speaker_of("3") == "Anna Berg"
    p = onrecord("speakers", "--db", db, "--merge", "Antony Blinken", "Tony Blinken")
    assert p.returncode == 0 and "1 quote(s) moved" in p.stderr
    p = onrecord("speakers", "--db", db, "--split", "Anna Berg", "Berg")
    assert p.returncode == 0
    assert speaker_of("1") == "Antony Blinken" and speaker_of("3") == "Berg"

    later = write_texts(tmp_path / "later.jsonl", [
        "Tony Blinken said the envoy had arrived.",
        "Berg said the recount was over.",
    ], prefix="L")
    onrecord("ingest", first, later, "--db", db, "--jobs", "1")
    assert speaker_of("L0") == "Antony Blinken" and speaker_of("L1") == "Berg"
    assert speaker_of("1") == "Antony Blinken"
    p = onrecord("speakers", "--db", db, "--merge", "Antony Blinken", "Nobody Here")
    assert p.returncode == 2 and "no speaker named 'Nobody Here'" in p.stderr


def test_the_same_quote_in_two_outlets_is_one_quotation(tmp_path):
    quote = "We will not send troops, but we will send every kind of help we can"
    edited = quote.replace("every kind of", "all the")  # another outlet's small edit, straight marks
    src = tmp_path / "wire.jsonl"
    src.write_text("\n".join(json.dumps(a) for a in [
        {"id": "late", "date": "2026-03-03", "text": f"“{quote},” said Chancellor Olga Petrenko."},
        {"id": "early", "date": "2026-03-01",
         "text": 'Chancellor Olga Petrenko was firm. "' + edited + '" she said.'},
        {"id": "other", "date": "2026-03-02", "text": "“The budget will be balanced by the end of next year,” "
                                                      "said Chancellor Olga Petrenko."},
    ]) + "\n")
    db = tmp_path / "c.db"
    onrecord("ingest", src, "--db", db, "--jobs", "1")
    hits = json.loads(onrecord("search", "send troops", "--db", db, "-f", "json").stdout)
    assert sorted(h["article"] for h in hits) == ["early", "late"]
    assert all(h["appearances"] == 2 for h in hits)
    assert [h["article"] for h in hits if h["first"]] == ["early"]
    (row,) = json.loads(onrecord("speakers", "--db", db, "-f", "json").stdout)
    assert (row["speaker"], row["quotes"], row["appearances"]) == ("Olga Petrenko", 2, 3)


def test_parquet_export_and_timeline_plot(corpus, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    _d, db, _p = corpus
    out = tmp_path / "quotes.parquet"
    p = onrecord("export", out, "--db", db, "--format", "parquet")
    assert p.returncode == 0, p.stderr
    table = pq.read_table(out)
    con = sqlite3.connect(db)
    assert table.num_rows == con.execute("SELECT COUNT(*) FROM quotes").fetchone()[0]
    rows = table.to_pylist()
    assert {"article_id", "date", "speaker", "text", "kind", "appearances", "first_appearance"} <= set(rows[0])
    assert any(r["speaker"] == "Lina Ortiz" and r["article_id"] == "art-0" for r in rows)

    png = tmp_path / "ortiz.png"
    p = onrecord("timeline", "Ortiz", "--db", db, "--plot", png, "-f", "json")
    assert p.returncode == 0, p.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    assert "drawn in" in p.stderr


def test_a_locked_database_is_one_line_not_a_traceback(corpus, monkeypatch, tmp_path, capsys):
    import onrecord.corpus.store as store_module

    _d, db, _p = corpus
    copy = tmp_path / "locked.db"
    copy.write_bytes(Path(db).read_bytes())
    holder = sqlite3.connect(copy)
    holder.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
    try:
        monkeypatch.setattr(store_module, "LOCK_WAIT", 0.2)
        from onrecord.cli import main

        src = write_texts(tmp_path / "x.jsonl", ["Coach Ben Hall said the season was over."])
        assert main(["ingest", str(src), "--db", str(copy), "--jobs", "1"]) == 2
        err = capsys.readouterr().err
        assert f"{copy}: database is locked" in err and "Traceback" not in err
        assert len(err.strip().splitlines()) == 1
    finally:
        holder.rollback()
        holder.close()


def test_a_schema_5_database_is_upgraded_and_answers_the_same(corpus, tmp_path):
    """A file made before schema 6 (a speaker's quotes indexed by speaker only): read-only commands
    (serve) refuse it with the command that upgrades it; any other command upgrades it in place, and
    a speaker's timeline is the same after."""
    import shutil

    _d, db, _p = corpus
    old = tmp_path / "old.db"
    shutil.copy(db, old)
    before = json.loads(onrecord("timeline", "Mensah", "--db", db, "-f", "json").stdout)
    con = sqlite3.connect(old)
    con.executescript("DROP INDEX quotes_speaker_article; DROP INDEX articles_id_date;"
                      " CREATE INDEX quotes_speaker ON quotes(speaker_id); PRAGMA user_version=5;")
    con.close()

    from onrecord.corpus.store import Store
    from onrecord.errors import OnrecordError

    with pytest.raises(OnrecordError, match="older onrecord.*onrecord speakers --db"):
        Store(old, write=False, readonly=True)
    assert onrecord("speakers", "--db", old).returncode == 0
    con = sqlite3.connect(old)
    from onrecord.corpus.store import MIGRATIONS

    assert con.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    con.close()
    assert {"quotes_speaker_article", "articles_id_date"} <= names and "quotes_speaker" not in names
    assert json.loads(onrecord("timeline", "Mensah", "--db", old, "-f", "json").stdout) == before
    Store(old, write=False, readonly=True).db.close()  # serve opens it now
