"""Assembly: candidates x quotation marks -> drafts, as named steps, then drafts -> quotes.

``assemble`` runs the steps in this order; each is a function of the article context (context.py) and
the drafts so far, and can be run alone on a hand-built input:

1. ``transcript_drafts``: transcript turns are block quotes of their label;
2. ``cut_before_quoting_cues``: a content stops before another cue inside it that introduces a
   quotation after a comma or colon;
3. ``drafts_of_candidates``: a candidate's content covered by quotation marks is a direct quote, partly
   covered a mixed one, uncovered an indirect one; a cue ending in a colon introduces the next paragraph
   as a block quote; a cue inside a quotation is at most a nested attribution;
4. ``headline_draft``: a headline "Sanders: …" whose speaker the article names is that speaker's;
5. ``pair_quotations_with_cues``: a quotation with no cue of its own takes the cue beside it, or the
   name signed after a dash;
6. ``continue_uncued_quotations``: a quotation with neither takes the speaker of the quote before it (a
   quote split around its cue, a paragraph that continues a quote), or is a scare quote and dropped;
7. ``cut_at_other_attributions``: a reported content ends where another attribution begins;
8. ``link_parents``: attributions inside a quotation are nested in it, kept only when they report
   someone else;
9. ``dedupe``: of two drafts over nearly the same words, one.

Then the scorer judges the drafts (scoring.py) and ``to_result`` resolves speakers (speakers.py) in text
order, so that "he" finds the person named before.
"""

from __future__ import annotations

import bisect
import re

from onrecord.analyze.candidate import Candidate, Draft, How
from onrecord.analyze.context import ArticleContext
from onrecord.analyze.find.layout import dash_signature, headline, transcript_turns
from onrecord.analyze.marks import Marked, find_marked, last_sign, strip_space
from onrecord.analyze.speakers import ArticleNames
from onrecord.lexicon import wordlist
from onrecord.types import Article, Cue, Quote, Result, Speaker

# Patterns over article text are linear by construction: no quantifier nests another, and a run is
# possessive (``*+``) wherever a quantifier over an overlapping class follows it.
# (a gap may end in one line break: the quotation opens the next paragraph)
_GAP_AFTER = re.compile(r"[ \t,—–\-]*+[^.!?\n“”\"]{0,60}\n?")
_GAP_BEFORE = re.compile(r"[^.!?\n“”\"]{0,40}\n?")
_GAP_SEPARATORS = " \t,—–-"
MAX_GAP_AFTER, MAX_GAP_BEFORE = 60, 40
SHORT_QUOTE_WORDS = 8
MIXED_BELOW = 0.85  # a content less quoted than this is mixed, not direct


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def assemble(ctx: ArticleContext, cands: list[Candidate]) -> list[Draft]:
    """Drafts from the finders' candidates (in text order) and the article's quotation marks."""
    cands = sorted(cands, key=lambda c: c.at)
    drafts = transcript_drafts(ctx, transcript_turns(ctx))
    cut_before_quoting_cues(ctx, cands)
    drafts += drafts_of_candidates(ctx, cands)
    drafts += headline_draft(ctx, headline(ctx))
    drafts += pair_quotations_with_cues(ctx, cands)
    drafts.sort(key=lambda d: d.start)
    continue_uncued_quotations(ctx, drafts)
    cut_at_other_attributions(ctx, drafts)
    # nested attributions first, so that deduplication never lets one replace the quote it stands in
    link_parents(drafts)
    drafts = [d for d in drafts if d.parent is None or (d.cand is not None and reports_someone_else(ctx.text, d.cand))]
    return dedupe(drafts)


# -- 1. transcripts ------------------------------------------------------------------------------------

def transcript_drafts(ctx: ArticleContext, turns: list[Candidate]) -> list[Draft]:
    out = []
    for t in turns:
        assert t.content is not None
        out.append(Draft("block", *t.content, how=How.LABEL, label=t.source, question=t.question))
        ctx.add_block(*t.content)
    return out


# -- 2. a quotation belongs to the cue that introduces it -----------------------------------------------

def cut_before_quoting_cues(ctx: ArticleContext, cands: list[Candidate]) -> None:
    """A content ends before another cue inside it that introduces a quotation: in "said it was too
    early to congratulate winners but added, “I think you all have an idea …”" the quotation is what
    "added" introduces, not the end of what "said" reports (the parser hangs "added" on the reported
    clause). Without the cut the longer content takes the quotation and the quote is lost.
    ``cands`` are in text order of their cues."""
    text = ctx.text
    cued = [c for c in cands if c.cue is not None]
    cue_starts = [c.cue[0] for c in cued]  # type: ignore[index]
    dangling = wordlist("dangling")
    for h in cued:
        if h.content is None:
            continue
        a, b = h.content
        i = bisect.bisect_right(cue_starts, a)
        while i < len(cued) and cue_starts[i] < b:
            o = cued[i]
            i += 1
            if o is h or o.content is None or o.content[0] < o.cue[1] or o.content[1] > b + 1:  # type: ignore[index]
                continue
            # the quotation follows its cue after a comma or colon, as quoted speech does ("added, “…”",
            # "responded: “…”"); a word or name quoted as an object ("called “Perception”") is not cut
            # off; a cue inside a quotation is the quoted speaker's own words
            m = ctx.mark_holding(*o.content)
            if m is None or text[o.cue[1]:m.outer_start].strip() not in (",", ":") \
                    or ctx.inside_marks(o.cue[0]):  # type: ignore[index]
                continue
            # from the speaker named right before the cue ("Chris Christie said, “…”"), else the cue
            start = o.cue[0]  # type: ignore[index]
            if o.source is not None and a <= o.source[0] and o.source[1] <= start \
                    and len(text[o.source[1]:start].split()) <= 2:
                start = o.source[0]
            end = trailing_joiner_start(text, a, start)
            words = text[a:end].split()
            if len(words) < 2 or words[-1].lower() in dangling:
                h.content = None  # nothing is left but a fragment ("an email to", "which bill that")
                break
            b = end
        if h.content is not None:
            h.content = (a, b)


_JOINER_CHARS = frozenset(",;:—–-")


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def trailing_joiner_start(text: str, a: int, b: int) -> int:
    """Where the run of separators (spaces, , ; : and dashes) and joining words ("while", "and", "but",
    "whereas", "as") at the end of text[a:b] begins; b when there is none. One backward scan: the
    regular expression this replaces, ``(?:[\\s,;:—–-]+|\\b(?:while|…)\\b)+$``, nested a repetition in a
    repetition and took time exponential in the length of a run of spaces that did not end the text."""
    words = wordlist("joiners")
    longest = max(map(len, words))
    i = b
    while i > a:
        ch = text[i - 1]
        if ch.isspace() or ch in _JOINER_CHARS:
            i -= 1
            continue
        j = i
        while j > a and i - j < longest and _is_word_char(text[j - 1]):
            j -= 1
        # a whole word (nothing word-like before it) that joins clauses
        if text[j:i].lower() in words and (j == a or not _is_word_char(text[j - 1])):
            i = j
            continue
        break
    return i


# -- 3. candidates with contents -------------------------------------------------------------------------

def drafts_of_candidates(ctx: ArticleContext, cands: list[Candidate]) -> list[Draft]:
    out: list[Draft] = []
    for c in cands:
        if c.cue is None:
            continue
        if ctx.inside_marks(c.cue[0]):
            # a cue inside a quotation never takes the quotation over: at most it is nested in it
            if c.content and reports_someone_else(ctx.text, c):
                out.append(Draft("indirect", *c.content, c, how=c.how))
            continue
        if c.content:
            out += draft_of_content(ctx, c, *c.content, "indirect", c.how)
        elif c.after_colon:
            out += draft_of_content(ctx, c, *c.after_colon, "indirect", How.COLON)
        elif c.colon and c.source:
            nxt = ctx.next_para(c.cue[0])
            if nxt is not None:
                a, b = strip_space(ctx.text, *nxt)
                if b > a and not ctx.overlaps_block(a, b):
                    out += draft_of_content(ctx, c, a, b, "block", How.COLON)
                    ctx.add_block(a, b)
    return out


def draft_of_content(ctx: ArticleContext, c: Candidate, a: int, b: int, default_kind: str, how: How
                     ) -> list[Draft]:
    """The draft(s) a content makes: one direct quote per quotation when marks cover it, else a mixed
    or ``default_kind`` draft. The quotations it takes are claimed (``ctx.claimed``)."""
    # a content never ends or starts halfway through a quotation: the parse may stop at a comma or a
    # sentence end inside it ("… as well, “including State, Labor and Energy. The firm also …”")
    m = ctx.mark_strictly_around(b)
    if m is not None and ctx.para_of(m.end) == ctx.para_of(b):
        b = m.end
    m = ctx.mark_strictly_around(a)
    if m is not None and ctx.para_of(m.start) == ctx.para_of(a):
        a = m.start
    idx = [i for i in ctx.marks_overlapping(a, b) if i not in ctx.claimed]
    covered = sum(_overlap(ctx.marked[i].start, ctx.marked[i].end, a, b) for i in idx)
    if idx and covered >= MIXED_BELOW * (b - a):
        ctx.claimed.update(idx)
        return [Draft("direct", ctx.marked[i].start, ctx.marked[i].end, c, how=how) for i in idx]
    if idx:
        ctx.claimed.update(idx)
        return [Draft("mixed", a, b, c, how=how)]
    return [Draft(default_kind, a, b, c, how=how)]


def reports_someone_else(text: str, c: Candidate) -> bool:
    """Whether a cue inside a quote starts a nested attribution: "as the secretary general said, ..."
    inside Blinken's answer does; "I think", "we discussed" or "you know" is the quoted speaker's own
    voice. Used for cues inside quotation marks and for attributions nested in block quotes alike."""
    if c.source is None or (c.word is not None and c.word.weak):
        return False
    return text[c.source[0]:c.source[1]].lower() not in wordlist("pronouns_first") | wordlist("pronouns_second")


# -- 4. headlines ---------------------------------------------------------------------------------------

def headline_draft(ctx: ArticleContext, head: Candidate | None) -> list[Draft]:
    if head is None or not head.content or ctx.overlaps_block(*head.content):
        return []
    return draft_of_content(ctx, head, *head.content, "indirect", How.HEADLINE)


# -- 5. quotations beside a cue ---------------------------------------------------------------------------

def pair_quotations_with_cues(ctx: ArticleContext, cands: list[Candidate]) -> list[Draft]:
    """A quotation no content claimed takes the nearest cue beside it that has a speaker (a strong cue
    word, outside any quotation), or the name signed after a dash."""
    free = [c for c in cands if c.cue is not None and c.source and (c.word is None or not c.word.weak)
            and not ctx.inside_marks(c.cue[0])]
    by_start = [c.cue[0] for c in free]  # type: ignore[index]
    order_by_end = sorted(range(len(free)), key=lambda k: (free[k].cue[1], k))  # type: ignore[index]
    ends = [free[k].cue[1] for k in order_by_end]  # type: ignore[index]
    out = []
    for i, m in enumerate(ctx.marked):
        if i in ctx.claimed or ctx.in_block(m.start, m.end):
            continue
        c = _adjacent_cue(ctx, m, free, by_start, order_by_end, ends) or dash_signature(ctx.text, m)
        if c is not None:
            out.append(Draft("direct", m.start, m.end, c, how=How.DASH if c.how == How.DASH else How.ADJACENT))
            ctx.claimed.add(i)
    return out


def _adjacent_cue(ctx: ArticleContext, m: Marked, free: list[Candidate], by_start: list[int],
                  order_by_end: list[int], ends: list[int]) -> Candidate | None:
    """The cue nearest the quotation: after it, with at most separators and MAX_GAP_AFTER characters of
    words between (no sentence end, no other quotation), or before it with at most MAX_GAP_BEFORE. A
    quotation that ends its sentence does not take a cue that introduces what follows it:
    “… ahead.” He added: “…”. Of a cue before and one after at the same distance, the one before."""
    text = ctx.text
    before: tuple[int, Candidate] | None = None
    j = bisect.bisect_right(ends, m.outer_start) - 1
    while j >= 0 and m.outer_start - ends[j] <= MAX_GAP_BEFORE + 1:
        c = free[order_by_end[j]]
        # of cues ending at the same place, the first in text order
        while j > 0 and ends[j - 1] == ends[j]:
            j -= 1
            c = free[order_by_end[j]]
        if _GAP_BEFORE.fullmatch(text, ends[j], m.outer_start):
            before = (m.outer_start - ends[j], c)
            break
        j -= 1
    after: tuple[int, Candidate] | None = None
    sep_end = m.outer_end
    while sep_end < len(text) and text[sep_end] in _GAP_SEPARATORS:
        sep_end += 1
    k = bisect.bisect_left(by_start, m.outer_end)
    ends_sentence = last_sign(text[m.start:m.end]) in ".!?"
    while k < len(free) and by_start[k] <= sep_end + MAX_GAP_AFTER + 1:
        c = free[k]
        if _GAP_AFTER.fullmatch(text, m.outer_end, by_start[k]) and not (ends_sentence and _introduces(c)):
            after = (by_start[k] - m.outer_end, c)
            break
        k += 1
    if before and (after is None or before[0] <= after[0]):
        return before[1]
    return after[1] if after else None


def _introduces(c: Candidate) -> bool:
    """Whether a cue has a content of its own after it."""
    x = c.content or c.after_colon
    return x is not None and c.cue is not None and x[0] >= c.cue[1]


# -- 6. quotations with no cue ------------------------------------------------------------------------------

def continue_uncued_quotations(ctx: ArticleContext, drafts: list[Draft]) -> None:
    """A quotation no cue claimed continues the quote before it in the same or the previous paragraph
    (else the one after it in the same paragraph), taking its speaker; one with nothing to continue is
    kept only when it reads as speech (``speech_like``). ``drafts`` is sorted by start and stays so."""
    # the drafts a quotation may continue, kept sorted like ``drafts``: attributions whose cue stands
    # inside a quotation are left out (the next quotation continues the quoted speaker, not them), and
    # so are cues in another speaker's description
    eligible = [d for d in drafts if _may_continue(ctx, d)]
    cued = [d for d in drafts if d.cand is not None and not _cue_inside_marks(ctx, d)]
    for i, m in enumerate(ctx.marked):
        if i in ctx.claimed or ctx.in_block(m.start, m.end):
            continue
        d = Draft("direct", m.start, m.end, how=How.UNCUED)
        prev = _continued(ctx, m, eligible, cued)
        if prev is not None:
            d.context_of = prev
            d.how = How.CONTEXT
        if not speech_like(ctx.text, m, prev):
            continue  # a scare quote, a title or a name, not speech
        bisect.insort(drafts, d, key=lambda x: x.start)
        if prev is not None:
            bisect.insort(eligible, d, key=lambda x: x.start)
        ctx.claimed.add(i)


def _cue_inside_marks(ctx: ArticleContext, d: Draft) -> bool:
    return d.cue_at is not None and ctx.inside_marks(d.cue_at)


def _may_continue(ctx: ArticleContext, d: Draft) -> bool:
    if _cue_inside_marks(ctx, d):
        return False
    if d.cand is not None:
        return not d.cand.in_source
    return d.context_of is not None or d.label is not None


def _continued(ctx: ArticleContext, m: Marked, eligible: list[Draft], cued: list[Draft]) -> Draft | None:
    """The quote whose speaker a cue-less quotation continues: the last one before it, in the same or
    the previous paragraph, else the first cued one after it in the same paragraph."""
    p = ctx.para_of(m.start)
    j = bisect.bisect_right(eligible, m.outer_start, key=lambda x: x.start) - 1
    while j >= 0:
        d = eligible[j]
        if p - ctx.para_of(d.start) > 1:
            break  # further back is further than the previous paragraph
        if d.end <= m.outer_start:
            return d
        j -= 1
    k = bisect.bisect_left(cued, m.outer_end, key=lambda x: x.start)
    if k < len(cued) and ctx.para_of(cued[k].start) == p:
        return cued[k]
    return None


def speech_like(text: str, m: Marked, prev: Draft | None) -> bool:
    """Whether a quotation with no cue of its own is speech. Long ones are; a short one (“Miss Piggy”,
    “deplorables”) only when it is a whole sentence or the second half of a quote split around its cue
    (“We will stay the course,” the senator said, “as long as it takes.”)."""
    quoted = text[m.start:m.end]
    words = len(quoted.split())
    if words >= SHORT_QUOTE_WORDS:
        return True
    if prev is not None and prev.cand is not None and prev.cand.cue is not None \
            and 0 <= m.outer_start - prev.cand.cue[1] <= 60 and prev.cand.cue[0] >= prev.end:
        return True
    return words >= 4 and last_sign(quoted) in ".!?" and quoted[:1].isupper()


# -- 7. a reported content ends where another attribution begins ---------------------------------------------

def cut_at_other_attributions(ctx: ArticleContext, drafts: list[Draft]) -> None:
    """A reported content ends where another attribution begins: in "74 percent said they are set,
    while 22 percent said they might change" the first content stops before "while 22 percent"."""
    text = ctx.text
    starts = sorted(min(d.cand.source[0], d.cand.cue[0]) for d in drafts
                    if d.cand is not None and d.cand.source is not None and d.cand.cue is not None)
    for d in drafts:
        if d.kind not in ("indirect", "mixed"):
            continue
        i = bisect.bisect_right(starts, d.start)
        if i == len(starts) or starts[i] >= d.end:
            continue
        j = trailing_joiner_start(text, d.start, starts[i])
        # only at a clause boundary: "X said that Y told him ..." keeps Y's report inside X's content
        if j < starts[i] and any(ch in ",;" for ch in text[j:starts[i]]) and len(text[d.start:j].split()) >= 2:
            d.end = j


# -- 8. nesting --------------------------------------------------------------------------------------------

def link_parents(drafts: list[Draft]) -> None:
    """An attribution whose cue stands inside a direct or block quote is nested in it (in the innermost
    such quote that holds the whole attribution). ``drafts`` is sorted by start."""
    containers = [d for d in drafts if d.kind in ("direct", "block")]
    starts = [c.start for c in containers]
    reach: list[int] = []  # the furthest end of the containers so far
    for c in containers:
        reach.append(max(c.end, reach[-1]) if reach else c.end)
    for d in drafts:
        anchor = d.cue_at if d.cue_at is not None else d.start
        j = bisect.bisect_right(starts, min(anchor, d.start)) - 1
        while j >= 0 and reach[j] > anchor:
            c = containers[j]
            if c is not d and anchor < c.end and d.end <= c.end + 1:
                d.parent = c
                break
            j -= 1


# -- 9. duplicates -----------------------------------------------------------------------------------------

def dedupe(drafts: list[Draft]) -> list[Draft]:
    out: list[Draft] = []
    for d in sorted(drafts, key=lambda d: (d.start, -(d.end - d.start))):
        dup = False
        for k in range(max(0, len(out) - 4), len(out)):
            o = out[k]
            if d.parent is o or o.parent is d:
                continue  # a report nested in a quotation is not a copy of it ("“He said he thought …”")
            if d.cue_at is not None and o.cand is not None and o.start <= d.cue_at < o.end:
                continue  # "seized on Trump's claim that …": the model judges both; see without_embedded
            inter = _overlap(d.start, d.end, o.start, o.end)
            union = max(d.end, o.end) - min(d.start, o.start)
            if union and inter / union >= 0.8:
                dup = True
                if o.cand is None and d.cand is not None and o.label is None:
                    out[k] = d
                break
        if not dup:
            out.append(d)
    return out


# -- quotes ---------------------------------------------------------------------------------------------------

def _cue_of(text: str, c: Candidate) -> Cue | None:
    return Cue(text[c.cue[0]:c.cue[1]], *c.cue) if c.cue is not None else None


def to_result(article: Article, drafts: list[Draft], ctx: ArticleContext | None = None) -> Result:
    """Quotes with their speakers resolved, in text order (so "he" finds the person named before)."""
    text = article.text
    marked = ctx.marked if ctx is not None else find_marked(text)
    names = ArticleNames(text, [(m.start, m.end) for m in marked])

    def speaker_of(c: Candidate) -> Speaker | None:
        if not c.source:
            return None
        s, e = c.source
        sp = names.resolve(Speaker(mention=text[s:e], start=s, end=e), c.head_is_name, c.source_words)
        if c.pointer is not None:  # "Biden, who said …": the mention is "who", the name Biden's
            s, e = c.pointer
            sp.mention, sp.start, sp.end = text[s:e], s, e
        return sp

    for n, d in enumerate(drafts, start=1):
        d.qid = f"q{n}"
    kept = {id(d) for d in drafts}
    for d in drafts:  # a nested quote whose quotation was dropped (found no cue, scored unlikely) stands alone
        if d.parent is not None and id(d.parent) not in kept:
            d.parent = None
    quotes: list[Quote] = []
    for d in drafts:
        speaker: Speaker | None = None
        cue: Cue | None = None
        if d.label:
            s, e = d.label
            label = text[s:e]
            speaker = Speaker(mention=label, start=s, end=e)
            if label.strip() != "Q":
                names.resolve(speaker, True, [w.capitalize() if w.isupper() else w for w in label.split()])
        elif d.cand:
            speaker = speaker_of(d.cand)
            cue = _cue_of(text, d.cand)
            d.question = d.question or bool(d.cand.word and d.cand.word.question)
        elif d.context_of is not None:
            # the speaker (and cue) of the quote this one continues; that quote may itself continue
            # another, or have been dropped by the scorer while its cue still stands
            head = d.context_of
            while head.cand is None and head.context_of is not None:
                head = head.context_of
            p = head.speaker or (speaker_of(head.cand) if head.cand else None)
            if p is not None:
                speaker = Speaker(mention=p.mention, start=p.start, end=p.end, name=p.name,
                                  via="context", entity=p.entity)
            if head.cand:
                cue = _cue_of(text, head.cand)
        d.speaker = speaker
        if speaker is not None and speaker.entity:
            names.add_mention(speaker.entity, speaker.start, speaker.end)
        quotes.append(Quote(id=d.qid, kind=d.kind, text=text[d.start:d.end], start=d.start, end=d.end,  # type: ignore[arg-type]
                            speaker=speaker, cue=cue, question=d.question,
                            parent=d.parent.qid if d.parent else None, confidence=d.confidence,
                            features=d.features))
    return Result(article=article, quotes=quotes, entities=names.finish())
