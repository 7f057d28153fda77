"""Who said it: the learned linker, the decider's last step (decide.py).

Once the decider has its quotes, each quote's speaker mention is chosen again, by a model, among the
mentions around it (``options``):

- the source the quote has now: its cue's rule candidate, the source span the tagger marked nearest its
  cue, or, for a quotation with no cue, the speaker of the quote it continues;
- the sources the parse rules give every cue within a paragraph of the quote (the subject of "said",
  the possessor of "claim", the agent of a passive, "who" for its antecedent, ...);
- the source spans the tagger marked within a paragraph of the quote.

Each option is described by feature strings built here and only here (``features``): which of those it
is, where it stands (before, after or inside the quote, how far, across how many sentence ends, line
breaks or quotation marks, the nearest on its side or not), what it looks like (a pronoun, a name, a
noun phrase; its length; the last word of one that is not a name: "he", "officials", "statement"), its
place in the parse (the dependency label of its head word, the tag of the word it hangs on, whether that
word is a cue the tagger marked: the subject of a marked "said" against the object of "over"), and, for a
rule's source, how its cue relates to the quote (its own cue or another's, marked as a cue by the tagger,
inside the quote, how far; how much that cue's content overlaps the quote), with the quote's kind and how
it was found. A conditional logit over them (train/linker.py; models/linker.json, weights only) scores a
quote's options together, and the best becomes the speaker. Quotes that share a cue (the parts of a split
quotation) are linked once.

Trained on PolNeAR train from the drafts of taggers that had not seen the article (out of fold), so it
learns how far to trust the tagger's spans on unseen news. 5-fold cross-validation on train: speaker
right on matched 0.912 -> 0.943, end to end 0.657 -> 0.680 when it came (docs/benchmarks.md, "The learned
linker"); as a conditional logit reading the parse, 0.9435 -> 0.9493 and 0.7071 -> 0.7114 ("The linker
chooses among a quote's options").
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from dataclasses import dataclass, field, replace
from functools import cache

from onrecord.analyze.candidate import Candidate, Draft
from onrecord.analyze.marks import strip_chars
from onrecord.analyze.scoring import Model, read_model
from onrecord.lexicon import wordlist

MODEL_FILE = "linker.json"
NEAR_PARAGRAPHS = 1  # options come from the quote's paragraph and this many on either side (2: no better on CV)
WINDOW = 1500  # ... and from this many characters before or after it
MAX_OPTIONS = 24  # the nearest this many (and the quote's own), however many a paragraph holds
_SENT_END = re.compile(r"[.!?][\"”’']*\s+(?=[\"“‘]?[A-Z])")
_QUOTE_MARK = re.compile("[“”\"]")  # the marks between a quote and an option that Mentions.between counts
_TRIM = set(" \t\n\r\xa0,;:—–")


@cache
def _pronouns() -> frozenset[str]:
    return frozenset(wordlist("pronouns_person") | {"who", "which", "that", "they", "it", "we", "i", "you"})


@dataclass
class Option:
    """A mention that may be a quote's speaker."""

    span: tuple[int, int]  # characters of the analysed text
    flags: set[str] = field(default_factory=set)  # "cur" (the quote's now), "rule", "tag"
    rule: Candidate | None = None  # the rule candidate whose source it is
    prob: float | None = None  # the tagger's mean probability, for a span it marked
    inner: Candidate | None = None  # for a span the tagger marked: a rule's source inside it ("Lena Okafor, a …")


def linkable(d: Draft) -> bool:
    """The quotes the linker gives a speaker: not transcript turns or block quotes (their speaker is their
    label or their colon's cue), not attributions nested in a quotation."""
    return d.parent is None and d.label is None and d.kind != "block"


def current(d: Draft) -> tuple[tuple[int, int] | None, Candidate | None]:
    """The source a quote has now, and the candidate it comes from (through the quotes it continues)."""
    if d.cand is not None:
        return d.cand.source, d.cand
    head = d.context_of
    while head is not None and head.cand is None and head.context_of is not None:
        head = head.context_of
    if head is not None and head.cand is not None:
        return head.cand.source, head.cand
    return None, None


class Mentions:
    """One article's possible speaker mentions, sorted, so that a quote's options are found by bisection
    (the linker stays linear in the article, however many cues a paragraph holds)."""

    def __init__(self, a, tagged: list) -> None:
        text = a.article.text
        self.ctx = a.ctx
        self.a = a
        self._roles: dict[tuple[int, int], tuple[str, str, bool]] = {}
        rules = sorted(((mention(c), c) for c in a.cands if c.source is not None and c.source[1] > c.source[0]),
                       key=lambda x: x[0])
        self.rules = [(span, c, self.ctx.para_of(c.at)) for span, c in rules]
        self.rule_starts = [span[0] for span, _c, _p in self.rules]
        tags = []
        for t in tagged:
            if t.role == "SOURCE":
                span = strip_chars(text, t.start, t.end, _TRIM)  # "Berg," is Berg
                if span[1] > span[0]:
                    tags.append((span, t.prob, self.ctx.para_of(t.start)))
        self.tags = sorted(tags, key=lambda x: x[0])
        self.tag_starts = [span[0] for span, _p, _q in self.tags]
        cues = sorted((t.start, t.end) for t in tagged if t.role == "CUE")
        self.cue_starts = [c[0] for c in cues]
        self.cue_ends = list(itertools.accumulate((c[1] for c in cues), max))  # running maximum of the ends
        # what lies between a quote and an option, counted by bisection instead of reading the text between
        # them for each option: sentence ends (each with the end of what its lookahead reads), line breaks,
        # quotation marks
        ends = [(m.start(), m.end() + (2 if text[m.end()] in "\"“‘" else 1)) for m in _SENT_END.finditer(text)]
        self._sent_starts = [a for a, _b in ends]
        self._sent_needs = [b for _a, b in ends]
        self._breaks = [m.start() for m in re.finditer("\n", text)]  # found by re, not a Python step a character
        self._marks = [m.start() for m in _QUOTE_MARK.finditer(text)]

    def between(self, lo: int, hi: int) -> tuple[int, int, bool]:
        """(sentence ends, line breaks, whether a quotation mark) in text[lo:hi]: what reading that text
        would give (a sentence end counts when the capital its lookahead needs lies within it too)."""
        if hi <= lo:
            return 0, 0, False
        sents = bisect.bisect_right(self._sent_needs, hi) - bisect.bisect_left(self._sent_starts, lo)
        breaks = bisect.bisect_left(self._breaks, hi) - bisect.bisect_left(self._breaks, lo)
        k = bisect.bisect_left(self._marks, lo)
        return max(0, sents), breaks, k < len(self._marks) and self._marks[k] < hi

    def cue_tagged(self, s: int, e: int) -> bool:
        """Whether the tagger marked a cue overlapping [s, e)."""
        i = bisect.bisect_left(self.cue_starts, e) - 1  # the last cue starting before e
        return i >= 0 and self.cue_ends[i] > s

    def role(self, s: int, e: int) -> tuple[str, str, bool]:
        """(dependency label, the head's tag, whether the head is a cue the tagger marked) of the word that
        heads [s, e) in the parse: ("nsubj", "VB", True) for the subject of a marked "said", ("pobj", "IN",
        False) for "over an email chain"; ("none", "none", False) outside any parsed chunk."""
        key = (s, e)
        if key not in self._roles:
            got = ("none", "none", False)
            chunk = self.a.chunk_at(s)
            if chunk is not None:
                off, doc = chunk
                span = doc.char_span(s - off, e - off, alignment_mode="expand")
                if span is not None and len(span):
                    root = span.root
                    head = root.head
                    at = off + head.idx
                    got = (root.dep_ or "none", head.tag_[:2] or "none",
                           head.i != root.i and self.cue_tagged(at, at + len(head)))
            self._roles[key] = got
        return self._roles[key]

    def inner_rule(self, s: int, e: int) -> Candidate | None:
        """A rule's mention that lies inside [s, e)."""
        for span, c, _p in self.rules[bisect.bisect_left(self.rule_starts, s):bisect.bisect_left(self.rule_starts, e)]:
            if span[1] <= e:
                return c
        return None


def mention(c: Candidate) -> tuple[int, int]:
    """The words a candidate's speaker is shown as: its source, or the relative pronoun that stands for
    it ("Biden, who said …": "who")."""
    return tuple(c.pointer or c.source)  # type: ignore[arg-type, return-value]


def options(m: Mentions, d: Draft) -> list[Option]:
    """Every mention that may be the speaker of ``d``: its own, and the rules' and the tagger's within
    NEAR_PARAGRAPHS paragraphs and WINDOW characters, the MAX_OPTIONS nearest of them."""
    p = m.ctx.para_of(d.start)
    found: dict[tuple[int, int], Option] = {}

    def add(span, flag: str, rule: Candidate | None = None, prob: float | None = None) -> None:
        o = found.setdefault(span, Option(span))
        o.flags.add(flag)
        if rule is not None and o.rule is None:
            o.rule = rule
        if prob is not None:
            o.prob = max(prob, o.prob or 0.0)

    lo, hi = d.start - WINDOW, d.end + WINDOW
    near = []
    for span, c, q in m.rules[bisect.bisect_left(m.rule_starts, lo):bisect.bisect_left(m.rule_starts, hi)]:
        if abs(q - p) <= NEAR_PARAGRAPHS:
            near.append((span, "rule", c, None))
    for span, prob, q in m.tags[bisect.bisect_left(m.tag_starts, lo):bisect.bisect_left(m.tag_starts, hi)]:
        if abs(q - p) <= NEAR_PARAGRAPHS:
            near.append((span, "tag", None, prob))
    near.sort(key=lambda x: max(x[0][0] - d.end, d.start - x[0][1], 0))
    src, cand = current(d)
    if src is not None and src[1] > src[0]:
        add(mention(cand), "cur", cand)
    for span, flag, c, prob in near:
        if len(found) >= MAX_OPTIONS and span not in found:
            continue
        add(span, flag, c, prob)
    for o in found.values():
        if o.flags == {"tag"}:
            o.inner = m.inner_rule(*o.span)
    return list(found.values())


def _bucket(x: float, edges: list[float]) -> str:
    for i, e in enumerate(edges):
        if x <= e:
            return str(i)
    return str(len(edges))


def features(text: str, d: Draft, o: Option, nearest: tuple[int | None, int | None], m: Mentions,
             cur: Candidate | None) -> list[str]:
    """What the linker reads of one option ``o`` of quote ``d`` (``nearest``: the starts of the options
    nearest before and after the quote)."""
    s, e = o.span
    f = ["bias", "flags=" + "+".join(sorted(o.flags)), *("has=" + x for x in sorted(o.flags))]
    if o.prob is not None:
        f.append("tagp=" + _bucket(o.prob, [0.5, 0.7, 0.9, 0.97]))
    if e <= d.start:
        where, gap = "before", d.start - e
    elif s >= d.end:
        where, gap = "after", s - d.end
    else:
        where, gap = "inside", 0
    f += ["where=" + where, f"gap={where}:" + _bucket(gap, [2, 10, 30, 80, 200, 500])]
    sents, breaks, marks = m.between(min(e, d.start), max(s, d.end)) if where != "inside" else (0, 0, False)
    f += ["sents=" + _bucket(sents, [0, 1]), "nl=" + _bucket(breaks, [0, 2]), "qmark_between=" + str(marks)]
    if where == "before" and s == nearest[0]:
        f.append("nearest=before")
    elif where == "after" and s == nearest[1]:
        f.append("nearest=after")
    words = text[s:e].split()
    if len(words) == 1 and words[0].lower() in _pronouns():
        shape = "pron"
    else:
        shape = "name" if words and words[-1][:1].isupper() else "np"
    f += ["shape=" + shape, "len=" + _bucket(len(words), [1, 2, 4])]
    dep, head, of_cue = m.role(s, e)
    f += ["dep=" + dep, f"dep={dep}|head={head}", f"dep={dep}|{where}", f"dep={dep}|of_cue={of_cue}"]
    if shape != "name" and words:
        f.append("word=" + words[-1].lower().strip(".,;:'\"”’"))
    rc = o.rule
    if rc is not None:
        f += ["rc_how=" + str(rc.how), "rc_is_drafts=" + str(rc is d.cand or (cur is not None and rc is cur))]
        if rc.cue is not None:
            cs, ce = rc.cue
            f += ["rc_cue_tagged=" + str(m.cue_tagged(cs, ce)),
                  "rc_cue_in_content=" + str(d.start <= cs < d.end),
                  "rc_cue_gap=" + _bucket(max(cs - d.end, d.start - ce, 0), [2, 10, 30, 80, 200])]
        if rc.content is not None:
            x0, x1 = rc.content
            inter = max(0, min(x1, d.end) - max(x0, d.start))
            f.append("rc_j=" + _bucket(inter / max(1, (x1 - x0) + (d.end - d.start) - inter), [0.0, 0.3, 0.5, 0.8]))
    how = str(d.how) + ("/ctx" if d.cand is None else "")
    f += ["kind=" + d.kind, "how=" + how]
    f += [x + "|" + d.kind for x in list(f) if x.startswith(("flags=", "where=", "shape=", "nearest="))]
    f += [x + "|how=" + str(d.how) for x in list(f) if x.startswith(("flags=", "nearest="))]
    return f


def described(a, tagged: list, drafts: list[Draft]) -> dict[int, list[tuple[Option, list[str]]]]:
    """Every linkable quote's options with their features, by ``id`` of the draft (for training too)."""
    text = a.article.text
    m = Mentions(a, tagged)
    out = {}
    for d in drafts:
        if linkable(d):
            opts = options(m, d)
            nearest = (max((o.span[0] for o in opts if o.span[1] <= d.start), default=None),
                       min((o.span[0] for o in opts if o.span[0] >= d.end), default=None))
            cur = current(d)[1]
            out[id(d)] = [(o, features(text, d, o, nearest, m, cur)) for o in opts]
    return out


class Linker:
    """Chooses every quote's speaker mention among its options: the one whose features' weights (train/
    linker.py's conditional logit) sum highest."""

    def __init__(self, weights: dict[str, float]) -> None:
        self.model = Model(weights, 0.5)  # only its sums are read (the threshold is unused)

    @classmethod
    def load(cls, path=None) -> Linker:
        return cls(read_model(MODEL_FILE, path)["weights"])

    def link(self, a, tagged: list, drafts: list[Draft]) -> dict[int, float]:
        """Give each linkable draft the best option's mention as its source (in place: a draft whose
        speaker changes gets a copy of its candidate, so the analysis's candidates stay as they were).
        Every option is described before any speaker changes; the parts of a quotation (drafts sharing a
        candidate) are linked once, by the first. Returns how sure the model is of each linked draft's
        speaker (by ``id`` of the draft, every part of a quotation alike): the best option's probability among
        the quote's options (their softmax: train/linker.py fits a conditional logit)."""
        text = a.article.text
        opts = described(a, tagged, drafts)
        keys = {id(d): id(d.cand) if d.cand is not None else id(d) for d in drafts}  # before any changes
        parts: dict[int, list[Draft]] = {}
        for d in drafts:
            parts.setdefault(keys[id(d)], []).append(d)
        done: set[int] = set()
        sure: dict[int, float] = {}
        for d in drafts:
            key = keys[id(d)]
            if not opts.get(id(d)) or key in done:
                continue
            done.add(key)
            scores = [self.model.score(f) for _o, f in opts[id(d)]]
            top = max(scores)
            i = scores.index(top)
            p = 1.0 / sum(math.exp(max(-30.0, z - top)) for z in scores)  # the softmax of the best option
            best = opts[id(d)][i][0]
            for x in parts[key]:
                sure[id(x)] = p
            src, base = current(d)
            if src is not None and base is not None and mention(base) == best.span:
                continue
            new = _source_fields(text, best)
            if d.cand is not None:
                cand = replace(d.cand, **new)
                for x in parts[key]:  # every part of the same quotation
                    x.cand = cand
            else:  # a quotation that continued another quote: its own speaker now, with the cue it had
                d.cand = Candidate(cue=base.cue if base else None, word=base.word if base else None, **new)
        return sure


def _source_fields(text: str, o: Option) -> dict:
    """What a candidate says of its source, for the mention of option ``o``: a rule's own, when the option
    is a rule's source or the tagger's span around one; else the span's words, up to a comma after a name
    ("Lena Okafor, a retired teacher who …" is Lena Okafor)."""
    rc = o.rule if o.rule is not None and mention(o.rule) == o.span else o.inner
    if rc is not None and rc.source is not None:
        return {"source": rc.source, "source_words": rc.source_words, "head_is_name": rc.head_is_name,
                "pointer": rc.pointer}
    s, e = o.span
    comma = text.find(",", s, e)
    if comma > s and text[s:comma].split() and text[s:comma].split()[-1][:1].isupper():
        e = comma
    words = text[s:e].split()
    return {"source": (s, e), "source_words": words, "head_is_name": bool(words) and words[-1][:1].isupper(),
            "pointer": None}


@cache
def default_linker() -> Linker | None:
    """The shipped linker, or None when the package has none (then the decider's links stand)."""
    try:
        return Linker.load()
    except (FileNotFoundError, ModuleNotFoundError, OSError):
        return None
