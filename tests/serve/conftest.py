"""A small corpus written for serve's tests: two outlets carrying one quotation, three speakers over
three weeks, positions coded for a codebook of one concept, and one hostile article."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPEATED = "We will open the harbour bridge before the first storms of the winter arrive"

ARTICLES = [
    {"id": "herald-1", "date": "2026-02-02", "outlet": "Harbour Herald", "title": "Mayor backs the bridge",
     "text": ("Mayor Lina Ortiz said on Monday that the city would build the harbour bridge.\n\n"
              f"“{REPEATED},” Ortiz told reporters at the town hall. “Nobody should doubt it.”\n\n"
              "Her deputy, Tom Ebert, said the budget had been checked twice.")},
    {"id": "post-1", "date": "2026-02-10", "url": "https://www.coastpost.example/2026/02/bridge",
     "title": "Bridge date repeated",
     "text": ("The mayor repeated her promise at a meeting with harbour workers.\n\n"
              f"“{REPEATED},” Mayor Lina Ortiz said on Tuesday.\n\n"
              "Senator Ray Okafor rejected the harbour bridge plan. “The harbour bridge is a waste of money,” "
              "Okafor said.")},
    {"id": "herald-2", "date": "2026-02-17", "outlet": "Harbour Herald", "title": "Senator keeps up his attack",
     "text": ("Senator Ray Okafor said the council had ignored the fishermen.\n\n"
              "“The fishermen were never asked what they think,” Okafor told the Herald. “They deserve better.”\n\n"
              "Mayor Lina Ortiz said the harbour bridge would create hundreds of jobs.")},
]

HOSTILE = {
    "id": "hostile-1", "date": "2026-02-18", "outlet": "<b>Evil</b> Outlet", "url": "javascript:window.__pwned=3",
    "title": "<script>window.__pwned=1</script>Title",
    "text": ("Councillor Dana Ruiz said the form contained <img src=x onerror=\"window.__pwned=2\"> and worse.\n\n"
             "“<script>window.__pwned=4</script> is what they sent us,” Ruiz said. "
             "“Click <a href=\"javascript:window.__pwned=5\">here</a> was the whole message.”")}

CODEBOOK = """
concepts:
  - name: Harbour bridge
    description: Building a bridge over the harbour
    keywords: ["harbour bridge"]
"""


@pytest.fixture(scope="session")
def corpus_files(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("serve")
    articles = root / "articles.jsonl"
    articles.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES))
    hostile = root / "hostile.jsonl"
    hostile.write_text(json.dumps(HOSTILE) + "\n")
    codebook = root / "codebook.yaml"
    codebook.write_text(CODEBOOK)
    return {"root": root, "articles": articles, "hostile": hostile, "codebook": codebook}


@pytest.fixture(scope="session")
def served_db(corpus_files) -> Path:
    """The corpus database: the articles and the hostile one ingested, positions coded."""
    from onrecord.corpus.ingest import ingest
    from onrecord.corpus.positions import coding_for
    from onrecord.corpus.store import Store
    from onrecord.networks.codebook import load

    db = corpus_files["root"] / "news.db"
    with Store(db) as store:
        summary = ingest([str(corpus_files["articles"]), str(corpus_files["hostile"])], store, jobs=1)
        assert summary.added == 4 and not summary.errors
        coding_for(store, load(corpus_files["codebook"]))
    return db


@pytest.fixture(scope="session")
def client(served_db):
    from fastapi.testclient import TestClient

    from onrecord.serve.app import create_app

    with TestClient(create_app(str(served_db))) as c:
        yield c


@pytest.fixture(scope="session")
def ids(client) -> dict[str, int]:
    """Database ids the tests navigate by: speakers by name, articles by input id."""
    out = {s["speaker"]: s["speaker_id"] for s in client.get("/api/speakers?limit=100").json()["speakers"]}
    for hit in client.get("/api/search", params={"q": "harbour OR fishermen OR sent", "limit": 100}).json()["hits"]:
        out[hit["article"]] = hit["article_id"]
    return out
