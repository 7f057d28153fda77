"""Limits every reader enforces, so a bad input gets a message instead of exhausting memory."""

from __future__ import annotations

from onrecord.errors import InputError

# Longer articles (a novel, a log file pasted as one article) are refused with a message.
MAX_ARTICLE_CHARS = 1_000_000


def check_length(text: str, path: str, line: int | None = None) -> None:
    if len(text) > MAX_ARTICLE_CHARS:
        raise InputError(path, f"article too long ({len(text):,} characters; the limit is "
                               f"{MAX_ARTICLE_CHARS:,})", line)
