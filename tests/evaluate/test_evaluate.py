"""onrecord evaluate agrees with the reference scorer, on a gold/prediction pair written for this test."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from onrecord.evaluate.gold import predictions_of, read_gold, read_predictions
from onrecord.evaluate.metrics import Gold, match, score

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT.parent / "shared" / "tools" / "score_attributions.py"

TEXT = ("Mayor Ann Lee said the bridge was safe. “We checked every bolt,” Lee added. "
        "Critics argued that the inspection was rushed. The council approved the budget.")


def span(s: str) -> list[int]:
    i = TEXT.index(s)
    return [i, i + len(s)]


GOLD = {"id": "a1", "text": TEXT, "attributions": [
    {"source": [span("Mayor Ann Lee")], "cue": [span("said")], "content": [span("the bridge was safe")]},
    {"source": [[span("Lee added")[0], span("Lee added")[0] + 3]], "cue": [span("added")], "content": [span("“We checked every bolt,”")]},
    {"source": [span("Critics")], "cue": [span("argued")],
     "content": [span("that the inspection was rushed")]},
    {"source": [], "cue": [], "content": [span("The council approved")]},
]}
PRED = {"id": "a1", "quotes": [
    # exact after trimming, speaker by name
    {"start": span("the bridge was safe")[0], "end": span("the bridge was safe")[1], "speaker": "Ann Lee"},
    # inside the marks: matches, exact after trimming marks, speaker by span
    {"start": span("We checked every bolt")[0], "end": span("We checked every bolt")[1],
     "speaker_start": span("Lee added")[0], "speaker_end": span("Lee added")[0] + 3},
    # overlaps, not exact, wrong speaker
    {"start": span("the inspection was rushed")[0], "end": span("the inspection was rushed. The")[1],
     "speaker": "The Council"},
    # a false hit
    {"start": span("approved the budget")[0] + 9, "end": span("approved the budget")[1], "speaker": None},
]}


@pytest.fixture()
def files(tmp_path):
    g, p = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"
    g.write_text(json.dumps(GOLD) + "\n")
    p.write_text(json.dumps(PRED) + "\n")
    return g, p


def ours(g, p):
    preds = read_predictions(str(p))
    return score(match(x, preds.get(x.id, [])) for x in read_gold(str(g))).as_dict()


def test_counts_by_hand(files):
    s = ours(*files)
    c = s["counts"]
    assert (c["gold"], c["pred"], c["match"], c["exact"]) == (4, 4, 3, 2)
    assert (c["gold_src"], c["match_src"], c["src_ok"]) == (3, 3, 2)
    assert (c["gold_direct"], c["match_direct"]) == (1, 1)
    assert s["content_overlap"]["F1"] == pytest.approx(0.75)
    assert s["attribution_e2e"]["P"] == pytest.approx(0.5)
    assert s["attribution_e2e"]["R"] == pytest.approx(2 / 3)


@pytest.mark.skipif(not REFERENCE.exists(), reason="the reference scorer (../shared/tools) is not here")
def test_agrees_with_reference_scorer(files):
    ref = json.loads(subprocess.run([sys.executable, str(REFERENCE), *map(str, files), "--json"],
                                    capture_output=True, text=True, check=True).stdout)
    mine = ours(*files)
    assert mine["counts"] == ref["counts"]
    for key in ref:
        if isinstance(ref[key], dict) and key != "counts":
            for k in ref[key]:
                assert round(mine[key][k], 3) == round(ref[key][k], 3)
        elif key != "counts":
            assert round(mine[key], 3) == round(ref[key], 3)


def test_cli_evaluate_scores_a_predictions_file_and_lists_errors(files):
    g, p = files
    out = subprocess.run([sys.executable, "-m", "onrecord.cli", "evaluate", str(g), "-p", str(p), "--errors"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "FALSE HIT" in out.stdout and "WRONG SPEAKER" in out.stdout
    assert "0.750" in out.stdout  # content overlap F1


def test_cli_evaluate_bad_gold_is_one_line(tmp_path):
    bad = tmp_path / "gold.jsonl"
    bad.write_text('{"text": "x"}\n')
    out = subprocess.run([sys.executable, "-m", "onrecord.cli", "evaluate", str(bad)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert f"{bad}:1:" in out.stderr


def test_a_quote_is_scored_with_its_quotation_marks_as_the_annotation_has_them(find):
    # two halves of one quote around a long description: one span stands for both, and only with its
    # marks (which PolNeAR counts as part of the content) does it overlap the pair by half
    text = ('"Your record is remarkable," Ruiz assured the crowd, after the crowd had assured Ruiz that '
            'most of them backed her. "I will not let you down."')
    first = (0, text.index(' Ruiz assured'))
    second = (text.index('"I will'), len(text))
    cue, ruiz = text.index("assured"), text.index("Ruiz")
    gold = Gold("g", text, [{"content": [first, second], "cue": [[cue, cue + 7]], "source": [[ruiz, ruiz + 4]]}])
    preds = predictions_of(find(text))
    assert text[preds[0].start:preds[0].end] == '"Your record is remarkable,"'
    assert score([match(gold, preds)]).as_dict()["recall_direct"] == 1.0


def test_two_apostrophes_and_british_single_marks_are_scored_as_the_marks_they_are(find):
    # ''old newswire style'' marks are two characters each; 'British' single marks count around a
    # direct quote, while the apostrophe of Hale's is no mark
    text = "''We will not back down,'' Mr. Hale said.\n\n'Not now, not ever,' Ms. Ruiz told Hale's aides."
    spans = [text[p.start:p.end] for p in predictions_of(find(text))]
    assert "''We will not back down,''" in spans and "'Not now, not ever,'" in spans
