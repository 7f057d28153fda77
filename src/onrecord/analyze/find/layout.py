"""The layout rules: attributions that the page's layout makes, not its grammar.

- transcript turns: "SECRETARY BLINKEN: …", "Q: …" (an article needs two such paragraphs to be a
  transcript; one is a headline's label: "BREAKING: …");
- a headline that gives its speaker's words after a colon: "Sanders: Clinton needs to …";
- a quotation signed with a dash after it: “We will win.” ― Ana Ruiz.

Patterns here run over article text, so each is linear by construction: no quantifier nests another,
and a run of one character class is never followed by a quantifier over an overlapping class unless
the first is possessive (``*+``, ``++``).
"""

from __future__ import annotations

import re

from onrecord.analyze.candidate import Candidate, How
from onrecord.analyze.context import ArticleContext
from onrecord.analyze.marks import Marked, strip_chars, strip_space
from onrecord.lexicon import wordlist

_TRANSCRIPT = re.compile(r"\s*+[\"“]?+\s*+((?:Q|A|[A-Z][A-Z.'’\- ]{0,40}[A-Z.]))\s*+:\s*+(\S)")
# a headline that gives its speaker's words after a colon: "Sanders: Clinton needs to …", "Clinton to
# Planned Parenthood: Trump will …" (the speaker: up to five capitalised words)
_HEADLINE = re.compile(r"[ \t]*+([A-Z][\w.'’&-]*+(?:[ \t]++(?:[A-Z][\w.'’&-]*+|of|de|the|and)){0,4})"
                       r"(?:[ \t]++to[ \t]++[A-Z][^:\n]{0,40}?)?[ \t]*+(:)[ \t]++(\S[^\n]*+)")
HEADLINE_WORDS = 30
_DASH_SOURCE = re.compile(r"[ \t]*+([―—])[ \t]*+([A-Z][\w.'’-]++(?:[ \t]++[A-Z][\w.'’-]++){0,3})")


def transcript_turns(ctx: ArticleContext) -> list[Candidate]:
    """One candidate per labelled paragraph ("SECRETARY BLINKEN: …"): the label is its source, the rest
    of the paragraph its content. A transcript has turns: an article with a single labelled paragraph
    has none (on PolNeAR train and dev, all 14 articles with one such paragraph were headline labels)."""
    text, out = ctx.text, []
    not_speakers = wordlist("labels_not_speakers")
    for a, b in ctx.paras:
        m = _TRANSCRIPT.match(text, a, b)
        if m is None:
            continue
        label = m.group(1).strip()
        if label in not_speakers or any(c.islower() for c in label):
            continue
        s, e = strip_space(text, m.start(2), b)
        if e > s:
            out.append(Candidate(cue=None, word=None, source=(m.start(1), m.end(1)), content=(s, e),
                                 how=How.LABEL, question=label == "Q"))
    return out if len(out) >= 2 else []


def headline(ctx: ArticleContext) -> Candidate | None:
    """The attribution a headline makes ("Sanders: Clinton needs to …"): the article's first paragraph,
    one line, whose speaker the article goes on to name (so "Breaking: …" or "Stealth Over Health: …"
    is no speaker)."""
    if not ctx.paras:
        return None
    text = ctx.text
    a, b = ctx.paras[0]
    if b - a > 40 * HEADLINE_WORDS or len(text[a:b].split()) > HEADLINE_WORDS:
        return None
    m = _HEADLINE.fullmatch(text, a, b)
    if m is None:
        return None
    words = m.group(1).split()
    if not re.search(r"\b" + re.escape(words[-1]) + r"\b", text[b:]):
        return None
    s, e = strip_chars(text, m.start(3), m.end(3), set(" \t."))
    return Candidate(cue=(m.start(2), m.end(2)), word=None, source=(m.start(1), m.end(1)), source_words=words,
                     head_is_name=True, how=How.HEADLINE, content=(s, e) if e > s else None)


def dash_signature(text: str, m: Marked) -> Candidate | None:
    """A quotation signed with a dash after it: “We will win.” ― Ana Ruiz"""
    d = _DASH_SOURCE.match(text, m.outer_end)
    if d is None:
        return None
    return Candidate(cue=(d.start(1), d.end(1)), word=None, source=(d.start(2), d.end(2)), how=How.DASH,
                     source_words=d.group(2).split(), head_is_name=True)
