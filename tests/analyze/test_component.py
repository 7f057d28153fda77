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
