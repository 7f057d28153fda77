"""Writing a benchmark's section into docs/benchmarks.md: each benchmark owns the text between its two
markers, so re-running one leaves the others' figures as they are."""

from __future__ import annotations

from pathlib import Path


def write_section(path: str | Path, report: str, start: str, end: str, after: str | None = None) -> None:
    """Put ``report`` (it begins with ``start`` and ends with ``end``) into the Markdown file ``path``: in
    place of the section it wrote before, else just after the marker ``after``, else at the end (a file
    that does not exist yet is begun with a title)."""
    p = Path(path)
    old = p.read_text() if p.exists() else "# Benchmarks\n"
    if start in old and end in old:
        new = old[:old.index(start)] + report + old[old.index(end) + len(end):]
    elif after is not None and after in old:
        i = old.index(after) + len(after)
        new = old[:i] + "\n\n" + report + old[i:]
    else:
        new = old.rstrip() + "\n\n" + report + "\n"
    p.write_text(new)
