"""What the pages draw on the server: an article with its quotes marked, matched words, the weekly chart
and the network, as HTML and inline SVG. No JavaScript is needed to see any of it.

Every piece of stored text passes through ``escape`` (html.escape) here; the result is Markup that the templates
insert as it is, so this module is where the escaping of article text lives.
"""

from __future__ import annotations

import hashlib
import html
import math
from datetime import date
from urllib.parse import urlsplit

from markupsafe import Markup

from onrecord.types import Result

_esc = escape = html.escape  # every piece of stored text passes through this; the pieces join as one Markup

PALETTE = ["#3b6ea5", "#c2553a", "#4f8a4c", "#8a5fa8", "#b8862b", "#2f8f8f", "#a8456f", "#6d6d6d"]


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) address a link may point to, else None (a ``javascript:`` URL in an
    ingested article is shown as text, never linked)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def marked(text: str, matches: list) -> Markup:
    """``text`` escaped, the spans a search matched in <mark>."""
    out, pos = [], 0
    for a, b in matches:
        if a < pos or b > len(text):
            continue
        out.append(_esc(text[pos:a]))
        out.append(f"<mark>{_esc(text[a:b])}</mark>")
        pos = b
    out.append(_esc(text[pos:]))
    return Markup("".join(out))


def speaker_ids(result: Result) -> dict[str, int]:
    """The database id of each of the article's speakers, by entity id (stored entities are s<id>)."""
    return {e.id: int(e.id[1:]) for e in result.entities if e.id.startswith("s") and e.id[1:].isdigit()}


def article(result: Result, ids: dict[str, dict[str, int]]) -> Markup:
    """The article's text with each quote marked by kind (nested quotes deeper), each speaker mention
    linked to the speaker's page, and each cue marked. Overlapping spans are cut into segments, so the
    markup is always well formed."""
    text = result.article.text
    n = len(text)
    sids = speaker_ids(result)
    spans = []  # (start, end, what, data)
    for q in result.quotes:
        if 0 <= q.start < q.end <= n:
            spans.append((q.start, q.end, "quote", q))
        if q.cue is not None and 0 <= q.cue.start < q.cue.end <= n:
            spans.append((q.cue.start, q.cue.end, "cue", q))
        sp = q.speaker
        if sp is not None and 0 <= sp.start < sp.end <= n:
            spans.append((sp.start, sp.end, "speaker", q))
    cuts = sorted({0, n, *(s for s, _, _, _ in spans), *(e for _, e, _, _ in spans)})
    starts: dict[int, list] = {}
    for sp in spans:
        starts.setdefault(sp[0], []).append(sp)
    open_: list = []
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        open_ = [s for s in open_ if s[1] > a] + starts.get(a, [])
        piece = _esc(text[a:b])
        if not open_:
            out.append(piece)
            continue
        quotes = sorted((s for s in open_ if s[2] == "quote"), key=lambda s: s[1] - s[0])
        speaker = next((s[3] for s in open_ if s[2] == "speaker"), None)
        if speaker is not None:
            sid = sids.get(speaker.speaker.entity or "")
            who = speaker.speaker.name or speaker.speaker.mention
            piece = (f'<a class="speaker" href="/speaker/{int(sid)}" title="{_esc(who)}">{piece}</a>'
                     if sid else f'<span class="speaker" title="{_esc(who)}">{piece}</span>')
        elif any(s[2] == "cue" for s in open_):
            piece = f'<span class="cue">{piece}</span>'
        if quotes:
            q = quotes[0][3]
            qid = ids.get(q.id, {}).get("quote_id", 0)
            who = (q.speaker.name or q.speaker.mention) if q.speaker else "speaker unknown"
            if speaker is None:
                piece = f'<a href="#quote-{int(qid)}">{piece}</a>'
            kind = _esc(q.kind)
            piece = (f'<mark class="q {kind} depth-{min(len(quotes), 3)}" data-quote="{int(qid)}" '
                     f'title="{_esc(who)} ({kind})">{piece}</mark>')
        out.append(piece)
    return Markup("".join(out))


def weekly(weeks: list[tuple[date, int]], width: int = 720, height: int = 180) -> Markup:
    """Quotes per week as an SVG bar chart (a <title> on each bar gives its week and count)."""
    if not weeks:
        return Markup('<p class="muted" id="weekly-chart-empty">No dated quotes to chart.</p>')
    top = max(n for _, n in weeks) or 1
    left, bottom, right = 34, 22, 8
    plot_w, plot_h = width - left - right, height - bottom - 8
    bar = plot_w / len(weeks)
    parts = [f'<svg id="weekly-chart" class="chart" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="quotes per week, {len(weeks)} weeks" xmlns="http://www.w3.org/2000/svg">']
    parts.append(f'<line x1="{left}" y1="{8 + plot_h}" x2="{width - right}" y2="{8 + plot_h}" class="axis"/>')
    parts.append(f'<text x="{left - 4}" y="14" text-anchor="end" class="tick">{top}</text>')
    parts.append(f'<text x="{left - 4}" y="{8 + plot_h}" text-anchor="end" class="tick">0</text>')
    for i, (w, n) in enumerate(weeks):
        if not n:
            continue
        h = plot_h * n / top
        x = left + i * bar
        parts.append(f'<rect class="bar" x="{x + bar * 0.1:.1f}" y="{8 + plot_h - h:.1f}" width="{max(bar * 0.8, 1):.1f}" '
                     f'height="{h:.1f}"><title>week of {w.isoformat()}: {n} quote{"s" if n != 1 else ""}</title></rect>')
    parts.append(f'<text x="{left}" y="{height - 4}" class="tick">{weeks[0][0].isoformat()}</text>')
    parts.append(f'<text x="{width - right}" y="{height - 4}" text-anchor="end" class="tick">'
                 f'{weeks[-1][0].isoformat()}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _colour(org: str) -> str:
    if not org:
        return "#9a9a9a"
    return PALETTE[int(hashlib.sha1(org.encode()).hexdigest(), 16) % len(PALETTE)]


def network(g, kind: str, width: int = 760, height: int = 520) -> Markup:
    """The network drawn as SVG: actors as circles coloured by organisation (concepts as squares in an
    affiliation network), sized by statements; edges as wide as their weight (congruence green, conflict
    red; affiliation by side)."""
    import networkx as nx

    if g.number_of_nodes() == 0:
        return Markup('<p class="muted" id="network-empty">No statements with a named actor and a side '
                      'for this choice.</p>')
    pos = nx.spring_layout(g, seed=7, weight="weight") if g.number_of_nodes() > 1 else {next(iter(g)): (0.0, 0.0)}
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    pad = 70

    def at(node) -> tuple[float, float]:
        x, y = pos[node]
        sx = (x - min(xs)) / ((max(xs) - min(xs)) or 1)
        sy = (y - min(ys)) / ((max(ys) - min(ys)) or 1)
        return pad + sx * (width - 2 * pad), 30 + sy * (height - 60)

    top = max((d.get("weight", 1) for _, _, d in g.edges(data=True)), default=1) or 1
    parts = [f'<svg id="network" class="network" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{kind} network, {g.number_of_nodes()} nodes, {g.number_of_edges()} edges" '
             'xmlns="http://www.w3.org/2000/svg">']
    for a, b, d in g.edges(data=True):
        (x1, y1), (x2, y2) = at(a), at(b)
        side = d.get("agreement", "")
        cls = {"congruence": "edge-yes", "conflict": "edge-no"}.get(kind) or {"yes": "edge-yes", "no": "edge-no"}.get(
            side, "edge-both")
        w = 1 + 5 * d.get("weight", 1) / top
        label = escape(f"{a} – {b}: {d.get('concepts') or side} (weight {d.get('weight', 1)})")
        parts.append(f'<line class="edge {cls}" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                     f'stroke-width="{w:.1f}"><title>{label}</title></line>')
    for node, d in g.nodes(data=True):
        x, y = at(node)
        r = 5 + 2.5 * math.sqrt(d.get("statements", 1))
        name = escape(node)
        tip = escape(f"{node}" + (f" ({d['org']})" if d.get("org") else "") + f": {d.get('statements', 0)} statements")
        if d.get("kind") == "concept":
            parts.append(f'<rect class="node concept" x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" '
                         f'height="{2 * r:.1f}"><title>{tip}</title></rect>')
        else:
            parts.append(f'<circle class="node actor" cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" '
                         f'fill="{_colour(d.get("org", ""))}"><title>{tip}</title></circle>')
        parts.append(f'<text class="label" x="{x:.1f}" y="{y - r - 3:.1f}" text-anchor="middle">{name}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
