"""A very long article is read in pieces (analyze/segment.py): what a user gets must still be one
article's result, its offsets into the whole text, its ids unique, its people one entity each."""

from __future__ import annotations

import pytest

from onrecord.analyze import segment
from onrecord.types import Article

STORY = (
    "Health Minister Dana Ruiz said on Monday that the new clinics would open in May.\n"
    "“We have waited long enough,” Ruiz told reporters. “The money is there.”\n"
    "Opposition leader Tom Ebert said the plan was too late. He added that “nobody believes the dates.”\n"
)


def test_cuts_cover_the_text_at_line_ends():
    text = STORY * 40
    pieces = segment.cuts(text, 1_000)
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)
    assert all(a == b for (_, a), (b, _) in zip(pieces, pieces[1:], strict=False))  # no gap, no overlap
    assert all(0 < e - s <= 1_000 for s, e in pieces)
    assert all(text[e - 1] == "\n" for _, e in pieces[:-1])


def test_cuts_without_line_breaks_or_spaces():
    one_line = "The mayor said it. " * 500
    pieces = segment.cuts(one_line, 1_000)
    assert all(one_line[e - 1] == " " and one_line[e - 2] == "." for _, e in pieces[:-1])  # sentence ends
    blob = "x" * 2_500
    assert segment.cuts(blob, 1_000) == [(0, 1_000), (1_000, 2_000), (2_000, 2_500)]
    assert segment.cuts("short", 1_000) == [(0, 5)]


def test_a_long_article_read_in_pieces_is_one_result(extractor, monkeypatch):
    text = STORY * 6
    whole = extractor.extract(Article(text=text, id="long")).to_dict()
    monkeypatch.setattr(segment, "SEGMENT", len(STORY) * 2)  # three pieces of two stories each
    assert len(segment.cuts(text)) == 3
    pieces = extractor.extract(Article(text=text, id="long")).to_dict()

    assert pieces["id"] == "long" and pieces["text"] == text
    key = [(q["start"], q["end"], q["kind"], q["speaker"]["name"] if q["speaker"] else None)
           for q in whole["quotes"]]
    assert key and key == [(q["start"], q["end"], q["kind"], q["speaker"]["name"] if q["speaker"] else None)
                           for q in pieces["quotes"]]
    assert [q["id"] for q in pieces["quotes"]] == [f"q{n}" for n in range(1, len(key) + 1)]
    ids = {e["id"] for e in pieces["entities"]}
    for q in pieces["quotes"]:
        assert text[q["start"]:q["end"]] == q["text"]
        sp = q["speaker"]
        if sp:
            assert text[sp["start"]:sp["end"]] == sp["mention"]
            assert sp["entity"] is None or sp["entity"] in ids
        if q["cue"]:
            assert text[q["cue"]["start"]:q["cue"]["end"]] == q["cue"]["text"]
    names = [e["name"] for e in pieces["entities"]]
    assert names.count("Dana Ruiz") == 1 and names.count("Tom Ebert") == 1
    ruiz = next(e for e in pieces["entities"] if e["name"] == "Dana Ruiz")
    assert sorted(map(tuple, ruiz["mentions"])) == sorted(
        map(tuple, next(e for e in whole["entities"] if e["name"] == "Dana Ruiz")["mentions"]))


@pytest.mark.parametrize("n", [1, 5])
def test_articles_around_a_long_one_keep_their_order(extractor, monkeypatch, n):
    monkeypatch.setattr(segment, "SEGMENT", len(STORY) * 2)
    arts = [Article(text=STORY, id="a"), Article(text=STORY * n, id="b"), Article(text=STORY, id="c")]
    got = list(extractor.extract_many(arts, batch=2))
    assert [r.article.id for r in got] == ["a", "b", "c"]
    assert len(got[1].quotes) == n * len(got[0].quotes) == n * len(got[2].quotes)
