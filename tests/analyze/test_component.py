import spacy

from onrecord.analyze.nlp import MODEL


def test_spacy_component_sets_doc_quotes():
    nlp = spacy.load(MODEL, exclude=["ner"])
    nlp.add_pipe("onrecord")
    doc = nlp("“The harbour will reopen,” said Port Director Ines Alvarez.")
    (q,) = doc._.quotes
    assert q.kind == "direct" and q.speaker.name == "Ines Alvarez"
    assert doc.text[q.start:q.end] == "The harbour will reopen,"
    assert [e.name for e in doc._.speaker_entities] == ["Ines Alvarez"]


def test_library_front_door():
    import onrecord

    r = onrecord.extract("Mayor Lina Ortiz said the bridge was safe.", date="2026-01-05")
    assert r.article.date == "2026-01-05"
    (q,) = r.quotes
    assert q.text == "the bridge was safe" and q.speaker.name == "Lina Ortiz"
    assert r.to_dict()["quotes"][0]["speaker"]["via"] == "name"


def test_component_runs_the_same_steps_as_the_extractor(extractor):
    # a paragraph with no-break spaces and one without a cue word: the component must chunk and clean
    # exactly as Extractor does, so the two give the same quotes
    text = ("Mayor Lina Ortiz said\xa0the bridge was safe.\n\nThe river rose overnight.\n\n"
            "“We checked every bolt,” Ortiz added. “Twice.”")
    nlp = spacy.load(MODEL, exclude=["ner"])
    nlp.add_pipe("onrecord")
    doc = nlp(text)
    want = extractor.extract(text)
    assert [q.to_dict() for q in doc._.quotes] == [q.to_dict() for q in want.quotes]
    assert [(s.start_char, s.label_) for s in doc.spans["onrecord"]] == [(q.start, q.kind) for q in want.quotes]


def test_component_in_a_blank_pipeline_parses_with_onrecords_own():
    nlp = spacy.blank("en")
    nlp.add_pipe("onrecord")
    (q,) = nlp("“The harbour will reopen,” said Port Director Ines Alvarez.")._.quotes
    assert q.speaker.name == "Ines Alvarez"


def test_component_reports_nested_attributions_only_when_configured():
    text = ("Mayor Jon Ruiz took questions.\n\nRuiz responded:\n\n"
            "We discussed the repairs. As the governor said, every town will get help before winter.")
    plain, nested = spacy.blank("en"), spacy.blank("en")
    plain.add_pipe("onrecord")
    nested.add_pipe("onrecord", config={"nested": True})
    assert not any(q.parent for q in plain(text)._.quotes)
    inner = [q for q in nested(text)._.quotes if q.parent]
    assert [q.speaker.mention for q in inner] == ["the governor"]
