"""The JSON API as a client meets it: a real database file, the application in process."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.serve.conftest import REPEATED

BIN = Path(sys.executable).parent


def test_search_ranks_marks_and_filters(client):
    r = client.get("/api/search", params={"q": "harbour bridge"})
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == len(body["hits"]) >= 5
    hit = body["hits"][0]
    for field in ("quote_id", "article", "article_id", "date", "speaker", "speaker_id", "outlet", "kind", "text",
                  "context", "appearances", "first", "matches"):
        assert field in hit
    for h in body["hits"]:  # the matched words are marked where they are
        assert [h["text"][a:b].lower() for a, b in h["matches"]][:2] == ["harbour", "bridge"]
    outlets = {h["outlet"] for h in body["hits"]}
    assert outlets == {"Harbour Herald", "coastpost.example"}  # named by the input, else the URL's host
    only = client.get("/api/search", params={"q": "harbour bridge", "outlet": "coastpost.example"}).json()
    assert only["total"] and {h["outlet"] for h in only["hits"]} == {"coastpost.example"}
    okafor = client.get("/api/search", params={"q": "harbour", "speaker": "Okafor"}).json()
    assert okafor["total"] and {h["speaker"] for h in okafor["hits"]} == {"Ray Okafor"}
    dated = client.get("/api/search", params={"q": "harbour", "since": "2026-02-15"}).json()
    assert dated["total"] and all(h["date"] >= "2026-02-15" for h in dated["hits"])
    direct = client.get("/api/search", params={"q": "harbour", "kind": "direct"}).json()
    assert direct["total"] and {h["kind"] for h in direct["hits"]} == {"direct"}


def test_pagination_is_bounded(client):
    full = client.get("/api/search", params={"q": "harbour", "limit": 100}).json()
    assert full["total"] >= 4
    page = client.get("/api/search", params={"q": "harbour", "limit": 2, "offset": 2}).json()
    assert page["total"] == full["total"] and len(page["hits"]) == 2
    assert [h["quote_id"] for h in page["hits"]] == [h["quote_id"] for h in full["hits"][2:4]]
    for bad in ({"limit": 101}, {"limit": 0}, {"offset": -1}, {"offset": 10_001}, {"q": "x" * 301}):
        r = client.get("/api/search", params={"q": "harbour", **bad})
        assert r.status_code == 400 and set(r.json()) == {"error"}, bad


@pytest.mark.parametrize("q", ['"', '"harbour', "harbour*", "NEAR(", "NEAR(harbour bridge, 2)", "OR", "harbour OR",
                               "(((", "harbour)", "AND NOT", "*", "^", "text:harbour", "\x00", "--", "'; DROP TABLE"])
def test_search_syntax_is_honoured_or_refused_never_a_server_error(client, q):
    r = client.get("/api/search", params={"q": q})
    assert r.status_code in (200, 400), (q, r.text)
    assert r.headers["content-type"].startswith("application/json")
    if r.status_code == 400:
        assert set(r.json()) == {"error"} and r.json()["error"]
    page = client.get("/search", params={"q": q})  # the page says it in words, never a 500
    assert page.status_code in (200, 400) and "Traceback" not in page.text


def test_speaker_profile_timeline_and_positions(client, ids):
    ortiz = ids["Lina Ortiz"]
    p = client.get(f"/api/speakers/{ortiz}").json()
    assert p["speaker"] == "Lina Ortiz" and p["type"] == "PERSON"
    assert any(t["title"].lower() == "mayor" for t in p["titles"])
    assert p["appearances"] == p["quotes"] + 1  # the repeated quotation counts once as a quote
    assert {s["concept"] for s in p["positions"]} == {"Harbour bridge"}
    tl = client.get(f"/api/speakers/{ortiz}/timeline").json()
    assert tl["total"] == p["appearances"]
    assert [h["date"] for h in tl["quotes"]] == sorted(h["date"] for h in tl["quotes"])
    assert sum(w["quotes"] for w in tl["weeks"]) == tl["total"] and len(tl["weeks"]) == 3
    assert client.get("/api/speakers/999999").status_code == 404
    assert client.get("/api/speakers/0").status_code == 400


def test_article_in_extracts_form_with_database_ids(client, ids):
    art = client.get(f"/api/articles/{ids['herald-1']}").json()
    assert art["id"] == "herald-1" and art["outlet"] == "Harbour Herald"
    for q in art["quotes"]:
        assert art["text"][q["start"]:q["end"]] == q["text"] and q["quote_id"] >= 1
    assert client.get("/api/articles/999999").json() == {"error": "no article 999999"}


def test_a_quotation_lists_every_appearance_earliest_first(client):
    hit = next(h for h in client.get("/api/search", params={"q": '"first storms"'}).json()["hits"]
               if h["appearances"] == 2)
    q = client.get(f"/api/quotes/{hit['quote_id']}").json()
    assert [a["article"] for a in q["appearances"]] == ["herald-1", "post-1"]
    assert q["first_quote_id"] == q["appearances"][0]["quote_id"] and q["appearances"][0]["first"]
    assert all(REPEATED in a["text"] for a in q["appearances"])


def test_positions_and_networks_from_the_stored_coding(client):
    st = client.get("/api/positions", params={"concept": "harbour bridge"}).json()
    assert st["concepts"] == ["Harbour bridge"]
    sides = {(s["actor"], s["agreement"]) for s in st["statements"]}
    assert ("Ray Okafor", "no") in sides and ("Lina Ortiz", "yes") in sides
    conflict = client.get("/api/network", params={"type": "conflict"}).json()
    assert {frozenset((e["source"], e["target"])) for e in conflict["edges"]} == {
        frozenset(("Lina Ortiz", "Ray Okafor"))}
    assert client.get("/api/network", params={"type": "spaghetti"}).status_code == 400
    assert client.get("/api/positions", params={"concept": "Nope"}).status_code == 404


def test_openapi_document_and_errors_are_json(client):
    spec = client.get("/openapi.json").json()
    assert {"/api/search", "/api/speakers", "/api/speakers/{speaker_id}", "/api/speakers/{speaker_id}/timeline",
            "/api/articles/{article_id}", "/api/quotes/{quote_id}", "/api/positions", "/api/network"} <= set(spec["paths"])
    assert not any(p.startswith(("/search", "/speaker/", "/article/")) for p in spec["paths"])  # pages are not API
    r = client.get("/api/nowhere")
    assert r.status_code == 404 and r.json() == {"error": "not found"}
    r = client.get("/api/search", params={"q": "x", "since": "last week"})
    assert r.status_code == 400 and "YYYY-MM-DD" in r.json()["error"]


def test_no_path_outside_the_static_folder(client):
    for path in ("/static/../app.py", "/static/..%2fapp.py", "/static/%2e%2e/%2e%2e/corpus/store.py",
                 "/static//etc/passwd", "/static/../../../../etc/passwd"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert "import" not in r.text and "root:" not in r.text
    assert client.get("/static/style.css").status_code == 200


def test_the_database_is_never_written_and_an_ingest_may_run_beside(served_db, tmp_path):
    from fastapi.testclient import TestClient

    from onrecord.corpus.store import Store
    from onrecord.serve.app import create_app

    db = tmp_path / "copy.db"
    shutil.copy(served_db, db)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    with TestClient(create_app(str(db))) as client:
        for url in ("/", "/search?q=harbour", "/speakers", "/network", "/api/stats", "/api/positions"):
            assert client.get(url).status_code == 200
        assert hashlib.sha256(db.read_bytes()).hexdigest() == before
        with Store(db, write=False, readonly=True) as ro, pytest.raises(sqlite3.OperationalError, match="readonly"):
            ro.db.execute("DELETE FROM quotes")
        # an ingest into the same file while it is served: the next request sees the new article
        extra = tmp_path / "late.jsonl"
        extra.write_text('{"id": "late-1", "date": "2026-03-01", "text": "Governor Alma Reyes said the ferries '
                         'would keep running. \\u201cThe ferries are safe,\\u201d Reyes said."}\n')
        n = client.get("/api/stats").json()["articles"]
        done = subprocess.run([str(BIN / "onrecord"), "ingest", str(extra), "--db", str(db), "--jobs", "1"],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert client.get("/api/stats").json()["articles"] == n + 1
        assert client.get("/api/search", params={"q": "ferries"}).json()["total"] >= 1
