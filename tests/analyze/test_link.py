"""The linker (analyze/link.py): the decider's last step, alone, on hand-built input.

What it chooses is learned (its figures are cross-validated on PolNeAR train, docs/benchmarks.md); what is
tested here is what any weights must make of it: the options it offers, a speaker that changes only
through a copy of the candidate, the parts of one quotation moving together, and the shipped model loading
offline as part of the default engine.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest

from onrecord.analyze.decide import ModelDecider, Tagged
from onrecord.analyze.find.model import default_tagger
from onrecord.analyze.link import Linker, Mentions, default_linker, options
from onrecord.analyze.pipeline import Extractor, default_decider
from onrecord.types import Article

TEXT = ("Dana Ruiz, Tom Ebert and others arrived on Monday.\n\n"
        "“We will build it,” Ebert said. “It is needed.”\n\n"
        "Lena Okafor, the mayor, was at the launch.\n\n"
        "Okafor later said the bridge was late.")


@pytest.fixture(scope="module")
def rules():
    return Extractor(decider=None)


def _decided(rules):
    a = next(rules.analyses([Article(text=TEXT)], every=True))
    decider = ModelDecider(default_tagger(), 0.7, 0.6, True, linker=None)
    drafts = decider.from_tagged(a, decider.tagged_spans(a))
    return a, drafts


def _tagged_source(words: str, chunk: int = 0) -> Tagged:
    s = TEXT.index(words)
    return Tagged("SOURCE", s, s + len(words), 0.99, chunk)


def _speakers(rules, a, drafts) -> dict[str, str | None]:
    return {q.text: q.speaker.mention if q.speaker else None for q in rules.result(a, drafts).quotes}


def test_options_are_the_quotes_own_source_and_the_mentions_within_a_paragraph(rules):
    a, drafts = _decided(rules)
    first = next(d for d in drafts if TEXT[d.start:d.end].startswith("We will build it"))
    tagged = [_tagged_source("Dana Ruiz,"), _tagged_source("Lena Okafor")]
    found = {TEXT[s:e]: o.flags for o in options(Mentions(a, tagged), first) for s, e in [o.span]}
    assert found["Ebert"] >= {"cur", "rule"}  # its own, which the rules gave "said" too
    assert found["Dana Ruiz"] == {"tag"}  # the tagger's span a paragraph before, without its comma
    assert found["Lena Okafor"] == {"tag"}  # and a paragraph after
    assert "Okafor" not in found  # the rules' source of "said" two paragraphs on is too far


def test_a_linker_that_keeps_every_speaker_changes_nothing(rules):
    a, drafts = _decided(rules)
    before = _speakers(rules, a, drafts)
    a, drafts = _decided(rules)
    Linker({"has=cur": 10.0}).link(a, [_tagged_source("Dana Ruiz")], drafts)
    assert _speakers(rules, a, drafts) == before


def test_a_new_speaker_moves_both_parts_of_a_quotation_and_leaves_the_analysis_alone(rules):
    a, drafts = _decided(rules)
    cands_before = [(c.cue, c.source) for c in a.cands]
    Linker({"has=tag": 10.0}).link(a, [_tagged_source("Dana Ruiz")], drafts)
    got = _speakers(rules, a, drafts)
    assert got["We will build it,"] == got["It is needed."] == "Dana Ruiz"
    assert got["the bridge was late"] == "Okafor"  # no tagged span near it: its own stands
    assert [(c.cue, c.source) for c in a.cands] == cands_before


def test_the_shipped_linker_loads_offline_and_is_part_of_the_default_engine():
    linker = default_linker()
    assert linker is not None and default_decider().linker is linker
    from importlib import resources

    data = json.loads(resources.files("onrecord.models").joinpath("linker.json").read_text())
    assert data["examples"] > 10_000 and "no text" in data["about"] and "conditional logit" in data["fit"]
    assert "bias" not in data["weights"]  # the same for every option of a quote: it cancels in the softmax
    # with the default engine, every construction of the speaker tests still resolves (test_speakers.py);
    # here: a plain report keeps its speaker
    q = Extractor().extract("The health minister, Dana Ruiz, said on Monday that the clinics would stay open.").quotes
    assert [x.speaker.name for x in q] == ["Dana Ruiz"]


def test_the_shipped_linker_gives_the_speakers_make_train_recorded(monkeypatch):
    """models/linker.json, loaded with the network cut off, gives the probe paragraph's quotes the speakers
    that `make train` recorded when it wrote the file (train/linker.add_probe), with the shipped tagger."""
    import socket
    from importlib import resources

    from onrecord.train.tagger import PROBE

    def no_network(*args, **kwargs):
        raise AssertionError("the linker tried to reach the network")

    monkeypatch.setattr(socket, "socket", no_network)
    probe = json.loads(resources.files("onrecord.models").joinpath("linker.json").read_text())["probe"]
    quotes = Extractor().extract(PROBE).quotes
    assert probe and [{"quote": q.text, "speaker": q.speaker.mention if q.speaker else None,
                       "start": q.speaker.start if q.speaker else None} for q in quotes] == probe


SPLIT = ("Dana Ruiz, Tom Ebert and others arrived on Monday.\n\n"
         "“We will build it,” Ebert said, “because the town needs it.”\n\n"
         "Lena Okafor, the mayor, was at the launch.")


def test_the_parts_of_a_quotation_share_one_speaker_whatever_the_weights(rules):
    """The halves of a quotation split around its cue are one quote to the linker: whatever a feature's
    weight, it ends without error and both name the same speaker, though each half, read alone, may
    prefer another mention."""
    from onrecord.analyze.link import described

    def decided():
        a = next(rules.analyses([Article(text=SPLIT)], every=True))
        decider = ModelDecider(default_tagger(), 0.7, 0.6, True, linker=None)
        drafts = decider.from_tagged(a, decider.tagged_spans(a))
        assert len(drafts) == 2 and drafts[0].cand is drafts[1].cand  # one quotation in two parts
        return a, drafts

    tagged = [Tagged("SOURCE", SPLIT.index(w), SPLIT.index(w) + len(w), 0.99, 0) for w in ("Dana Ruiz", "Lena Okafor")]
    a, drafts = decided()
    feats = sorted({f for opts in described(a, tagged, drafts).values() for _o, fs in opts for f in fs})
    assert len(feats) > 20
    moved = set()
    for feat in feats:
        for w in (10.0, -10.0):
            a, drafts = decided()
            Linker({feat: w, "has=tag": 1.0}).link(a, tagged, drafts)
            got = [q.speaker.mention if q.speaker else None for q in rules.result(a, drafts).quotes]
            assert len(got) == 2 and got[0] == got[1], (feat, w, got)
            moved.add(got[0])
    assert moved >= {"Ebert", "Dana Ruiz", "Lena Okafor"}  # the weights did move the speaker


def test_a_content_under_the_floor_stands_only_where_the_linker_is_sure_of_its_speaker(rules):
    """decide.py's second floor: a tagged content under the floor but above ``tentative`` is reported when
    the linker's best option for its speaker is at least ``sure``, and left out otherwise; a content over
    the floor stands however unsure the linker is."""
    a = next(rules.analyses([Article(text=TEXT)], every=True))
    plain = ModelDecider(default_tagger(), 0.7, 0.6, True, linker=None)
    tagged = plain.tagged_spans(a)
    late = next(t for t in tagged if t.role == "CONTENT" and TEXT[t.start:t.end] == "the bridge was late")
    # and a second mention the linker may choose for it: a quote with one option is sure of it
    weak = [replace(t, prob=0.55) if t is late else t for t in tagged] + [_tagged_source("Lena Okafor", 2)]

    def texts(linker, **kw):
        decider = ModelDecider(default_tagger(), 0.7, 2.0, True, linker=linker)  # no rule stands alone
        return [q.text for q in rules.result(a, decider.from_tagged(a, weak, **kw)).quotes]

    # sure: the quote's own source far ahead of its other options; unsure: every option alike
    sure, unsure = Linker({"has=cur": 10.0}), Linker({})
    assert "the bridge was late" not in texts(sure)  # no second floor: the floor alone
    assert "the bridge was late" in texts(sure, tentative=0.5, sure=0.9)
    assert "the bridge was late" not in texts(unsure, tentative=0.5, sure=0.9)
    assert "the bridge was late" not in texts(sure, tentative=0.6, sure=0.9)  # under the second floor too
    assert "We will build it," in texts(unsure, tentative=0.5, sure=0.9)  # over the floor: stands


def test_the_linker_says_how_sure_it_is_of_each_part_alike(rules):
    """How sure: the best option's share of the softmax over the quote's options."""
    a, drafts = _decided(rules)
    got = Linker({"has=cur": 2.0}).link(a, [], drafts)
    by_text = {TEXT[d.start:d.end]: got[id(d)] for d in drafts if id(d) in got}
    assert by_text["We will build it,"] == by_text["It is needed."]
    a, drafts = _decided(rules)
    m = Mentions(a, [])
    for d in drafts:
        n = len(options(m, d))
        if TEXT[d.start:d.end] in by_text and n:
            assert by_text[TEXT[d.start:d.end]] == pytest.approx(math.exp(2) / (math.exp(2) + n - 1))
