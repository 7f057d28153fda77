"""Which concept a quote speaks to and which side it takes, on sentences written for these tests."""

from __future__ import annotations

import pytest

from onrecord.errors import OnrecordError
from onrecord.networks.agreement import Coder, Item
from onrecord.networks.codebook import load, parse

BOOK = {"concepts": [
    {"name": "No-fly zone", "keywords": ["no-fly zone", "close the skies"]},
    {"name": "Sanctions", "keywords": ["sanction"]},
]}


@pytest.fixture(scope="module")
def code():
    coder = Coder(parse(BOOK))

    def _code(text: str, cue: str | None = "said", question: bool = False) -> dict[str, tuple]:
        (coded,) = coder.code([Item(text, cue, question)])
        return {c.concept: (c.agreement, c.evidence) for c in coded if c.holder is None}  # the speaker's

    return _code


@pytest.mark.parametrize(("text", "cue", "side", "evidence"), [
    # negation on the path from the mention up to its clause's root
    ("that the alliance would not establish a no-fly zone over the region", "said", "no", "not establish"),
    ("I don't think we will ever establish a no-fly zone", "said", "no", "n't establish"),
    # a determiner "no" outside the keyword itself
    ("There will be no no-fly zone as long as I am minister.", "said", "no", "no"),
    # a copula's complement, for the subject only
    ("A no-fly zone would be a terrible mistake.", "said", "no", "mistake"),
    ("A no-fly zone is essential for the refugees.", "said", "yes", "essential"),
    # the cue takes a side, or turns the content round
    ("calls for a no-fly zone", "rejected", "no", "rejected calls"),
    ("that a no-fly zone was under discussion", "denied", "no", "denied"),
    ("a no-fly zone over the capital", "called for", "yes", "called for"),
    # two flips make a yes
    ("that the alliance would not impose a no-fly zone", "denied", "yes", "denied not impose"),
    # a keyword that is an act, said and not negated
    ("We must close the skies over the region", "said", "yes", "close"),
    ("We will not close the skies over the region", "said", "no", "not close"),
    # lemmas and case: "skies" / "sky", "No-Fly Zone", "no fly zone"
    ("The alliance must CLOSE THE SKY now", "said", "yes", "CLOSE"),
    ("We support a No-Fly Zone", "said", "yes", "support"),
    ("We oppose a no fly zone", "said", "no", "oppose"),
    # a negation alone over the words that govern the mention
    ("that he would not bring a no-fly zone up for a vote", "said", "no", "not"),
    ("he has no plans to bring a no-fly zone up for a vote", "indicated", "no", "no plans"),
    # a plan, a promise or a vow for it, and cues that commit to what they introduce
    ("his no-fly zone plan", "stressed", "yes", "plan"),
    ("to impose a no-fly zone within a week", "promised", "yes", "promised impose"),
    # "anti-" and "pro-" on the mention itself
    ("the city condemns anti-no-fly zone speech", "said", "yes", "condemns anti"),
])
def test_side(code, text, cue, side, evidence):
    assert code(text, cue)["No-fly zone"] == (side, evidence)


def test_a_condition_keeps_the_main_clause_side_to_itself(code):
    # "refuse" is said of leaving, not of the zone the vote is about
    assert code("they would refuse to leave until they got a vote on a no-fly zone")["No-fly zone"] == (None, "")


def test_keyword_words_may_have_a_few_words_between(code):
    coder = Coder(parse({"concepts": [{"name": "Muslim ban", "keywords": ["ban Muslims"]}]}))
    for text in ("He would ban all Muslims.", "He called for a ban on admitting Muslims."):
        (coded,) = coder.code([Item(text, "said")])
        assert [c.concept for c in coded] == ["Muslim ban"], text
    (coded,) = coder.code([Item("The ban was lifted. Muslims and Christians celebrated.", "said")])
    assert coded == []  # not across sentences
    (coded,) = coder.code([Item("The ban on imports of fruit hurt Muslims.", "said")])
    assert coded == []  # not farther apart than two words


def test_a_stored_coding_is_redone_when_the_rules_change(monkeypatch):
    from onrecord.networks import codebook

    before = parse(BOOK).fingerprint
    monkeypatch.setattr(codebook, "RULES", codebook.RULES + 1)
    assert parse(BOOK).fingerprint != before


def test_a_mention_alone_takes_no_side(code):
    assert code("We discussed a no-fly zone and new sanctions for an hour.") == {
        "No-fly zone": (None, ""), "Sanctions": (None, "")}


def test_a_question_takes_no_side(code):
    assert code("whether the alliance would impose new sanctions", "asked", question=True) == {
        "Sanctions": (None, "question")}
    assert code("Will you back a no-fly zone?", None) == {"No-fly zone": (None, "question")}


def test_each_conjunct_keeps_its_own_side(code):
    got = code("Sanctions are essential, but a no-fly zone is out of the question.")
    assert got["Sanctions"] == ("yes", "essential")
    assert got["No-fly zone"][0] is None  # "essential" is said of the sanctions, not of the zone


def test_other_words_do_not_match(code):
    assert code("The sanctity of the border matters, and the zone is quiet.") == {}
    assert code("Fly-fishing in the no-go zone is banned.") == {}


def test_codebook_mistakes_are_one_message_naming_the_file(tmp_path):
    cases = {
        "concepts: [\n  {name: A, keywords: [x]\n": "not valid YAML at line",
        "- a\n- b\n": "a mapping with a 'concepts:' list",
        "concepts: []\n": "non-empty list",
        "concepts:\n  - name: A\n": "neither keywords nor examples",
        "concepts:\n  - name: A\n    keywords: [x]\n  - name: a\n    keywords: [y]\n": "two concepts are called",
        "concepts:\n  - name: A\n    keyword: [x]\n": "unknown key(s) keyword",
        "similarity: 2\nconcepts:\n  - name: A\n    keywords: [x]\n": "at most 1",
    }
    for i, (text, expected) in enumerate(cases.items()):
        f = tmp_path / f"book{i}.yaml"
        f.write_text(text)
        with pytest.raises(OnrecordError) as e:
            load(f)
        assert str(e.value).startswith(str(f)) and expected in str(e.value), str(e.value)
    with pytest.raises(OnrecordError, match="no such codebook"):
        load(tmp_path / "missing.yaml")
    (tmp_path / "bin.yaml").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(OnrecordError, match="not UTF-8"):
        load(tmp_path / "bin.yaml")


def test_a_changed_codebook_has_another_fingerprint():
    a = parse(BOOK)
    b = parse({"concepts": [*BOOK["concepts"], {"name": "Talks", "keywords": ["peace talks"]}]})
    assert a.fingerprint == parse(BOOK).fingerprint != b.fingerprint


def test_examples_match_by_meaning():
    """A concept given by an example sentence, found in a quote with none of its words."""
    book = parse({"concepts": [{"name": "Arms for Ukraine",
                                "examples": ["We will send more weapons so that Ukraine can defend itself"]}]})
    coder = Coder(book)
    coded = coder.code([Item("Our allies are delivering additional tanks and missiles to the Ukrainian army", "said"),
                        Item("The weather in Brussels was cold and wet all week", "said")])
    assert [c.concept for c in coded[0]] == ["Arms for Ukraine"] and coded[0][0].method == "example"
    assert 0.5 <= coded[0][0].score <= 1
    assert coded[1] == []


@pytest.fixture(scope="module")
def coder():
    return Coder(parse(BOOK))


def _by_holder(coder, item: Item) -> dict:
    (coded,) = coder.code([item])
    return {(c.concept, c.holder): (c.agreement, c.method) for c in coded}


@pytest.mark.parametrize(("text", "cue", "expected"), [
    # a named possessor of the stance word: their position; the speaker reports it, taking no side
    ("Kessler's plan to impose a no-fly zone", "stressed",
     {("No-fly zone", None): (None, "keyword"), ("No-fly zone", "Kessler"): ("yes", "keyword")}),
    # a cue that takes a side on what it reports: the speaker's own side as well
    ("Minister Anna Kessler's call for a no-fly zone", "condemned",
     {("No-fly zone", None): ("no", "keyword"), ("No-fly zone", "Minister Anna Kessler"): ("yes", "keyword")}),
    # a named subject, with the negation on its own verb
    ("that Kessler would not impose a no-fly zone", "said",
     {("No-fly zone", None): (None, "keyword"), ("No-fly zone", "Kessler"): ("no", "keyword")}),
    # a curly apostrophe is a possessive as a straight one is
    ("Ruiz’s plan to impose a no-fly zone", "stressed",
     {("No-fly zone", None): (None, "keyword"), ("No-fly zone", "Ruiz"): ("yes", "keyword")}),
    ("Dana Ruiz wants to close the skies over the region", "said",
     {("No-fly zone", None): (None, "keyword"), ("No-fly zone", "Dana Ruiz"): ("yes", "keyword")}),
    # a pronoun or a common noun is not a holder: the speaker's words, the speaker's side
    ("that he would impose a no-fly zone", "said", {("No-fly zone", None): ("yes", "keyword")}),
    ("the minister's plan to impose a no-fly zone", "backed", {("No-fly zone", None): ("yes", "keyword")}),
])
def test_holder_of_a_reported_position(coder, text, cue, expected):
    assert _by_holder(coder, Item(text, cue)) == expected


BEFORE = "Kessler proposed a no-fly zone on Monday.\n\nCritics were quick to answer. Ruiz "


@pytest.mark.parametrize(("text", "cue", "before", "expected"), [
    # "the proposal" refers back to the concept named last before the quote: found by context
    ("the proposal as reckless", "dismissed", BEFORE, {("No-fly zone", None): ("no", "context")}),
    ("the statement as reckless", "dismissed", BEFORE, {("No-fly zone", None): ("no", "context")}),
    ("this plan is the one we need", "said", "We talked about sanctions.\nThen about a no-fly zone. ",
     {("No-fly zone", None): (None, "context")}),
    # "a proposal" is a new one, and a quote with nothing before it refers to nothing
    ("a proposal that is reckless", "made", BEFORE, {}),
    ("the proposal as reckless", "dismissed", "", {}),
    # it says itself what it is: not a reference back
    ("the plan to cut taxes is reckless", "said", BEFORE, {}),
])
def test_concept_referred_back_to(coder, text, cue, before, expected):
    assert _by_holder(coder, Item(text, cue, False, before)) == expected


def test_what_a_quote_may_refer_back_to_is_its_paragraph_and_the_one_before():
    from onrecord.corpus.positions import paragraphs_before

    assert paragraphs_before("Kessler proposed it.\n\nIt rained.\n\nRuiz ") == "It rained.\n\nRuiz "
    assert paragraphs_before("Kessler proposed it.\n\nIt rained.\n\n") == "It rained.\n\n"  # opens its own
    assert paragraphs_before("One paragraph only, Ruiz ") == "One paragraph only, Ruiz "
