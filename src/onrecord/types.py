"""The data model shared by every stage, and its JSON form (the public contract).

All offsets are Python character offsets into the article ``text`` as stored, so for every quote
``text[quote.start:quote.end] == quote.text``; the same holds for speakers, cues and entity mentions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

QuoteKind = Literal["direct", "block", "indirect", "mixed"]
# How a speaker's name was found: in the mention itself, through a pronoun, through a title
# ("the secretary general"), or from the surrounding quotes (no cue of its own). None: not resolved.
Via = Literal["name", "pronoun", "title", "context"]
# What decides the quotes (Extractor's decider, --model): the learned tagger, the tagger that also reads a
# pretrained encoder, or the rules alone.
MODELS = ("default", "accurate", "rules")


@dataclass
class Article:
    """One dated news article, as read from any input format."""

    text: str
    id: str | None = None
    date: str | None = None  # ISO YYYY-MM-DD
    title: str | None = None
    url: str | None = None
    source: str | None = None  # where it came from: "path" or "path:line"
    outlet: str | None = None  # who published it: the input's outlet/publisher, else the URL's host
    # what the reader had to say about the input without refusing it ("date 'x' is not a date"); not
    # part of the JSON form
    warnings: list[str] = field(default_factory=list, repr=False, compare=False)


@dataclass
class Speaker:
    mention: str  # the words in the text that name or refer to the speaker
    start: int
    end: int
    name: str | None = None  # canonical full name, when the article names this speaker
    via: Via | None = None
    entity: str | None = None  # id of the entity in Result.entities

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "mention": self.mention, "start": self.start, "end": self.end,
                "via": self.via, "entity": self.entity}


@dataclass
class Cue:
    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end}


@dataclass
class Quote:
    id: str
    kind: QuoteKind
    text: str
    start: int
    end: int
    speaker: Speaker | None = None
    cue: Cue | None = None
    question: bool = False
    parent: str | None = None  # id of the enclosing quote for nested attributions
    confidence: float | None = None  # the model's probability that this is an attribution (0..1)
    features: list[str] | None = field(default=None, repr=False, compare=False)  # not serialised

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "question": self.question, "text": self.text,
            "start": self.start, "end": self.end,
            "speaker": self.speaker.to_dict() if self.speaker else None,
            "cue": self.cue.to_dict() if self.cue else None,
            "parent": self.parent, "confidence": self.confidence,
        }


@dataclass
class Entity:
    id: str
    name: str
    type: Literal["PERSON", "ORG"]
    titles: list[str] = field(default_factory=list)
    orgs: list[str] = field(default_factory=list)
    mentions: list[tuple[int, int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "type": self.type, "titles": self.titles,
                "orgs": self.orgs, "mentions": [list(m) for m in self.mentions]}


@dataclass
class Result:
    """An article with what onrecord found in it."""

    article: Article
    quotes: list[Quote] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Result:
        """The inverse of ``to_dict``: read onrecord's JSON form back into typed objects."""
        art = Article(text=d["text"], id=d.get("id"), date=d.get("date"), title=d.get("title"),
                      url=d.get("url"), source=d.get("source"), outlet=d.get("outlet"))
        quotes = []
        for q in d.get("quotes", []):
            sp, cue = q.get("speaker"), q.get("cue")
            quotes.append(Quote(
                id=q["id"], kind=q["kind"], text=q["text"], start=q["start"], end=q["end"],
                speaker=Speaker(sp["mention"], sp["start"], sp["end"], sp.get("name"), sp.get("via"),
                                sp.get("entity")) if sp else None,
                cue=Cue(cue["text"], cue["start"], cue["end"]) if cue else None,
                question=bool(q.get("question")), parent=q.get("parent"), confidence=q.get("confidence")))
        entities = [Entity(e["id"], e["name"], e["type"], list(e.get("titles", [])), list(e.get("orgs", [])),
                           [tuple(m) for m in e.get("mentions", [])]) for e in d.get("entities", [])]
        return cls(art, quotes, entities)

    def to_dict(self) -> dict[str, Any]:
        a = self.article
        return {
            "id": a.id, "date": a.date, "title": a.title, "url": a.url, "outlet": a.outlet,
            "source": a.source, "text": a.text,
            "quotes": [q.to_dict() for q in self.quotes],
            "entities": [e.to_dict() for e in self.entities],
        }
