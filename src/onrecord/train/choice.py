"""A conditional logit over feature strings: the fitting shared by the linker (train/linker.py: which
mention is a quote's speaker) and the bounds model (train/bounds.py: where a quote starts).

Each example is one decision among options, each option a list of feature strings; an option's score is
the sum of its features' weights, and the options of one example compete in a softmax. ``fit`` finds the
weights that maximise the log-likelihood of the right options less an L2 penalty (``l2 / 2`` times the sum
of squared weights), by L-BFGS over a sparse design matrix in PyTorch (``pip install 'onrecord[train]'``).
Where an example has several right options, each is an equal part of its target. The problem is convex,
so the weights are those of any other solver to the tolerance. No bias: it would cancel in the softmax.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence


def fit(options: Sequence[Sequence[Sequence[str]]], right: Sequence[Sequence[bool]], l2: float,
        min_count: int = 1, keep: float = 1e-3) -> dict[str, float]:
    """The weights (feature -> weight, rounded to 4 places; those under ``keep`` left out) of a conditional
    logit over ``options[i]`` (example i's options, each its feature strings), whose right options are
    those ``right[i]`` marks. Examples with no right option teach nothing and are skipped; features seen
    in fewer than ``min_count`` options (counted once an option) are not weighted."""
    import torch

    pairs = [(opts, marks) for opts, marks in zip(options, right, strict=True) if any(marks)]
    if min_count > 1:
        counts = Counter(f for opts, _m in pairs for o in opts for f in set(o))
        wanted = {f for f, n in counts.items() if n >= min_count}
    names: dict[str, int] = {}
    rows, cols, group, target = [], [], [], []
    n = 0
    for g, (opts, marks) in enumerate(pairs):
        share = 1.0 / sum(marks)
        for feats, mark in zip(opts, marks, strict=True):
            for f in feats:
                if f == "bias" or (min_count > 1 and f not in wanted):
                    continue
                rows.append(n)
                cols.append(names.setdefault(f, len(names)))
            group.append(g)
            target.append(share if mark else 0.0)
            n += 1
    torch.manual_seed(0)
    x = torch.sparse_coo_tensor(torch.tensor([rows, cols]), torch.ones(len(rows), dtype=torch.float64),
                                (n, len(names)), check_invariants=True).coalesce()
    seg = torch.tensor(group)
    t = torch.tensor(target, dtype=torch.float64)
    w = torch.zeros(len(names), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([w], max_iter=500, history_size=20, line_search_fn="strong_wolfe",
                            tolerance_grad=1e-7, tolerance_change=1e-10)
    groups = len(pairs)

    def closure():
        opt.zero_grad()
        s = torch.sparse.mm(x, w[:, None]).squeeze(1)
        top = torch.zeros(groups, dtype=torch.float64).scatter_reduce(0, seg, s, "amax", include_self=False)
        z = torch.zeros(groups, dtype=torch.float64).index_add(0, seg, torch.exp(s - top[seg]))
        loss = (torch.log(z) + top).sum() - (t * s).sum() + 0.5 * l2 * (w * w).sum()
        loss.backward()
        return loss

    opt.step(closure)
    weights = w.detach().numpy()
    return {f: round(float(weights[i]), 4) for f, i in sorted(names.items()) if abs(weights[i]) >= keep}
