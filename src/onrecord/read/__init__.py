"""Readers: files, directories and stdin in, Articles (or one-line InputErrors) out.

``iter_articles`` never raises for bad input: each unreadable file or line becomes an InputError in the
stream, so one broken file never costs the rest of a batch.
"""

from __future__ import annotations

import gzip
import itertools
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from onrecord.errors import InputError
from onrecord.read.html import parse_html
from onrecord.read.jsonl import parse_jsonl
from onrecord.read.limits import MAX_ARTICLE_CHARS
from onrecord.read.text import parse_text
from onrecord.types import Article

__all__ = ["iter_articles", "MAX_ARTICLE_CHARS", "SUFFIXES"]

SUFFIXES = (".txt", ".jsonl", ".jsonl.gz", ".html", ".htm")


def _kind(name: str) -> str:
    low = name.lower()
    for suffix in SUFFIXES:
        if low.endswith(suffix):
            return suffix
    return ".txt"


def _decode(data: bytes, path: str) -> str:
    if b"\x00" in data[:8192]:
        raise InputError(path, "binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(path, f"not UTF-8 text (undecodable byte at offset {e.start}); "
                               "convert it with iconv first") from None


def read_source(name: str, data: bytes) -> Iterator[Article | InputError]:
    """The one article in a text or HTML file's bytes (JSON Lines are streamed: _read_jsonl_file)."""
    try:
        if not data.strip():
            raise InputError(name, "empty file")
        raw = _decode(data, name)
        yield parse_html(raw, name) if _kind(name) in (".html", ".htm") else parse_text(raw, name)
    except InputError as e:
        yield e


def _open(path: str, gz: bool):
    return gzip.open(path, "rb") if gz else open(path, "rb")  # noqa: SIM115


def _read_jsonl_file(path: str, gz: bool) -> Iterator[Article | InputError]:
    """A JSON Lines file, streamed line by line: the corpus is never held in memory."""
    try:
        with _open(path, gz) as fh:
            empty = True
            for item in parse_jsonl(fh, path):
                empty = False
                yield item
            if empty:
                yield InputError(path, "empty file")
    except (OSError, EOFError) as e:
        yield InputError(path, f"not a readable {'gzip ' if gz else ''}file ({e})")


def _read_file(path: str) -> Iterator[Article | InputError]:
    kind = _kind(path)
    if kind in (".jsonl", ".jsonl.gz"):
        yield from _read_jsonl_file(path, kind == ".jsonl.gz")
        return
    # one article per file: refuse a file far over the article limit before reading it
    if os.path.getsize(path) > 4 * MAX_ARTICLE_CHARS:
        yield InputError(path, f"file too large for one article ({os.path.getsize(path):,} bytes; "
                               f"the limit is {MAX_ARTICLE_CHARS:,} characters)")
        return
    yield from read_source(path, Path(path).read_bytes())


def _expand(paths: Iterable[str]) -> Iterator[str]:
    for p in paths:
        if p != "-" and os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs.sort()
                for f in sorted(files):
                    if f.lower().endswith(SUFFIXES) and not f.startswith("."):
                        yield os.path.join(root, f)
        else:
            yield p


def iter_articles(paths: Iterable[str]) -> Iterator[Article | InputError]:
    """Every article in ``paths`` (files, directories searched recursively, ``-`` for stdin).

    Standard input is read as JSON Lines when it starts with ``{``, else as one plain-text article.
    """
    for p in _expand(paths):
        if p == "-":
            yield from _read_stdin()
            continue
        if not os.path.exists(p):
            yield InputError(p, "no such file or directory")
            continue
        try:
            yield from _read_file(p)
        except OSError as e:
            yield InputError(p, f"cannot read ({e.strerror or e})")


def count_articles(paths: Iterable[str]) -> int | None:
    """How many articles ``paths`` hold, cheaply (lines of JSON Lines, one per other file), for a
    progress bar's total; None when it cannot be known in advance (stdin)."""
    total = 0
    for p in _expand(paths):
        if p == "-":
            return None
        kind = _kind(p)
        try:
            if kind in (".jsonl", ".jsonl.gz"):
                with _open(p, kind == ".jsonl.gz") as fh:
                    total += sum(1 for line in fh if line.strip())
            else:
                total += 1
        except (OSError, EOFError):
            total += 1  # it will be reported as an error, which also counts
    return total


def _read_stdin() -> Iterator[Article | InputError]:
    """JSON Lines (streamed) when stdin starts with "{", else one plain-text article."""
    stream = sys.stdin.buffer
    head = stream.readline()
    if head.lstrip()[:1] == b"{":
        yield from parse_jsonl(itertools.chain([head], stream), "<stdin>")
    else:
        yield from read_source("<stdin>", head + stream.read())
