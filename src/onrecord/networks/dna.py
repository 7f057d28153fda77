"""The statement table in the Discourse Network Analyzer's variables, for DNA and rDNA users.

One row per statement that takes a side: ``id`` (the quote id), ``date``, ``person``, ``organization``,
``concept``, ``agreement`` (1 for yes, 0 for no, as DNA's boolean qualifier), ``text``. Statements that
take no side have no place in DNA's binary qualifier and are left out (their count is returned).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable

from onrecord.corpus.positions import Statement
from onrecord.output import atomic_file

COLUMNS = ["id", "date", "person", "organization", "concept", "agreement", "text"]


def write(statements: Iterable[Statement], out: str) -> tuple[int, int]:
    """Write the DNA table to ``out`` (whole or not at all); returns (rows written, statements left out)."""
    written = left = 0
    with atomic_file(out) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for s in statements:
            if s.agreement not in ("yes", "no"):
                left += 1
                continue
            w.writerow([s.quote_id, s.date or "", s.actor or "", s.org or "", s.concept,
                        1 if s.agreement == "yes" else 0, " ".join(s.text.split())])
            written += 1
    return written, left
