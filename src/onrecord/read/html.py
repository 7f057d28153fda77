"""HTML pages: the article body, title and date extracted with trafilatura."""

from __future__ import annotations

from onrecord.errors import InputError
from onrecord.read.dates import NotADate, parse_date
from onrecord.read.limits import check_length
from onrecord.read.outlet import outlet
from onrecord.types import Article


def parse_html(raw: str, path: str) -> Article:
    import logging

    import trafilatura  # imported here: it is slow to import and only HTML needs it

    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    doc = trafilatura.bare_extraction(raw, with_metadata=True, include_comments=False,
                                      include_tables=False, favor_precision=True)
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or not text.strip():
        raise InputError(path, "no article text found in this HTML page")
    check_length(text, path)
    title = getattr(doc, "title", None) or None
    url = getattr(doc, "url", None) or None
    warnings = []
    try:
        date = parse_date(getattr(doc, "date", None) or None)
    except NotADate as e:
        date = None
        warnings.append(f"{e}; kept without a date")
    return Article(text=text, date=date, title=title, url=url, source=path, warnings=warnings,
                   outlet=outlet(getattr(doc, "sitename", None), url))
