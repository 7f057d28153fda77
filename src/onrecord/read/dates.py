"""One rule for every date an input gives: read it with a maintained parser, store it as ISO.

``parse_date`` accepts ISO dates and timestamps ("2026-03-03", "2026-03-03T23:30:00-05:00": the date as
written, not converted to another time zone) and the dates people write ("March 3, 2026", "3 March
2026", "Mar. 3, 2026"; numeric day/month orders are read month first, as in US news: "03/04/2026" is
4 March), with python-dateutil. A value that is not a whole date (a bare number, a month without a
day, "2026-13-45", a list) is no date: the article is kept with ``date`` null, and the reader says so in
one warning line (``Article.warnings``).
"""

from __future__ import annotations

import re
from datetime import date, datetime

_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.]{2,15}(?:Z|[+-]\d{2}:?\d{2})?)?")
_TWO_DEFAULTS = (datetime(2000, 1, 1), datetime(2001, 2, 2))
MAX_DATE_CHARS = 64


class NotADate(ValueError):
    pass


def parse_date(value: object) -> str | None:
    """The ISO date (YYYY-MM-DD) that ``value`` gives, None for no value; NotADate when it gives none."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise NotADate(f"date {value!r} is not a date (write it as text: \"2026-03-02\")")
    s = value.strip()
    if not s:
        return None
    m = _ISO.fullmatch(s)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            raise NotADate(f"date {value!r} is not a valid date") from None
    if len(s) > MAX_DATE_CHARS or not re.search(r"\d", s) or s.isdigit():
        raise NotADate(f"date {value!r} is not a date")
    from dateutil import parser

    try:
        # a text that lacks the day, the month or the year takes it from the default: read with two
        # different defaults, a whole date comes out the same
        a, b = (parser.parse(s, default=d, ignoretz=True).date() for d in _TWO_DEFAULTS)
    except (ValueError, OverflowError):
        raise NotADate(f"date {value!r} is not a date") from None
    if a != b:
        raise NotADate(f"date {value!r} is not a whole date (day, month and year)")
    return a.isoformat()
