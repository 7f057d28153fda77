"""Train the tagger (analyze/find/model.py) on PolNeAR train: ``make train``.

    python -m onrecord.train.tagger ../shared/data/polnear/train.jsonl            # models/tagger.npz
    python -m onrecord.train.tagger ../shared/data/polnear/train.jsonl --cv       # 5-fold figures

What the tagger reads includes what the rules say, and the rules themselves learn from train (the cue
words of ``make lexicon``, the confidence model of train/confidence.py). Trained on rule features that
had seen the very articles, the tagger would learn to trust them more than it should on news it has not
seen. So the features are cross-fitted over the time-contiguous folds of
``../shared/data/polnear/folds.json``: the features of fold k's articles come from a lexicon and a
confidence model learned on the other four folds only, as a new article's would (``oof``).

The model: the token's columns (model.COLUMNS) embedded and joined to the pipeline's 96 token vector
dimensions (among the columns the word itself, lower-cased, for the words that occur at least
MIN_WORD_COUNT times in the articles it is trained on: ``known_words``; any other word is "unknown"), a
two-layer bidirectional LSTM, a linear layer to the BIO tags of content, cue and source, and a
linear-chain CRF; Adam, seeded, CPU only. It is written as plain arrays (models/tagger.npz, float16)
that analyze/find/model.py runs with numpy. The default tagger is MEMBERS such taggers, trained with seeds
``--seed``, ``--seed`` + 1, ... (at once, one PyTorch thread each, on a machine with the cores:
``train_members``) and read as one (their emissions and CRF weights averaged: model.SpanTagger.ensemble;
cross-validated in docs/benchmarks.md, "Two seeds shipped as one tagger").

The default tagger reads, beside the pipeline's vectors, static word vectors (analyze/find/wordvecs.py,
models/wordvecs.npz, built by train/wordvecs.py), which give the words train shows seldom or never a
meaning the tagger can compare (5-fold CV: docs/benchmarks.md, "Static word vectors"); ``--no-wordvecs``
trains one without them.

``--distil W`` teaches the tagger in training what it cannot afford to read at run time: a second loss,
weighted W, asks the LSTM's output to predict each word's vector from the packaged encoder in context
(find/encoder.py, the accurate model's; on its first TEACHER_DIMS principal components, ``add_teacher``),
and the layer that predicts it is dropped after training, so the tagger shipped reads and costs what it
did (docs/benchmarks.md, "The encoder as a teacher").

``--encoder`` trains the accurate model (``--model accurate``, models/tagger-accurate.npz): the same
tagger, reading also the word vectors of the packaged encoder (analyze/find/encoder.py), computed once
per article and kept beside the features cache (build/encoder-vectors.pkl).

``--cv`` trains on four folds and measures the whole pipeline on the fifth, five times, and prints
the scorer's figures per fold and pooled: the figure every decision about the model is taken by.
Needs PyTorch (``pip install 'onrecord[train]'``); onrecord itself does not.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from onrecord.analyze.find.model import (
    ACCURATE_FILE,
    COLUMNS,
    LABELS,
    MODEL_FILE,
    Vocab,
    dense_width,
    join_members,
    rule_columns,
    static_columns_many,
    word_key,
)
from onrecord.analyze.scoring import Model, may_drop, without_embedded
from onrecord.evaluate.gold import read_gold
from onrecord.evaluate.metrics import Gold
from onrecord.types import Article

OUT = Path(__file__).resolve().parents[1] / "models" / MODEL_FILE
ACCURATE = OUT.with_name(ACCURATE_FILE)  # --encoder: the accurate model
FOLDS = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "polnear" / "folds.json"
EPOCHS = 8  # chosen by cross-validation on train (docs/benchmarks.md)
AVERAGE_FROM = 5  # the weights kept: the mean of every epoch's end from the 5th on (CV on train: docs/benchmarks.md)
EMBED = {"tag": 16, "dep": 16, "head_dep": 8, "word": 32}  # the other columns get 4 dimensions each
# a word the tagger knows by name occurs this often in the articles it is trained on (3 rather than 5 by
# 5-fold CV: docs/benchmarks.md, "Words from three occurrences")
MIN_WORD_COUNT = 3
# the default tagger is this many taggers, trained alike with consecutive seeds, read as one: on 5-fold CV
# two gain end to end +0.005 over the better seed alone, for about 15% of the default's time
# (docs/benchmarks.md, "Two seeds as one tagger"); the accurate model (--encoder) stays one
MEMBERS = 2
# the default tagger reads the static word vectors too (docs/benchmarks.md, "Static word vectors");
# the accurate model does not (it reads the encoder's own, in context)
WORDVECS = True
HIDDEN = 128  # LSTM units a direction (--hidden)
DROPOUT = 0.3  # 0.2 and 0.5 both lost on 5-fold CV (docs/benchmarks.md, "Dropout, cross-validated"; --dropout)
# in training, each known word is read as "unknown" with this probability (--word-dropout), so that the
# tagger learns to read a word it does not know by name (most cue words are rare) from its vectors and shape
WORD_DROPOUT = 0.0
# in training, the LSTM's output also predicts the packaged encoder's word vectors in context (their first
# TEACHER_DIMS principal components, whitened), with this weight (--distil's default): the encoder's reading
# of a word in its sentence taught to the tagger, which reads no encoder at run time (0: no such loss).
# 0.1 rather than 0 or 0.3 by 5-fold CV (docs/benchmarks.md, "The encoder as a teacher")
DISTIL = 0.1
TEACHER_DIMS = 64
MAX_WORDS = 32_000  # and is among this many of the most frequent (the token columns are int16)


# -- what a worker keeps of each article -------------------------------------------------------------

@dataclass
class DraftRecord:
    """What the trainers need of one judged draft: its features and place (analysed text), its span in
    the stored text (for the gold labels), and what the tagger's rule columns read."""

    start: int
    end: int
    kind: str
    how: str
    nested: bool
    cue: tuple[int, int] | None
    source: tuple[int, int] | None
    features: list[str]
    orig: tuple[int, int]
    confidence: float | None = None

    @property
    def parent(self):  # scoring.without_embedded and model.rule_columns ask for it
        return True if self.nested else None

    @property
    def cand(self):
        return self

    @property
    def cue_at(self) -> int | None:
        return self.cue[0] if self.cue else None


@dataclass
class ArticleData:
    id: str
    chunks: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]  # spans, dense (f16), cats, stored spans
    drafts: list[DraftRecord]
    labels: list[np.ndarray] = field(default_factory=list)
    teacher: list[np.ndarray] | None = None  # per chunk, what --distil teaches (add_teacher); None: nothing


def collect(extractor, arts: list[Article]) -> list:
    """A worker's work (run/pool.run(work=...)): each article's chunks as the tagger reads them, with the
    rule columns still empty, and its drafts."""
    vocab = Vocab.of(extractor.nlp)
    out = []
    for a in extractor.analyses(arts, every=True):
        chunks = []
        for spans, dense, cats in static_columns_many(a.chunks, a.ctx, vocab):
            stored = np.array([a.clean.span(int(s), int(e)) for s, e in spans], dtype=np.int32).reshape(-1, 2)
            chunks.append((spans, dense.astype(np.float16), cats, stored))
        drafts = [DraftRecord(d.start, d.end, d.kind, str(d.how), d.parent is not None,
                              d.cand.cue if d.cand else None, d.cand.source if d.cand else None,
                              d.features or [], a.clean.span(d.start, d.end)) for d in a.drafts]
        out.append(ArticleData(a.stored.id or "", chunks, drafts))
    return out


def token_labels(gold: Gold, stored: np.ndarray) -> np.ndarray:
    """BIO label ids of a chunk's tokens (their spans in the stored text) from the gold attributions."""
    n = len(gold.text)
    role = np.zeros(n, dtype=np.int8)  # 0 none, 1 content, 2 cue, 3 source
    span_id = np.full(n, -1, dtype=np.int32)
    k = 0
    for a in gold.attributions:
        for r, name in ((1, "content"), (2, "cue"), (3, "source")):
            for s, e in a.get(name, []):
                role[s:e] = r
                span_id[s:e] = k
                k += 1
    out = np.zeros(len(stored), dtype=np.int64)
    prev = -2
    for i, (s, e) in enumerate(stored):
        if e <= s:
            prev = -2
            continue
        rs = role[s:e]
        if not rs.any():
            prev = -2
            continue
        r = int(np.bincount(rs[rs > 0]).argmax())
        sid = int(np.bincount(span_id[s:e][rs == r]).argmax())
        out[i] = LABELS.index(("I-" if sid == prev else "B-") + ["", "CONTENT", "CUE", "SOURCE"][r])
        prev = sid
    return out


# -- cross-fitting -----------------------------------------------------------------------------------

def known_words(golds: list[Gold], data: list[ArticleData], min_count: int = MIN_WORD_COUNT) -> list[str]:
    """The words (model.word_key forms) the tagger learns by name: those at least ``min_count`` times in
    these articles (``data``'s, whose texts ``golds`` give, by id), the most frequent first, at most
    MAX_WORDS; none when ``min_count`` is 0 (a tagger without words). Read off the text as stored, where
    the tagger reads the analysed text: the two differ only where analyze/normalize.py cleaned something
    (a zero-width space, an editor's bracket)."""
    if min_count <= 0:
        return []
    text = {g.id: g.text for g in golds}
    counts: dict[str, int] = {}
    for d in data:
        t = text[d.id]
        for _spans, _dense, _cats, stored in d.chunks:
            for s, e in stored.tolist():
                w = word_key(t[s:e])
                counts[w] = counts.get(w, 0) + 1
    ranked = sorted((w for w, n in counts.items() if n >= min_count and w.strip()), key=lambda w: (-counts[w], w))
    return ranked[:MAX_WORDS]


def with_words(golds: list[Gold], data: list[ArticleData], words: list[str]) -> list[ArticleData]:
    """``data`` with each token's "word" column set to its index in ``words`` (0: not among them), from the
    article's text; without ``words``, the column is left out, as a model without words reads none."""
    text = {g.id: g.text for g in golds}
    index = {w: i + 1 for i, w in enumerate(words)}
    base = COLUMNS.index("word")
    out = []
    for d in data:
        t = text[d.id]
        chunks = []
        for spans, dense, cats, stored in d.chunks:
            cats = cats[:, :base]
            if words:
                ids = np.array([index.get(word_key(t[s:e]), 0) for s, e in stored.tolist()], dtype=cats.dtype)
                cats = np.concatenate([cats, ids.reshape(-1, 1)], axis=1)
            chunks.append((spans, dense, cats, stored))
        out.append(ArticleData(d.id, chunks, d.drafts, d.labels, d.teacher))
    return out


def fold_of(golds: list[Gold], path: Path = FOLDS) -> list[int]:
    folds = json.loads(path.read_text())["folds"]
    missing = [g.id for g in golds if g.id not in folds]
    if missing:
        raise SystemExit(f"{len(missing)} articles have no fold in {path} (e.g. {missing[0]})")
    return [folds[g.id] for g in golds]


def _gold_dicts(golds: list[Gold]) -> list[dict]:
    return [{"id": g.id, "text": g.text, "attributions": g.attributions} for g in golds]


def fit_confidence(golds: list[Gold], data: list[ArticleData]) -> Model:
    """The confidence model of train/confidence.py, fitted on these articles' drafts."""
    from onrecord.train.confidence import fit, label

    rows, ys = [], []
    for g, d in zip(golds, data, strict=True):
        for q in without_embedded(d.drafts, lambda x: x.cue_at):
            if may_drop(q.kind, q.nested):
                rows.append(q.features)
                ys.append(label(g, _Span(*q.orig, q.kind)))
    return Model(fit(rows, np.array(ys, dtype=np.float64)), 0.0)


@dataclass
class _Span:
    start: int
    end: int
    kind: str


def analyse_all(golds: list[Gold], jobs: int | None) -> list[ArticleData]:
    from onrecord.run.pool import run

    out = []
    for g, r in zip(golds, run((Article(text=g.text, id=g.id) for g in golds), jobs=jobs, keep_all=True,
                               timeout=None, work=collect), strict=True):
        if not isinstance(r, ArticleData):
            raise SystemExit(f"article {g.id} could not be analysed: {r}")
        out.append(r)
    return out


@dataclass
class FoldRules:
    """What the rules learned without fold k: its lexicon (as lexicon.use_learned takes it) and
    confidence model."""

    lexicon: str
    confidence: Model


@dataclass
class CrossFit:
    data: list[ArticleData]  # every article's chunks, rule columns from the rules of the other folds
    folds: list[int]
    rules: dict[int, FoldRules]


def oof(golds: list[Gold], folds: list[int], jobs: int | None = None, log=print) -> CrossFit:
    """Every article's chunks with cross-fitted rule columns and gold labels (see the module's text)."""
    from onrecord.lexicon import use_learned
    from onrecord.lexicon.build import learn, render

    result: list[ArticleData | None] = [None] * len(golds)
    rules: dict[int, FoldRules] = {}
    for k in sorted(set(folds)):
        t = time.perf_counter()
        others = [g for g, f in zip(golds, folds, strict=True) if f != k]
        lexicon = render(learn(_gold_dicts(others)))
        use_learned(lexicon)
        try:
            data = analyse_all(golds, jobs)
        finally:
            use_learned(None)
        model = fit_confidence(others, [d for d, f in zip(data, folds, strict=True) if f != k])
        rules[k] = FoldRules(lexicon, model)
        for i, (g, d, f) in enumerate(zip(golds, data, folds, strict=True)):
            if f != k:
                continue
            for r in d.drafts:
                r.confidence = model.probability(r.features) if r.features else None
            for spans, _dense, cats, stored in d.chunks:
                rule_columns(spans, cats, d.drafts)
                d.labels.append(token_labels(g, stored))
            result[i] = d
        log(f"fold {k}: features of {folds.count(k)} articles from the other folds' lexicon and confidence "
            f"model ({time.perf_counter() - t:.0f} s)")
    return CrossFit(result, folds, rules)  # type: ignore[arg-type]


def encoder_vectors(golds: list[Gold], fit: CrossFit, cache: Path | None, log=print) -> dict[str, list[np.ndarray]]:
    """article id -> the encoder's word vectors (find/encoder.py) of each of its chunks, float16: the words as
    the article gave them (its stored spans). Read from ``cache`` and kept there with those computed here."""
    from onrecord.analyze.find.encoder import NAME, encoder

    vectors: dict[str, list[np.ndarray]] = {}
    if cache is not None and cache.exists():
        vectors = pickle.loads(cache.read_bytes())
        log(f"{NAME} vectors of {len(vectors)} articles read from {cache}")
    t = time.perf_counter()
    text = {g.id: g.text for g in golds}
    todo = [d for d in fit.data if d.id not in vectors]
    for n, d in enumerate(todo):
        words = [[text[d.id][int(s):int(e)] for s, e in stored] for _spans, _dense, _cats, stored in d.chunks]
        vectors[d.id] = [v.astype(np.float16) for v in encoder().vectors(words)]
        if (n + 1) % 100 == 0:
            log(f"{NAME}: {n + 1}/{len(todo)} articles ({time.perf_counter() - t:.0f} s)")
    if todo and cache is not None:
        cache.write_bytes(pickle.dumps(vectors, protocol=5))
    for d in fit.data:
        if [len(v) for v in vectors[d.id]] != [len(c[1]) for c in d.chunks]:
            raise SystemExit(f"{cache}: the encoder's vectors of {d.id} are not those of these features' words "
                             "(made from other features: delete the file and run again)")
    return vectors


def add_encoder(golds: list[Gold], fit: CrossFit, cache: Path | None, log=print) -> None:
    """Append the encoder's word vectors (find/encoder.py) to every chunk's dense columns, as the accurate
    model reads them. Kept in ``cache``."""
    vectors = encoder_vectors(golds, fit, cache, log)
    for d in fit.data:
        d.chunks = [(spans, np.concatenate([dense, v], axis=1), cats, stored)
                    for (spans, dense, cats, stored), v in zip(d.chunks, vectors[d.id], strict=True)]


def add_teacher(golds: list[Gold], fit: CrossFit, cache: Path | None, dims: int = TEACHER_DIMS, log=print) -> None:
    """Set every article's ``teacher``: its words' encoder vectors (``encoder_vectors``, kept in ``cache``)
    projected on their first ``dims`` principal components, each scaled to unit variance, float16: what
    ``train(distil=...)`` teaches the LSTM to predict. The components come from every article's words, with
    no label: the encoder's own reading, as fixed as its weights."""
    vectors = encoder_vectors(golds, fit, cache, log)
    width = next(v.shape[1] for d in fit.data for v in vectors[d.id])
    n, total, outer = 0, np.zeros(width), np.zeros((width, width))
    for d in fit.data:
        for v in vectors[d.id]:
            x = v.astype(np.float64)
            n, total, outer = n + len(x), total + x.sum(0), outer + x.T @ x
    mean = total / n
    values, axes = np.linalg.eigh(outer / n - np.outer(mean, mean))
    top = np.argsort(values)[::-1][:dims]
    project = axes[:, top] / np.sqrt(values[top])
    for d in fit.data:
        d.teacher = [((v.astype(np.float32) - mean) @ project).astype(np.float16) for v in vectors[d.id]]
    log(f"teacher: the encoder's vectors of {n} words on {dims} components "
        f"({values[top].sum() / values.sum():.0%} of the variance)")


def add_wordvecs(golds: list[Gold], fit: CrossFit) -> dict:
    """Append the static word vectors (find/wordvecs.py, the package's table) of every chunk's words to its
    dense columns, as the tagger reads them at run time: the words as the article gave them (its stored
    spans). Returns what a tagger trained on them records of the table (model.SpanTagger.wordvecs)."""
    from onrecord.analyze.find.wordvecs import FILE, word_vectors

    table = word_vectors()
    for g, d in zip(golds, fit.data, strict=True):
        d.chunks = [(spans, np.concatenate([dense, table.vectors([g.text[int(s):int(e)] for s, e in stored])
                                            .astype(dense.dtype)], axis=1), cats, stored)
                    for spans, dense, cats, stored in d.chunks]
    return {"wordvecs": FILE, "wordvecs_digest": table.digest}


def add_vectors(golds: list[Gold], fit: CrossFit, encoder: bool, wordvecs: bool, cache: Path | None,
                log=print) -> dict:
    """The columns a tagger reads beside the pipeline's, appended to the cross-fitted features in the order
    model.SpanTagger.add_vectors appends them at run time: the encoder's (``encoder``, the accurate
    model; kept beside ``cache``), then the static word vectors (``wordvecs``). Returns what the tagger
    records of them (its ``about``)."""
    about: dict = {}
    if encoder:
        from onrecord.analyze.find.encoder import NAME

        add_encoder(golds, fit, cache.with_name("encoder-vectors.pkl") if cache else None, log)
        about["encoder"] = NAME
    if wordvecs:
        about.update(add_wordvecs(golds, fit))
    return about


# -- the model (PyTorch) -------------------------------------------------------------------------------

def _torch_model(sizes: list[int], hidden: int, layers: int, dropout: float, dense: int = 96):
    import torch
    from torch import nn

    class CRF(nn.Module):
        def __init__(self, n: int) -> None:
            super().__init__()
            self.transitions = nn.Parameter(torch.zeros(n, n))
            self.start = nn.Parameter(torch.zeros(n))
            self.end = nn.Parameter(torch.zeros(n))

        def nll(self, em, tags, mask):
            # em (B, T, L), tags (B, T), mask (B, T) bool; mean negative log-likelihood over sequences
            b, t_max, _ = em.shape
            idx = torch.arange(b)
            score = self.start[tags[:, 0]] + em[idx, 0, tags[:, 0]]
            alpha = self.start + em[:, 0]
            for t in range(1, t_max):
                m = mask[:, t]
                step = self.transitions[tags[:, t - 1], tags[:, t]] + em[idx, t, tags[:, t]]
                score = score + step * m
                nxt = torch.logsumexp(alpha.unsqueeze(2) + self.transitions + em[:, t].unsqueeze(1), dim=1)
                alpha = torch.where(m.unsqueeze(1), nxt, alpha)
            last = tags[idx, mask.sum(1) - 1]
            score = score + self.end[last]
            z = torch.logsumexp(alpha + self.end, dim=1)
            return (z - score).mean()

    class Tagger(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            dims = [EMBED.get(c, 4) for c in COLUMNS[:len(sizes)]]  # without words, no "word" column
            self.embs = nn.ModuleList(nn.Embedding(n, d) for n, d in zip(sizes, dims, strict=True))
            self.drop = nn.Dropout(dropout)
            self.lstm = nn.LSTM(dense + sum(dims), hidden, num_layers=layers, bidirectional=True, batch_first=True,
                                dropout=dropout if layers > 1 else 0.0)
            self.out = nn.Linear(2 * hidden, len(LABELS))
            self.crf = CRF(len(LABELS))

        def states(self, dense, cats, lengths):
            """The LSTM's output at every token."""
            x = torch.cat([dense, *(e(cats[:, :, c]) for c, e in enumerate(self.embs))], dim=2)
            x = self.drop(x)
            packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
            y, _ = self.lstm(packed)
            y, _ = nn.utils.rnn.pad_packed_sequence(y, batch_first=True, total_length=x.shape[1])
            return y

        def emissions(self, dense, cats, lengths):
            return self.scores(self.states(dense, cats, lengths))

        def scores(self, states):
            """The emissions from the LSTM's output."""
            return self.out(self.drop(states))

    return Tagger()


def _batches(items: list[tuple[np.ndarray, np.ndarray, np.ndarray]], size: int, rng: np.random.Generator):
    """Batches of sequences of similar length, in a random order."""
    order = sorted(range(len(items)), key=lambda k: (len(items[k][0]), rng.random()))
    groups = [order[i:i + size] for i in range(0, len(order), size)]
    rng.shuffle(groups)
    return groups


def sequences(data: Iterable[ArticleData], max_len: int = 400,
              teacher: bool = False) -> list[tuple[np.ndarray, ...]]:
    """(dense, cats, labels) per chunk, long chunks cut into pieces for training; with ``teacher``, each
    also with the article's ``teacher`` vectors of the same words."""
    out = []
    for d in data:
        taught = d.teacher if teacher else None
        if teacher and taught is None:
            raise ValueError(f"{d.id}: no teacher vectors (add_teacher)")
        for n, ((_spans, dense, cats, _stored), y) in enumerate(zip(d.chunks, d.labels, strict=True)):
            for s in range(0, len(y), max_len):
                if len(y[s:s + max_len]):
                    piece = (dense[s:s + max_len], cats[s:s + max_len], y[s:s + max_len])
                    out.append(piece if taught is None else (*piece, taught[n][s:s + max_len]))
    return out


def train(data: list[ArticleData], sizes: list[int], epochs: int = EPOCHS, hidden: int = HIDDEN, layers: int = 2,
          dropout: float = DROPOUT, lr: float = 2e-3, batch: int = 32, seed: int = 0,
          average_from: int | None = AVERAGE_FROM, word_dropout: float = WORD_DROPOUT,
          distil: float = 0.0, log=print) -> dict[str, np.ndarray]:
    """The trained weights, as the numpy arrays analyze/find/model.py reads. ``average_from``: the weights
    returned are the mean of those at the end of every epoch from this one (1-based) to the last, one
    trajectory's weights averaged (stochastic weight averaging), not the last epoch's; None (or a
    number past ``epochs``): the last epoch's. ``word_dropout``: the probability with which a known word
    is read as unknown in training (drawn from a generator of its own, so that 0 changes nothing).
    ``distil``: the weight of a second loss, the squared error of a linear layer over the LSTM's output
    predicting each word's ``teacher`` vector (the articles' own, add_teacher), summed over a sequence's
    words as the CRF's loss is; the layer is dropped after training (0: no such loss, no such layer)."""
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    rng = np.random.default_rng(seed)
    items = sequences(data, teacher=distil > 0)
    width = items[0][0].shape[1]  # 96, or 96 + the encoder's dimensions (--encoder)
    model = _torch_model(sizes, hidden, layers, dropout, width)
    params = list(model.parameters())
    dims = items[0][3].shape[1] if distil > 0 else 0  # what the teacher gives each word
    if distil > 0:  # made after the tagger's own layers, so that their first weights are those without it
        taught = torch.nn.Linear(2 * hidden, dims)
        params += list(taught.parameters())
    opt = torch.optim.Adam(params, lr=lr)
    word_col = COLUMNS.index("word") if len(sizes) > COLUMNS.index("word") else None  # None: no words
    unknowing = torch.Generator().manual_seed(seed)
    for epoch in range(epochs):
        model.train()
        t, total, total_taught, n = time.perf_counter(), 0.0, 0.0, 0
        for group in _batches(items, batch, rng):
            seqs = [items[k] for k in group]
            t_max = max(len(s[2]) for s in seqs)
            dense = torch.zeros(len(seqs), t_max, width)
            cats = torch.zeros(len(seqs), t_max, len(sizes), dtype=torch.long)
            tags = torch.zeros(len(seqs), t_max, dtype=torch.long)
            mask = torch.zeros(len(seqs), t_max, dtype=torch.bool)
            target = torch.zeros(len(seqs), t_max, dims) if distil > 0 else None
            for i, (dn, ct, y, *teach) in enumerate(seqs):
                dense[i, :len(y)] = torch.from_numpy(dn.astype(np.float32))
                cats[i, :len(y)] = torch.from_numpy(ct[:, :len(sizes)].astype(np.int64))
                tags[i, :len(y)] = torch.from_numpy(y)
                mask[i, :len(y)] = True
                if target is not None:
                    target[i, :len(y)] = torch.from_numpy(teach[0].astype(np.float32))
            if word_dropout > 0 and word_col is not None:
                drop = torch.rand(cats.shape[:2], generator=unknowing) < word_dropout
                cats[:, :, word_col] = cats[:, :, word_col].masked_fill(drop, 0)
            lengths = mask.sum(1)
            states = model.states(dense, cats, lengths)
            loss = model.crf.nll(model.scores(states), tags, mask)
            if target is not None:
                error = (((taught(states) - target) ** 2).mean(2) * mask).sum() / len(seqs)
                total_taught += float(error.detach()) * len(seqs)
                loss = loss + distil * error
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 5.0)
            opt.step()
            total += float(loss.detach()) * len(seqs)
            n += len(seqs)
        for g in opt.param_groups:  # a gentle decay
            g["lr"] *= 0.9
        log(f"epoch {epoch + 1}/{epochs}: loss {total / max(n, 1):.3f}"
            + (f" (the teacher's part {distil * total_taught / max(n, 1):.3f})" if distil > 0 else "")
            + f" ({time.perf_counter() - t:.0f} s)")
        if average_from is not None and epoch + 1 >= average_from:
            if epoch + 1 == average_from:
                summed, count = {k: v.detach().clone() for k, v in model.state_dict().items()}, 1
            else:
                for k, v in model.state_dict().items():
                    summed[k] += v
                count += 1
    if average_from is not None and average_from <= epochs:
        model.load_state_dict({k: v / count for k, v in summed.items()})
    model.eval()
    weights = {f"emb{c}": e.weight.detach().numpy().copy() for c, e in enumerate(model.embs)}
    for name, p in model.lstm.named_parameters():
        weights[name] = p.detach().numpy().copy()
    weights["out_weight"] = model.out.weight.detach().numpy().copy()
    weights["out_bias"] = model.out.bias.detach().numpy().copy()
    weights["transitions"] = model.crf.transitions.detach().numpy().copy()
    weights["start"] = model.crf.start.detach().numpy().copy()
    weights["end"] = model.crf.end.detach().numpy().copy()
    return weights


# -- cross-validation ------------------------------------------------------------------------------------

_CV: dict = {}  # what the workers of one held-out fold use (set before they are forked)
MIN_PROBS = (0.5, 0.6, 0.7, 0.8)  # the span-confidence floors cross-validation compares (0.0 and 0.4 lost before)
KEEP_RULES = (2.0, 0.7, 0.6)  # and the rule confidences from which a rule's quote stands alone (0.9, 0.8 lost)
ADDRESSEES = (False, True)  # and whether a content that is only who was told gives way to the rule's
DIRECT_PROBS = (None, 0.0, 0.4)  # and the floor for contents within quotation marks (None: the same floor)
JOINS = {"direct": {"direct"}, "all": {"direct", "indirect", "mixed", "block"}}  # evaluate.gold.predictions_of


def _cv_work(extractor, arts: list[Article]) -> list:
    """A worker's work in cross-validation: each article's quotes by the model at every floor of
    MIN_PROBS, KEEP_RULES, ADDRESSEES and DIRECT_PROBS (the tagger run once) and by the rules alone."""
    from onrecord.analyze.pipeline import Extractor
    from onrecord.analyze.scoring import select

    ex = _CV.get("extractor")
    if ex is None:
        ex = _CV["extractor"] = Extractor(nlp=extractor.nlp, scorer=_CV["scorer"], decider=_CV["decider"])
    decider = _CV["decider"]
    out = []
    for a in ex.analyses(arts):
        tagged = decider.tagged_spans(a)
        got = {f"model@{p} rules@{k} told={int(t)} direct@{d}":
               ex.result(a, decider.from_tagged(a, tagged, p, k, t, d))
               for p in MIN_PROBS for k in KEEP_RULES for t in ADDRESSEES for d in DIRECT_PROBS}
        got["rules"] = ex.result(a, select(a.drafts, _CV["scorer"]))
        out.append(got)
    return out


def tagger_of(weights: dict[str, np.ndarray], vocab: Vocab, layers: int = 2, about: dict | None = None):
    """The numpy tagger of freshly trained weights, rounded to float16 as the shipped file is (several
    members' when they were kept as one: model.join_members)."""
    from onrecord.analyze.find.model import SpanTagger, split_members

    members = split_members({k: v.astype(np.float16).astype(np.float32) for k, v in weights.items()})
    return SpanTagger.of_members(vocab, members, layers, about or {})


def held_out(golds: list[Gold], fit: CrossFit, k: int, tagger, jobs: int | None) -> list:
    """(gold, {setting: result}) for every article of fold k, the model being ``tagger`` and the rules
    those learned without fold k."""
    from onrecord.analyze.decide import ModelDecider
    from onrecord.lexicon import use_learned
    from onrecord.run.pool import run

    held = [g for g, f in zip(golds, fit.folds, strict=True) if f == k]
    rules = fit.rules[k]
    use_learned(rules.lexicon)
    _CV.clear()
    _CV.update(scorer=Model(rules.confidence.weights, 0.35), decider=ModelDecider(tagger))
    try:
        arts = [Article(text=g.text, id=g.id) for g in held]
        if tagger.encoder:
            # PyTorch has trained in this process, and a forked worker that runs the encoder waits forever
            # on the thread pool it inherited: the held-out fold is analysed here, in this process
            from onrecord.analyze.pipeline import Extractor

            ex = Extractor(decider=None)
            got = [r for i in range(0, len(arts), 16) for r in _cv_work(ex, arts[i:i + 16])]
        else:
            # the workers' own extractor only lends _cv_work its pipeline: "rules", so that it never loads the
            # shipped tagger (which would refuse a word-vector table rebuilt for the taggers measured here)
            got = list(run(arts, jobs=jobs, timeout=None, work=_cv_work, model="rules"))
    finally:
        use_learned(None)
    for g, r in zip(held, got, strict=True):
        if not isinstance(r, dict):
            raise SystemExit(f"article {g.id} could not be analysed: {r}")
    return list(zip(held, got, strict=True))


def held_out_outcomes(golds: list[Gold], fit: CrossFit, k: int, tagger, jobs: int | None) -> dict[str, list]:
    """Fold k's articles scored against their gold (``held_out``), one list of outcomes per decider
    setting and join of JOINS, named "SETTING join=JOIN"."""
    from onrecord.evaluate.gold import predictions_of
    from onrecord.evaluate.metrics import match

    out: dict[str, list] = {}
    for g, results in held_out(golds, fit, k, tagger, jobs):
        for setting, r in results.items():
            for jname, join in JOINS.items():
                out.setdefault(f"{setting} join={jname}", []).append(match(g, predictions_of(r, join)))
    return out


def fold_tagger(golds: list[Gold], fit: CrossFit, vocab: Vocab, k: int, kept: Path | None, log=print,
                min_words: int = MIN_WORD_COUNT, about: dict | None = None, **train_args):
    """The numpy tagger trained without fold k (the words it knows from the other folds' articles only),
    read from ``kept`` (a foldK.npz, weights and words) when it is there, else trained and kept there."""
    if kept is not None and kept.exists():
        with np.load(kept) as data:
            weights = {name: data[name] for name in data.files if name not in ("words", "about")}
            words = [str(w) for w in data["words"]] if "words" in data.files else []
        log(f"fold {k}: weights read from {kept}")
        width = dense_width(weights)
        have = next(c[1].shape[1] for d in fit.data for c in d.chunks)
        if width != have:
            raise SystemExit(f"{kept}: a tagger reading {width} vector columns, and these features have {have} "
                             "(trained with or without the static word vectors or the encoder otherwise than "
                             "asked now: see --no-wordvecs, --encoder)")
    else:
        weights, words = _train_fold(k, *_without(golds, fit, k), vocab, min_words, kept, log, train_args,
                                     about=about)
    return tagger_of(weights, Vocab(vocab.tags, vocab.deps, words), about=about)


def train_members(data: list[ArticleData], sizes: list[int], seeds: list[int], jobs: int | None, log=print,
                  **train_args) -> list[dict[str, np.ndarray]]:
    """``train`` once per seed, on the same articles: one tagger in this process, several as many at a
    time as there are cores (``jobs``), each in a fresh process with one PyTorch thread, as the fold
    taggers are (``fold_taggers``: two in 1.5 times what one takes; the weights are reproducible for a
    given number of cores)."""
    import multiprocessing as mp
    import os

    jobs = min(jobs or os.cpu_count() or 1, len(seeds))
    if len(seeds) == 1 or jobs == 1:
        return [train(data, sizes, seed=s, log=log, **train_args) for s in seeds]
    method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
    log(f"training {len(seeds)} taggers (seeds {', '.join(map(str, seeds))}), {jobs} at a time")
    with mp.get_context(method).Pool(jobs, maxtasksperchild=1) as pool:
        return pool.starmap(_train_member, [(data, sizes, s, train_args) for s in seeds], chunksize=1)


def _train_member(data: list[ArticleData], sizes: list[int], seed: int, train_args: dict) -> dict[str, np.ndarray]:
    """One of ``train_members``' taggers, in a process of its own with one PyTorch thread."""
    import torch

    torch.set_num_threads(1)

    def log(msg: str) -> None:
        print(f"seed {seed}: {msg}", file=sys.stderr, flush=True)

    return train(data, sizes, seed=seed, log=log, **train_args)


def _without(golds: list[Gold], fit: CrossFit, k: int) -> tuple[list[Gold], list[ArticleData]]:
    """The articles of every fold but k, and their features: what fold k's tagger is trained on."""
    on = [i for i, f in enumerate(fit.folds) if f != k]
    return [golds[i] for i in on], [fit.data[i] for i in on]


def _train_fold(k: int, golds: list[Gold], data: list[ArticleData], vocab: Vocab, min_words: int,
                kept: Path | None, log, train_args: dict,
                threads: int | None = None, about: dict | None = None) -> tuple[dict[str, np.ndarray], list[str]]:
    """Fold k's tagger trained on ``golds`` and ``data`` (the other folds' articles): its weights and the
    words it knows, also written to ``kept`` when given, with ``about`` (the vectors it reads). ``threads``:
    PyTorch's threads (set in a process of its own); ``log`` None: to stderr, each line naming the fold."""
    if threads is not None:
        import torch

        torch.set_num_threads(threads)
    if log is None:
        def log(msg: str) -> None:
            print(msg if msg.startswith("fold ") else f"fold {k}: {msg}", file=sys.stderr, flush=True)
    t = time.perf_counter()
    words = known_words(golds, data, min_words)
    sizes = Vocab(vocab.tags, vocab.deps, words).sizes()
    weights = train(with_words(golds, data, words), sizes, log=log, **train_args)
    if kept is not None:
        kept.parent.mkdir(parents=True, exist_ok=True)
        np.savez(kept, **weights, words=np.array(words, dtype=str), about=np.array(json.dumps(about or {})))
    log(f"fold {k}: tagger trained without it in {time.perf_counter() - t:.0f} s"
        + (f", kept in {kept}" if kept is not None else ""))
    return weights, words


def untrained(folds: list[int], kept: Path) -> list[int]:
    """The folds whose tagger is not kept in the folder ``kept`` yet (``fold_taggers`` trains them)."""
    return [k for k in folds if not (kept / f"fold{k}.npz").exists()]


def fold_taggers(golds: list[Gold], fit: CrossFit, vocab: Vocab, folds: list[int], kept: Path, jobs: int | None,
                 log=print, min_words: int = MIN_WORD_COUNT, about: dict | None = None, **train_args) -> dict:
    """``fold_tagger`` of every fold in ``folds``, kept in the folder ``kept``. Those not kept there yet are
    trained first, ``jobs`` at once (default: one per core), each in a process of its own with one
    PyTorch thread (an LSTM over batches this small keeps a second thread mostly waiting: two folds train
    at once in 1.5 times what one takes with two threads; docs/benchmarks.md, "Training time"), but the
    folds of a last round fewer than ``jobs`` share the cores out (on two cores, the fifth fold has two). The
    processes start fresh (forkserver, else spawn), never forked from this one, whose threads PyTorch or
    BLAS may have started, and each is sent its fold's training articles only."""
    import multiprocessing as mp
    import os

    jobs = jobs or os.cpu_count() or 1
    todo = untrained(folds, kept)
    if jobs > 1 and len(todo) > 1:
        method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
        tasks = []
        alone = len(todo) % jobs  # the folds of the last round, fewer than the jobs: they share the cores
        for n, k in enumerate(todo):
            threads = jobs // alone if n >= len(todo) - alone else 1
            tasks.append((k, *_without(golds, fit, k), vocab, min_words, kept / f"fold{k}.npz", None, train_args,
                          threads, about))
        log(f"training the taggers of folds {', '.join(map(str, todo))}, {min(jobs, len(todo))} at a time")
        with mp.get_context(method).Pool(min(jobs, len(todo)), maxtasksperchild=1) as pool:
            pool.starmap(_train_fold, tasks, chunksize=1)
    return {k: fold_tagger(golds, fit, vocab, k, kept / f"fold{k}.npz", log, min_words, about, **train_args)
            for k in folds}


def cross_validate(golds: list[Gold], fit: CrossFit, vocab: Vocab, jobs: int | None, log=print,
                   only: list[int] | None = None, about: dict | None = None, keep: Path | None = None,
                   min_words: int = MIN_WORD_COUNT, members: int = 1, **train_args) -> dict[str, dict]:
    """Per held-out fold and pooled: the scorer's figures for the model at every floor of MIN_PROBS and
    every join of JOINS, and for the rules alone. ``keep``: a folder where each fold's trained weights
    are kept (foldK.npz) and read back on the next run instead of training again. ``members``: each
    fold's tagger is that many, trained with seeds ``seed``, ``seed`` + 1, ... and read as one, as the
    shipped default is (model.SpanTagger.ensemble); kept in ``keep``/seedS/ each."""
    from onrecord.analyze.find.model import SpanTagger
    from onrecord.evaluate.metrics import score

    outcomes: dict[str, list] = {}
    per_fold = {}
    folds = [k for k in sorted(fit.rules) if only is None or k in only]
    seed = train_args.pop("seed", 0)
    seeds = list(range(seed, seed + members))
    each = [fold_taggers(golds, fit, vocab, folds, keep if members == 1 else keep / f"seed{s}", jobs, log,
                         min_words, about, seed=s, **train_args) for s in seeds] if keep is not None else []
    for k in folds:
        t = time.perf_counter()
        if each:
            tagger = SpanTagger.ensemble([taggers[k] for taggers in each])
        else:
            tagger = SpanTagger.ensemble([fold_tagger(golds, fit, vocab, k, None, log, min_words, about, seed=s,
                                                      **train_args) for s in seeds])
        fold_out = held_out_outcomes(golds, fit, k, tagger, jobs)
        per_fold[k] = {name: score(o).as_dict() for name, o in fold_out.items()}
        for name, o in fold_out.items():
            outcomes.setdefault(name, []).extend(o)
        best = max(per_fold[k], key=lambda n: per_fold[k][n]["attribution_e2e"]["F1"])
        for name in (best, "rules join=direct"):
            m = per_fold[k][name]
            log(f"fold {k} {name}: content {m['content_overlap']['F1']:.4f} exact {m['content_exact']['F1']:.4f} "
                f"e2e {m['attribution_e2e']['F1']:.4f}")
        log(f"fold {k} done in {time.perf_counter() - t:.0f} s")
    return {"folds": per_fold, "pooled": {name: score(o).as_dict() for name, o in outcomes.items()}}


def save(members: list[dict[str, np.ndarray]], vocab: Vocab, layers: int, path: Path, about: dict) -> None:
    """The taggers ``members`` (one or several trained alike) in one file, float16 (model.join_members)."""
    meta = {"tags": vocab.tags, "deps": vocab.deps, "words": vocab.words, "layers": layers, "labels": LABELS,
            "columns": COLUMNS[:len(vocab.sizes())], "members": len(members), **about}
    arrays = {k: v.astype(np.float16) for k, v in join_members(members).items()}
    with path.open("wb") as fh:
        np.savez_compressed(fh, meta=np.array(json.dumps(meta)), **arrays)


# what the probe reads: onrecord's own sentences, not PolNeAR's
PROBE = (
    "The health minister, Dana Ruiz, said on Monday that the clinics would stay open through the winter.\n\n"
    "\u201cWe are not going to close a single one,\u201d she told reporters outside the ministry. "
    "\u201cNot this year.\u201d\n\n"
    "Critics were unconvinced. The plan will fail, three officials told the paper, speaking on condition "
    "of anonymity.\n\n"
    "According to a spokeswoman for Arden Bank, the loans were repaid in March."
)


def torch_emissions(weights: dict[str, np.ndarray], sizes: list[int], chunks, layers: int = 2) -> list[np.ndarray]:
    """The emissions PyTorch computes from these weights for these chunks (find/model.Chunk)."""
    import torch

    width = dense_width(weights)
    model = _torch_model(sizes, weights["weight_hh_l0"].shape[1], layers, 0.0, width)
    state = {f"embs.{c}.weight": weights[f"emb{c}"] for c in range(len(sizes))}
    state.update({f"lstm.{name}": weights[name] for name, _ in model.lstm.named_parameters()})
    state.update({"out.weight": weights["out_weight"], "out.bias": weights["out_bias"],
                  "crf.transitions": weights["transitions"], "crf.start": weights["start"], "crf.end": weights["end"]})
    model.load_state_dict({k: torch.from_numpy(np.asarray(v, dtype=np.float32)) for k, v in state.items()})
    model.eval()
    out = []
    with torch.no_grad():
        for ch in chunks:
            dense = torch.from_numpy(ch.dense.astype(np.float32))[None]
            cats = torch.from_numpy(ch.cats[:, :len(sizes)].astype(np.int64))[None]
            out.append(model.emissions(dense, cats, torch.tensor([len(ch.spans)]))[0].numpy())
    return out


def add_probe(path: Path) -> dict:
    """Record in the model file what PyTorch makes of PROBE with the file's own (float16) weights: the
    tagger's inputs and emissions, and the tags. tests/analyze/test_model.py checks that the shipped file,
    read by numpy with no PyTorch and no network, gives the same."""
    from onrecord.analyze.find.model import SpanTagger, featurize
    from onrecord.analyze.pipeline import Extractor

    tagger = SpanTagger.load(path)
    analysis = next(Extractor(decider=None).analyses([Article(text=PROBE)], every=True))
    chunks = featurize(analysis, tagger.vocab)
    tagger.add_vectors([analysis], [chunks])
    each = [torch_emissions({**tagger.weights, **w}, tagger.vocab.sizes(), chunks, tagger.layers) for w in tagger.parts]
    ems = [np.mean(member_ems, axis=0) for member_ems in zip(*each, strict=True)]  # an ensemble's: the mean
    numpy_ems = tagger.emissions(chunks)
    diff = max(float(np.abs(a - b).max()) for a, b in zip(ems, numpy_ems, strict=True))
    if diff > 1e-3:
        raise SystemExit(f"numpy and PyTorch disagree on the probe by {diff:.2g}: analyze/find/model.py and "
                         "train/tagger.py no longer compute the same thing")
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files if k != "meta"}
        meta = json.loads(str(data["meta"]))
    meta["probe"] = {"tags": [tagger.decode(e)[0] for e in ems], "numpy_vs_torch": diff}
    for n, (ch, em) in enumerate(zip(chunks, ems, strict=True)):
        arrays[f"probe_dense{n}"] = ch.dense.astype(np.float32)
        arrays[f"probe_cats{n}"] = ch.cats.astype(np.int16)
        arrays[f"probe_emissions{n}"] = em.astype(np.float32)
    with path.open("wb") as fh:
        np.savez_compressed(fh, meta=np.array(json.dumps(meta)), **arrays)
    return meta["probe"]


def wordvecs_of(args) -> bool:
    """Whether the tagger trained reads the static word vectors: the default tagger does (WORDVECS), the
    accurate model (--encoder) only when asked (--wordvecs); --no-wordvecs: never."""
    if getattr(args, "no_wordvecs", False):
        return False
    return bool(getattr(args, "wordvecs", False)) or (WORDVECS and not getattr(args, "encoder", False))


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m onrecord.train.tagger")
    ap.add_argument("train", metavar="TRAIN.jsonl", nargs="?")
    ap.add_argument("--folds", default=str(FOLDS))
    ap.add_argument("--cache", metavar="FILE", help="keep the cross-fitted features here and reuse them")
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--members", type=int, metavar="N", help=f"taggers trained with seeds --seed, --seed + 1, ... "
                    f"and shipped as one (default {MEMBERS}; 1 with --encoder); --cv: as many per fold, read as one")
    ap.add_argument("--average-from", type=int, default=AVERAGE_FROM, metavar="EPOCH",
                    help="average the weights of every epoch's end from this one on (0: the last epoch's only)")
    ap.add_argument("--min-word-count", type=int, default=MIN_WORD_COUNT, metavar="N",
                    help="the words the tagger learns by name occur at least N times in its articles (0: none)")
    ap.add_argument("--hidden", type=int, default=HIDDEN, help=f"LSTM units a direction (default {HIDDEN})")
    ap.add_argument("--dropout", type=float, default=DROPOUT, help=f"dropout (default {DROPOUT})")
    ap.add_argument("--word-dropout", type=float, default=WORD_DROPOUT, metavar="P",
                    help=f"in training, read a known word as unknown with this probability (default {WORD_DROPOUT})")
    ap.add_argument("--distil", type=float, metavar="W",
                    help="in training, teach the LSTM the packaged encoder's word vectors in context with this "
                    f"weight (needs onrecord[embed]; the vectors kept beside --cache; default {DISTIL}, "
                    "0 with --encoder, whose tagger reads them)")
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--cv", metavar="FIGURES.json", help="cross-validate instead (train on four folds, measure on "
                    "the fifth, five times) and write the figures here")
    ap.add_argument("--cv-folds", metavar="K,K", help="only these held-out folds (default: all)")
    ap.add_argument("--cv-keep", metavar="DIR", help="keep each fold's trained weights here and reuse them")
    ap.add_argument("--probe-only", action="store_true", help="only (re)write the probe of the model at --out")
    ap.add_argument("--join", nargs="+", metavar="TAGGER.npz", help="no training: write the taggers in these "
                    "files (trained alike, with different seeds) as one to --out, with its probe and ONNX form")
    ap.add_argument("--no-wordvecs", action="store_true", help="without the static word vectors (find/wordvecs.py) "
                    "the default tagger reads (the accurate model reads none: see --wordvecs)")
    ap.add_argument("--wordvecs", action="store_true", help="with the static word vectors also with --encoder")
    ap.add_argument("--encoder", action="store_true", help="the accurate model: read the packaged encoder's "
                    f"word vectors too (find/encoder.py; default --out {ACCURATE.name})")
    args = ap.parse_args(argv)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    if args.join:
        return join(args.join, Path(args.out), log)
    if args.probe_only:
        probe = add_probe(Path(args.out))
        log(f"probe written to {args.out} (numpy and PyTorch differ by {probe['numpy_vs_torch']:.2g})")
        if not args.encoder:
            _write_onnx(Path(args.out), log)  # it names the .npz it was made from, which has changed
        return 0
    if not args.train:
        ap.error("TRAIN.jsonl is needed, except with --probe-only or --join")
    golds = read_gold(args.train)
    fit = cross_fitted(golds, fold_of(golds, Path(args.folds)), Path(args.cache) if args.cache else None,
                       args.jobs, log)
    about = add_vectors(golds, fit, args.encoder, wordvecs_of(args), Path(args.cache) if args.cache else None, log)
    if args.distil is None:
        args.distil = 0.0 if args.encoder else DISTIL
    if args.distil > 0:
        add_teacher(golds, fit, Path(args.cache).with_name("encoder-vectors.pkl") if args.cache else None, log=log)
    if args.encoder and args.out == str(OUT):
        args.out = str(ACCURATE)
    data = fit.data
    from onrecord.analyze.nlp import load

    vocab = Vocab.of(load())
    members = args.members or (1 if args.encoder else MEMBERS)
    if args.cv:
        only = [int(k) for k in args.cv_folds.split(",")] if args.cv_folds else None
        figures = cross_validate(golds, fit, vocab, args.jobs, log, only=only, about=about,
                                 keep=Path(args.cv_keep) if args.cv_keep else None, min_words=args.min_word_count,
                                 members=members,
                                 epochs=args.epochs, seed=args.seed, average_from=args.average_from or None,
                                 hidden=args.hidden, dropout=args.dropout, word_dropout=args.word_dropout,
                                 distil=args.distil)
        Path(args.cv).write_text(json.dumps(figures, indent=1))
        for name, m in sorted(figures["pooled"].items(), key=lambda x: -x[1]["attribution_e2e"]["F1"]):
            log(f"pooled {name:28} content {m['content_overlap']['F1']:.4f} exact {m['content_exact']['F1']:.4f} "
                f"e2e {m['attribution_e2e']['F1']:.4f} direct {m['recall_direct']:.3f} "
                f"indirect {m['recall_indirect']:.3f} speaker {m['speaker_acc_on_matched']:.3f}")
        return 0
    t = time.perf_counter()
    vocab.words = known_words(golds, data, args.min_word_count)
    seeds = list(range(args.seed, args.seed + members))
    trained = train_members(with_words(golds, data, vocab.words), vocab.sizes(), seeds, args.jobs, log, epochs=args.epochs,
                            average_from=args.average_from or None, hidden=args.hidden,
                            dropout=args.dropout, word_dropout=args.word_dropout, distil=args.distil)
    save(trained, vocab, 2, Path(args.out), {**about, "articles": len(data), "epochs": args.epochs,
                                              "seed": args.seed, "seeds": seeds,
                                              "average_from": args.average_from,
                                              "min_word_count": args.min_word_count,
                                              "hidden": args.hidden, "dropout": args.dropout,
                                              "word_dropout": args.word_dropout, "distil": args.distil,
                                              "about": "onrecord tagger, trained by train/tagger.py on PolNeAR "
                                                       "train (no licence stated: weights only, no text)"})
    probe = add_probe(Path(args.out))
    log(f"trained in {time.perf_counter() - t:.0f} s; written {args.out} (numpy and PyTorch differ by "
        f"{probe['numpy_vs_torch']:.2g} on the probe)")
    if not args.encoder:
        _write_onnx(Path(args.out), log)
    return 0


def join(paths: list[str], out: Path, log=print) -> int:
    """``--join``: the taggers of ``paths`` (trained apart: another machine, another time) as one file at
    ``out``, their float16 weights as stored, with the probe and the ONNX form ``make train`` writes."""
    from onrecord.analyze.find.model import CRF, read_npz, split_members

    metas, members = [], []
    for path in paths:
        meta, weights = read_npz(Path(path).read_bytes())
        if meta.get("encoder"):
            raise SystemExit(f"{path}: the accurate model is run as one tagger; join default taggers only")
        metas.append(meta)
        parts = split_members(weights)
        # a file of several members keeps their mean CRF weights once: each member stands for it in the new mean
        members += [{**{k: parts[0][k] for k in CRF}, **part} for part in parts]
    first = metas[0]
    for path, meta in zip(paths[1:], metas[1:], strict=True):
        for key in ("words", "tags", "deps", "layers", "epochs", "average_from", "min_word_count", "articles",
                    "wordvecs_digest"):
            if meta.get(key) != first.get(key):
                raise SystemExit(f"{path}: trained otherwise than {paths[0]} ({key} differs): join taggers trained "
                                 "alike on the same articles, with different seeds")
    seeds = [s for m in metas for s in m.get("seeds", [m.get("seed")])]
    if len(set(seeds)) != len(seeds):
        raise SystemExit(f"the same seed twice among {', '.join(paths)} ({seeds}): the members would be one tagger")
    about = {k: v for k, v in first.items()
             if k not in ("tags", "deps", "words", "layers", "labels", "columns", "members", "probe")}
    save(members, Vocab(first["tags"], first["deps"], first["words"]), first["layers"], out,
         {**about, "seed": seeds[0], "seeds": seeds})
    probe = add_probe(out)
    log(f"{len(members)} taggers (seeds {seeds}) written to {out} as one (numpy and PyTorch differ by "
        f"{probe['numpy_vs_torch']:.2g} on the probe)")
    _write_onnx(out, log)
    return 0


def _write_onnx(npz: Path, log=print) -> None:
    """The ONNX form of the tagger in ``npz`` beside it (.onnx), which the default runs (find/onnx_tagger.py;
    the accurate model runs on numpy)."""
    from onrecord.analyze.find.onnx_tagger import export

    export(npz, npz.with_suffix(".onnx"))
    log(f"written {npz.with_suffix('.onnx')}")


def cross_fitted(golds: list[Gold], folds: list[int], cache: Path | None, jobs: int | None, log=print) -> CrossFit:
    """The cross-fitted features (``oof``): read from ``cache`` when it exists, else made and kept there."""
    if cache is not None and cache.exists():
        fit = read_cache(cache)
        log(f"cross-fitted features of {len(fit.data)} articles read from {cache}")
        return fit
    fit = oof(golds, folds, jobs, log)
    if cache is not None:
        cache.write_bytes(pickle.dumps(fit, protocol=5))
    return fit


def read_cache(path: Path) -> CrossFit:
    """The cross-fitted features kept by ``--cache`` (also those a run of this file as ``__main__`` kept)."""

    class _Unpickler(pickle.Unpickler):
        def find_class(self, module: str, name: str):
            return super().find_class(__name__ if module == "__main__" else module, name)

    with path.open("rb") as fh:
        return _Unpickler(fh).load()


if __name__ == "__main__":
    # run through the module's own name, so that what --cache keeps names its classes by it
    from onrecord.train.tagger import main as _main

    sys.exit(_main(sys.argv[1:]))
