"""Plain-text articles: an optional ``date YYYY-MM-DD`` header, then the body."""

from __future__ import annotations

import re
from datetime import date as _date

from onrecord.errors import InputError
from onrecord.read.limits import check_length
from onrecord.types import Article

# "date 2024-03-01" at the very start, possibly after leading spaces, possibly followed by the first
# sentence on the same line. The header and the whitespace after it are not part of the body.
_HEADER = re.compile(r"\A\s*date[ \t]*:?[ \t]+(\d{4}-\d{2}-\d{2})\b[ \t]*\r?\n?\s*", re.IGNORECASE)


def split_date_header(raw: str, path: str) -> tuple[str | None, str]:
    m = _HEADER.match(raw)
    if not m:
        return None, raw
    try:
        _date.fromisoformat(m.group(1))
    except ValueError:
        raise InputError(path, f"date header {m.group(1)!r} is not a valid date (use YYYY-MM-DD)") from None
    return m.group(1), raw[m.end():]


def parse_text(raw: str, path: str) -> Article:
    date, body = split_date_header(raw, path)
    if not body.strip():
        raise InputError(path, "no article text (the file is empty or holds only a date header)")
    check_length(body, path)
    return Article(text=body, date=date, source=path)
