"""Article in, quotes and speakers out.

The work, in order:
1. quotation marks are read off the whole text (marks.py), no parsing needed;
2. only paragraphs that contain a cue word, name a poll or close a quotation in the writer's frame are
   parsed (with thousands of learned verb forms that leaves out only about 5% of a news story), in
   batches across articles; attribution.py reads cues, sources and contents off each
   parse;
3. here the two are joined: a content stops before another cue inside it that introduces a quotation
   after a comma or colon; a cue's content covered by quotation marks is a direct quote, partly covered a
   mixed one, uncovered an indirect one; a quotation with no cue of its own takes the cue beside it, or
   the speaker of the quote before it (a quote split around its cue, a paragraph that continues a quote);
   a cue ending in a colon introduces the next paragraph as a block quote; transcript turns
   ("SECRETARY BLINKEN: ...") are block quotes of their label; a headline "Sanders: ..." whose speaker
   the article names is that speaker's;
4. nested attributions are linked to the quote they stand in, kept only when they report someone else;
5. every candidate gets a confidence from a model trained on annotated news (confidence.py), and the
   unlikely ones are dropped, as is reported speech inside kept reported speech ("X said Y claimed ...");
6. speakers are resolved to names (speakers.py) in text order, so "he" finds the person named before.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from onrecord.analyze import confidence
from onrecord.analyze.attribution import POLL_WORDS, CueHit, find_cues
from onrecord.analyze.marks import Marked, find_marked, last_sign, paragraphs, strip_chars, strip_space
from onrecord.analyze.nlp import load
from onrecord.analyze.speakers import PRONOUNS_FIRST, PRONOUNS_SECOND, ArticleNames
from onrecord.lexicon import cue_forms
from onrecord.types import Article, Cue, Quote, Result, Speaker

# no-break and other special spaces become plain ones before parsing (same length, so offsets hold):
# the tagger reads "nominee\xa0“makes" as three tokens and the parse around them goes wrong
_PLAIN_SPACES = str.maketrans({c: " " for c in "\xa0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
                                                "\u2008\u2009\u200a\u202f\u205f\u3000"})
MAX_CHUNK = 3000  # characters of one parsed piece; longer paragraphs are cut at sentence ends
_SENT_END = re.compile(r"[.!?][\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9])")
_TRANSCRIPT = re.compile(r"\s*[\"“]?\s*((?:Q|A|[A-Z][A-Z.'’\- ]{0,40}[A-Z.]))\s*:\s*(\S)")
# a headline that gives its speaker's words after a colon: "Sanders: Clinton needs to …", "Clinton to
# Planned Parenthood: Trump will …" (the speaker: up to five capitalised words)
_HEADLINE = re.compile(r"[ \t]*([A-Z][\w.'’&-]*(?:[ \t]+(?:[A-Z][\w.'’&-]*|of|de|the|and)){0,4})"
                       r"(?:[ \t]+to[ \t]+[A-Z][^:\n]{0,40}?)?[ \t]*(:)[ \t]+(\S[^\n]*)")
HEADLINE_WORDS = 30
_GAP_AFTER = re.compile(r"^[ \t,—–\-]*[^.!?\n“”\"]{0,60}$")
_GAP_BEFORE = re.compile(r"^[^.!?\n“”\"]{0,40}$")
_DASH_SOURCE = re.compile(r"[ \t]*([―—])[ \t]*([A-Z][\w.'’-]+(?:[ \t]+[A-Z][\w.'’-]+){0,3})")
_LABELS_NOT_SPEAKERS = {"NOTE", "UPDATE", "EDITOR'S NOTE", "CORRECTION", "PHOTO", "VIDEO", "WATCH", "READ MORE",
                        "RELATED", "SOURCE", "SOURCES", "WASHINGTON", "LONDON", "NEW YORK"}


_WORD = re.compile(r"[A-Za-z]+")
# a quotation ending in a comma, "!" or "?" before its closing mark is in the writer's frame ("…,” he
# barked"), whatever verb follows (attribution._quotative)
_FRAME = re.compile(r"[,!?][”\"]\s")


@cache
def _cue_words() -> frozenset[str]:
    return frozenset(cue_forms()) | POLL_WORDS | {"according"}


def _may_hold_speech(text: str, a: int, b: int) -> bool:
    """Whether a paragraph has a cue word (or a quotation's frame) in it. A set lookup per word: one
    regular expression with every cue word in it took six times as long once the lexicon held thousands
    of verb forms."""
    words = _cue_words()
    return any(m.group().lower() in words for m in _WORD.finditer(text, a, b)) or _FRAME.search(text, a, b) is not None


def chunks(text: str) -> list[tuple[int, int]]:
    """Spans worth parsing: paragraphs holding a cue word, cut to at most MAX_CHUNK characters."""
    out = []
    for a, b in paragraphs(text):
        if not _may_hold_speech(text, a, b):
            continue
        while b - a > MAX_CHUNK:
            cut = None
            for m in _SENT_END.finditer(text, a, a + MAX_CHUNK):
                cut = m.end()
            if cut is None or cut <= a:
                cut = text.rfind(" ", a, a + MAX_CHUNK) + 1 or a + MAX_CHUNK
                if cut <= a:
                    cut = a + MAX_CHUNK
            out.append((a, cut))
            a = cut
        out.append((a, b))
    return out


@dataclass
class _Draft:
    kind: str
    start: int
    end: int
    hit: CueHit | None = None
    context_of: _Draft | None = None  # speaker taken from this earlier quote
    question: bool = False
    label: tuple[int, int] | None = None  # transcript label span
    speaker: Speaker | None = None
    qid: str = ""
    how: str = "none"  # how it was found: clause, object, aside, according, colon, adjacent, dash, ...
    parent: _Draft | None = None
    features: list[str] | None = None
    confidence: float | None = None


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


class Extractor:
    """Finds quotes in articles. Load once, use for many articles (the pipeline loads on creation)."""

    def __init__(self, nlp=None, keep_all: bool = False) -> None:
        """``keep_all``: keep candidates the confidence model rejects (for training and inspection)."""
        self.nlp = nlp if nlp is not None else load()
        self.keep_all = keep_all

    def extract(self, article: Article | str, date: str | None = None) -> Result:
        if isinstance(article, str):
            article = Article(text=article, date=date)
        return next(self.extract_many([article]))

    def extract_many(self, articles: Iterable[Article], batch: int = 16) -> Iterator[Result]:
        """Results in input order; paragraphs of ``batch`` articles are parsed together."""
        pending: list[Article] = []
        for art in articles:
            pending.append(art)
            if len(pending) >= batch:
                yield from self._run(pending)
                pending = []
        if pending:
            yield from self._run(pending)

    def _run(self, arts: list[Article]) -> Iterator[Result]:
        spans = [chunks(a.text) for a in arts]
        texts = [a.text[s:e].translate(_PLAIN_SPACES) for a, sp in zip(arts, spans, strict=True) for s, e in sp]
        docs = iter(self.nlp.pipe(texts, batch_size=64))
        for art, sp in zip(arts, spans, strict=True):
            hits: list[CueHit] = []
            for s, _e in sp:
                hits.extend(find_cues(next(docs), s, art.text))
            yield assemble(art, hits, self.keep_all)


def assemble(article: Article, hits: list[CueHit], keep_all: bool = False) -> Result:
    """Join cue hits from the parse with quotation marks, blocks and transcripts into quotes."""
    text = article.text
    paras = paragraphs(text)
    starts = [p[0] for p in paras]

    def para_of(pos: int) -> int:
        return max(0, bisect.bisect_right(starts, pos) - 1)

    marked = find_marked(text)
    used: set[int] = set()
    drafts: list[_Draft] = []

    # transcript turns
    for a, b in paras:
        m = _TRANSCRIPT.match(text, a, b)
        if m and m.group(1).strip() not in _LABELS_NOT_SPEAKERS and not any(c.islower() for c in m.group(1)):
            s, e = strip_space(text, m.start(2), b)
            if e > s:
                drafts.append(_Draft("block", s, e, how="label", label=(m.start(1), m.end(1)),
                                     question=m.group(1).strip() == "Q"))
    if len(drafts) < 2:
        # a transcript has turns: one labelled paragraph is a headline's label ("BREAKING: …", "BYLINE: …",
        # "EXCLUSIVE: …"; on PolNeAR train and dev, all 14 articles with one such paragraph)
        drafts = []
    blocks = [(d.start, d.end) for d in drafts]

    def marks_in(a: int, b: int) -> list[int]:
        return [i for i, m in enumerate(marked) if _overlap(m.outer_start, m.outer_end, a, b) > 0]

    def from_content(hit: CueHit, a: int, b: int, default_kind: str, how: str) -> None:
        # a content never ends or starts halfway through a quotation: the parse may stop at a comma or a
        # sentence end inside it ("… as well, “including State, Labor and Energy. The firm also …”")
        for m in marked:
            if m.start < b < m.end and para_of(m.end) == para_of(b):
                b = m.end
            if m.start < a < m.end and para_of(m.start) == para_of(a):
                a = m.start
        idx = [i for i in marks_in(a, b) if i not in used]
        covered = sum(_overlap(marked[i].start, marked[i].end, a, b) for i in idx)
        if idx and covered >= 0.85 * (b - a):
            for i in idx:
                drafts.append(_Draft("direct", marked[i].start, marked[i].end, hit, how=how))
                used.add(i)
        elif idx:
            drafts.append(_Draft("mixed", a, b, hit, how=how))
            used.update(idx)
        else:
            drafts.append(_Draft(default_kind, a, b, hit, how=how))

    def inside_marks(pos: int) -> bool:
        return any(m.start <= pos < m.end for m in marked)

    _leave_quotations_to_their_cues(text, hits, marked)
    for hit in hits:
        if inside_marks(hit.cue[0]):
            # a cue inside a quotation never takes the quotation over: at most it is nested in it
            if hit.content and _reports_someone_else(text, hit):
                drafts.append(_Draft("indirect", *hit.content, hit, how=hit.how))
            continue
        if hit.content:
            from_content(hit, *hit.content, "indirect", hit.how)
        elif hit.after_colon:
            from_content(hit, *hit.after_colon, "indirect", "colon")
        elif hit.colon and hit.source:
            p = para_of(hit.cue[0])
            if p + 1 < len(paras):
                a, b = strip_space(text, *paras[p + 1])
                if b > a and not any(_overlap(a, b, x, y) for x, y in blocks):
                    from_content(hit, a, b, "block", "colon")
                    blocks.append((a, b))

    head = _headline(text, paras)
    if head is not None and head.content and not any(_overlap(*head.content, x, y) for x, y in blocks):
        from_content(head, *head.content, "indirect", "headline")

    # quotations with no cue of their own
    free = [h for h in hits if h.source and (h.word is None or not h.word.weak) and not inside_marks(h.cue[0])]
    for i, m in enumerate(marked):
        if i in used or any(x <= m.start and m.end <= y for x, y in blocks):
            continue
        hit = _adjacent_cue(text, m, free) or _dash_source(text, m)
        if hit is not None:
            drafts.append(_Draft("direct", m.start, m.end, hit, how=hit.how if hit.how == "dash" else "adjacent"))
            used.add(i)
    drafts.sort(key=lambda d: d.start)
    for i, m in enumerate(marked):
        if i in used or any(x <= m.start and m.end <= y for x, y in blocks):
            continue
        d = _Draft("direct", m.start, m.end, how="uncued")
        prev = _context([x for x in drafts if x.hit is None or not inside_marks(x.hit.cue[0])], m, para_of)
        if prev is not None:
            d.context_of = prev
            d.how = "context"
        if not _speech_like(text, m, prev):
            continue  # a scare quote, a title or a name, not speech
        bisect.insort(drafts, d, key=lambda x: x.start)
        used.add(i)

    drafts = _cut_at_other_attributions(text, drafts)
    # nested attributions first, so that deduplication never lets one replace the quote it stands in
    _link_parents(drafts)
    drafts = [d for d in drafts if d.parent is None or (d.hit is not None and _reports_someone_else(text, d.hit))]
    drafts = _judge(text, _dedupe(drafts), keep_all)
    return _finish(article, drafts)


_DANGLING = {"to", "for", "by", "of", "with", "in", "on", "from", "about", "which", "that", "who", "whom"}


def _leave_quotations_to_their_cues(text: str, hits: list[CueHit], marked: list[Marked]) -> None:
    """A content ends before another cue inside it that introduces a quotation: in "said it was too
    early to congratulate winners but added, “I think you all have an idea …”" the quotation is what
    "added" introduces, not the end of what "said" reports (the parser hangs "added" on the reported
    clause). Without the cut the longer content takes the quotation and the quote is lost."""
    for h in hits:
        if h.content is None:
            continue
        a, b = h.content
        for o in hits:
            if o is h or o.content is None or not a < o.cue[0] < b or o.content[0] < o.cue[1] \
                    or o.content[1] > b + 1:
                continue
            # the quotation follows its cue after a comma or colon, as quoted speech does ("added, “…”",
            # "responded: “…”"); a word or name quoted as an object ("called “Perception”") is not cut
            # off; a cue inside a quotation is the quoted speaker's own words
            if not any(m.start <= o.content[0] and o.content[1] <= m.end + 1
                       and text[o.cue[1]:m.outer_start].strip() in (",", ":") for m in marked) \
                    or any(m.start <= o.cue[0] < m.end for m in marked):
                continue
            # from the speaker named right before the cue ("Chris Christie said, “…”"), else the cue
            start = o.cue[0]
            if o.source is not None and a <= o.source[0] and o.source[1] <= o.cue[0] \
                    and len(text[o.source[1]:o.cue[0]].split()) <= 2:
                start = o.source[0]
            head = text[a:start]
            j = _TRAILING_JOINER.search(head)
            end = a + (j.start() if j else len(head))
            words = text[a:end].split()
            if len(words) < 2 or words[-1].lower() in _DANGLING:
                h.content = None  # nothing is left but a fragment ("an email to", "which bill that")
                break
            b = end
        if h.content is not None:
            h.content = (a, b)


def _link_parents(drafts: list[_Draft]) -> None:
    """An attribution whose cue stands inside a direct or block quote is nested in it."""
    containers = [d for d in drafts if d.kind in ("direct", "block")]
    for d in drafts:
        anchor = d.hit.cue[0] if d.hit else d.start
        for c in containers:
            if c is not d and c.start <= anchor < c.end and c.start <= d.start and d.end <= c.end + 1:
                d.parent = c


def _reports_someone_else(text: str, hit: CueHit) -> bool:
    """Whether a cue inside a quote starts a nested attribution: "as the secretary general said, ..."
    inside Blinken's answer does; "I think", "we discussed" or "you know" is the quoted speaker's own
    voice. Used for cues inside quotation marks and for attributions nested in block quotes alike."""
    if hit.source is None or (hit.word is not None and hit.word.weak):
        return False
    return text[hit.source[0]:hit.source[1]].lower() not in PRONOUNS_FIRST | PRONOUNS_SECOND


def _judge(text: str, drafts: list[_Draft], keep_all: bool) -> list[_Draft]:
    """Give every candidate its confidence; drop those the model rejects, then reported speech inside
    the reported speech that is left (unless ``keep_all``). Block quotes, transcript turns and nested
    attributions are structural and always kept."""
    model = confidence.model()
    kept = []
    for d in drafts:
        d.features = confidence.features(text, d.kind, d.start, d.end, d.hit, d.how, d.parent is not None)
        if model is not None:
            d.confidence = round(model.probability(d.features), 3)
            if not keep_all and d.confidence < model.threshold and confidence.may_drop(d.kind, d.parent is not None):
                continue
        kept.append(d)
    if not keep_all:
        kept = confidence.without_embedded(kept, lambda d: d.hit.cue[0] if d.hit else None)
    for d in kept:
        if d.parent is not None and d.parent not in kept:
            d.parent = None
    return kept


_TRAILING_JOINER = re.compile(r"(?:[\s,;:—–-]+|\b(?:while|and|but|whereas|as)\b)+$", re.IGNORECASE)


def _cut_at_other_attributions(text: str, drafts: list[_Draft]) -> list[_Draft]:
    """A reported content ends where another attribution begins: in "74 percent said they are set,
    while 22 percent said they might change" the first content stops before "while 22 percent"."""
    starts = sorted(min(d.hit.source[0], d.hit.cue[0]) for d in drafts
                    if d.hit is not None and d.hit.source is not None)
    for d in drafts:
        if d.kind not in ("indirect", "mixed"):
            continue
        inner = [x for x in starts if d.start < x < d.end]
        if not inner:
            continue
        head = text[d.start:inner[0]]
        m = _TRAILING_JOINER.search(head)
        # only at a clause boundary: "X said that Y told him ..." keeps Y's report inside X's content
        if m and re.search(r"[,;]", m.group()) and len(head[:m.start()].split()) >= 2:
            d.end = d.start + m.start()
    return drafts


def _adjacent_cue(text: str, m: Marked, hits: list[CueHit]) -> CueHit | None:
    best: tuple[int, CueHit] | None = None
    for h in hits:
        if h.cue[0] >= m.outer_end:
            gap = text[m.outer_end:h.cue[0]]
            ok = _GAP_AFTER.match(gap) is not None
            # a quotation that ends its sentence does not take a cue that introduces what follows it:
            # “… ahead.” He added: “…”
            if ok and _introduces(h) and last_sign(text[m.start:m.end]) in ".!?":
                ok = False
        elif h.cue[1] <= m.outer_start:
            gap = text[h.cue[1]:m.outer_start]
            ok = _GAP_BEFORE.match(gap) is not None
        else:
            continue
        if ok and (best is None or len(gap) < best[0]):
            best = (len(gap), h)
    return best[1] if best else None


def _introduces(h: CueHit) -> bool:
    """Whether a cue has a content of its own after it."""
    c = h.content or h.after_colon
    return c is not None and c[0] >= h.cue[1]


SHORT_QUOTE_WORDS = 8


def _speech_like(text: str, m: Marked, prev: _Draft | None) -> bool:
    """Whether a quotation with no cue of its own is speech. Long ones are; a short one (“Miss Piggy”,
    “deplorables”) only when it is a whole sentence or the second half of a quote split around its cue
    (“We will stay the course,” the senator said, “as long as it takes.”)."""
    quoted = text[m.start:m.end]
    words = len(quoted.split())
    if words >= SHORT_QUOTE_WORDS:
        return True
    if prev is not None and prev.hit is not None and 0 <= m.outer_start - prev.hit.cue[1] <= 60 \
            and prev.hit.cue[0] >= prev.end:
        return True
    return words >= 4 and last_sign(quoted) in ".!?" and quoted[:1].isupper()


def _headline(text: str, paras: list[tuple[int, int]]) -> CueHit | None:
    """The attribution a headline makes ("Sanders: Clinton needs to …"): the article's first paragraph,
    one line, whose speaker the article goes on to name (so "Breaking: …" or "Stealth Over Health: …"
    is no speaker)."""
    if not paras:
        return None
    a, b = paras[0]
    m = _HEADLINE.fullmatch(text, a, b)
    if m is None or len(text[a:b].split()) > HEADLINE_WORDS:
        return None
    words = m.group(1).split()
    if not re.search(r"\b" + re.escape(words[-1]) + r"\b", text[b:]):
        return None
    s, e = strip_chars(text, m.start(3), m.end(3), set(" \t."))
    return CueHit(cue=(m.start(2), m.end(2)), word=None, source=(m.start(1), m.end(1)), source_words=words,
                  head_is_name=True, how="headline", content=(s, e) if e > s else None)


def _dash_source(text: str, m: Marked) -> CueHit | None:
    """A quotation signed with a dash after it: “We will win.” ― Ana Ruiz"""
    d = _DASH_SOURCE.match(text, m.outer_end)
    if d is None:
        return None
    name = d.group(2)
    return CueHit(cue=(d.start(1), d.end(1)), word=None, source=(d.start(2), d.end(2)), how="dash",
                  source_words=name.split(), head_is_name=True)


def _context(drafts: list[_Draft], m: Marked, para_of) -> _Draft | None:
    """The quote whose speaker a cue-less quotation continues: the one before it in the same or the
    previous paragraph, else the one after it in the same paragraph. ``drafts`` leaves out attributions
    whose cue stands inside a quotation: the next quotation continues the quoted speaker, not them."""
    p = para_of(m.start)
    before = [d for d in drafts if d.end <= m.outer_start and (d.hit or d.context_of or d.label)
              and not (d.hit and d.hit.in_source)]
    if before and p - para_of(before[-1].start) <= 1:
        return before[-1]
    after = [d for d in drafts if d.start >= m.outer_end and d.hit and para_of(d.start) == p]
    return after[0] if after else None


def _dedupe(drafts: list[_Draft]) -> list[_Draft]:
    out: list[_Draft] = []
    for d in sorted(drafts, key=lambda d: (d.start, -(d.end - d.start))):
        dup = False
        for o in out[-4:]:
            if d.parent is o or o.parent is d:
                continue  # a report nested in a quotation is not a copy of it ("“He said he thought …”")
            if d.hit is not None and o.hit is not None and o.start <= d.hit.cue[0] < o.end:
                continue  # "seized on Trump's claim that …": the model judges both; see without_embedded
            inter = _overlap(d.start, d.end, o.start, o.end)
            union = max(d.end, o.end) - min(d.start, o.start)
            if union and inter / union >= 0.8:
                dup = True
                if o.hit is None and d.hit is not None and o.label is None:
                    out[out.index(o)] = d
                break
        if not dup:
            out.append(d)
    return out


def _cue_of(text: str, hit: CueHit) -> Cue:
    return Cue(text[hit.cue[0]:hit.cue[1]], *hit.cue)


def _finish(article: Article, drafts: list[_Draft]) -> Result:
    text = article.text
    names = ArticleNames(text)

    def speaker_of(hit: CueHit) -> Speaker | None:
        if not hit.source:
            return None
        s, e = hit.source
        return names.resolve(Speaker(mention=text[s:e], start=s, end=e), hit.head_is_name, hit.source_words)

    for n, d in enumerate(drafts, start=1):
        d.qid = f"q{n}"
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
        elif d.hit:
            speaker = speaker_of(d.hit)
            cue = _cue_of(text, d.hit)
            d.question = d.question or bool(d.hit.word and d.hit.word.question)
        elif d.context_of is not None:
            # the speaker (and cue) of the quote this one continues; that quote may itself continue
            # another, or have been dropped by the confidence model while its cue still stands
            head = d.context_of
            while head.hit is None and head.context_of is not None:
                head = head.context_of
            p = head.speaker or (speaker_of(head.hit) if head.hit else None)
            if p is not None:
                speaker = Speaker(mention=p.mention, start=p.start, end=p.end, name=p.name,
                                  via="context", entity=p.entity)
            if head.hit:
                cue = _cue_of(text, head.hit)
        d.speaker = speaker
        if speaker is not None and speaker.entity:
            ent = next(x for x in names.entities.values() if x.id == speaker.entity)
            if (speaker.start, speaker.end) not in ent.mentions:
                ent.mentions.append((speaker.start, speaker.end))
        quotes.append(Quote(id=d.qid, kind=d.kind, text=text[d.start:d.end], start=d.start, end=d.end,  # type: ignore[arg-type]
                            speaker=speaker, cue=cue, question=d.question,
                            parent=d.parent.qid if d.parent else None, confidence=d.confidence,
                            features=d.features))
    return Result(article=article, quotes=quotes, entities=names.finish())


@cache
def default_extractor() -> Extractor:
    return Extractor()


def extract(text: str, date: str | None = None) -> Result:
    """Quotes, speakers and entities of one article's text (the library's front door)."""
    return default_extractor().extract(Article(text=text, date=date))
