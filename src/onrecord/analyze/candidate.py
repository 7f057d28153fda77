"""What every finder returns, and what assembly makes of it.

A ``Candidate`` is one possible attribution: a cue, its source (the speaker's mention) and its content,
as character spans into the article text, with ``how`` it was found. The parse rules (find/parse_rules.py),
the layout rules (find/layout.py) and the learned model (find/model.py) all return Candidates, so any of
them can stand in for another, as spaCy's SpanRuler and SpanFinder write the same ``doc.spans`` key.

A ``Draft`` is a quote in the making: assembly (assemble.py) joins candidates with quotation marks into
drafts of a kind (direct, block, indirect, mixed), the scorer (scoring.py) gives each a confidence, and
the pipeline turns those that are kept into ``Quote``s with resolved speakers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from onrecord.lexicon import CueWord
from onrecord.types import Speaker

Span = tuple[int, int]


class How(StrEnum):
    """How a candidate (and the draft made of it) was found. The values are features of the scorer."""

    CLAUSE = "clause"  # the cue's clausal complement: "said (that) ..."
    OBJECT = "object"  # the cue's object and its complements: "called X a liar", "vowed to appeal"
    ASIDE = "aside"  # the rest of the sentence around ", he said"
    ACCORDING = "according"  # "according to X, ..."
    POLL = "poll"  # "... in the latest poll"
    RAISED = "raised"  # "X is expected to ..."
    NOUN = "noun"  # a cue noun: "Trump's claim that ..."
    NONE = "none"  # a cue whose content the parse does not give
    COLON = "colon"  # what follows a cue's colon, or the paragraph after it
    HEADLINE = "headline"  # "Sanders: Clinton needs to ..."
    LABEL = "label"  # a transcript turn: "SECRETARY BLINKEN: ..."
    DASH = "dash"  # a quotation signed after a dash: “…” ― Ana Ruiz
    ADJACENT = "adjacent"  # a quotation beside a cue that has no content of its own
    CONTEXT = "context"  # a quotation with no cue, continuing the quote before it
    UNCUED = "uncued"  # a quotation with no cue and nothing before it
    MODEL = "model"  # a content span the learned model found


@dataclass
class Candidate:
    """A cue with what a finder says about it. ``content`` is None when the finder gives none (then a
    quotation beside the cue, or the paragraph after its colon, may supply one). ``cue`` is None only for
    a transcript turn (its ``source`` is the label)."""

    cue: Span | None
    word: CueWord | None  # the cue word; None for "according to", headlines, signatures, labels
    source: Span | None = None
    source_words: list[str] = field(default_factory=list)
    head_is_name: bool = False
    content: Span | None = None
    colon: bool = False  # the cue ends its clause with a colon: "Blinken responded:"
    after_colon: Span | None = None
    how: How = How.NONE
    # the cue's place in the parse (features for scoring.py)
    tag: str = ""
    dep: str = ""
    shape: list[str] = field(default_factory=list)
    described: Span | None = None  # the source with all its modifiers (relative clauses, ...)
    in_source: bool = False  # the cue stands in another cue's speaker description
    question: bool = False  # the finder knows it is a question (a transcript's "Q:")
    # the relative pronoun that stands for the source in the cue's clause ("Biden, who said …"): the
    # speaker's mention, while the name comes from the source it refers to
    pointer: Span | None = None
    score: float | None = None  # a finder's own probability, when it has one (the model)

    @property
    def at(self) -> int:
        """Where the candidate is anchored: its cue, else its source."""
        if self.cue is not None:
            return self.cue[0]
        return self.source[0] if self.source else 0


@dataclass(eq=False)
class Draft:
    """A quote in the making (identity matters: drafts point at each other)."""

    kind: str  # direct, block, indirect, mixed
    start: int
    end: int
    cand: Candidate | None = None  # the candidate whose cue and source the quote takes
    how: How = How.NONE
    context_of: Draft | None = None  # the speaker is taken from this earlier quote
    question: bool = False
    label: Span | None = None  # a transcript turn's label
    parent: Draft | None = None  # the quote this attribution is nested in
    features: list[str] | None = None
    confidence: float | None = None
    speaker: Speaker | None = None
    qid: str = ""

    @property
    def nested(self) -> bool:
        return self.parent is not None

    @property
    def cue_at(self) -> int | None:
        return self.cand.cue[0] if self.cand is not None and self.cand.cue is not None else None
