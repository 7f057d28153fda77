"""Characters that change nothing for a reader change nothing in what onrecord finds."""

import pytest

from onrecord.analyze.normalize import normalize

PLAIN = "“We are ready,” said Mayor Lina Ortiz."


@pytest.mark.parametrize("text", [
    "“We are ready,” said\u200b Mayor Lina Ortiz.",   # a zero-width space after the cue
    "“We are ready,” said Mayor Lina Or\u200ctiz.",   # a zero-width non-joiner in the name
    "“We are ready,” said Mayor Lina Or\u00adtiz.",   # a soft hyphen in the name
    "“We are ready,”   said\t\tMayor  Lina\xa0Ortiz.",  # runs of spaces, tabs, a no-break space
    "\ufeff“We are ready,” said Mayor\u2060 Lina Ortiz.\r\n",  # a byte-order mark, a word joiner, CRLF
])
def test_invisible_characters_do_not_lose_the_quote_or_split_the_name(find, text):
    (q,) = find(text).quotes
    assert q.kind == "direct" and q.speaker.name == "Lina Ortiz" and q.cue.text == "said"
    # offsets index the text as given, invisible characters and all
    assert text[q.start:q.end] == q.text == "We are ready,"
    assert text[q.speaker.start:q.speaker.end] == q.speaker.mention
    assert normalize(q.speaker.mention).text == "Mayor Lina Ortiz"


def test_a_rule_of_dashes_between_sentences_keeps_both_quotes(find):
    text = "“We are ready,” said Mayor Lina Ortiz.---------- She said the bridge was safe."
    quotes = find(text).quotes
    assert [(q.kind, q.speaker.name) for q in quotes] == [("direct", "Lina Ortiz"), ("indirect", "Lina Ortiz")]
    assert quotes[1].text == "the bridge was safe"


def test_spans_map_back_to_the_stored_text():
    raw = "a\u200bb   c------d\r\ne"
    n = normalize(raw)
    assert n.text == "ab c — d\ne"
    for s in range(len(n.text)):
        for e in range(s + 1, len(n.text) + 1):
            a, b = n.span(s, e)
            assert 0 <= a <= b <= len(raw)
    assert raw[slice(*n.span(0, 2))] == "a\u200bb"
    assert raw[slice(*n.span(5, 6))] == "------"


def test_clean_text_is_not_copied():
    n = normalize(PLAIN)
    assert n.text is PLAIN and n.starts is None
