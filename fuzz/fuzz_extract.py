"""A coverage-guided fuzz target (atheris, libFuzzer) over the readers and the whole extractor.

    make fuzz                       # FUZZ_SECONDS=300 by default
    .venv/bin/python fuzz/fuzz_extract.py -max_total_time=600 fuzz/corpus

Each input is read as a file would be (bytes -> Article or one InputError) and, when it reads as an
article, extracted; the target fails on any exception, on an offset that does not index the text, and on
an input that takes more than -timeout seconds (libFuzzer's own limit, set in the Makefile). Inputs that
found new code paths are kept in fuzz/corpus/ (not committed); crashes are written as crash-* files.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["onrecord"]):
    from onrecord.analyze.pipeline import Extractor
    from onrecord.errors import InputError
    from onrecord.read import read_source
    from onrecord.read.jsonl import parse_jsonl

EXTRACTOR = Extractor()
SEEDS = [
    "“We are ready,” said Mayor Lina Ortiz.",
    "NATO Secretary General Jens Stoltenberg said on Monday that the alliance would not act. “NATO is not "
    "part of this conflict,” said Stoltenberg.\n\nHe told reporters that allies were ready.",
    "'We will not back down,' Mr Hale told the conference. 'Not now, not ever.'",
    "SECRETARY BLINKEN: There is no plan.\n\nQ: Will the summit move?\n\nMR. PRICE: No.",
    "Sanders: Clinton needs to answer.\n\nSanders said the race was close.",
    '{"id": "a", "date": "March 3, 2026", "text": "Ann Lee said it rained."}\n',
]


def check(result, text: str) -> None:
    for q in result.quotes:
        assert text[q.start:q.end] == q.text, (q.start, q.end)
        if q.speaker:
            assert text[q.speaker.start:q.speaker.end] == q.speaker.mention
        if q.cue:
            assert text[q.cue.start:q.cue.end] == q.cue.text
    for e in result.entities:
        assert all(0 <= a < b <= len(text) for a, b in e.mentions)


def one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    mode = fdp.ConsumeIntInRange(0, 2)
    rest = fdp.ConsumeBytes(len(data))
    if mode == 0:  # a text file
        items = list(read_source("fuzz.txt", rest))
    elif mode == 1:  # JSON Lines
        items = list(parse_jsonl(rest.splitlines(keepends=True), "fuzz.jsonl"))
    else:  # text handed to the library directly
        text = rest.decode("utf-8", "replace")
        check(EXTRACTOR.extract(text), text)
        return
    for item in items:
        if isinstance(item, InputError):
            assert "\n" not in str(item)
            continue
        check(EXTRACTOR.extract(item), item.text)


def main() -> None:
    args = sys.argv
    corpus = [a for a in args[1:] if not a.startswith("-")]
    if corpus:
        from pathlib import Path

        seeds = Path(corpus[0])
        seeds.mkdir(parents=True, exist_ok=True)
        for i, s in enumerate(SEEDS):
            for mode in (0, 1, 2):
                (seeds / f"seed-{i}-{mode}").write_bytes(bytes([mode]) + s.encode())
    atheris.Setup(args, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
