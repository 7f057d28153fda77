"""JSON Lines: one article per line with ``text`` and optional id, date, title, url, outlet (or publisher)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator

from onrecord.errors import InputError
from onrecord.read.dates import NotADate, parse_date
from onrecord.read.limits import check_length
from onrecord.read.outlet import outlet
from onrecord.types import Article

_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_jsonl(lines: Iterable[str | bytes], path: str) -> Iterator[Article | InputError]:
    """Yield one Article per line, or an InputError naming the line; never stops at a bad line.
    ``lines`` may be bytes (a UTF-8 file read line by line): each line is decoded on its own. A ``date``
    that is not a date leaves the article without one, with a warning (read/dates.py)."""
    for n, line in enumerate(lines, start=1):
        if isinstance(line, bytes):
            if n == 1 and b"\x00" in line:
                yield InputError(path, "binary file, not JSON Lines")
                return
            try:
                line = line.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError as e:
                yield InputError(path, f"not UTF-8 text (undecodable byte at column {e.start + 1})", n)
                continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            yield InputError(path, f"malformed JSON ({e.msg} at column {e.colno})", n)
            continue
        if not isinstance(obj, dict):
            yield InputError(path, "expected a JSON object with a \"text\" field", n)
            continue
        text = obj.get("text")
        if not isinstance(text, str) or not text.strip():
            yield InputError(path, "no \"text\" field with article text", n)
            continue
        try:
            check_length(text, path, n)
        except InputError as e:
            yield e
            continue
        warnings = []
        if _SURROGATE.search(text):
            # "\ud800" in JSON is half of a UTF-16 pair: no character, and it cannot be stored or written
            # as UTF-8; each becomes U+FFFD, so the text keeps its length
            count = len(_SURROGATE.findall(text))
            text = _SURROGATE.sub("\ufffd", text)
            warnings.append(f"{count} lone surrogate escape(s) in the text replaced by U+FFFD")
        fields = {k: None if obj.get(k) is None else _SURROGATE.sub("\ufffd", str(obj[k]))
                  for k in ("id", "title", "url")}
        named = obj.get("outlet") if obj.get("outlet") is not None else obj.get("publisher")
        fields["outlet"] = outlet(None if named is None else _SURROGATE.sub("\ufffd", str(named)), fields["url"])
        try:
            fields["date"] = parse_date(obj.get("date"))
        except NotADate as e:
            fields["date"] = None
            warnings.append(f"{e}; kept without a date")
        yield Article(text=text, source=f"{path}:{n}", warnings=warnings, **fields)
