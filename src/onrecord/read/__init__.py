"""Readers: files, directories and stdin in, Articles (or one-line InputErrors) out.

``iter_articles`` never raises for bad input: each unreadable file or line becomes an InputError in the
stream, so one broken file never costs the rest of a batch.
"""

from __future__ import annotations

import codecs
import gzip
import io
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

__all__ = ["iter_articles", "read_bytes", "MAX_ARTICLE_CHARS", "SUFFIXES"]

SUFFIXES = (".txt", ".jsonl", ".jsonl.gz", ".html", ".htm")


def _kind(name: str) -> str:
    low = name.lower()
    for suffix in SUFFIXES:
        if low.endswith(suffix):
            return suffix
    return ".txt"


_BOMS = [(codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),  # before UTF-16: FF FE 00 00
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]


def unicode_encoding(head: bytes) -> str | None:
    """The UTF-16 or UTF-32 encoding of a text that starts with ``head``: by its byte-order mark, or,
    without one, by the zero bytes that ASCII characters leave in every other byte. None for anything
    else (UTF-8 included)."""
    for bom, enc in _BOMS:
        if head.startswith(bom):
            return enc
    sample = head[:4096]
    if len(sample) < 8 or b"\x00" not in sample:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _decode(data: bytes, path: str) -> str:
    enc = unicode_encoding(data[:4096])
    if enc is not None:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            raise InputError(path, f"looks like {enc.upper()} text but does not decode as it") from None
        return text.lstrip("\ufeff")
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


def read_bytes(name: str, data: bytes) -> Iterator[Article | InputError]:
    """Every article in one input file given as its bytes (a Spark executor reads files so), by the name's
    suffix: the same readers, the same articles and the same errors as reading the file ``name``."""
    kind = _kind(name)
    if kind in (".jsonl", ".jsonl.gz"):
        gz = kind == ".jsonl.gz"
        yield from _read_jsonl_file(name, gz, lambda: gzip.GzipFile(fileobj=io.BytesIO(data)) if gz
                                    else io.BufferedReader(io.BytesIO(data)))
        return
    if len(data) > 4 * MAX_ARTICLE_CHARS:
        yield InputError(name, f"file too large for one article ({len(data):,} bytes; "
                               f"the limit is {MAX_ARTICLE_CHARS:,} characters)")
        return
    yield from read_source(name, data)


def _read_jsonl_file(path: str, gz: bool, opener=None) -> Iterator[Article | InputError]:
    """A JSON Lines file, streamed line by line: the corpus is never held in memory. UTF-8 lines are
    decoded one by one (a bad line costs that line); UTF-16 and UTF-32 files are decoded as a stream.
    ``opener()`` gives the binary stream (default: the file ``path``)."""
    try:
        with (opener() if opener else _open(path, gz)) as fh:
            empty = True
            enc = unicode_encoding(fh.peek(4096)[:4096] if hasattr(fh, "peek") else b"")
            lines = io.TextIOWrapper(fh, encoding=enc, errors="strict") if enc else fh
            for item in parse_jsonl(_lines_of(lines, path), path):
                empty = False
                yield item
            if empty:
                yield InputError(path, "empty file")
    except (OSError, EOFError) as e:
        yield InputError(path, f"not a readable {'gzip ' if gz else ''}file ({e})")
    except _Undecodable as e:
        yield InputError(path, f"does not decode as {e}", e.line)


class _Undecodable(Exception):
    def __init__(self, encoding: str, line: int) -> None:
        super().__init__(encoding.upper())
        self.line = line


def _lines_of(lines, path: str) -> Iterator:
    """The lines of a file, with a decoding error of a UTF-16 stream turned into one error."""
    n = 0
    try:
        for n, line in enumerate(lines, start=1):  # noqa: B007 - n names the line that failed
            yield line.lstrip("\ufeff") if n == 1 and isinstance(line, str) else line
    except UnicodeDecodeError as e:
        raise _Undecodable(e.encoding, n + 1) from None


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


def _expand(paths: Iterable[str]) -> Iterator[str | InputError]:
    """Every file ``paths`` names, directories searched recursively; a directory with no article
    file in it is an InputError, not silence."""
    for p in paths:
        if p != "-" and os.path.isdir(p):
            found = False
            for root, dirs, files in os.walk(p):
                dirs.sort()
                for f in sorted(files):
                    if f.lower().endswith(SUFFIXES) and not f.startswith("."):
                        found = True
                        yield os.path.join(root, f)
            if not found:
                yield InputError(p, f"no article files in this directory (looked for {', '.join(SUFFIXES)})")
        else:
            yield p


def iter_articles(paths: Iterable[str]) -> Iterator[Article | InputError]:
    """Every article in ``paths`` (files, directories searched recursively, ``-`` for stdin).

    Standard input is read as JSON Lines when it starts with ``{``, else as one plain-text article.
    """
    for p in _expand(paths):
        if isinstance(p, InputError):
            yield p
            continue
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
        if isinstance(p, InputError):
            total += 1
            continue
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
