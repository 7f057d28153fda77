"""Static word vectors: what a word means, looked up, for the tagger's words that train seldom or never shows.

The tagger knows by name only the words that occur at least three times in PolNeAR train; a cue it has
never seen ("withheld", "lambasted") is to it a shape and a part of speech. These vectors give every word
a meaning it can compare: the packaged encoder (all-MiniLM-L6-v2, find/encoder.py) read each of its own
30,522 word pieces alone, and its output for the piece, reduced to ``DIM`` dimensions by PCA, is the
piece's vector (the way model2vec distils static vectors from a sentence encoder). A word's vector is the
mean of its pieces' vectors, the pieces split as the encoder's own tokenizer splits them (lower case,
accents stripped, punctuation apart, longest piece first). A table may also hold whole words (each read
alone, train/wordvecs.py --whole-words), looked up before the pieces; the shipped one holds none, since
5-fold CV found them no better. ``make train`` builds the table
(train/wordvecs.py) into models/wordvecs.npz; reading it needs numpy only, no encoder and no PyTorch.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

FILE = "wordvecs.npz"
MAX_CHARS = 100  # as the encoder's tokenizer: a longer word is one unknown piece (here: no vector)


def _is_punct(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def normal(word: str) -> str:
    """Lower case, accents stripped: what the encoder's uncased tokenizer reads."""
    text = unicodedata.normalize("NFD", word.lower())
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")


class WordVectors:
    """The table: each word piece's vector; ``vector(word)`` the mean of the word's pieces'."""

    def __init__(self, pieces: list[str], vectors: np.ndarray, meta: dict, words: list[str] = ()) -> None:
        self.index = {p: i for i, p in enumerate(pieces)}
        self.words = {w: len(pieces) + i for i, w in enumerate(words)}  # whole words, after the pieces
        self.longest = max((len(p) - 2 if p.startswith("##") else len(p)) for p in pieces)
        self.table = vectors.astype(np.float32)
        self.meta = meta
        self.dim = self.table.shape[1]
        # what a tagger trained on this table records, and checks it reads again (model.SpanTagger.add_vectors)
        digest = hashlib.sha256(vectors.astype(np.float16).tobytes())
        digest.update("\n".join([*pieces, "", *words]).encode())
        self.digest = digest.hexdigest()[:16]
        self._cache: dict[str, np.ndarray] = {}
        self._zero = np.zeros(self.dim, dtype=np.float32)

    @classmethod
    def load(cls, path: Path | None = None) -> WordVectors:
        raw = (resources.files("onrecord.models").joinpath(FILE) if path is None else Path(path)).read_bytes()
        import io

        with np.load(io.BytesIO(raw), allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            pieces = str(data["pieces"]).split("\n")
            words = [w for w in str(data["words"]).split("\n") if w] if "words" in data.files else []
            return cls(pieces, data["vectors"], meta, words)

    def pieces(self, word: str) -> list[int]:
        """The word's piece ids, split as the encoder's (uncased) tokenizer splits it."""
        return self._pieces(normal(word))

    def _pieces(self, text: str) -> list[int]:
        runs, cur = [], []
        for ch in text:
            if ch.isspace() or _is_punct(ch):
                if cur:
                    runs.append("".join(cur))
                    cur = []
                if not ch.isspace():
                    runs.append(ch)
            else:
                cur.append(ch)
        if cur:
            runs.append("".join(cur))
        ids: list[int] = []
        for run in runs:
            if len(run) > MAX_CHARS:
                continue
            start, found = 0, []
            while start < len(run):  # longest piece first: at most len(run) * longest lookups a run
                end = min(len(run), start + self.longest)
                while end > start:
                    piece = run[start:end] if start == 0 else "##" + run[start:end]
                    if piece in self.index:
                        found.append(self.index[piece])
                        break
                    end -= 1
                if end == start:  # no piece fits: the run is unknown, as [UNK] is to the encoder
                    found = []
                    break
                start = end
            ids.extend(found)
        return ids

    def vector(self, word: str) -> np.ndarray:
        v = self._cache.get(word)
        if v is None:
            text = normal(word)
            whole = self.words.get(text)
            ids = [whole] if whole is not None else self._pieces(text)
            v = self.table[ids].mean(axis=0) if ids else self._zero
            if len(self._cache) < 200_000:
                self._cache[word] = v
        return v

    def vectors(self, words: list[str]) -> np.ndarray:
        """(T, dim) float32 for T words."""
        if not words:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.vector(w) for w in words])


@cache
def word_vectors() -> WordVectors:
    return WordVectors.load()
