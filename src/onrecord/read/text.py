"""Plain-text articles: an optional date header (``date YYYY-MM-DD``), then the body."""

from __future__ import annotations

import re

from onrecord.errors import InputError
from onrecord.read.dates import NotADate, parse_date
from onrecord.read.limits import check_length
from onrecord.types import Article

# "date 2024-03-01" at the very start, possibly after leading spaces, possibly followed by the first
# sentence on the same line; or a line of its own, "date: March 3, 2026", whose value is a whole date.
# The header and the whitespace after it are not part of the body. (Linear: one optional run each.)
_AFTER_DATE = r"(?:[ \t]*+:[ \t]*+|[ \t]++)"  # "date: " or "date "
_ISO_HEADER = re.compile(rf"\A\s*+date{_AFTER_DATE}(\d{{4}}-\d{{2}}-\d{{2}})\b[ \t]*+\r?\n?\s*+", re.IGNORECASE)
_LINE_HEADER = re.compile(rf"\A\s*+date{_AFTER_DATE}([^\n]{{1,64}}?)[ \t]*+\r?\n\s*+", re.IGNORECASE)


def split_date_header(raw: str, path: str) -> tuple[str | None, str, list[str]]:
    """(date, body, warnings): a header with a date that is not a valid one ("date 2026-13-45") is
    removed, and the article kept without a date and with a warning."""
    m = _ISO_HEADER.match(raw)
    if m is None:
        m = _LINE_HEADER.match(raw)
        if m is None:
            return None, raw, []
        try:
            when = parse_date(m.group(1))
        except NotADate:
            return None, raw, []  # "Date night at the White House": not a header at all
        return when, raw[m.end():], []
    try:
        return parse_date(m.group(1)), raw[m.end():], []
    except NotADate as e:
        return None, raw[m.end():], [f"{e} in the date header; kept without a date"]


def parse_text(raw: str, path: str) -> Article:
    date, body, warnings = split_date_header(raw, path)
    if not body.strip():
        raise InputError(path, "no article text (the file is empty or holds only a date header)")
    check_length(body, path)
    return Article(text=body, date=date, source=path, warnings=warnings)
