"""Discourse networks as Leifeld's Discourse Network Analyzer defines them, built with networkx.

- affiliation: a two-mode network, actors and concepts; an edge when an actor spoke to a concept, with
  how often they took each side (``yes``, ``no``), ``weight`` their sum and ``agreement`` yes, no or both;
- congruence: actors joined when they take the same side on a concept; ``weight`` = concepts shared;
- conflict: actors joined when they take opposite sides on a concept; ``weight`` = concepts disputed.

Only statements with a named actor and a side (yes or no) count: a statement that takes no side
agrees or disagrees with nobody. ``qualifier`` keeps only yes or only no statements (DNA's qualifier
filter); conflict needs both.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from itertools import combinations
from pathlib import Path

from onrecord.corpus.positions import Statement
from onrecord.errors import OnrecordError
from onrecord.output import atomic_file

TYPES = ("affiliation", "congruence", "conflict")
QUALIFIERS = ("yes", "no", "both")
FORMATS = (".graphml", ".gexf", ".csv")  # .matrix.csv: the adjacency matrix instead of an edge list


def build(statements: Iterable[Statement], kind: str, qualifier: str = "both"):
    """The ``kind`` network (affiliation, congruence, conflict) of these statements, as a networkx Graph."""
    import networkx as nx

    if kind not in TYPES:
        raise OnrecordError(f"network type must be one of {', '.join(TYPES)}, not {kind!r}")
    if qualifier not in QUALIFIERS:
        raise OnrecordError(f"qualifier must be one of {', '.join(QUALIFIERS)}, not {qualifier!r}")
    if kind == "conflict" and qualifier != "both":
        raise OnrecordError("a conflict network joins actors on opposite sides, so it needs --qualifier both")
    sides = ("yes", "no") if qualifier == "both" else (qualifier,)
    kept = [s for s in statements if s.actor and s.agreement in sides]
    g = nx.Graph(type=kind, qualifier=qualifier)
    counts: dict[str, int] = defaultdict(int)
    orgs: dict[str, str] = {}
    for s in kept:
        counts[s.actor] += 1
        if s.org:
            orgs[s.actor] = s.org  # statements are in date order: the latest organisation
    for actor in sorted(counts):
        g.add_node(actor, kind="actor", org=orgs.get(actor, ""), statements=counts[actor], bipartite=0)
    said: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: {"yes": 0, "no": 0})
    for s in kept:
        said[s.actor, s.concept][s.agreement] += 1
    if kind == "affiliation":
        for concept in sorted({c for _, c in said}):
            g.add_node(concept, kind="concept", org="", statements=sum(
                n for (_, c), v in said.items() if c == concept for n in v.values()), bipartite=1)
        for (actor, concept), v in sorted(said.items()):
            agreement = "both" if v["yes"] and v["no"] else ("yes" if v["yes"] else "no")
            g.add_edge(actor, concept, yes=v["yes"], no=v["no"], weight=v["yes"] + v["no"], agreement=agreement)
        return g
    by_concept: dict[str, dict[str, set[str]]] = defaultdict(dict)
    for (actor, concept), v in said.items():
        by_concept[concept][actor] = {q for q in sides if v[q]}
    joined: dict[tuple[str, str], list[str]] = defaultdict(list)
    for concept, actors in sorted(by_concept.items()):
        for a, b in combinations(sorted(actors), 2):
            sa, sb = actors[a], actors[b]
            if (sa & sb) if kind == "congruence" else (("yes" in sa and "no" in sb) or ("no" in sa and "yes" in sb)):
                joined[a, b].append(concept)
    for (a, b), concepts in sorted(joined.items()):
        g.add_edge(a, b, weight=len(concepts), concepts="; ".join(concepts))
    return g


def windows(statements: Sequence[Statement], days: int, since: str | None = None, until: str | None = None
            ) -> list[tuple[str, str, list[Statement]]]:
    """Statements in consecutive windows of ``days`` days: (first day, last day, statements), from
    ``since`` (else the first dated statement) to ``until`` (else the last). Undated ones are left out."""
    if days < 1:
        raise OnrecordError("--window must be at least 1 day")
    dated = [(date.fromisoformat(s.date), s) for s in statements if s.date and _is_date(s.date)]
    if not dated:
        return []
    first = date.fromisoformat(since) if since else min(d for d, _ in dated)
    last = date.fromisoformat(until) if until else max(d for d, _ in dated)
    out = []
    start = first
    while start <= last:
        end = start + timedelta(days=days - 1)
        out.append((start.isoformat(), min(end, last).isoformat(), [s for d, s in dated if start <= d <= end]))
        start = end + timedelta(days=1)
    return out


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def check_path(out: str) -> None:
    if not any(out.lower().endswith(ext) for ext in FORMATS):
        raise OnrecordError(f"{out}: the network is written by the file's extension: .graphml (Gephi, visone, "
                            "networkx, igraph), .gexf, .csv (edge list) or .matrix.csv (adjacency matrix)")


def window_path(out: str, start: str) -> str:
    """net.graphml -> net-2022-03-01.graphml (net.matrix.csv -> net-2022-03-01.matrix.csv)."""
    p = Path(out)
    suffix = ".matrix.csv" if out.lower().endswith(".matrix.csv") else p.suffix
    stem = p.name[: len(p.name) - len(suffix)]
    return str(p.with_name(f"{stem}-{start}{suffix}"))


def write(g, out: str) -> None:
    """Write ``g`` by the extension of ``out``; the file appears whole or not at all."""
    import networkx as nx

    check_path(out)
    low = out.lower()
    try:
        with atomic_file(out) as tmp:
            if low.endswith(".graphml"):
                nx.write_graphml(g, tmp)
            elif low.endswith(".gexf"):
                nx.write_gexf(g, tmp)
            elif low.endswith(".matrix.csv"):
                _matrix(g, tmp)
            else:
                _edges(g, tmp)
    except OSError as e:
        raise OnrecordError(f"cannot write {out}: {e.strerror or e}") from None


def _edges(g, path: str) -> None:
    keys = sorted({k for _, _, d in g.edges(data=True) for k in d} - {"weight"})
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["source", "target", "weight", *keys])
        for a, b, d in g.edges(data=True):
            if g.nodes[a].get("kind") == "concept":
                a, b = b, a  # affiliation: actor first
            w.writerow([a, b, d.get("weight", 1), *(d.get(k, "") for k in keys)])


def _matrix(g, path: str) -> None:
    actors = sorted(n for n, d in g.nodes(data=True) if d.get("kind") == "actor")
    concepts = sorted(n for n, d in g.nodes(data=True) if d.get("kind") == "concept")
    columns = concepts if g.graph.get("type") == "affiliation" else actors
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["", *columns])
        for a in actors:
            w.writerow([a, *(g.edges[a, c]["weight"] if g.has_edge(a, c) else 0 for c in columns)])


def plot(g, path: str, title: str) -> None:
    """Draw ``g``: actors coloured by organisation, concepts as grey squares, edge width by weight
    (affiliation edges green for yes, red for no, orange for both)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import networkx as nx
    except ImportError:
        raise OnrecordError("--plot needs matplotlib: pip install matplotlib") from None
    if g.number_of_nodes() == 0:
        raise OnrecordError(f"nothing to draw in {path}: the network has no actors (no statement takes a side)")
    pos = nx.spring_layout(g, seed=0, weight="weight", k=1.5 / max(1, g.number_of_nodes()) ** 0.5)
    fig, ax = plt.subplots(figsize=(10, 8), dpi=100)
    actors = [n for n, d in g.nodes(data=True) if d.get("kind") == "actor"]
    concepts = [n for n, d in g.nodes(data=True) if d.get("kind") == "concept"]
    orgs = sorted({g.nodes[n]["org"] for n in actors})
    palette = plt.get_cmap("tab20")
    colour = {o: palette(i % 20) for i, o in enumerate(orgs)}
    edges = list(g.edges(data=True))
    top = max((d.get("weight", 1) for _, _, d in edges), default=1)
    ecolours = [{"yes": "#2e7d32", "no": "#c62828", "both": "#ef6c00"}.get(d.get("agreement"),
                "#c62828" if g.graph.get("type") == "conflict" else "#2e7d32") for _, _, d in edges]
    nx.draw_networkx_edges(g, pos, ax=ax, width=[1 + 5 * d.get("weight", 1) / top for _, _, d in edges],
                           edge_color=ecolours, alpha=0.7)
    nx.draw_networkx_nodes(g, pos, nodelist=actors, ax=ax, node_color=[colour[g.nodes[n]["org"]] for n in actors],
                           node_size=[300 + 60 * g.nodes[n]["statements"] for n in actors])
    if concepts:
        nx.draw_networkx_nodes(g, pos, nodelist=concepts, ax=ax, node_color="#9e9e9e", node_shape="s",
                               node_size=500)
    nx.draw_networkx_labels(g, pos, ax=ax, font_size=9)
    for o in orgs[:20]:
        ax.scatter([], [], color=colour[o], label=o or "(no organisation)")
    if orgs:
        ax.legend(loc="best", fontsize=8, frameon=False)
    ax.set_title(title)
    ax.axis("off")
    fig.tight_layout()
    try:
        fig.savefig(path)
    except OSError as e:
        raise OnrecordError(f"cannot write {path}: {e.strerror or e}") from None
    finally:
        plt.close(fig)


def plot_or_skip(g, path: str, title: str) -> bool:
    """``plot``, except for an empty network (a window without statements): nothing is drawn."""
    if g.number_of_nodes() == 0:
        return False
    plot(g, path, title)
    return True
