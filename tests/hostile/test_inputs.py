"""What real archives contain, generated here: every input ends in bounded time with valid offsets.

Each case runs through the whole extractor under a wall-clock guard (pytest-timeout). The guard is
generous: these inputs take well under a second each when the code is linear; it catches hangs, it is
not a speed test (speed per size is in `make bench`).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

GUARD = 60  # seconds


def check(result, text: str) -> None:
    ids = {q.id for q in result.quotes}
    for q in result.quotes:
        assert 0 <= q.start <= q.end <= len(text) and text[q.start:q.end] == q.text
        assert q.parent is None or q.parent in ids
        if q.speaker:
            assert text[q.speaker.start:q.speaker.end] == q.speaker.mention
        if q.cue:
            assert text[q.cue.start:q.cue.end] == q.cue.text
    for e in result.entities:
        assert all(0 <= a < b <= len(text) for a, b in e.mentions)


def reported(sep: str, n: int) -> str:
    """The reliability issue's paragraph: a converted fraction with runs of a separator around it."""
    return ("Even before the vote, the mayor made it clear that she intended to fight, when she held a 2"
            + sep * n + "1/2" + sep * n + "-hour hearing with four residents who claimed they had been "
            "ignored by the council.")


SEPARATORS = {"spaces": " ", "tabs": "\t", "no-break spaces": "\xa0", "hyphens": "-", "em dashes": "—",
              "commas": ",", "semicolons": ";", "colons": ":", "zero-width spaces": "\u200b",
              "line breaks": "\n", "full stops": ".", "mixed": " ,-\t"}


@pytest.mark.timeout(GUARD)
@pytest.mark.parametrize("name", list(SEPARATORS))
def test_runs_of_separators_inside_a_reported_clause(extractor, name):
    sep = SEPARATORS[name]
    for n in (30, 5_000):
        text = reported(sep, n)
        result = extractor.extract(text)
        check(result, text)
        if (sep.isspace() and sep != "\n") or sep == "\u200b":
            # a run of spaces reads as one space, a run of zero-width spaces as none (analyze/normalize.py):
            # the same quotes, with the same cues and speakers
            one = extractor.extract(reported("", 0) if sep == "\u200b" else reported(" ", 1))
            assert [(q.kind, q.cue and q.cue.text, q.speaker and q.speaker.mention) for q in result.quotes] \
                == [(q.kind, q.cue and q.cue.text, q.speaker and q.speaker.mention) for q in one.quotes]


ADVERSARIAL = {
    "10,000 straight marks": '"' * 10_000,
    "10,000 curly opening marks": "“" * 10_000,
    "alternating curly marks": "“a” " * 2_500,
    "alternating curly and single marks": "“ ' ” ' " * 1_250,
    "unclosed quotations": "The mayor said “we will win " * 400,
    "a 200,000-character line without spaces": "a" * 200_000,
    "a cue word repeated without spaces": "said" * 25_000,
    "deeply nested brackets": "(" * 20_000 + "Ann Lee said it rained." + ")" * 20_000,
    "deeply nested quotation marks": "“‘" * 5_000 + "We will win," + "’”" * 5_000 + " said Ann Lee.",
    "every word a cue": "said " * 4_000,
    "a long token of punctuation after a cue": "Ann Lee said " + "!?" * 50_000,
    "a quotation of 100,000 characters": "“" + "We will win. " * 7_700 + "” said Ann Lee.",
    "marks of every style at once": "«„‚‘“”’‛‟»‹›\"'" * 3_000,
    "a single paragraph of 200,000 characters": "Ann Lee said the bridge was safe, and " * 5_300,
    "control characters": "".join(chr(c) for c in range(32)) * 300 + " Ann Lee said it rained.",
    "surrogates and private use": "\ud800\udfff\ue000 Ann Lee said it rained. " * 1_000,
}


@pytest.mark.timeout(GUARD)
@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_adversarial_articles(extractor, name):
    text = ADVERSARIAL[name]
    check(extractor.extract(text), text)


def onrecord(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "onrecord.cli", *map(str, args)], input=stdin,
                          capture_output=True, text=True, timeout=GUARD)


@pytest.mark.timeout(GUARD)
def test_bad_inputs_are_one_line_each_and_the_batch_goes_on(tmp_path):
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "latin1.txt").write_bytes("Le maire a dit que c'était fini.".encode("latin-1"))
    (tmp_path / "utf16.txt").write_bytes("“We are ready,” said Mayor Lina Ortiz.".encode("utf-16"))
    (tmp_path / "utf16-no-bom.txt").write_bytes("Ann Lee said it rained.".encode("utf-16-le"))
    (tmp_path / "too-long.txt").write_text("Ann Lee said it rained. " * 42_000)
    (tmp_path / "whitespace.txt").write_text(" \t\n" * 1000)
    (tmp_path / "broken.jsonl").write_text('{"text": "Ann Lee said it rained."}\n{"text": \n[1, 2]\n'
                                           '{"text": 5}\n{"id": "ok", "text": "Tom Reed said so."}\n')
    (tmp_path / "hostile.html").write_text(
        "<html><head><title>x</title><script>alert(1)</script></head><body>"
        + "<div>" * 3000 + "<p>“We are ready,” said Mayor Lina Ortiz.</p>" + "</div>" * 3000
        + '<img src=x onerror="alert(1)">' + "</body></html>")
    (tmp_path / "good.txt").write_text("Tom Reed said the game was over.")
    p = onrecord("extract", tmp_path, "-f", "jsonl", "-j", "2")
    assert p.returncode == 1, p.stderr
    assert "Traceback" not in p.stderr
    errors = [line for line in p.stderr.splitlines() if line.startswith("onrecord: skipped ")]
    by_file = {line.split("skipped ", 1)[1].split(":", 1)[0].rsplit("/", 1)[-1]: line for line in errors}
    assert "binary file" in by_file["binary.txt"]
    assert "not UTF-8" in by_file["latin1.txt"]
    assert "too long" in by_file["too-long.txt"]
    assert "empty" in by_file["whitespace.txt"] or "no article text" in by_file["whitespace.txt"]
    assert sum("broken.jsonl" in line for line in errors) == 3
    assert "utf16.txt" not in by_file and "utf16-no-bom.txt" not in by_file
    texts = [json.loads(line)["text"] for line in p.stdout.splitlines()]
    assert "Tom Reed said the game was over." in texts and "Ann Lee said it rained." in texts
    assert "“We are ready,” said Mayor Lina Ortiz." in texts
    speakers = {q["speaker"]["name"] for line in p.stdout.splitlines() for q in json.loads(line)["quotes"]
                if q["speaker"]}
    assert "Lina Ortiz" in speakers  # the UTF-16 file and the page inside 3,000 divs


@pytest.mark.timeout(GUARD)
def test_the_issue_paragraph_finishes_at_once_from_the_command_line(tmp_path):
    f = tmp_path / "fraction.txt"
    f.write_text(reported(" ", 29))
    p = onrecord("extract", f, "-f", "jsonl", "-j", "1")
    assert p.returncode == 0, p.stderr
    (obj,) = [json.loads(line) for line in p.stdout.splitlines()]
    assert obj["quotes"] and all(obj["text"][q["start"]:q["end"]] == q["text"] for q in obj["quotes"])
    # what the rules make of it (the tagger reads it as the residents' claim: docs/accuracy.md)
    p = onrecord("extract", f, "-f", "jsonl", "-j", "1", "--rules")
    assert p.returncode == 0, p.stderr
    (obj,) = [json.loads(line) for line in p.stdout.splitlines()]
    assert [q["speaker"]["mention"] for q in obj["quotes"]] == ["the mayor"]


@pytest.mark.timeout(GUARD)
def test_an_article_over_the_time_budget_is_abandoned_and_the_batch_goes_on(tmp_path):
    slow = tmp_path / "b-slow.txt"
    slow.write_text("“We will win,” said Ann Lee. " * 8_000)  # a few seconds of work
    (tmp_path / "a-quick.txt").write_text("Tom Reed said the game was over.")
    (tmp_path / "c-quick.txt").write_text("Lena Berg said the road was closed.")
    p = onrecord("extract", tmp_path, "-f", "jsonl", "-j", "1", "--timeout", "0.5")
    assert p.returncode == 1
    lost = [line for line in p.stderr.splitlines() if line.startswith("onrecord: skipped")]
    assert lost == [f"onrecord: skipped {slow}: abandoned after 0.5 s (the time budget per article; "
                    "see --timeout)"]
    assert [json.loads(line)["source"].rsplit("/", 1)[-1] for line in p.stdout.splitlines()] \
        == ["a-quick.txt", "c-quick.txt"]
