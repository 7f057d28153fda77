"""Whatever the text, extraction returns and every offset indexes it."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PIECES = st.sampled_from([
    "“", "”", '"', "«", "»", "„", "‘", "’", "'", ":", "\n\n", "\n", " ", ", ", ". ", "said", "He said",
    "according to", "Smith", "Jane Smith", "the minister", "told reporters", "Q: ", "MR. SMITH: ", "that",
    "we will", "win", "?", "asked", "As the governor said,", "—", "(", ")", "SECRETARY", "x" * 50,
])
TEXTS = st.one_of(st.text(max_size=300), st.lists(PIECES, max_size=60).map("".join))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXTS)
def test_never_crashes_and_offsets_index_the_text(extractor, text):
    result = extractor.extract(text)
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
    for e in result.entities:
        assert all(0 <= s < t <= len(text) for s, t in e.mentions)
