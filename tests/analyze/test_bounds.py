"""The bounds model (analyze/bounds.py): the decider's last step, alone, on hand-built input.

Where it moves a start is learned (cross-validated on PolNeAR train, docs/benchmarks.md); what is tested
here is what any weights must make of it: the options it offers and those it never offers (before the cue,
into the quote before, inside a quotation), a quotation that takes the clause before it becoming a mixed
quote with its closing mark, the fitting choosing what its examples teach, and the shipped model loading
offline as part of the default engine.
"""

from __future__ import annotations

import json

import pytest

from onrecord.analyze.bounds import Bounds, default_bounds, options
from onrecord.analyze.decide import ModelDecider, Tagging
from onrecord.analyze.find.model import default_tagger
from onrecord.analyze.pipeline import Extractor, default_decider
from onrecord.types import Article

TEXT = ("Mayor Lena Okafor spoke on Monday.\n\n"
        "Okafor attacked the council, saying it is “weak on housing and slow on everything.”\n\n"
        "Tom Ebert said that the bridge would open in May.")


@pytest.fixture(scope="module")
def rules():
    return Extractor(decider=None)


def _decided(rules):
    a = next(rules.analyses([Article(text=TEXT)], every=True))
    decider = ModelDecider(default_tagger(), 0.6, 2.0, True, linker=None)
    tagged = decider.tagged_spans(a)
    return a, tagged, decider.from_tagged(a, tagged)


def _draft(drafts, words: str):
    return next(d for d in drafts if TEXT[d.start:d.end].startswith(words))


def test_the_tagger_gives_every_chunk_its_marginals(rules):
    a, tagged, _ = _decided(rules)
    assert isinstance(tagged, Tagging)
    assert len(tagged.marginals) == len(a.chunks)
    for m, (_, doc) in zip(tagged.marginals, a.chunks, strict=True):
        assert m.shape == (len(doc), 7)
        assert abs(float(m.sum(axis=1).mean()) - 1.0) < 1e-6  # a distribution over the labels at each word


def test_a_quotation_is_offered_the_words_before_it_never_the_cue_nor_its_own_words(rules):
    a, tagged, drafts = _decided(rules)
    quote = _draft(drafts, "weak on housing")
    assert quote.kind == "direct"
    starts = [TEXT[s:s + 12] for s, _f in options(a, quote, tagged.marginals)]
    assert "it is “weak " in starts and "is “weak on " in starts  # the reported clause before the quotation
    assert all(TEXT.index("saying") < s <= quote.start for s, _f in options(a, quote, tagged.marginals)), \
        "no start before the end of its cue, nor inside the quotation"


def test_weights_that_prefer_a_clause_start_make_the_quotation_a_mixed_quote_with_its_marks(rules):
    a, tagged, drafts = _decided(rules)
    Bounds({"t.w=it": 5.0}).adjust(a, drafts, tagged.marginals)
    quote = _draft(drafts, "it is")
    assert quote.kind == "mixed"
    assert TEXT[quote.start:quote.end] == "it is “weak on housing and slow on everything.”"
    result = rules.result(a, drafts)
    assert any(q.text.startswith("it is “weak") for q in result.quotes)


def test_no_start_moves_into_the_quote_before(rules):
    a, tagged, drafts = _decided(rules)
    first = _draft(drafts, "weak on housing")
    first_end = first.end
    reported = _draft(drafts, "that the bridge")
    Bounds({"off=-5": 9.0, "off=-4": 8.0, "off=-3": 7.0, "off=-2": 6.0, "off=-1": 5.0}).adjust(
        a, drafts, tagged.marginals)
    assert reported.start >= TEXT.index("said") + len("said")  # not before its cue
    for d in drafts:
        if d is not first:
            assert d.start >= first_end or d.end <= first.start


def test_weights_that_like_every_start_as_it_is_change_nothing(rules):
    a, tagged, drafts = _decided(rules)
    before = [(d.kind, d.start, d.end) for d in drafts]
    Bounds({"off=0": 50.0}).adjust(a, drafts, tagged.marginals)
    assert [(d.kind, d.start, d.end) for d in drafts] == before


def test_fitting_learns_which_option_the_examples_start_at():
    pytest.importorskip("torch")
    from onrecord.train.bounds import Example, fit_bounds

    examples = [Example(0, [["off=-1", "t.w=that"], ["off=0", "t.w=we"]], 0) for _ in range(20)]
    examples += [Example(0, [["off=-1", "t.w=to"], ["off=0", "t.w=cut"]], 1) for _ in range(20)]
    w = fit_bounds(examples)
    b = Bounds(w)
    assert b.score(["off=-1", "t.w=that"]) > b.score(["off=0", "t.w=we"])
    assert b.score(["off=0", "t.w=cut"]) > b.score(["off=-1", "t.w=to"])


def test_the_shipped_model_loads_offline_and_is_part_of_the_default_engine():
    from importlib import resources

    raw = json.loads(resources.files("onrecord.models").joinpath("bounds.json").read_text(encoding="utf-8"))
    assert set(raw) >= {"about", "trained", "examples", "weights"}
    assert all(isinstance(w, float) for w in raw["weights"].values())  # weights only, no text of the corpus
    b = default_bounds()
    assert b is not None and b.weights == raw["weights"]
    assert default_decider().bounds is b


def test_the_default_engine_gives_a_quotation_that_ends_a_reported_clause_the_clause():
    quotes = {q.text: q.kind for q in Extractor().extract(TEXT).quotes}
    assert quotes.get("it is “weak on housing and slow on everything.”") == "mixed", quotes
    assert quotes.get("that the bridge would open in May") == "indirect", quotes
