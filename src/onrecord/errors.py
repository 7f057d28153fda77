"""One exception hierarchy. The CLI prints any OnrecordError as a single line, never a traceback."""

from __future__ import annotations


class OnrecordError(Exception):
    """Base class of every error onrecord raises on purpose."""


class InputError(OnrecordError):
    """An input (a file, or one line of it) that cannot be read as an article."""

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.reason = reason
        super().__init__(str(self))

    def __reduce__(self):  # survive the trip to and from worker processes
        return (type(self), (self.path, self.reason, self.line))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}"


class NotFound(OnrecordError):
    """A query named something the corpus does not have (a speaker, an article)."""


class ModelError(OnrecordError):
    """A model onrecord needs (the spaCy pipeline, the accurate tagger or its encoder) is missing or broken."""
