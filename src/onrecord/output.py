"""Writers for extraction results: table (rich), jsonl, json, csv. Each streams article by article."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from onrecord.errors import OnrecordError
from onrecord.types import Result

FORMATS = ("table", "jsonl", "json", "csv")
CSV_COLUMNS = ["article_id", "date", "quote_id", "kind", "question", "speaker", "speaker_mention", "via",
               "cue", "quote", "start", "end", "parent"]


class Writer:
    def __init__(self, fmt: str, out: IO[str]) -> None:
        self.fmt, self.out, self.count = fmt, out, 0
        self._csv = None
        self._console = None
        if fmt == "csv":
            self._csv = csv.writer(out)
            self._csv.writerow(CSV_COLUMNS)
        elif fmt == "json":
            out.write("[")
        elif fmt == "table":
            from rich.console import Console

            self._console = Console(file=out, highlight=False, soft_wrap=False)

    def write(self, result: Result) -> None:
        self.count += 1
        if self.fmt == "jsonl":
            self.out.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
        elif self.fmt == "json":
            self.out.write(("\n" if self.count == 1 else ",\n")
                           + json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        elif self.fmt == "csv":
            a = result.article
            for q in result.quotes:
                sp = q.speaker
                self._csv.writerow([a.id or a.source, a.date, q.id, q.kind, q.question,  # type: ignore[union-attr]
                                    sp.name if sp else None, sp.mention if sp else None,
                                    sp.via if sp else None, q.cue.text if q.cue else None,
                                    q.text, q.start, q.end, q.parent])
        else:
            self._table(result)

    def _table(self, result: Result) -> None:
        from rich.table import Table

        a = result.article
        title = " · ".join(x for x in (a.id or a.source, a.date, a.title) if x)
        table = Table(title=title or None, show_lines=True, expand=True)
        table.add_column("id", no_wrap=True, style="dim")
        table.add_column("speaker", min_width=16, max_width=24)
        table.add_column("cue", overflow="fold")  # cues are short: sized to fit them
        table.add_column("quote", ratio=1)
        table.add_column("kind", no_wrap=True, min_width=8)
        for q in result.quotes:
            sp = q.speaker
            who = "—"
            if sp:
                who = sp.name or sp.mention
                if sp.name and sp.mention != sp.name:
                    who += f"\n[dim]{sp.mention} ({sp.via})[/dim]"
            kind = q.kind + ("\nquestion" if q.question else "") + (f"\nin {q.parent}" if q.parent else "")
            table.add_row(q.id, who, q.cue.text if q.cue else "—", q.text, kind)
        if not result.quotes:
            table.add_row("", "—", "—", "[dim]no quotes found[/dim]", "")
        self._console.print(table)  # type: ignore[union-attr]

    def article(self, result: Result) -> None:
        """The article's text with its quotes highlighted (tagged with their ids) and speaker mentions
        underlined, then the table of quotes (table format only)."""
        from rich.text import Text

        text = result.article.text
        marked = Text(text)
        for q in result.quotes:
            if q.parent is None:
                marked.stylize("bold cyan", q.start, q.end)
            if q.speaker and 0 <= q.speaker.start < q.speaker.end <= len(text):
                marked.stylize("underline yellow", q.speaker.start, q.speaker.end)
        # ids go in after the styling so that offsets stay those of the article
        for q in sorted((q for q in result.quotes if q.parent is None), key=lambda q: q.start, reverse=True):
            marked = marked[:q.start] + Text(f"[{q.id}]", style="dim") + marked[q.start:]
        self._console.print(marked)  # type: ignore[union-attr]
        self._console.print()  # type: ignore[union-attr]
        self._table(result)

    def close(self) -> None:
        if self.fmt == "json":
            self.out.write("\n]\n" if self.count else "]\n")
        self.out.flush()


@contextmanager
def atomic_file(out: str) -> Iterator[str]:
    """A temporary path beside ``out`` that becomes ``out`` when the block ends without an error."""
    folder = os.path.dirname(os.path.abspath(out))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(out)}.", suffix=".part", dir=folder)
    except OSError as e:
        raise OnrecordError(f"cannot write {out}: {e.strerror or e}") from None
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # as a file opened for writing would be, not mkstemp's 0600
    try:
        yield tmp
        os.replace(tmp, out)
    except OSError as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OnrecordError(f"cannot write {out}: {e.strerror or e}; nothing was written") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
