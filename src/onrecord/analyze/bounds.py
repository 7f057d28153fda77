"""Where a quote starts: a model that moves the tagger's start to the word a careful reader would begin at.

The tagger's contents overlap the annotators' well but start elsewhere often: of the quotes that matched a
gold content on held-out train, one in six had other bounds, most of them another start (docs/accuracy.md).
The commonest case is a quotation that ends a reported clause: "saying he is “weak on illegal
immigration”", where the annotators' content is the clause ("he is “weak …”") and the tagger's the
quotation; then "that" before a quotation's mark, "about" or "for" before reported speech, an
infinitive's "to".

For every quote the decider made from the tagger's spans, the model scores each word within ``REACH``
words of its start, in the same parsed chunk, as the start, and the best one wins (a conditional logit:
trained to give the annotators' start the highest score among its options; train/bounds.py). It reads
each option's words, tags and dependency labels and the word before, its distance from the tagger's start,
the quote's kind, the tagger's marginal probabilities there (content begins, content goes on, outside),
and where the cue is. A quotation (kind ``direct``) only ever grows backwards, and then holds reported
words too: its kind becomes ``mixed`` and its end takes the closing mark. No start moves before the cue
that introduced the quote, nor into the quote before it.

The weights are ``models/bounds.json``, written by ``make train`` (train/bounds.py) from the quotes of
taggers that had not seen the articles they were run on, as the linker's are.
"""

from __future__ import annotations

import bisect
from functools import cache

import numpy as np

from onrecord.analyze.candidate import Draft
from onrecord.analyze.scoring import Model, read_model

MODEL_FILE = "bounds.json"
REACH = 5  # words either side of the tagger's start (3 and 8 tried on held-out quotes: within 0.001 of exact F1)
QUOTE_MARKS = set("\"“”«»„‟‘’'")
TRIM = QUOTE_MARKS | set(" \t\n\r\xa0.,;:!?—–-")  # what the scorer trims before comparing bounds
MOVABLE = ("direct", "indirect", "mixed")  # block quotes and transcript turns stand as the layout made them
MAX_TRIM = 64  # characters a start is trimmed over at most (a run of dashes costs no more than this)


def _bin(p: float) -> str:
    return str(min(9, int(p * 10)))


def trimmed_start(text: str, s: int, e: int) -> int:
    """Where the scorer would start a content that starts at ``s`` (spaces, marks, punctuation trimmed)."""
    stop = min(e, s + MAX_TRIM)
    while s < stop and text[s] in TRIM:
        s += 1
    return s


class ChunkIndex:
    """Which parsed chunk holds an offset, and where each of its words starts (built once an article, each
    chunk's words once: options() for every quote of a long article stays linear)."""

    def __init__(self, a) -> None:
        self.a = a
        self.starts = [o for o, _ in a.chunks]
        self._words: dict[int, list[int]] = {}

    def chunk(self, pos: int) -> int:
        return bisect.bisect_right(self.starts, pos) - 1

    def words(self, n: int) -> list[int]:
        got = self._words.get(n)
        if got is None:
            base, doc = self.a.chunks[n]
            got = self._words[n] = [base + t.idx for t in doc]
        return got


def options(a, d: Draft, marginals: list[np.ndarray], lo: int = 0,
            index: ChunkIndex | None = None) -> list[tuple[int, list[str]]]:
    """(start, features) of every start the model may choose for draft ``d`` of analysis ``a``: one per
    distinct trimmed start, the current one among them; none before ``lo`` (the quote before ends
    there), nor before the cue when the cue comes first, nor (for a quotation) after its start.
    ``index``: the article's ChunkIndex, when several drafts are asked about."""
    text = a.article.text
    index = index or ChunkIndex(a)
    n = index.chunk(d.start)
    if n < 0 or n >= len(marginals):
        return []
    _, doc = a.chunks[n]
    m = marginals[n]
    if len(doc) == 0 or len(m) != len(doc):
        return []
    idx = index.words(n)
    i = max(0, bisect.bisect_right(idx, d.start) - 1)
    cue = d.cand.cue if d.cand is not None else None
    if cue is not None and cue[1] <= d.start:
        lo = max(lo, cue[1])
    kind = d.kind
    cur = trimmed_start(text, d.start, d.end)
    word: dict[int, int] = {}  # one option per start the scorer tells apart, and the word that gives it
    for t in range(max(0, i - REACH), min(len(doc), i + REACH + 1)):
        s = idx[t]
        if s >= d.end or (s < lo and s < d.start):
            continue
        pos = trimmed_start(text, s, d.end)
        if pos >= d.end or (kind == "direct" and pos > cur):
            continue
        # the current start is the word at the draft's start; any other the first word to give it (an
        # opening mark, not the word after it)
        if pos not in word or (pos == cur and t == i):
            word[pos] = t
    out: list[tuple[int, list[str]]] = []
    for t in sorted(word.values()):
        s = idx[t]
        tok = doc[t]
        prev = doc[t - 1] if t > 0 else None
        off = t - i
        side = str(max(-1, min(1, off)))
        f = [f"off={off}", f"koff={kind}{off}", f"t.w={tok.lower_}", f"t.tag={tok.tag_}", f"t.dep={tok.dep_}",
             f"tw_off={tok.lower_}|{side}", f"k_tw={kind}|{tok.lower_}", f"mB={_bin(m[t, 1])}",
             f"mIn={_bin(m[t, 1] + m[t, 2])}", f"sent={bool(tok.is_sent_start)}",
             f"qm={tok.text[:1] in QUOTE_MARKS}"]
        if prev is not None:
            f += [f"p.w={prev.lower_}", f"p.tag={prev.tag_}", f"p.dep={prev.dep_}",
                  f"pw_tw={prev.lower_}|{tok.lower_}", f"pO={_bin(m[t - 1, 0])}",
                  f"pIn={_bin(m[t - 1, 1] + m[t - 1, 2])}", f"qmp={prev.text[:1] in QUOTE_MARKS}"]
        else:
            f += ["p.w=<none>", "qmp=False"]
        if cue is not None:
            if s >= cue[1] and (t == 0 or idx[t - 1] < cue[1]):
                f.append("aftercue")
            if s < cue[1]:
                f.append("beforecue")
        out.append((s, f))
    return out


def movable(a, drafts: list[Draft], marginals: list[np.ndarray]):
    """(draft, its options) of every draft whose start may move, in text order, each draft's options
    asked when the drafts before it have moved (what the model is fitted on, and what it is applied to)."""
    index = ChunkIndex(a)
    lo = 0
    for d in sorted(drafts, key=lambda x: x.start):
        if d.kind in MOVABLE and d.parent is None and d.label is None:
            yield d, options(a, d, marginals, lo, index)
        if d.parent is None:
            lo = max(lo, d.end)


class Bounds:
    """Chooses where each quote starts (the weights of train/bounds.py)."""

    def __init__(self, weights: dict[str, float]) -> None:
        self.model = Model(weights, 0.5)

    @classmethod
    def load(cls, path=None) -> Bounds:
        return cls(read_model(MODEL_FILE, path)["weights"])

    @property
    def weights(self) -> dict[str, float]:
        return self.model.weights

    def score(self, features: list[str]) -> float:
        """An option's log-odds of being the start."""
        return self.model.score(features)

    def adjust(self, a, drafts: list[Draft], marginals: list[np.ndarray]) -> None:
        """Move each movable draft's start to its best option (in place; ``drafts`` in text order)."""
        text = a.article.text
        for d, opts in movable(a, drafts, marginals):
            if len(opts) > 1:
                cur = trimmed_start(text, d.start, d.end)
                # the current start first, so that a tie keeps it
                opts.sort(key=lambda o: trimmed_start(text, o[0], d.end) != cur)
                best = max(opts, key=lambda o: self.score(o[1]))[0]
                if trimmed_start(text, best, d.end) != cur:
                    self._move(a, d, best)

    @staticmethod
    def _move(a, d: Draft, start: int) -> None:
        if d.kind == "direct":  # reported words before the quotation: the content holds both
            m = a.ctx.mark_holding(d.start, d.end)
            if m is not None:
                d.end = max(d.end, m.outer_end)
            d.kind = "mixed"
        d.start = start


@cache
def default_bounds() -> Bounds | None:
    """The shipped bounds model, or None when the package has none (then the tagger's starts stand)."""
    try:
        return Bounds.load()
    except (FileNotFoundError, ModuleNotFoundError, OSError):
        return None
