"""Who published an article: the outlet the input names, else the host of its URL."""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_CHARS = 200


def outlet(named: object, url: str | None) -> str | None:
    """``named`` (an input's ``outlet`` or ``publisher`` field) as given, else the host of ``url`` without
    ``www.`` ("https://www.example.org/a" -> "example.org"); None when neither says."""
    if named is not None and str(named).strip():
        return " ".join(str(named).split())[:MAX_CHARS]
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:  # an unparseable URL ("http://[::1") names no outlet
        return None
    if not host or "." not in host:
        return None
    return host.removeprefix("www.")[:MAX_CHARS]
