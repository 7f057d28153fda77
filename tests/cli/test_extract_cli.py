"""The extract command as a user runs it: a subprocess, real files, exit codes."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "briefing.txt"


def onrecord(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "onrecord.cli", *map(str, args)], input=stdin,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def sample_json():
    p = onrecord("extract", SAMPLE, "--format", "jsonl", "--jobs", "1")
    assert p.returncode == 0, p.stderr
    (obj,) = [json.loads(line) for line in p.stdout.splitlines()]
    return obj


def test_jsonl_contract_and_offsets(sample_json):
    obj = sample_json
    assert obj["date"] == "2026-03-02"
    assert set(obj) >= {"id", "date", "title", "text", "quotes", "entities"}
    text = obj["text"]
    assert text.startswith("NATO Secretary General")  # the date header is not part of the text
    for q in obj["quotes"]:
        assert text[q["start"]:q["end"]] == q["text"]
        assert set(q) >= {"id", "kind", "question", "text", "start", "end", "speaker", "cue", "parent"}
    names = {q["speaker"]["name"] for q in obj["quotes"] if q["speaker"]}
    assert {"Jens Stoltenberg", "Antony Blinken"} <= names
    (jens,) = [e for e in obj["entities"] if e["name"] == "Jens Stoltenberg"]
    assert jens["titles"] == ["Secretary General"] and jens["orgs"] == ["NATO"]
    vias = {q["speaker"]["via"] for q in obj["quotes"] if q["speaker"]}
    assert {"name", "pronoun", "title", "context"} <= vias


def test_jsonl_input_keeps_id_and_text(tmp_path):
    f = tmp_path / "in.jsonl"
    text = "Mayor Lina Ortiz said the bridge was safe.\n\n“We checked every bolt,” Ortiz added."
    f.write_text(json.dumps({"id": "art-7", "date": "2026-01-05", "text": text}) + "\n")
    p = onrecord("extract", f, "-f", "jsonl", "-j", "1")
    (obj,) = [json.loads(line) for line in p.stdout.splitlines()]
    assert obj["id"] == "art-7" and obj["text"] == text
    assert [q["kind"] for q in obj["quotes"]] == ["indirect", "direct"]


def test_nested_attributions_only_with_the_flag(tmp_path):
    f = tmp_path / "answer.txt"
    f.write_text("Mayor Jon Ruiz took questions.\n\nRuiz responded:\n\n"
                 "We discussed the repairs. As the governor said, every town will get help before winter.\n")
    plain = onrecord("extract", f, "-f", "jsonl", "-j", "1")
    nested = onrecord("extract", f, "-f", "jsonl", "-j", "1", "--nested")
    assert plain.returncode == 0 and nested.returncode == 0, plain.stderr + nested.stderr
    (without,), (with_,) = ([json.loads(line) for line in p.stdout.splitlines()] for p in (plain, nested))
    assert not any(q["parent"] for q in without["quotes"])
    (inner,) = [q for q in with_["quotes"] if q["parent"]]
    assert inner["speaker"]["mention"] == "the governor"
    assert inner["parent"] in {q["id"] for q in with_["quotes"]}


def test_bad_input_is_one_line_and_the_batch_goes_on(tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"\x00\x00binary")
    (tmp_path / "lines.jsonl").write_text('{"text": "Ann Lee said it rained."}\n{broken\n')
    (tmp_path / "good.txt").write_text("Tom Reed said the game was over.")
    p = onrecord("extract", tmp_path, "-f", "jsonl", "-j", "2")
    assert p.returncode == 1
    assert "Traceback" not in p.stderr
    errors = [ln for ln in p.stderr.splitlines() if ln.startswith("onrecord: skipped ")]
    assert len(errors) == 2
    assert any("bad.txt: binary file" in e for e in errors)
    assert any("lines.jsonl:2: malformed JSON" in e for e in errors)
    speakers = [json.loads(ln)["quotes"][0]["speaker"]["name"] for ln in p.stdout.splitlines()]
    assert sorted(speakers) == ["Ann Lee", "Tom Reed"]


def test_stdin_csv_and_json(tmp_path):
    text = "Coach Ben Hall said the team was tired."
    p = onrecord("extract", "-", "-f", "csv", "-j", "1", stdin=text)
    assert p.returncode == 0, p.stderr
    rows = list(csv.DictReader(io.StringIO(p.stdout)))
    assert rows[0]["speaker"] == "Ben Hall" and rows[0]["quote"] == "the team was tired"
    p = onrecord("extract", "-", "-f", "json", "-j", "1", stdin=json.dumps({"id": "s", "text": text}))
    (obj,) = json.loads(p.stdout)
    assert obj["id"] == "s"


def test_table_output_and_jobs_give_the_same_quotes(sample_json):
    p = onrecord("extract", SAMPLE, "-f", "table", "-j", "1")
    assert p.returncode == 0 and "Stoltenberg" in p.stdout
    p2 = onrecord("extract", SAMPLE, SAMPLE, "-f", "jsonl", "-j", "2")
    objs = [json.loads(line) for line in p2.stdout.splitlines()]
    assert [o["quotes"] for o in objs] == [sample_json["quotes"]] * 2


def test_unwritable_output_is_one_line(tmp_path):
    p = onrecord("extract", SAMPLE, "-o", tmp_path / "missing" / "out.jsonl", "-j", "1")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "cannot write" in p.stderr


def test_usage_errors():
    assert onrecord("extract").returncode == 2
    p = onrecord("extract", SAMPLE, "--jobs", "0")
    assert p.returncode == 2 and "--jobs" in p.stderr
    p = onrecord("extract", "/no/such/file.txt")
    assert p.returncode == 1 and "no such file" in p.stderr


def test_rules_flag_lets_the_rules_decide_alone(sample_json):
    p = onrecord("extract", SAMPLE, "--format", "jsonl", "--jobs", "1", "--rules")
    assert p.returncode == 0, p.stderr
    (rules,) = [json.loads(line) for line in p.stdout.splitlines()]
    hows = {q["speaker"]["name"] for q in rules["quotes"] if q["speaker"]}
    assert {"Jens Stoltenberg", "Antony Blinken"} <= hows
    # the tagger's confidence is its own (a mean marginal), the rules' that of their logistic model
    assert [q["confidence"] for q in rules["quotes"]] != [q["confidence"] for q in sample_json["quotes"]]
    assert "--rules" in onrecord("extract", "--help").stdout
