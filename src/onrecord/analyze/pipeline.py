"""Article in, quotes and speakers out: the steps in order, and how articles are batched.

1. quotation marks are read off the whole text (marks.py, context.py), no parsing needed;
2. only paragraphs that contain a cue word, name a poll or close a quotation in the writer's frame are
   parsed (with thousands of learned verb forms that leaves out only about 5% of a news story), in
   chunks of at most MAX_CHUNK characters, batched across articles;
3. the finders propose candidates: the parse rules on each parsed chunk (find/parse_rules.py), the
   layout rules on the whole article (find/layout.py, run inside assembly);
4. assembly joins candidates and quotation marks into drafts (assemble.py);
5. the scorer gives every draft a confidence and drops the unlikely ones (scoring.py);
6. speakers are resolved to names (speakers.py) and the drafts become quotes.

An article of over 100,000 characters goes through them in pieces (segment.py), so that memory stays
bounded. ``Extractor`` runs them for many articles; ``onrecord.extract`` and the spaCy component (component.py)
run the very same steps.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any, Protocol

from onrecord.analyze import segment
from onrecord.analyze.assemble import assemble, to_result
from onrecord.analyze.candidate import Candidate, Draft
from onrecord.analyze.context import ArticleContext
from onrecord.analyze.find import parse_rules
from onrecord.analyze.marks import paragraphs
from onrecord.analyze.normalize import Normalized, normalize
from onrecord.analyze.scoring import Scorer, default_scorer, judge, select
from onrecord.errors import ModelError
from onrecord.lexicon import cue_forms, wordlist
from onrecord.types import MODELS, Article, Result

MAX_CHUNK = 3000  # characters of one parsed piece; longer paragraphs are cut at sentence ends
# the articles parsed together hold at most about this many characters (and up to ``batch`` articles)
BATCH_CHARS = segment.SEGMENT
_SENT_END = re.compile(r"[.!?][\"”’)]*+\s++(?=[\"“‘(]?[A-Z0-9])")
_WORD = re.compile(r"[A-Za-z]+")
# a quotation ending in a comma, "!" or "?" before its closing mark is in the writer's frame ("…,” he
# barked"), whatever verb follows (parse_rules._quotative)
_FRAME = re.compile(r"[,!?][”\"]\s")


@cache
def _cue_words() -> frozenset[str]:
    return frozenset(cue_forms()) | wordlist("polls") | wordlist("attitude_adjectives") | {"according"}


def _may_hold_speech(text: str, a: int, b: int) -> bool:
    """Whether a paragraph has a cue word (or a quotation's frame) in it. A set lookup per word: one
    regular expression with every cue word in it took six times as long once the lexicon held thousands
    of verb forms."""
    words = _cue_words()
    return any(m.group().lower() in words for m in _WORD.finditer(text, a, b)) or _FRAME.search(text, a, b) is not None


def chunks(text: str, every: bool = False) -> list[tuple[int, int]]:
    """Spans worth parsing: paragraphs holding a cue word (``every``: all paragraphs), cut to at most
    MAX_CHUNK characters."""
    out = []
    for a, b in paragraphs(text):
        if not every and not _may_hold_speech(text, a, b):
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


Finder = Callable[[object, int, str], list[Candidate]]  # (parsed chunk, its offset, article text)


@dataclass
class Analysis:
    """One article as far as the rules take it: what a learned model reads, and decides on."""

    stored: Article  # as given
    article: Article  # the analysed copy (normalize.py); every offset below indexes its text
    clean: Normalized
    ctx: ArticleContext
    chunks: list[tuple[int, Any]]  # (offset, parsed spaCy Doc) of every parsed chunk, in text order
    cands: list[Candidate]
    drafts: list[Draft]  # every draft assembly made, each with its features and confidence
    _starts: list[int] | None = field(default=None, init=False, repr=False, compare=False)

    def chunk_at(self, pos: int) -> tuple[int, Any] | None:
        """The parsed chunk (offset, Doc) that starts last at or before ``pos``; None before the first.
        (One bisection: a dense article has tens of thousands of chunks.)"""
        if self._starts is None:
            self._starts = [o for o, _ in self.chunks]
        i = bisect.bisect_right(self._starts, pos) - 1
        return self.chunks[i] if i >= 0 else None


class Decider(Protocol):
    """What turns an analysis into the drafts that become quotes (the learned model, find/model.py)."""

    every_paragraph: bool  # whether it wants paragraphs without a cue word parsed too

    def decide(self, analysis: Analysis) -> list[Draft]: ...


class Extractor:
    """Finds quotes in articles. Load once, use for many articles (the pipeline loads on creation).

    ``nlp``: a spaCy pipeline with a tagger and a parser (default: onrecord's own, nlp.py);
    ``scorer``: what judges drafts (default: the shipped model, scoring.py; None keeps every draft);
    ``keep_all``: keep the drafts the scorer rejects, with their confidence (for training and inspection);
    ``decider``: what decides the quotes: ``"default"``, the shipped tagger (decide.py); ``"accurate"``,
    the tagger that also reads a pretrained encoder's word vectors (slower: ``--model accurate``, needs
    ``onrecord[embed]``); None, the rules and the scorer alone (``--model rules``); or a Decider of your
    own. ``keep_all`` implies the rules.
    ``nested``: also report attributions nested inside a quotation ("As the governor said, …" inside a
    mayor's quote), each with ``parent``, the quote it stands in. Off by default: such an attribution is
    the quoted speaker's account of someone else, not a statement on that person's record, and more than
    half of those found are no statement at all (docs/benchmarks.md, "Attributions nested in quotations
    reported only when asked").
    """

    def __init__(self, nlp=None, keep_all: bool = False, scorer: Scorer | None | str = "default",
                 finders: list[Finder] | None = None, decider: Decider | None | str = "default",
                 nested: bool = False) -> None:
        if isinstance(decider, str) and decider not in MODELS:
            raise ValueError(f"no such model {decider!r} (one of {', '.join(MODELS)})")
        if nlp is None:
            from onrecord.analyze.nlp import load

            nlp = load()
        self.nlp = nlp
        self.keep_all = keep_all
        self.nested = nested
        self.scorer: Scorer | None = default_scorer() if scorer == "default" else scorer  # type: ignore[assignment]
        self.finders: list[Finder] = finders if finders is not None else [parse_rules.find]
        # the model as asked (one of MODELS, or "custom"); keep_all or a package without a model also mean
        # the rules
        self.model = decider if isinstance(decider, str) else "rules" if decider is None else "custom"
        if isinstance(decider, str):
            made = {"default": default_decider, "accurate": accurate_decider}.get(decider)
            decider = None if keep_all or made is None else made()
        self.decider: Decider | None = decider  # type: ignore[assignment]

    def extract(self, article: Article | str, date: str | None = None) -> Result:
        if isinstance(article, str):
            article = Article(text=article, date=date)
        return next(self.extract_many([article]))

    def extract_many(self, articles: Iterable[Article], batch: int = 16) -> Iterator[Result]:
        """Results in input order; paragraphs of up to ``batch`` articles are parsed together, and of no
        more than BATCH_CHARS characters of text. An article longer than segment.SEGMENT is read in
        pieces (segment.py), so that what is held at once stays bounded."""
        pending: list[tuple[Article, Article, int, bool]] = []  # (article, piece, its offset, last piece)
        size = 0
        parts: list[tuple[int, Result]] = []

        def run() -> Iterator[Result]:
            for (art, _piece, off, last), res in zip(pending, self._run([p for _, p, _, _ in pending]),
                                                      strict=True):
                parts.append((off, res))
                if last:
                    yield segment.join(art, parts)
                    parts.clear()

        for art in articles:
            spans = segment.cuts(art.text)
            for k, (s, e) in enumerate(spans):
                piece = art if len(spans) == 1 else replace(art, text=art.text[s:e])
                pending.append((art, piece, s, k == len(spans) - 1))
                size += e - s
                if len(pending) >= batch or size >= BATCH_CHARS:
                    yield from run()
                    pending, size = [], 0
        if pending:
            yield from run()

    def _parse(self, texts: list[str]) -> Iterator:
        return iter(self.nlp.pipe(texts, batch_size=64))

    def analyses(self, arts: list[Article], every: bool | None = None) -> Iterator[Analysis]:
        """Each article through cleaning, parsing, the finders, assembly and the scorer (nothing dropped).
        ``every``: parse paragraphs without a cue word too (default: when the decider wants them)."""
        # the analysis reads a cleaned copy of each text (normalize.py); results index the stored text
        if every is None:
            every = self.decider is not None and self.decider.every_paragraph
        clean = [normalize(a.text) for a in arts]
        work = [replace(a, text=c.text) for a, c in zip(arts, clean, strict=True)]
        spans = [chunks(a.text, every) for a in work]
        docs = self._parse([a.text[s:e] for a, sp in zip(work, spans, strict=True) for s, e in sp])
        for art, w, c, sp in zip(arts, work, clean, spans, strict=True):
            cands: list[Candidate] = []
            parsed = []
            for s, _e in sp:
                doc = next(docs)
                parsed.append((s, doc))
                for find in self.finders:
                    cands.extend(find(doc, s, w.text))
            ctx = ArticleContext(w.text)
            drafts = judge(w.text, assemble(ctx, cands), self.scorer, keep_all=True)
            yield Analysis(art, w, c, ctx, parsed, cands, drafts)

    def _run(self, arts: list[Article]) -> Iterator[Result]:
        many = getattr(self.decider, "decide_many", None)
        if many is None:
            for a in self.analyses(arts):
                yield self.result(a)
            return
        # a learned decider runs over the whole batch at once: its cost is per batch of similar chunks
        analyses = list(self.analyses(arts))
        for a, drafts in zip(analyses, many(analyses), strict=True):
            yield self.result(a, drafts)

    def result(self, a: Analysis, drafts: list[Draft] | None = None) -> Result:
        """The quotes of one analysis: ``drafts``, else the decider's, else those the scorer keeps;
        speakers resolved."""
        if drafts is None:
            if self.decider is not None:
                drafts = self.decider.decide(a)
            elif self.keep_all:
                drafts = a.drafts
            else:
                drafts = select(a.drafts, self.scorer)
        if not (self.nested or self.keep_all):
            drafts = without_nested(drafts)
        return a.clean.restore(to_result(a.article, drafts, a.ctx), a.stored)


def without_nested(drafts: list[Draft]) -> list[Draft]:
    """The drafts less those nested in a quotation that is itself among them (one whose quotation was
    dropped stands alone, as to_result makes it)."""
    kept = {id(d) for d in drafts}
    return [d for d in drafts if d.parent is None or id(d.parent) not in kept]


@cache
def default_decider() -> Decider | None:
    """The learned decider over the shipped tagger (decide.py), or None when the package has no model."""
    from onrecord.analyze.bounds import default_bounds
    from onrecord.analyze.decide import chosen
    from onrecord.analyze.find.model import default_tagger
    from onrecord.analyze.link import default_linker

    tagger = default_tagger()
    return chosen(tagger, default_linker(), default_bounds()) if tagger is not None else None


@cache
def accurate_decider() -> Decider:
    """The learned decider over the accurate tagger (models/tagger-accurate.npz, which reads the packaged
    encoder's word vectors beside the pipeline's: find/encoder.py). Loading it checks that the encoder can
    be loaded too, so that a missing package is said once, before any article is read."""
    from onrecord.analyze.decide import chosen
    from onrecord.analyze.find.encoder import encoder_available
    from onrecord.analyze.find.model import ACCURATE_FILE, SpanTagger

    try:
        tagger = SpanTagger.load(name=ACCURATE_FILE)
    except (FileNotFoundError, OSError):
        raise ModelError(f"this installation has no accurate model (models/{ACCURATE_FILE}): "
                           "reinstall onrecord, or train it with `make train-accurate`") from None
    from onrecord.analyze.bounds import default_bounds
    from onrecord.analyze.link import default_linker

    encoder_available()
    return chosen(tagger, default_linker(), default_bounds())


@cache
def default_extractor() -> Extractor:
    return Extractor()


def extract(text: str, date: str | None = None) -> Result:
    """Quotes, speakers and entities of one article's text (the library's front door)."""
    return default_extractor().extract(Article(text=text, date=date))
