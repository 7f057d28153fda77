"""The learned finder: a tagger that reads each parsed chunk and marks its contents, cues and sources.

The tagger (trained by train/tagger.py on PolNeAR train, shipped as models/tagger.npz) is a two-layer
bidirectional LSTM with a conditional random field over BIO tags of three roles (content, cue, source).
What it reads about each token is built here and only here (``featurize``):

- the spaCy pipeline's own token vectors (``doc.tensor``, the tok2vec the tagger and parser share);
- the token's tag, dependency label, its head's label and direction, its shape;
- the word itself, when it is one of the words the model learned by name (``Vocab.words``: those frequent
  in its training articles; "said", "that", "according", "believes", but also "trump");
- whether it is a cue word of the lexicon, inside a quotation or one of its marks;
- what the rules say: the draft whose content covers it (kind, how it was found, confidence, whether
  the token begins or ends it), whether it is a draft's cue or source, and whether it stands in a nested
  attribution; the rules are the model's features, and it learns when to trust them;
- where its paragraph stands: the first of the article, after a paragraph that ends in a colon.

Inference is numpy only (no PyTorch needed to run onrecord); ``SpanTagger`` gives each token's tag and
its marginal probability, and ``spans`` reads the role spans off the tags.

A tagger may be several taggers trained alike with different seeds, read as one (``SpanTagger.ensemble``;
the shipped default is two): each member computes its emissions from the same columns, their mean is
decoded with the mean of their CRF weights. One file holds them all (``join_members``): the first member's
arrays under their own names, member i's as ``member{i}.NAME``, the mean CRF weights as the first's.
"""

from __future__ import annotations

import bisect
import io
import json
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from onrecord.analyze.candidate import Draft, How
from onrecord.analyze.context import ArticleContext
from onrecord.analyze.find.onnx_tagger import GROUP as ONNX_GROUP
from onrecord.analyze.find.onnx_tagger import Runtime
from onrecord.errors import ModelError
from onrecord.lexicon import cue_forms, wordlist

MODEL_FILE = "tagger.npz"
ACCURATE_FILE = "tagger-accurate.npz"  # the accurate model: reads the encoder's vectors too (find/encoder.py)
LABELS = ["O", "B-CONTENT", "I-CONTENT", "B-CUE", "I-CUE", "B-SOURCE", "I-SOURCE"]
ROLES = ["CONTENT", "CUE", "SOURCE"]
KINDS = ["direct", "indirect", "mixed", "block"]
HOWS = [h.value for h in How]
CONF_BUCKETS = 10
SHAPES = ["Xx", "X", "XX", "x", "d", "punct", "quote", "space", "other"]
# the categorical columns of a token, in order, with how many values each takes (0 is always "none");
# tag and dep sizes come from the spaCy pipeline's labels and are stored with the model, the word's from
# the words the model was trained on (Vocab.words; a model trained without them reads no "word" column)
COLUMNS = ["tag", "dep", "head_dep", "head_side", "shape", "lexicon", "marks", "rule_kind", "rule_how",
           "rule_conf", "rule_edge", "rule_cue", "rule_source", "nested", "paragraph", "sent_start", "word"]
SIZES_FIXED = {"head_side": 3, "shape": len(SHAPES) + 1, "lexicon": 6, "marks": 4,
               "rule_kind": len(KINDS) + 1, "rule_how": len(HOWS) + 1, "rule_conf": CONF_BUCKETS + 1,
               "rule_edge": 5, "rule_cue": CONF_BUCKETS + 1, "rule_source": 3, "nested": 2, "paragraph": 8,
               "sent_start": 2}
_QUOTES = set("\"“”«»„‟‘’‹›‚'`")


@dataclass
class Vocab:
    """The tag and dependency labels of the spaCy pipeline the model was trained over, and the words it
    knows by name (``word_key`` forms, the most frequent first; any other word is 0, "unknown")."""

    tags: list[str]
    deps: list[str]
    words: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, nlp) -> Vocab:
        return cls(sorted(nlp.get_pipe("tagger").labels), sorted(nlp.get_pipe("parser").labels))

    def sizes(self) -> list[int]:
        """How many values each column the model reads takes: every column of COLUMNS, but "word" only
        when the model knows words."""
        fixed = [SIZES_FIXED[c] for c in COLUMNS[3:] if c != "word"]
        return [len(self.tags) + 1, len(self.deps) + 1, len(self.deps) + 1, *fixed] + \
            ([len(self.words) + 1] if self.words else [])


def word_key(word: str) -> str:
    """The form under which a word is known: lower case, typographic apostrophes as straight ones."""
    return word.lower().replace("\u2019", "'")


@dataclass
class Chunk:
    """One parsed chunk as the tagger reads it."""

    base: int  # its offset in the analysed text
    spans: np.ndarray  # (T, 2) int32: each token's characters in the analysed text
    dense: np.ndarray  # (T, 96) float32: the pipeline's token vectors
    cats: np.ndarray  # (T, len(COLUMNS)) int16: the categorical columns


@cache
def _index(labels: tuple[str, ...]) -> dict[str, int]:
    return {x: i + 1 for i, x in enumerate(labels)}


def _paragraph_flags(ctx: ArticleContext, base: int) -> int:
    """Bits: the article's first paragraph (a headline), the paragraph before ends in a colon, the
    paragraph opens with a quotation mark."""
    p = ctx.para_of(base)
    flags = 1 if p == 0 else 0
    if p > 0:
        a, b = ctx.paras[p - 1]
        if ctx.text[a:b].rstrip().endswith(":"):
            flags |= 2
    a, _b = ctx.paras[p] if ctx.paras else (base, base)
    if ctx.text[a:a + 1] in _QUOTES:
        flags |= 4
    return flags


def _bucket(conf: float | None) -> int:
    if conf is None:
        return CONF_BUCKETS
    return 1 + min(CONF_BUCKETS - 1, int(conf * CONF_BUCKETS))


@lru_cache(maxsize=200_000)
def _word_columns(word: str, is_space: bool, is_punct: bool, like_num: bool) -> tuple[int, int, bool]:
    """(shape, lexicon, opens with a quotation mark) of a word, the same wherever it stands."""
    if is_space:
        shape = SHAPES.index("space") + 1
    elif word and all(c in _QUOTES for c in word):
        shape = SHAPES.index("quote") + 1
    elif is_punct:
        shape = SHAPES.index("punct") + 1
    elif word.isdigit() or like_num:
        shape = SHAPES.index("d") + 1
    elif word[:1].isupper():
        shape = SHAPES.index("X") + 1 if len(word) == 1 else (SHAPES.index("XX") + 1 if word.isupper()
                                                            else SHAPES.index("Xx") + 1)
    elif word.islower():
        shape = SHAPES.index("x") + 1
    else:
        shape = SHAPES.index("other") + 1
    low = word.lower()
    cue = cue_forms().get(low)
    if cue is not None:
        lexicon = 3 if cue.question else (2 if cue.weak else 1)
    elif low == "according":
        lexicon = 4
    elif low in wordlist("polls"):
        lexicon = 5
    else:
        lexicon = 0
    return shape, lexicon, bool(word) and word[0] in _QUOTES


_ARRAY = ["ORTH", "TAG", "DEP", "HEAD", "IDX", "SENT_START", "IS_SPACE", "IS_PUNCT", "LIKE_NUM"]


def static_columns_many(parsed: list, ctx: ArticleContext, vocab: Vocab) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(spans, dense, cats) of every parsed chunk ``(base, doc)`` of one article, with the rule columns
    left at 0 (``rule_columns`` fills them). Column by column over the article's tokens at once: a
    Python step per distinct word of the article, and each numpy step once per article, not once per
    chunk (per chunk, the forty small array operations took 0.4 s of a PolNeAR dev run; 0.2 s this way)."""
    sizes = [len(doc) for _, doc in parsed]
    n = sum(sizes)
    cats = np.zeros((n, len(COLUMNS)), dtype=np.int16)
    spans = np.zeros((n, 2), dtype=np.int32)
    dense = np.concatenate([doc.tensor.astype(np.float32) if doc.tensor is not None and len(doc.tensor) == len(doc)
                            else np.zeros((len(doc), 96), dtype=np.float32) for _, doc in parsed]) \
        if n else np.zeros((0, 96), dtype=np.float32)
    cuts = np.cumsum(sizes)[:-1]
    if n == 0:
        return [(spans[:0], dense[:0], cats[:0]) for _ in parsed]
    hashes = np.concatenate([doc.to_array(_ARRAY).reshape(len(doc), len(_ARRAY)) for _, doc in parsed if len(doc)])
    arr = hashes.astype(np.int64)  # the offsets and flags, negative ones wrapped back
    strings = parsed[0][1].vocab.strings
    col = {c: i for i, c in enumerate(COLUMNS)}
    words: dict[int, tuple[int, int, bool, int, int]] = {}
    known = _index(tuple(vocab.words))
    flags = zip(hashes[:, 0].tolist(), arr[:, 6].tolist(), arr[:, 7].tolist(), arr[:, 8].tolist(), strict=True)
    for h, sp, pu, nu in set(flags):
        w = strings[h]
        words[h] = (*_word_columns(w, bool(sp), bool(pu), bool(nu)), len(w), known.get(word_key(w), 0))
    info = np.array([words[h] for h in hashes[:, 0].tolist()], dtype=np.int64)  # shape, lexicon, opens, length, word
    bases = np.array([base for base, _ in parsed], dtype=np.int64)
    starts = np.repeat(bases, sizes) + arr[:, 4]
    spans[:, 0] = starts
    spans[:, 1] = starts + info[:, 3]
    tags, deps = _index(tuple(vocab.tags)), _index(tuple(vocab.deps))
    tag_of = {h: tags.get(strings[h], 0) for h in set(hashes[:, 1].tolist())}
    dep_of = {h: deps.get(strings[h], 0) for h in set(hashes[:, 2].tolist())}
    dep = np.array([dep_of[h] for h in hashes[:, 2].tolist()], dtype=np.int16)
    cats[:, col["tag"]] = [tag_of[h] for h in hashes[:, 1].tolist()]
    cats[:, col["dep"]] = dep
    rel = arr[:, 3]  # the head's offset from the token (always within the token's own chunk)
    head = np.arange(n) + rel
    cats[:, col["head_dep"]] = np.where(rel != 0, dep[np.clip(head, 0, n - 1)], 0)
    cats[:, col["head_side"]] = np.where(rel == 0, 0, np.where(rel < 0, 1, 2))
    cats[:, col["shape"]] = info[:, 0]
    cats[:, col["lexicon"]] = info[:, 1]
    cats[:, col["word"]] = info[:, 4]
    marks = np.zeros(n, dtype=np.int16)
    if ctx.marked:
        m_starts = np.array([q.start for q in ctx.marked])
        m_ends = np.array([q.end for q in ctx.marked])
        i = np.searchsorted(m_starts, starts, side="right") - 1
        inside = (i >= 0) & (starts < m_ends[np.clip(i, 0, None)])
        marks[inside] = 1
        opens = info[:, 2] == 1
        marks[opens] = np.where(inside[opens] & (starts[opens] >= m_starts[np.clip(i[opens], 0, None)]), 3, 2)
    else:
        marks[info[:, 2] == 1] = 2
    cats[:, col["marks"]] = marks
    cats[:, col["paragraph"]] = np.repeat([_paragraph_flags(ctx, base) for base, _ in parsed], sizes)
    cats[:, col["sent_start"]] = (arr[:, 5] == 1).astype(np.int16)
    firsts = np.concatenate([[0], cuts])[np.array(sizes) > 0]
    cats[firsts, col["sent_start"]] = [1 if doc[0].is_sent_start else 0 for _, doc in parsed if len(doc)]
    return list(zip(np.split(spans, cuts), np.split(dense, cuts), np.split(cats, cuts), strict=True))


def _token_range(starts: list[int], ends: list[int], a: int, b: int) -> tuple[int, int]:
    """The tokens [i, j) whose characters overlap [a, b)."""
    return bisect.bisect_right(ends, a), bisect.bisect_left(starts, b)


def rule_columns(spans: np.ndarray, cats: np.ndarray, drafts: list[Draft]) -> None:
    """Fill the rule columns of one chunk's tokens from the judged drafts (their confidence set)."""
    starts, ends = spans[:, 0].tolist(), spans[:, 1].tolist()
    if not starts:
        return
    lo, hi = starts[0], ends[-1]
    col = {c: i for i, c in enumerate(COLUMNS)}
    best = np.full(len(starts), -1.0)
    for d in drafts:
        cue_here = d.cand is not None and d.cand.cue is not None and lo <= d.cand.cue[0] < hi
        if (d.end <= lo or d.start >= hi) and not cue_here:
            continue
        conf = d.confidence if d.confidence is not None else 0.5
        i, j = _token_range(starts, ends, d.start, d.end)
        if d.parent is not None:
            cats[i:j, col["nested"]] = 1
        else:
            for k in range(i, j):
                if conf > best[k]:
                    best[k] = conf
                    cats[k, col["rule_kind"]] = KINDS.index(d.kind) + 1 if d.kind in KINDS else 0
                    cats[k, col["rule_how"]] = HOWS.index(d.how) + 1 if d.how in HOWS else 0
                    cats[k, col["rule_conf"]] = _bucket(conf)
                    cats[k, col["rule_edge"]] = 3 if j - i == 1 else (1 if k == i else (2 if k == j - 1 else 4))
        c = d.cand
        if c is not None and c.cue is not None:
            ci, cj = _token_range(starts, ends, *c.cue)
            for k in range(ci, cj):
                cats[k, col["rule_cue"]] = max(int(cats[k, col["rule_cue"]]), _bucket(conf))
        if c is not None and c.source is not None:
            si, sj = _token_range(starts, ends, *c.source)
            cats[si:sj, col["rule_source"]] = 1
    for k in range(len(starts)):
        if cats[k, col["rule_kind"]] == 0:
            cats[k, col["rule_edge"]] = 0


def featurize(analysis, vocab: Vocab) -> list[Chunk]:
    """Every parsed chunk of an analysis (pipeline.Analysis) as the tagger reads it. The drafts are swept
    once in text order, so each chunk sees only the drafts around it (linear in the article)."""
    items = []
    for n, d in enumerate(analysis.drafts):
        cue = d.cand.cue if d.cand is not None and d.cand.cue is not None else None
        items.append((min(d.start, cue[0]) if cue else d.start, max(d.end, cue[1]) if cue else d.end, n, d))
    items.sort(key=lambda it: it[0])
    active: list = []
    k = 0
    out = []
    columns = static_columns_many(analysis.chunks, analysis.ctx, vocab)
    for (base, doc), (spans, dense, cats) in zip(analysis.chunks, columns, strict=True):  # in text order
        lo, hi = base, base + len(doc.text)
        while k < len(items) and items[k][0] < hi:
            active.append(items[k])
            k += 1
        active = [it for it in active if it[1] > lo]
        near = [it[3] for it in sorted((it for it in active if it[0] < hi), key=lambda it: it[2])]
        rule_columns(spans, cats, near)
        out.append(Chunk(base, spans, dense, cats))
    return out


# -- inference -------------------------------------------------------------------------------------------

def _sigmoid_(x: np.ndarray) -> np.ndarray:
    """The logistic function, in place, without overflow: 0.5 * (1 + tanh(x / 2))."""
    x *= 0.5
    np.tanh(x, out=x)
    x += 1.0
    x *= 0.5
    return x


CRF = ("transitions", "start", "end")  # the weights of the decoding, shared by the members of an ensemble
MEMBER = "member{}."  # the prefix of member i's arrays in a file of several (i >= 1)


def read_npz(raw: bytes) -> tuple[dict, dict[str, np.ndarray]]:
    """(meta, weights as float32) of a tagger file's bytes; the probe's arrays are not weights. The
    weights of the members after the first keep their prefix (``split_members``)."""
    with np.load(io.BytesIO(raw), allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        weights = {k: data[k].astype(np.float32) for k in data.files if k != "meta" and not k.startswith("probe_")}
    return meta, weights


def dense_width(weights: dict[str, np.ndarray]) -> int:
    """The vector columns a tagger's weights read: the pipeline's 96, then any it appends (the encoder's,
    the static word vectors'), the first layer's inputs less the embedded token columns (one member's)."""
    return weights["weight_ih_l0"].shape[1] - sum(v.shape[1] for k, v in weights.items()
                                                  if k.startswith("emb") and "." not in k)


def split_members(weights: dict[str, np.ndarray]) -> list[dict[str, np.ndarray]]:
    """The weights of a file, one dict per member: the first's under their own names (with the CRF's),
    member i's under the names they had before the prefix."""
    members: dict[int, dict[str, np.ndarray]] = {0: {}}
    for name, w in weights.items():
        if name.startswith("member") and "." in name:
            i, rest = name[len("member"):].split(".", 1)
            members.setdefault(int(i), {})[rest] = w
        else:
            members[0][name] = w
    return [members[i] for i in sorted(members)]


def join_members(members: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """The arrays of one file for several members (``split_members`` reads them back): the first's under
    their own names but its CRF weights replaced by the members' mean, the others' prefixed, without CRF."""
    joined = {k: v for k, v in members[0].items() if k not in CRF}
    for key in CRF:
        joined[key] = np.mean([m[key] for m in members], axis=0).astype(members[0][key].dtype)
    for i, m in enumerate(members[1:], start=1):
        joined.update({MEMBER.format(i) + k: v for k, v in m.items() if k not in CRF})
    return joined


@dataclass
class SpanTagger:
    """The trained tagger's weights and its numpy forward pass (the same arithmetic as train/tagger.py)."""

    vocab: Vocab
    weights: dict[str, np.ndarray]  # the first member's, and the CRF weights the decoding uses
    layers: int
    about: dict
    runtime: Runtime | None = None  # the LSTM layers in ONNX Runtime (find/onnx_tagger.py); None: numpy
    members: list[dict[str, np.ndarray]] = field(default_factory=list)  # each member's weights; []: ``weights``

    @classmethod
    def of_members(cls, vocab: Vocab, members: list[dict[str, np.ndarray]], layers: int, about: dict) -> SpanTagger:
        """The tagger of one member's weights or several's (``split_members``; the first holds the CRF's)."""
        return cls(vocab, members[0], layers, about, members=members if len(members) > 1 else [])

    @property
    def parts(self) -> list[dict[str, np.ndarray]]:
        """The weights each member computes its emissions with (one member: ``weights``)."""
        return self.members or [self.weights]

    @classmethod
    def ensemble(cls, taggers: list[SpanTagger]) -> SpanTagger:
        """Taggers trained alike (the same words, columns and layers) as one: their emissions averaged,
        decoded with the mean of their CRF weights."""
        first = taggers[0]
        if any(t.vocab.words != first.vocab.words or t.layers != first.layers for t in taggers):
            raise ValueError("the members of an ensemble must know the same words and have the same layers "
                             "(train them on the same articles with different seeds)")
        parts = [p for t in taggers for p in t.parts]
        weights = dict(parts[0])
        # each tagger's CRF weights stand for its members (an ensemble's are already its members' mean)
        weights.update({k: sum(len(t.parts) * t.weights[k] for t in taggers) / len(parts) for k in CRF})
        return cls.of_members(first.vocab, [weights, *parts[1:]], first.layers, first.about)

    @classmethod
    def load(cls, path=None, name: str = MODEL_FILE) -> SpanTagger:
        """The tagger in ``path``, or the package's models/``name``; run by ONNX Runtime when the ONNX file
        beside it was made from it and onnxruntime is installed (find/onnx_tagger.py), else by numpy."""
        if path is None:
            path = resources.files("onrecord.models").joinpath(name)
            beside = resources.files("onrecord.models").joinpath(name.rsplit(".", 1)[0] + ".onnx")
        else:
            path = Path(path)
            beside = path.with_suffix(".onnx")
        raw = path.read_bytes()
        meta, weights = read_npz(raw)
        tagger = cls.of_members(Vocab(meta["tags"], meta["deps"], meta.get("words", [])), split_members(weights),
                                meta["layers"], meta)
        if beside.is_file():
            tagger.runtime = Runtime.load(beside.read_bytes(), raw)
        if tagger.wordvecs:
            tagger.word_table()  # a table other than its own fails here, once, not on every article
        return tagger

    @property
    def encoder(self) -> str | None:
        """The pretrained encoder whose word vectors this tagger reads beside the pipeline's (find/encoder.py;
        the accurate model), or None."""
        return self.about.get("encoder")

    @property
    def wordvecs(self) -> str | None:
        """The static word vectors this tagger reads beside the pipeline's (find/wordvecs.py), or None."""
        return self.about.get("wordvecs")

    def word_table(self):
        """The static word vectors' table (find/wordvecs.py), checked to be the one this tagger was trained
        on: a ModelError, one line, if it is not."""
        from onrecord.analyze.find.wordvecs import word_vectors

        try:
            table = word_vectors()
        except (FileNotFoundError, OSError, ValueError, KeyError) as e:
            raise ModelError(f"the tagger reads models/{self.wordvecs}, which cannot be read ({e}): reinstall "
                             "onrecord, or rebuild it and the tagger with make train") from None
        want = self.about.get("wordvecs_digest")
        if want is not None and want != table.digest:
            raise ModelError(f"the tagger was trained on another word-vector table than models/{self.wordvecs} "
                             f"({want} against {table.digest}): rebuild both with make train")
        return table

    def add_vectors(self, analyses: list, per: list[list[Chunk]]) -> None:
        """Append the vectors this tagger reads beside the pipeline's to each chunk's dense columns, for all
        the analyses' chunks at once, the words as the article gave them: the encoder's (the accurate
        model), then the static word vectors. Nothing to do for a tagger that reads neither."""
        if not self.encoder and not self.wordvecs:
            return
        words = []
        for a, chunks in zip(analyses, per, strict=True):
            text = a.stored.text
            for ch in chunks:
                words.append([text[x:y] for x, y in (a.clean.span(int(s), int(e)) for s, e in ch.spans)])
        extra: list[list[np.ndarray]] = [[] for _ in words]
        if self.encoder:
            from onrecord.analyze.find.encoder import encoder

            for e, v in zip(extra, encoder().vectors(words), strict=True):
                e.append(v)
        if self.wordvecs:
            table = self.word_table()
            for e, w in zip(extra, words, strict=True):
                e.append(table.vectors(w))
        it = iter(extra)
        for chunks in per:
            for ch in chunks:
                ch.dense = np.concatenate([ch.dense, *next(it)], axis=1)

    def _inputs(self, chunk: Chunk, weights: dict[str, np.ndarray]) -> np.ndarray:
        parts = [chunk.dense]
        for c in range(len(COLUMNS)):
            emb = weights.get(f"emb{c}")
            if emb is not None:  # a model trained without words has no embedding of the "word" column
                parts.append(emb[chunk.cats[:, c]])
        return np.concatenate(parts, axis=1)

    @staticmethod
    def _lstm(w: dict[str, np.ndarray], x: np.ndarray, lengths: np.ndarray, layer: int, reverse: bool) -> np.ndarray:
        """One direction of one LSTM layer over a batch (B, T, D) sorted by length, longest first. At
        step t only the first sequences (those longer than t) are computed: no masking, and a reverse
        pass starts each sequence at its own end with a zero state, as PyTorch's packed sequences do."""
        sfx = f"l{layer}" + ("_reverse" if reverse else "")
        w_hh_t = w[f"weight_hh_{sfx}"].T.copy()
        bias = w[f"bias_ih_{sfx}"] + w[f"bias_hh_{sfx}"]
        b, t_max, _ = x.shape
        hidden = w_hh_t.shape[0]
        pre = x @ w[f"weight_ih_{sfx}"].T  # (B, T, 4H): the input part of every step at once
        pre += bias
        h = np.zeros((b, hidden), dtype=np.float32)
        c = np.zeros((b, hidden), dtype=np.float32)
        out = np.zeros((b, t_max, hidden), dtype=np.float32)
        alive = (lengths[None, :] > np.arange(t_max)[:, None]).sum(axis=1)  # sequences longer than t
        for t in (range(t_max - 1, -1, -1) if reverse else range(t_max)):
            n = int(alive[t])
            g = pre[:n, t] + h[:n] @ w_hh_t
            _sigmoid_(g[:, :2 * hidden])
            _sigmoid_(g[:, 3 * hidden:])
            gg = np.tanh(g[:, 2 * hidden:3 * hidden])
            cn = c[:n]
            cn *= g[:, hidden:2 * hidden]
            gg *= g[:, :hidden]
            cn += gg
            hn = np.tanh(cn)
            hn *= g[:, 3 * hidden:]
            h[:n] = hn
            out[:n, t] = hn
        return out

    def emissions(self, chunks: list[Chunk], group: int = 64) -> list[np.ndarray]:
        """Each chunk's (T, len(LABELS)) scores (an ensemble's: the mean of its members'); chunks of similar
        length are batched together (give it the chunks of many articles at once: the cost is in the steps
        of the longest of each batch). ``group``: chunks per batch of the numpy pass; ONNX Runtime takes its
        own (onnx_tagger.GROUP)."""
        out: list[np.ndarray] = [np.zeros((0, len(LABELS)), dtype=np.float32)] * len(chunks)
        order = sorted((k for k in range(len(chunks)) if len(chunks[k].spans)), key=lambda k: -len(chunks[k].spans))
        parts = self.parts
        if self.runtime is not None:
            for g in range(0, len(order), ONNX_GROUP):
                batch = order[g:g + ONNX_GROUP]
                inputs = [[self._inputs(chunks[k], w) for k in batch] for w in parts]
                for k, scores in zip(batch, self.runtime.scores(inputs), strict=True):
                    out[k] = scores
            return out
        for g in range(0, len(order), group):
            batch = order[g:g + group]
            total = None
            for w in parts:
                xs = [self._inputs(chunks[k], w) for k in batch]
                lengths = np.array([len(x) for x in xs])
                x = np.zeros((len(xs), lengths.max(), xs[0].shape[1]), dtype=np.float32)
                for n, xi in enumerate(xs):
                    x[n, :len(xi)] = xi
                for layer in range(self.layers):
                    x = np.concatenate([self._lstm(w, x, lengths, layer, False), self._lstm(w, x, lengths, layer, True)],
                                       axis=2)
                scores = x @ w["out_weight"].T + w["out_bias"]
                total = scores if total is None else total + scores
            total /= len(parts)
            for n, k in enumerate(batch):
                out[k] = total[n, :lengths[n]]
        return out

    def decode(self, emissions: np.ndarray) -> tuple[list[int], np.ndarray]:
        """The best tag sequence (Viterbi, over the CRF's transitions) and each token's marginal
        probability of its tag (forward-backward), for one sequence."""
        return self.decode_many([emissions])[0]

    def decode_many(self, emissions: list[np.ndarray], group: int = 64,
                    full: bool = False) -> list[tuple[list[int], np.ndarray]]:
        """``decode`` for many sequences at once: padded batches, longest first, each step computed for
        the sequences still going (a Python step per position of the longest of each batch). ``full``:
        each token's marginal probability of every label, (T, len(LABELS)), instead of its tag's only."""
        trans, start, end = self.weights["transitions"], self.weights["start"], self.weights["end"]
        n_labels = len(LABELS)
        out: list[tuple[list[int], np.ndarray]] = [([], np.zeros((0, n_labels)) if full else np.zeros(0))] * len(
            emissions)
        order = sorted((k for k in range(len(emissions)) if len(emissions[k])), key=lambda k: -len(emissions[k]))
        for g in range(0, len(order), group):
            batch = order[g:g + group]
            lengths = np.array([len(emissions[k]) for k in batch])
            b, t_max = len(batch), int(lengths[0])
            em = np.zeros((b, t_max, n_labels), dtype=np.float64)
            for n, k in enumerate(batch):
                em[n, :lengths[n]] = emissions[k]
            alive = (lengths[None, :] > np.arange(t_max)[:, None]).sum(axis=1)
            rows = np.arange(b)
            # Viterbi
            score = start + em[:, 0]
            back = np.zeros((b, t_max, n_labels), dtype=np.int64)
            for t in range(1, t_max):
                n = int(alive[t])
                cand = score[:n, :, None] + trans
                back[:n, t] = cand.argmax(axis=1)
                score[:n] = cand.max(axis=1) + em[:n, t]
            cur = (score + end).argmax(axis=1)
            tags = np.zeros((b, t_max), dtype=np.int64)
            tags[rows, lengths - 1] = cur
            for t in range(t_max - 1, 0, -1):
                n = int(alive[t])
                cur[:n] = back[rows[:n], t, cur[:n]]
                tags[:n, t - 1] = cur[:n]
            # marginals, in log space
            alpha = np.zeros((b, t_max, n_labels))
            alpha[:, 0] = start + em[:, 0]
            for t in range(1, t_max):
                n = int(alive[t])
                alpha[:n, t] = _logsumexp(alpha[:n, t - 1, :, None] + trans, axis=1) + em[:n, t]
            beta = np.zeros((b, t_max, n_labels))
            beta[rows, lengths - 1] = end
            for t in range(t_max - 2, -1, -1):
                n = int(alive[t + 1])
                beta[:n, t] = _logsumexp(trans + (em[:n, t + 1] + beta[:n, t + 1])[:, None, :], axis=2)
            z = _logsumexp(alpha[rows, lengths - 1] + end, axis=1)
            for n, k in enumerate(batch):
                m = lengths[n]
                marg = np.exp(alpha[n, :m] + beta[n, :m] - z[n])
                best = tags[n, :m]
                out[k] = (best.tolist(), marg if full else marg[np.arange(m), best])
        return out


def _logsumexp(a: np.ndarray, axis: int) -> np.ndarray:
    m = a.max(axis=axis, keepdims=True)
    return (m + np.log(np.exp(a - m).sum(axis=axis, keepdims=True))).squeeze(axis)


def spans(tags: list[int], probs: np.ndarray) -> list[tuple[str, int, int, float]]:
    """(role, first token, end token, mean probability) of each span the tags mark, in order; an I tag
    after O or after another role opens a span of its own (as the CRF rarely lets it)."""
    out = []
    role, start = None, 0
    for i, tag in enumerate([*tags, 0]):
        label = LABELS[tag]
        kind = label[2:] if label != "O" else None
        if role is not None and (label == "O" or label.startswith("B-") or kind != role):
            out.append((role, start, i, float(probs[start:i].mean())))
            role = None
        if kind is not None and role is None:
            role, start = kind, i
    return out


@cache
def default_tagger() -> SpanTagger | None:
    """The shipped tagger, or None when the package has none."""
    try:
        return SpanTagger.load()
    except (FileNotFoundError, ModuleNotFoundError, OSError):
        return None
