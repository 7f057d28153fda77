"""The cue-word learner (`make lexicon`) on a gold file written for this test."""

import json

from onrecord.lexicon import inflections, verb_key
from onrecord.lexicon.build import learn


def _article(i: int, sentence: str, cue: str) -> dict:
    s = sentence.index(cue)
    return {"id": f"a{i}", "text": sentence, "attributions": [{"cue": [[s, s + len(cue)]], "content": [[0, 3]]}]}


def test_a_verbs_forms_are_learned_together_and_its_unseen_forms_kept(tmp_path):
    rows = [_article(0, "The mayor labeled the plan a failure.", "labeled"),
            _article(1, "Critics labeled the bill a giveaway.", "labeled"),
            _article(2, "She is labeling the deal a fraud.", "labeling"),
            _article(3, "He was labeling rivals cowards.", "labeling"),
            _article(4, "The senator labels the vote a sham.", "labels")]
    rows += [_article(5 + i, "The judge noted the delay.", "noted") for i in range(4)]
    rows.append({"id": "b", "text": "It was not late, " * 25, "attributions": []})
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    words = {w for w, _, _ in learn(str(path))}
    # no form is a cue four times, the verb is five times: every form it takes is a cue word, also those
    # the text never shows (made from the verb when the lexicon is loaded)
    assert {"labeled", "labeling", "labels", "~label"} <= words
    assert {"label", "labels", "labeled", "labeling"} <= inflections(verb_key("labeled"))
    assert "noted" in words and verb_key("not") == verb_key("note")
    # but a form that is common and never a cue stays out although it shares the key ("not", "note")
    assert "not" not in words and "!not" in words
    assert verb_key("bemoaning") == verb_key("bemoaned") == verb_key("bemoans")
