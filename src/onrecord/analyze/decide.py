"""The learned decider: the tagger's spans become the quotes, the rules lend them their structure.

For every chunk the tagger (find/model.py) marks content, cue and source spans. ``ModelDecider.decide``
turns them into drafts, as named steps:

1. ``tagged_spans``: the tagger over every parsed chunk; its spans in the analysed text;
2. the layout's quotes (block quotes, transcript turns) stand as the rules made them, and tagged
   contents over them are dropped: they are structure, which the scorer never drops either;
3. ``_best_rule``: a content span that a rule draft covers (character Jaccard >= ADOPT_JACCARD) takes
   that draft's cue, source and structure (the quote it continues); the tagger's boundaries stand;
4. ``_link``: any other content span takes the nearest cue span the tagger marked in its chunk, the rule
   candidate of that cue word for its speaker when there is one, else the nearest source span; a
   content with no cue at all continues the speaker of the quote before it, as a cue-less quotation does;
   its kind comes from the quotation marks over it (``_drafts_of``: covered, direct, one quote per
   quotation; partly, mixed; else indirect);
5. a rule draft the tagger marked nothing over stands when its confidence is at least ``keep_rules``,
   or at least ``confirmed`` when the tagger marked its cue as a cue (5-fold CV on train: content
   0.7184 -> 0.7197, end to end 0.6571 -> 0.6582, exact unchanged);
6. nested attributions the rules found inside a kept quotation stay, linked to it;
7. the linker (link.py), a model of its own, chooses each quote's speaker mention again among the
   mentions around it: the one step 3 or 4 gave it, the rules' sources of nearby cues, the tagger's
   source spans; with a second floor (``tentative``, off by default: it lost on CV, train/floor.py), a
   content under the floor but above it stays only where the linker is ``sure`` of its speaker;
8. the bounds model (bounds.py), another, chooses where each quote starts among the words around the
   tagger's start ("saying he is “weak …”": the annotators' content is the clause, not the quotation).

A quote's ``confidence`` is the tagger's mean marginal probability over its tokens.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace

import numpy as np

from onrecord.analyze.assemble import MIXED_BELOW, _overlap
from onrecord.analyze.bounds import Bounds
from onrecord.analyze.candidate import Candidate, Draft, How
from onrecord.analyze.find.model import SpanTagger, featurize, spans
from onrecord.analyze.link import Linker
from onrecord.analyze.marks import strip_chars
from onrecord.lexicon import wordlist

ADOPT_JACCARD = 0.5
_OBJECTS = {"dobj", "dative", "iobj"}
_ADDRESSEE = wordlist("addressee_verbs")
# both chosen by cross-validation on train (train/tagger.py --cv, docs/benchmarks.md), for the tagger whose
# weights are averaged over its last epochs (train/tagger.py AVERAGE_FROM; it is surer of itself than the
# last epoch's weights, for which 0.7 and 0.6 were chosen)
DEFAULT_MIN_PROB = 0.6  # the floor on a content's mean marginal probability (0.5 to 0.8 tried)
DEFAULT_KEEP_RULES = 2.0  # a rule draft's confidence from which it stands where the tagger marked nothing (never)
DEFAULT_ADDRESSEES = True  # a content that is only who was told gives way to the rule's (neutral on CV)
DEFAULT_CONFIRMED = 0.5  # a rule draft whose cue the tagger marked stands from this confidence (0.2-0.5 tried)
# a content under the floor but at least TENTATIVE stands only when the linker is at least SURE of its
# speaker (step 7); None: every content under the floor is dropped (0.4 and 0.5 with SURE 0.5 to 0.9 lost
# end to end on CV: docs/benchmarks.md, "A second floor")
DEFAULT_TENTATIVE: float | None = None
DEFAULT_SURE = 0.5
_TRIM = set(" \t\n\r\xa0.,;:—–-")


@dataclass
class Tagged:
    role: str  # CONTENT, CUE or SOURCE
    start: int  # characters of the analysed text
    end: int
    prob: float
    chunk: int  # which parsed chunk


class Tagging(list):
    """The tagger's spans of one analysis (``Tagged``, in chunk order), and ``marginals``: each parsed
    chunk's (T, len(LABELS)) marginal probabilities of every label, which the bounds model reads."""

    def __init__(self, spans=()) -> None:
        super().__init__(spans)
        self.marginals: list[np.ndarray] = []


def _jaccard(a0: int, a1: int, b0: int, b1: int) -> float:
    inter = _overlap(a0, a1, b0, b1)
    union = (a1 - a0) + (b1 - b0) - inter
    return inter / union if union > 0 else 0.0


def chosen(tagger: SpanTagger, linker: Linker | None = None, bounds: Bounds | None = None) -> ModelDecider:
    """The decider over ``tagger`` (and ``linker``, ``bounds``) with the settings chosen by cross-validation
    on train (the DEFAULT_ constants above): what the default and the accurate model run, and what the
    trainers measure."""
    return ModelDecider(tagger, DEFAULT_MIN_PROB, DEFAULT_KEEP_RULES, DEFAULT_ADDRESSEES, linker=linker,
                        confirmed=DEFAULT_CONFIRMED, bounds=bounds, tentative=DEFAULT_TENTATIVE,
                        sure=DEFAULT_SURE)


class ModelDecider:
    """Decides an analysis's quotes with the tagger (pipeline.Decider)."""

    every_paragraph = True

    def __init__(self, tagger: SpanTagger, min_prob: float = 0.0, keep_rules: float = 2.0,
                 addressees: bool = False, direct_prob: float | None = None, linker: Linker | None = None,
                 confirmed: float | None = None, bounds: Bounds | None = None,
                 tentative: float | None = None, sure: float = DEFAULT_SURE) -> None:
        self.tagger = tagger
        self.linker = linker  # step 7; None keeps the links of steps 3 and 4
        self.bounds = bounds  # step 8; None keeps the tagger's starts
        self.min_prob = min_prob
        self.direct_prob = direct_prob  # the floor for quotations (contents within quotation marks); None: min_prob
        self.keep_rules = keep_rules
        self.addressees = addressees  # drop contents that are only who was told (step 4)
        self.confirmed = confirmed  # a rule draft whose cue the tagger marked stands from this confidence (step 5)
        self.tentative = tentative  # a content from this probability up to the floor stands if the linker is
        self.sure = sure  # at least this sure of its speaker (step 7); None: the floor alone

    # 1. -----------------------------------------------------------------------------------------------
    def tag_many(self, analyses: list) -> list[list[Tagged]]:
        """The tagger's spans of each analysis; the chunks of all of them are batched together."""
        per = [featurize(a, self.tagger.vocab) for a in analyses]
        self.tagger.add_vectors(analyses, per)  # the encoder's or static word vectors, when it reads them
        decoded = iter(self.tagger.decode_many(self.tagger.emissions([c for cs in per for c in cs]), full=True))
        out = []
        for a, cs in zip(analyses, per, strict=True):
            found = Tagging()
            for n, chunk in enumerate(cs):
                tags, marginals = next(decoded)
                found.marginals.append(marginals)
                probs = marginals[np.arange(len(tags)), tags] if len(tags) else np.zeros(0)
                for role, i, j, p in spans(tags, probs):
                    s, e = int(chunk.spans[i][0]), int(chunk.spans[j - 1][1])
                    if role == "CONTENT":
                        s, e = strip_chars(a.article.text, s, e, _TRIM)
                    if e > s:
                        found.append(Tagged(role, s, e, p, n))
            out.append(found)
        return out

    def tagged_spans(self, a) -> list[Tagged]:
        return self.tag_many([a])[0]

    def decide(self, a) -> list[Draft]:
        return self.from_tagged(a, self.tagged_spans(a))

    def decide_many(self, analyses: list) -> list[list[Draft]]:
        """``decide`` for several analyses, the tagger run over all their chunks at once (faster)."""
        return [self.from_tagged(a, t) for a, t in zip(analyses, self.tag_many(analyses), strict=True)]

    def from_tagged(self, a, tagged: list[Tagged], min_prob: float | None = None,
                    keep_rules: float | None = None, addressees: bool | None = None,
                    direct_prob: float | None = None, tentative: float | None = None,
                    sure: float | None = None) -> list[Draft]:
        """Steps 2 to 8 over the tagger's spans (``min_prob``, ``keep_rules``, ``addressees``,
        ``direct_prob``, ``tentative``, ``sure``: instead of the decider's own; a ``tentative`` at or
        over the floor, and the quotations' floor, keeps nothing under them)."""
        text = a.article.text
        confirmed = self.confirmed
        floor = self.min_prob if min_prob is None else min_prob
        direct_floor = direct_prob if direct_prob is not None else (
            self.direct_prob if self.direct_prob is not None else floor)
        keep_at = self.keep_rules if keep_rules is None else keep_rules
        drop_told = self.addressees if addressees is None else addressees
        rules = sorted((d for d in a.drafts if d.parent is None), key=lambda d: d.start)
        structural = [d for d in rules if d.kind == "block" or d.label is not None]
        adopted: dict[int, Draft] = {}  # id of a rule draft -> the draft that took its place
        drafts: list[Draft] = []
        for d in structural:  # 2. the layout's quotes stand as the rules made them
            adopted[id(d)] = copy = replace(d, speaker=None)
            drafts.append(copy)
        blocked = _Intervals([(d.start, d.end) for d in structural])
        low = self.tentative if tentative is None else tentative
        sure_at = self.sure if sure is None else sure
        contents: list[Tagged] = []
        # the contents under the floor, and their drafts, by id (held, so that no id is reused): they stand
        # only if the linker is sure of their speaker
        unsure: dict[int, Tagged | Draft] = {}
        for t in tagged:
            if t.role != "CONTENT" or blocked.hits(t.start, t.end):
                continue
            at = floor if floor == direct_floor or not _quoted(a, t) else direct_floor
            if t.prob >= at:
                contents.append(t)
            elif low is not None and self.linker is not None and t.prob >= low:
                contents.append(t)
                unsure[id(t)] = t
        told: list[tuple[int, int]] = []  # the cues whose addressee the tagger took for the content
        if drop_told:
            kept = []
            for t in contents:
                cue = _addressee(a, t)
                if cue is None:
                    kept.append(t)
                else:
                    told.append(cue)
            contents = kept
        told_cues = _Intervals(told)
        tagged_cues = _Intervals([(t.start, t.end) for t in tagged if t.role == "CUE"]) if confirmed is not None \
            else None
        index = _Cues(tagged, a.cands)
        rules = [d for d in rules if id(d) not in adopted]
        starts = [d.start for d in rules]
        quoted = {(d.start, d.end): d for d in rules if d.kind == "direct"}
        direct: dict[tuple[int, int], Draft] = {}  # one quote per quotation, however many contents touch it
        for c in contents:
            rule = _best_rule(rules, starts, c)
            if rule is not None:  # 3.
                made = _drafts_of(a, c, rule.cand, rule.how)
                for d in made:
                    d.context_of, d.question = rule.context_of, rule.question
                adopted[id(rule)] = made[0]
            else:  # 4.
                made = _drafts_of(a, c, _link(text, c, index), How.MODEL)
            if id(c) in unsure:
                unsure.update((id(d), d) for d in made)
            for d in made:
                if d.kind != "direct":
                    drafts.append(d)
                    continue
                key = (d.start, d.end)
                rule = quoted.get(key)
                if rule is not None and id(rule) not in adopted:  # the rules' quote of the same quotation
                    d.cand, d.how, d.context_of, d.question = rule.cand, rule.how, rule.context_of, rule.question
                    adopted[id(rule)] = d
                seen = direct.get(key)
                if seen is not None and id(d) not in unsure:  # a sure content over the same quotation
                    unsure.pop(id(seen), None)
                if seen is None:
                    direct[key] = d
                    drafts.append(d)
                elif seen.cand is None and d.cand is not None:  # a quotation over paragraphs: its cue's part
                    seen.cand, seen.how = d.cand, d.how
        covered = _Intervals([(t.start, t.end) for t in contents])
        for d in rules:  # 5. a rule's confident quote where the tagger saw nothing (or only who was told)
            cue = d.cand.cue if d.cand is not None else None
            trusted = d.confidence is not None and (d.confidence >= keep_at or (
                tagged_cues is not None and cue is not None and d.confidence >= confirmed  # type: ignore[operator]
                and tagged_cues.hits(*cue)))
            if id(d) not in adopted and (trusted or (cue is not None and told_cues.hits(*cue))) \
                    and not covered.hits(d.start, d.end):
                adopted[id(d)] = copy = replace(d, speaker=None)
                drafts.append(copy)
        drafts.sort(key=lambda d: d.start)
        _continue_uncued(a, drafts)
        # the quotes that rule drafts continued are now the drafts that took their place
        for d in drafts:
            if d.context_of is not None and id(d.context_of) in adopted:
                d.context_of = adopted[id(d.context_of)]
        for d in a.drafts:  # 6. nested attributions inside a kept quotation (copies: the analysis stays as it was)
            if d.parent is not None and id(d.parent) in adopted:
                drafts.append(replace(d, parent=adopted[id(d.parent)], speaker=None))
        drafts.sort(key=lambda d: d.start)
        if self.linker is not None:  # 7.
            how_sure = self.linker.link(a, tagged, drafts)
            if unsure:  # a content under the floor stands only with a speaker the linker is sure of
                drafts = [d for d in drafts if id(d) not in unsure or how_sure.get(id(d), 0.0) >= sure_at]
        marginals = getattr(tagged, "marginals", None)
        if self.bounds is not None and marginals:  # 8.
            self.bounds.adjust(a, drafts, marginals)
        return drafts


def _marks(a, c: Tagged) -> tuple[list[int], bool]:
    """The quotation marks over a content, and whether they cover it enough to make it direct."""
    ctx = a.ctx
    marks = ctx.marks_overlapping(c.start, c.end)
    covered = sum(_overlap(ctx.marked[i].start, ctx.marked[i].end, c.start, c.end) for i in marks)
    return marks, bool(marks) and covered >= MIXED_BELOW * (c.end - c.start - 2 * len(marks))


def _quoted(a, c: Tagged) -> bool:
    """Whether quotation marks cover the content as ``_drafts_of`` makes a direct quote of it."""
    return _marks(a, c)[1]


def _addressee(a, c: Tagged) -> tuple[int, int] | None:
    """The cue verb (its characters) when the content ``c`` is only that verb's addressee: a noun phrase,
    no verb in it, the object of an addressee verb ("told the paper", "assured reporters")."""
    chunk = a.chunk_at(c.start)
    if chunk is None:
        return None
    off, doc = chunk
    span = doc.char_span(c.start - off, c.end - off, alignment_mode="expand")
    if span is None or len(span) == 0 or len(span) > 8:
        return None
    root = span.root
    verb = root.head
    if root.dep_ not in _OBJECTS or verb.i == root.i or verb.lower_ not in _ADDRESSEE \
            or any(t.pos_ in ("VERB", "AUX") for t in span):
        return None
    return off + verb.idx, off + verb.idx + len(verb.text)


class _Intervals:
    """Disjoint spans, sorted, asked whether any overlaps a span (a bisection each)."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for s, e in sorted(spans):
            if merged and s < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        self.starts = [s for s, _ in merged]
        self.ends = [e for _, e in merged]

    def hits(self, s: int, e: int) -> bool:
        j = bisect.bisect_right(self.ends, s)
        return j < len(self.starts) and self.starts[j] < e


def _best_rule(rules: list[Draft], starts: list[int], c: Tagged) -> Draft | None:
    """The rule draft over nearly the same words as the content, or None."""
    best, best_j = None, ADOPT_JACCARD
    i = bisect.bisect_left(starts, c.end)
    for d in reversed(rules[max(0, i - 12):i]):
        if d.end <= c.start:
            continue
        j = _jaccard(c.start, c.end, d.start, d.end)
        if d.kind == "direct":  # the tagger's content takes the marks, the rule's quote does not
            j = max(j, _jaccard(c.start, c.end, d.start - 1, d.end + 1))
        if j >= best_j:
            best, best_j = d, j
    return best


class _Cues:
    """The tagger's cue and source spans by chunk, and the rule candidates by cue, for ``_link``."""

    def __init__(self, tagged: list[Tagged], cands: list[Candidate]) -> None:
        self.cues: dict[int, list[Tagged]] = {}
        self.sources: dict[int, list[Tagged]] = {}
        for t in tagged:
            if t.role == "CUE":
                self.cues.setdefault(t.chunk, []).append(t)
            elif t.role == "SOURCE":
                self.sources.setdefault(t.chunk, []).append(t)
        self.rules = sorted((c for c in cands if c.cue is not None), key=lambda c: c.cue)  # type: ignore[arg-type,return-value]
        self.rule_starts = [c.cue[0] for c in self.rules]  # type: ignore[index]

    def rule_at(self, s: int, e: int) -> Candidate | None:
        """The first rule candidate whose cue overlaps [s, e)."""
        i = bisect.bisect_right(self.rule_starts, s) - 1
        for c in self.rules[max(0, i):bisect.bisect_left(self.rule_starts, e)]:
            if c.cue[0] < e and s < c.cue[1]:  # type: ignore[index]
                return c
        return None


def _link(text: str, c: Tagged, index: _Cues) -> Candidate | None:
    """The cue the tagger marked nearest the content in its chunk, and that cue's speaker."""
    near = index.cues.get(c.chunk)
    if not near:
        return None
    u = min(near, key=lambda u: (max(u.start - c.end, c.start - u.end, 0), u.start))
    rule = index.rule_at(u.start, u.end)
    if rule is not None and rule.source is not None:
        return Candidate(cue=(u.start, u.end), word=rule.word, source=rule.source, source_words=rule.source_words,
                         head_is_name=rule.head_is_name, how=How.MODEL)
    srcs = index.sources.get(c.chunk, [])
    cand = Candidate(cue=(u.start, u.end), word=rule.word if rule else None, how=How.MODEL)
    if srcs:
        s = min(srcs, key=lambda s: (max(s.start - u.end, u.start - s.end, 0), s.start))
        words = text[s.start:s.end].split()
        cand.source, cand.source_words = (s.start, s.end), words
        cand.head_is_name = bool(words) and words[-1][:1].isupper()
    return cand


def _drafts_of(a, c: Tagged, cand: Candidate | None, how: How) -> list[Draft]:
    """The kind of a content, by the quotation marks over it."""
    ctx = a.ctx
    marks, direct = _marks(a, c)
    if direct:
        return [Draft("direct", ctx.marked[i].start, ctx.marked[i].end, cand, how=how, confidence=round(c.prob, 3))
                for i in marks]
    end = c.end
    if marks and ctx.marked[marks[-1]].outer_end == end:  # as the rules write a mixed quote: up to the closing mark
        end = max(c.start + 1, ctx.marked[marks[-1]].end)
    return [Draft("mixed" if marks else "indirect", c.start, end, cand, how=how, confidence=round(c.prob, 3))]


def _continue_uncued(a, drafts: list[Draft]) -> None:
    """A content with no cue continues the speaker of the quote before it in its paragraph or the one
    before (a paragraph that goes on quoting)."""
    ctx = a.ctx
    last: Draft | None = None
    for d in drafts:
        if d.cand is None and d.context_of is None and d.label is None and last is not None \
                and ctx.para_of(d.start) - ctx.para_of(last.start) <= 1:
            d.context_of = last
            d.how = How.CONTEXT
        if d.cand is not None or d.context_of is not None or d.label is not None:
            last = d
