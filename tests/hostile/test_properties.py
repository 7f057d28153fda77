"""Whatever the text or the file, extraction and reading end, never crash, and every offset holds.

Strategies are news-like (cue words, names, titles, quotation marks of every style, paragraph breaks)
and adversarial (runs of separators and whitespace, very long tokens, invisible characters, broken
bytes). Examples are few and bounded so that `make test` stays fast; ``make fuzz`` runs the extractor
under a coverage-guided fuzzer for longer.
"""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onrecord.errors import InputError
from onrecord.read import read_source
from onrecord.read.jsonl import parse_jsonl
from onrecord.types import Article

NEWS = st.sampled_from([
    "said", "told reporters", "according to", "warned that", "added:", "asked whether", "insisted",
    "Ana Ruiz", "Secretary General Jens Stoltenberg", "the minister", "Mr Hale", "she", "they",
    "the bank", "The health minister, Dana Ruiz,", "three officials", "President [Anna] Kova's",
    "that", "we will", "not", "the plan", "on Monday", "in a statement", "Q: ", "MR. SMITH: ",
    "As the governor said,", "(", ")", "[", "]", "—", "–", "-", ", ", ". ", "? ", "! ", ": ", "; ",
])
MARKS = st.sampled_from(["“", "”", '"', "«", "»", "„", "‘", "’", "'", "‹", "›", "''", "``"])
SEPARATORS = st.sampled_from([" ", "\t", "\xa0", "\u200b", "\u00ad", "-", "—", ",", ".", ":", "\n", "\r\n"])
RUNS = st.builds(lambda s, n: s * n, SEPARATORS, st.integers(2, 400))
LONG = st.builds(lambda s, n: s * n, st.sampled_from(["a", "said", "x.", "“", ")", "!?"]), st.integers(50, 2_000))
PIECE = st.one_of(NEWS, NEWS, NEWS, MARKS, MARKS, SEPARATORS, RUNS, LONG, st.just("\n\n"),
                  st.text(max_size=20))
TEXTS = st.one_of(st.text(max_size=300), st.lists(PIECE, max_size=80).map(" ".join),
                  st.lists(PIECE, max_size=80).map("".join))


def valid(result, text: str) -> None:
    ids = {q.id for q in result.quotes}
    for q in result.quotes:
        assert 0 <= q.start <= q.end <= len(text) and text[q.start:q.end] == q.text
        assert q.kind in {"direct", "block", "indirect", "mixed"}
        assert q.parent is None or q.parent in ids
        for part in (q.speaker, q.cue):
            if part is not None:
                assert 0 <= part.start <= part.end <= len(text)
        if q.speaker:
            assert text[q.speaker.start:q.speaker.end] == q.speaker.mention
        if q.cue:
            assert text[q.cue.start:q.cue.end] == q.cue.text
    for e in result.entities:
        assert all(0 <= s < t <= len(text) for s, t in e.mentions)


@settings(max_examples=150, deadline=20_000, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
@given(text=TEXTS)
def test_never_crashes_and_offsets_index_the_text(extractor, text):
    valid(extractor.extract(text), text)


@settings(max_examples=30, deadline=30_000, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(texts=st.lists(TEXTS, min_size=2, max_size=6))
def test_a_batch_gives_what_each_article_gives_alone(extractor, texts):
    together = list(extractor.extract_many(Article(text=t) for t in texts))
    for t, r in zip(texts, together, strict=True):
        valid(r, t)
        assert [q.to_dict() for q in r.quotes] == [q.to_dict() for q in extractor.extract(t).quotes]


BYTES = st.one_of(st.binary(max_size=400), TEXTS.map(lambda t: t.encode("utf-8", "surrogatepass")),
                  TEXTS.map(lambda t: t.encode("utf-16", "surrogatepass")))


@settings(max_examples=200, deadline=5_000)
@given(data=BYTES, name=st.sampled_from(["a.txt", "a.html", "a.htm", "noext"]))
def test_a_file_is_an_article_or_one_error(data, name):
    items = list(read_source(name, data))
    assert len(items) == 1
    (item,) = items
    if isinstance(item, InputError):
        assert "\n" not in str(item) and str(item).startswith(name)
    else:
        assert isinstance(item, Article) and item.text.strip()


JSON_LINES = st.lists(st.one_of(
    st.builds(lambda t, d: json.dumps({"text": t, "date": d}), TEXTS,
              st.one_of(st.none(), st.integers(), st.text(max_size=12), st.just("2026-02-30"))),
    st.text(max_size=40), st.binary(max_size=40)), max_size=8)


@settings(max_examples=200, deadline=5_000)
@given(lines=JSON_LINES)
def test_json_lines_are_read_line_by_line(lines):
    raw = [x if isinstance(x, bytes) else x.encode("utf-8", "surrogatepass") for x in lines]
    items = list(parse_jsonl([r.replace(b"\n", b" ") + b"\n" for r in raw], "batch.jsonl"))
    for item in items:
        if isinstance(item, InputError):
            assert "\n" not in str(item) and str(item).startswith("batch.jsonl")
        else:
            assert item.text.strip() and item.source.startswith("batch.jsonl:")
            item.text.encode("utf-8")  # storable: no lone surrogates
            assert item.date is None or len(item.date) == 10
