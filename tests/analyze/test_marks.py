from onrecord.analyze.marks import find_marked


def spans(text):
    return [text[m.start:m.end] for m in find_marked(text)]


def test_every_mark_style():
    text = ('He said "one two." She said “three four.” They said «five six». '
            "Er sagte „sieben acht“. I said ‘nine ten’.")
    assert spans(text) == ["one two.", "three four.", "five six", "sieben acht", "nine ten"]


def test_apostrophes_are_not_quotes():
    assert spans("Clinton’s team didn’t say ‘no’ to the ’90s plan.") == ["no"]


def test_quote_running_over_paragraphs():
    text = "“First paragraph of the answer.\n\n“Second paragraph,” she said."
    (m,) = find_marked(text)
    assert text[m.start:m.end] == "First paragraph of the answer.\n\n“Second paragraph,"
    assert m.closed


def test_unclosed_quote_ends_at_paragraph_end():
    text = "“It took years to get here, he said.\n\nThe crowd cheered."
    (m,) = find_marked(text)
    assert text[m.start:m.end] == "It took years to get here, he said."
    assert not m.closed


def test_reopened_quote_closes_the_open_one():
    text = "“One never closed. “Two closed,” he said."
    assert spans(text) == ["One never closed.", "Two closed,"]


def test_straight_opener_closed_by_a_curly_mark():
    # converted news mixes mark styles; a straight opener followed by a curly opener was a stray
    text = '“It was fine,” she said. "We were open about it.”\n\n"“We will go on,” he said.'
    assert spans(text) == ["It was fine,", "We were open about it.", "We will go on,"]


def test_curly_opener_closed_by_a_straight_mark():
    text = '“If they can’t, send it nonsecure," she wrote when they had problems. “Done.”'
    assert spans(text) == ["If they can’t, send it nonsecure,", "Done."]


def test_a_height_in_primes_does_not_end_or_open_a_quotation():
    text = ('“The 6’2” forward will start on Sunday,” the coach said. “He is ready.”\n\n'
            'The 5\'11" guard scored 30. "We got lucky," he said.')
    assert spans(text) == ["The 6’2” forward will start on Sunday,", "He is ready.", "We got lucky,"]


def test_a_height_in_primes_stays_in_the_extracted_quote():
    from onrecord import extract

    text = "“The 6’2” forward will start on Sunday,” the coach, Lena Okafor, said. “He is ready.”"
    quotes = extract(text, "2024-03-04").quotes
    assert [(q.text, q.kind, q.speaker.name) for q in quotes] == [
        ("The 6’2” forward will start on Sunday,", "direct", "Lena Okafor"), ("He is ready.", "direct", "Lena Okafor")]
