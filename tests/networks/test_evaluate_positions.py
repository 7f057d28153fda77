"""evaluate-positions as a user meets it: a gold file of their own hand coding (ids, offsets and labels,
no text), the articles beside it, the scores and errors printed by the CLI in a subprocess."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from onrecord.corpus.ingest import article_hash
from onrecord.evaluate.positions import same_actor
from tests.corpus.test_corpus import onrecord
from tests.networks.test_positions_cli import BOOK, write_jsonl

ARTICLES = [
    {"id": "b1", "date": "2026-03-01", "text":
        "Defence Minister Karl Brandt said on Monday that his government would not support a no-fly zone over "
        "the border region. Foreign Minister Ines Varga said the alliance must close the skies over the region "
        "before winter."},
    {"id": "b2", "date": "2026-03-02", "text": "The weather stayed fine on Tuesday, forecasters said."},
]


def sha(text: str) -> str:
    """The prefix of the text's hash a gold file keeps."""
    return article_hash(text)[:16]


def statement(actor: str, agreement: str, concept: str = "No-fly zone") -> dict:
    return {"actor": actor, "concept": concept, "agreement": agreement}


@pytest.fixture()
def files(tmp_path):
    arts = write_jsonl(tmp_path / "articles.jsonl", ARTICLES)
    book = tmp_path / "book.yaml"
    book.write_text(BOOK)
    return tmp_path, arts, book


def gold_file(tmp: Path, b1: list[dict], b2: list[dict] | None = None, name: str = "gold.jsonl") -> Path:
    return write_jsonl(tmp / name, [{"id": "b1", "sha256": sha(ARTICLES[0]["text"]), "statements": b1},
                                    {"id": "b2", "sha256": sha(ARTICLES[1]["text"]), "statements": b2 or []}])


def scores(gold: Path, arts: Path, book: Path, *extra) -> dict:
    p = onrecord("evaluate-positions", gold, "--codebook", book, "--articles", arts, "--format", "json",
                 "--jobs", "1", *extra)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout.splitlines()[0])


def test_hand_coding_that_agrees_scores_one(files):
    tmp, arts, book = files
    # "Brandt" and "Minister Ines Varga" are the coder's way of naming the same two people
    s = scores(gold_file(tmp, [statement("Brandt", "no"), statement("Ines Varga", "yes")]), arts, book)
    assert s["articles"] == 2
    assert s["triples"] == {"P": 1.0, "R": 1.0, "F1": 1.0, "tp": 2, "gold": 2, "pred": 2}
    assert s["agreement_accuracy"] == 1.0
    assert s["per_concept"]["No-fly zone"]["tp"] == 2


def test_a_wrong_side_costs_the_triple_not_the_pair(files):
    tmp, arts, book = files
    # the coder reads Varga as against: the system's "yes" is then a wrong side
    s = scores(gold_file(tmp, [statement("Karl Brandt", "no"), statement("Ines Varga", "no")]), arts, book)
    assert (s["triples"]["tp"], s["triples"]["gold"], s["triples"]["pred"]) == (1, 2, 2)
    assert s["pairs"]["F1"] == 1.0
    assert s["agreement_counts"] == {"right": 1, "pairs_found": 2}
    assert s["agreement_accuracy"] == 0.5


def test_missed_and_spurious_statements_are_listed(files):
    tmp, arts, book = files
    gold = gold_file(tmp, [statement("Karl Brandt", "no"), statement("Marta Quill", "yes", "Sanctions")])
    p = onrecord("evaluate-positions", gold, "--codebook", book, "--articles", arts, "--jobs", "1", "--errors",
                 "--format", "json")
    assert p.returncode == 0, p.stderr
    assert "MISSED   b1: Marta Quill / Sanctions / yes" in p.stdout
    assert "SPURIOUS b1: Ines Varga / No-fly zone / yes" in p.stdout
    s = json.loads(p.stdout.splitlines()[0])
    assert (s["triples"]["tp"], s["triples"]["gold"], s["triples"]["pred"]) == (1, 2, 2)
    assert s["triples"]["R"] == 0.5 and s["triples"]["P"] == 0.5


def test_a_statement_in_an_article_coded_empty_is_a_false_positive(tmp_path, files):
    tmp, arts, book = files
    # the same Brandt article, coded as saying nothing on the concepts: his "no" is spurious
    p = onrecord("evaluate-positions", gold_file(tmp, []), "--codebook", book, "--articles", arts, "--jobs", "1")
    assert p.returncode == 0, p.stderr
    assert "2 articles, 0 gold triples, 2 predicted" in p.stdout  # the table a user reads
    assert "triples (actor, concept, side)" in p.stdout and "agreement accuracy on 0 pairs found" in p.stdout


def test_kept_database_holds_the_ingested_articles(files):
    tmp, arts, book = files
    db = tmp / "kept.db"
    scores(gold_file(tmp, [statement("Karl Brandt", "no")]), arts, book, "--db", db)
    p = onrecord("positions", "--db", db, "--codebook", book, "--format", "json")
    assert p.returncode == 0, p.stderr
    assert {(r["actor"], r["agreement"]) for r in json.loads(p.stdout)} == {("Karl Brandt", "no"), ("Ines Varga", "yes")}


@pytest.mark.parametrize("line, message", [
    ('{"id": "b1", "statements": [}', "gold.jsonl:2: not JSON"),
    ('{"id": "b2", "statements": [{"actor": "X", "concept": "Wall", "agreement": "yes"}]}',
     "gold.jsonl:2: statement 1: unknown concept 'Wall' (the codebook has: No-fly zone, Sanctions)"),
    ('{"id": "b2", "statements": [{"actor": "X", "concept": "Sanctions", "agreement": "maybe"}]}',
     "gold.jsonl:2: statement 1: \"agreement\" must be \"yes\" or \"no\", not 'maybe'"),
    ('{"statements": []}', "gold.jsonl:2: each line must be an object with an \"id\""),
    ('{"id": "b9", "statements": []}', "articles.jsonl: 1 of the gold's 2 articles are not in it: b9"),
    ('{"id": "b2", "sha256": "0000000000000000", "statements": []}',
     "articles.jsonl: the text of 1 article(s) differs from the one coded"),
])
def test_bad_gold_is_one_line_naming_file_and_line(files, line, message):
    tmp, arts, book = files
    gold = tmp / "gold.jsonl"
    gold.write_text(json.dumps({"id": "b1", "statements": []}) + "\n" + line + "\n")
    p = onrecord("evaluate-positions", gold, "--codebook", book, "--articles", arts, "--jobs", "1")
    assert p.returncode == 2
    err = p.stderr.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert message in err


def test_missing_gold_file(files):
    tmp, arts, book = files
    p = onrecord("evaluate-positions", tmp / "none.jsonl", "--codebook", book, "--articles", arts)
    assert p.returncode == 2 and "none.jsonl: no such file" in p.stderr


def test_actor_names_match_as_a_coder_writes_them():
    assert same_actor("Donald Trump", "Donald J. Trump")
    assert same_actor("Donald Trump", "Trump")
    assert same_actor("International Monetary Fund", "IMF")
    assert same_actor("United States", "U.S.")
    assert not same_actor("Bill Clinton", "Hillary Clinton")
    assert not same_actor("Karl Brandt", "Ines Varga")
