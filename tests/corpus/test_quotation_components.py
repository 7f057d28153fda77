"""The rule the Spark stage relies on (spark/quotations.py): the store's quotation matching, replayed
inside each connected component of shared lookup keys (found as the job finds them on the driver),
gives the store's quotations. Checked on
quotes made to share, trim and repeat each other, against a real SQLite store."""

from __future__ import annotations

import random
import sqlite3

import pytest

from onrecord.corpus.duplicates import assign
from onrecord.corpus.store import Store
from onrecord.spark.quotations import edges, replay

PHRASES = ["the harbour bridge will open before the winter storms arrive",
           "we have checked every figure in the budget twice over",
           "nobody should doubt that the ferries are safe for families",
           "the senator said the council ignored the fishermen again",
           "it is true", "we are ready", "the plan is too expensive for this city"]


def quotes(seed: int) -> list[dict]:
    """Articles of 1 to 4 quotes: whole phrases, trimmed ones, two joined, a few words changed."""
    rng = random.Random(seed)
    out = []
    for art in range(120):
        for seq in range(rng.randint(1, 4)):
            words = rng.choice(PHRASES).split()
            if rng.random() < 0.3:
                words = words[rng.randint(0, 2):len(words) - rng.randint(0, 3)] or words
            if rng.random() < 0.2:
                words = words + rng.choice(PHRASES).split()
            if rng.random() < 0.2:
                words[rng.randrange(len(words))] = rng.choice(["never", "always", "port", "mayor"])
            out.append({"article_hash": f"a{art:03d}", "ordinal": art, "seq": seq, "quote_id": f"q{seq + 1}",
                        "text": " ".join(words).capitalize(), "speaker_id": rng.choice([None, 1, 2, 3]),
                        "date": rng.choice([None, f"2026-0{1 + art % 9}-1{art % 10}"])})
    return out


def components(qs: list[dict]) -> dict[tuple, list[dict]]:
    """The quotes by component, as `onrecord spark` finds them on the driver (job._union_find)."""
    from onrecord.spark.job import _union_find

    label = _union_find((e, (q["ordinal"], q["seq"])) for q in qs for e in edges(q))
    groups: dict[tuple, list[dict]] = {}
    for q in qs:
        node = (q["ordinal"], q["seq"])
        groups.setdefault(label.get(node, node), []).append(q)
    return groups


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_replay_per_component_is_the_store(tmp_path, seed):
    qs = quotes(seed)
    store = Store(str(tmp_path / "q.db"))
    db: sqlite3.Connection = store.db
    for sid in (1, 2, 3):
        db.execute("INSERT INTO speakers(id, name, key, type) VALUES (?, ?, ?, 'PERSON')", (sid, f"P {sid}", f"p {sid}"))
    ids = {}
    for q in qs:
        if q["article_hash"] not in ids:
            ids[q["article_hash"]] = db.execute("INSERT INTO articles(hash, date, text) VALUES (?, ?, 'x')",
                                                (q["article_hash"], q["date"])).lastrowid
        qid = db.execute("INSERT INTO quotes(article_id, qid, kind, question, text, start, \"end\", speaker_id)"
                         " VALUES (?, ?, 'direct', 0, ?, 0, 1, ?)",
                         (ids[q["article_hash"]], q["quote_id"], q["text"], q["speaker_id"])).lastrowid
        assign(db, qid, q["text"], q["speaker_id"], q["date"], ids[q["article_hash"]])
    expected = {(h, qid): (t, n, bool(f) if f is not None else None) for h, qid, t, n, f in db.execute(
        "SELECT a.hash, q.qid, q.quotation_id, t.appearances, t.first_quote_id = q.id FROM quotes q"
        " JOIN articles a ON a.id = q.article_id LEFT JOIN quotations t ON t.id = q.quotation_id")}
    got = {k: v for group in components(qs).values() for k, v in replay(group)}
    assert sum(1 for v in expected.values() if v[1] and v[1] > 1) > 20  # the fixture does make copies
    numbering = {}
    for k, (t, n, first) in expected.items():
        if t is None:
            assert k not in got, k
            continue
        assert got[k][1:] == (n, first), k
        assert numbering.setdefault(t, got[k][0]) == got[k][0], k
    assert len(set(numbering.values())) == len(numbering)  # one to one
