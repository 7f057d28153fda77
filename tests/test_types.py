from onrecord.types import Result


def test_json_form_round_trips(extractor):
    r = extractor.extract("“We are ready,” said Mayor Lina Ortiz.\n\nShe said the bridge was safe.")
    d = r.to_dict()
    assert Result.from_dict(d).to_dict() == d
