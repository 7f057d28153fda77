"""Positions measured against hand coding: `onrecord evaluate-positions GOLD.jsonl --codebook FILE
--articles ARTICLES.jsonl` (docs/positions.md, "Measuring"; the gold set and its guidelines:
benchmarks/positions/).

The gold file holds no article text: one JSON object per line, ``{"id": ..., "sha256": ..., "statements":
[{"start", "end", "actor", "concept", "agreement"}]}`` (an article with an empty list counts: whatever is
found in it is a false positive). The articles come from ``--articles``; the gold's ``sha256`` (a prefix
of the text's) makes sure they are the texts that were coded.

The articles are ingested with the normal pipeline (into a temporary database unless ``--db`` names one)
and coded with the codebook; the statements the system lists are then compared with the gold, per article:

- **triples** (actor, concept, agreement yes/no): a prediction with no named actor or no side is not a
  triple (it would not enter a network); P/R/F1 one to one;
- **pairs** (actor, concept), the side ignored, predictions without a side included: did it find who spoke
  to what;
- **agreement accuracy** on the gold pairs that were found: the sides the system gave the pair (its
  yes/no statements, nulls left out) equal the gold's; a pair found only with null sides counts wrong.

An actor matches the gold's when the names are equal, when one's words are all among the other's
("Trump", "Donald J. Trump" and "Donald Trump"), or when one is the other's initials ("IMF").
"""

from __future__ import annotations

import functools
import json
import re
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from onrecord.errors import InputError, OnrecordError
from onrecord.networks.codebook import Codebook

SIDES = ("yes", "no")


@dataclass(frozen=True)
class Coded:
    """One coded statement: the gold's or the system's."""
    article: str
    actor: str | None
    concept: str
    agreement: str | None
    text: str = ""  # the system's quote (for the error listing); empty for gold
    start: int | None = None
    end: int | None = None


@dataclass
class PRF:
    tp: int = 0
    gold: int = 0
    pred: int = 0

    @property
    def p(self) -> float:
        return self.tp / self.pred if self.pred else 0.0

    @property
    def r(self) -> float:
        return self.tp / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        return 2 * self.p * self.r / (self.p + self.r) if self.p + self.r else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"P": round(self.p, 4), "R": round(self.r, 4), "F1": round(self.f1, 4),
                "tp": self.tp, "gold": self.gold, "pred": self.pred}


@dataclass
class PositionScores:
    articles: int
    triples: PRF
    pairs: PRF
    agreement_right: int
    agreement_found: int
    per_concept: dict[str, PRF]
    missed: list[Coded] = field(default_factory=list)  # gold triples not found
    spurious: list[Coded] = field(default_factory=list)  # predicted triples not in the gold
    wrong_side: list[tuple[Coded, list[Coded]]] = field(default_factory=list)  # gold pair found, side wrong

    @property
    def agreement_accuracy(self) -> float:
        return self.agreement_right / self.agreement_found if self.agreement_found else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"articles": self.articles, "triples": self.triples.as_dict(), "pairs": self.pairs.as_dict(),
                "agreement_accuracy": round(self.agreement_accuracy, 4),
                "agreement_counts": {"right": self.agreement_right, "pairs_found": self.agreement_found},
                "per_concept": {k: v.as_dict() for k, v in sorted(self.per_concept.items())}}


# ---- reading the gold ------------------------------------------------------------------------------


@dataclass
class GoldArticle:
    id: str
    sha256: str | None
    statements: list[Coded]


def _fail(where: str, msg: str) -> OnrecordError:
    return OnrecordError(f"{where}: {msg}")


def read_gold(path: str, codebook: Codebook) -> list[GoldArticle]:
    """The gold file's articles; a malformed line is a one-line error naming the file and the line."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise OnrecordError(f"{path}: no such file") from None
    except (UnicodeDecodeError, IsADirectoryError, PermissionError) as e:
        raise OnrecordError(f"{path}: cannot read the gold file: {type(e).__name__}") from None
    names = {c.name.lower(): c.name for c in codebook.concepts}
    out: list[GoldArticle] = []
    seen: set[str] = set()
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        fail = functools.partial(_fail, f"{path}:{n}")
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise fail(f"not JSON ({e.msg} at column {e.colno})") from None
        if not isinstance(obj, dict) or not isinstance(obj.get("id"), str) or not obj["id"]:
            raise fail('each line must be an object with an "id" (the article\'s id in --articles)')
        if obj["id"] in seen:
            raise fail(f"article {obj['id']!r} appears twice")
        seen.add(obj["id"])
        items = obj.get("statements")
        if not isinstance(items, list):
            raise fail('"statements" must be a list (empty for an article with none)')
        coded = []
        for i, s in enumerate(items, 1):
            if not isinstance(s, dict):
                raise fail(f"statement {i} is not an object")
            actor, concept, agreement = s.get("actor"), s.get("concept"), s.get("agreement")
            if not isinstance(actor, str) or not actor.strip():
                raise fail(f'statement {i}: "actor" must be a name')
            if not isinstance(concept, str) or concept.lower() not in names:
                raise fail(f"statement {i}: unknown concept {concept!r} (the codebook has: "
                           + ", ".join(c.name for c in codebook.concepts) + ")")
            if agreement not in SIDES:
                raise fail(f'statement {i}: "agreement" must be "yes" or "no", not {agreement!r}')
            start, end = s.get("start"), s.get("end")
            if start is not None and (not isinstance(start, int) or not isinstance(end, int) or end < start):
                raise fail(f'statement {i}: "start" and "end" must be character offsets, start <= end')
            coded.append(Coded(obj["id"], actor.strip(), names[concept.lower()], agreement, "", start, end))
        sha = obj.get("sha256")
        out.append(GoldArticle(obj["id"], sha if isinstance(sha, str) and sha else None, coded))
    if not out:
        raise OnrecordError(f"{path}: no articles in the gold file")
    return out


def _articles_for(gold: list[GoldArticle], articles_path: str) -> dict[str, Any]:
    """The gold's articles read from ``articles_path`` (any input ``extract`` reads), by the sha256 of
    their text (a stored article's identity), checked against the gold's; every missing or changed
    article is named in one error."""
    from onrecord.corpus.ingest import article_hash
    from onrecord.read import iter_articles

    wanted = {g.id: g for g in gold}
    found: dict[str, Any] = {}
    for item in iter_articles([articles_path]):
        if isinstance(item, InputError):
            if item.line is None:  # the whole file is unreadable
                raise OnrecordError(str(item))
            continue
        if item.id in wanted and item.id not in found:
            found[item.id] = item
    missing = [i for i in wanted if i not in found]
    if missing:
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        raise OnrecordError(f"{articles_path}: {len(missing)} of the gold's {len(wanted)} articles are not in it: "
                            + ", ".join(missing[:3]) + more)
    by_hash: dict[str, Any] = {}
    changed = []
    for g in gold:
        h = article_hash(found[g.id].text)
        by_hash.setdefault(h, found[g.id])
        if g.sha256 and not h.startswith(g.sha256):
            changed.append(g.id)
    if changed:
        raise OnrecordError(f"{articles_path}: the text of {len(changed)} article(s) differs from the one coded "
                            f"(sha256 in the gold file): " + ", ".join(changed[:3]))
    return by_hash


# ---- the system's statements -------------------------------------------------------------------------


def predict(gold: list[GoldArticle], codebook: Codebook, articles_path: str, db: str | None = None,
            jobs: int | None = None, on_notice: Callable[[str], None] | None = None) -> list[Coded]:
    """The system's statements on the gold's articles: ingested (into ``db``, or a temporary database)
    and coded with ``codebook``."""
    from onrecord.corpus.ingest import ingest_articles
    from onrecord.corpus.positions import statements
    from onrecord.corpus.store import Store

    articles = _articles_for(gold, articles_path)
    with tempfile.TemporaryDirectory(prefix="onrecord-positions-") as tmp, \
            Store(db or str(Path(tmp) / "gold.db")) as store:
        summary = ingest_articles(articles.values(), store, jobs=jobs, on_notice=on_notice)
        if summary.errors:
            raise OnrecordError(f"{articles_path}: {len(summary.errors)} article(s) could not be analysed: "
                                f"{summary.errors[0]}")
        # each quote's gold article (by its text's hash) and span; a --db may hold other articles too
        where = {r[0]: (articles[r[1]].id, r[2], r[3]) for r in store.db.execute(
            'SELECT q.id, a.hash, q.start, q."end" FROM quotes q JOIN articles a ON a.id = q.article_id')
            if r[1] in articles}
        return [Coded(where[s.quote_id][0], s.actor, s.concept, s.agreement, s.text, *where[s.quote_id][1:])
                for s in statements(store, codebook) if s.quote_id in where]


# ---- scoring -----------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+")


def _words(name: str) -> list[str]:
    return _WORD.findall(name.lower().replace(".", ""))


def same_actor(gold: str, pred: str) -> bool:
    """Equal names, one's words all among the other's, or one the other's initials."""
    g, p = _words(gold), _words(pred)
    if not g or not p:
        return False
    if set(g) <= set(p) or set(p) <= set(g):
        return True
    initials = lambda ws: "".join(w[0] for w in ws if w not in {"of", "the", "for", "and"})  # noqa: E731
    return (len(p) == 1 and len(g) > 1 and p[0] == initials(g)) or \
        (len(g) == 1 and len(p) > 1 and g[0] == initials(p))


def _match(gold: list[tuple], pred: list[tuple]) -> list[tuple[int, int]]:
    """One-to-one pairs of (gold index, pred index) with the same key and a matching actor; exact names
    first, so that "Clinton" goes to the Clinton the name does not leave in doubt."""
    pairs, used_g, used_p = [], set(), set()
    for exact in (True, False):
        for i, (ga, *gk) in enumerate(gold):
            if i in used_g:
                continue
            for j, (pa, *pk) in enumerate(pred):
                if j in used_p or gk != pk:
                    continue
                if (ga.lower() == pa.lower()) if exact else same_actor(ga, pa):
                    pairs.append((i, j))
                    used_g.add(i)
                    used_p.add(j)
                    break
    return pairs


def score(gold: list[GoldArticle], predicted: Iterable[Coded]) -> PositionScores:
    by_article: dict[str, list[Coded]] = defaultdict(list)
    for c in predicted:
        if c.actor:
            by_article[c.article].append(c)
    triples, pairs = PRF(), PRF()
    per_concept: dict[str, PRF] = defaultdict(PRF)
    right = found = 0
    missed, spurious, wrong = [], [], []
    for g in gold:
        preds = by_article.get(g.id, [])
        # triples: distinct (actor, concept, side), each once
        gt = sorted({(s.actor, s.concept, s.agreement) for s in g.statements})
        example: dict[tuple, Coded] = {}
        for c in preds:
            if c.agreement in SIDES:
                example.setdefault((c.actor, c.concept, c.agreement), c)
        pt = sorted(example)
        m = _match(gt, pt)
        triples.tp += len(m)
        triples.gold += len(gt)
        triples.pred += len(pt)
        for t in gt:
            per_concept[t[1]].gold += 1
        for t in pt:
            per_concept[t[1]].pred += 1
        for i, _ in m:
            per_concept[gt[i][1]].tp += 1
        hit_g, hit_p = {i for i, _ in m}, {j for _, j in m}
        missed += [Coded(g.id, *gt[i]) for i in range(len(gt)) if i not in hit_g]
        spurious += [example[pt[j]] for j in range(len(pt)) if j not in hit_p]
        # pairs: (actor, concept), the side ignored
        gp = sorted({(s.actor, s.concept) for s in g.statements})
        pp = sorted({(c.actor, c.concept) for c in preds})
        mp = _match(gp, pp)
        pairs.tp += len(mp)
        pairs.gold += len(gp)
        pairs.pred += len(pp)
        for i, j in mp:
            found += 1
            gold_sides = {s.agreement for s in g.statements if (s.actor, s.concept) == gp[i]}
            said = [c for c in preds if (c.actor, c.concept) == pp[j]]
            if {c.agreement for c in said if c.agreement in SIDES} == gold_sides:
                right += 1
            else:
                wrong.append((Coded(g.id, gp[i][0], gp[i][1], "/".join(sorted(gold_sides))), said))
    return PositionScores(len(gold), triples, pairs, right, found, dict(per_concept), missed, spurious, wrong)


def evaluate_positions(gold_path: str, codebook: Codebook, articles_path: str, db: str | None = None,
                       jobs: int | None = None, on_notice: Callable[[str], None] | None = None) -> PositionScores:
    gold = read_gold(gold_path, codebook)
    return score(gold, predict(gold, codebook, articles_path, db, jobs, on_notice))


# ---- printing ----------------------------------------------------------------------------------------


def print_scores(s: PositionScores, out, fmt: str = "table") -> None:
    if fmt == "json":
        out.write(json.dumps(s.as_dict()) + "\n")
        return
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"{s.articles} articles, {s.triples.gold} gold triples, {s.triples.pred} predicted")
    for col in ("measure", "P", "R", "F1"):
        t.add_column(col, justify="left" if col == "measure" else "right")
    t.add_row("triples (actor, concept, side)", f"{s.triples.p:.3f}", f"{s.triples.r:.3f}", f"{s.triples.f1:.3f}")
    t.add_row("pairs (actor, concept)", f"{s.pairs.p:.3f}", f"{s.pairs.r:.3f}", f"{s.pairs.f1:.3f}")
    t.add_row(f"agreement accuracy on {s.agreement_found} pairs found", f"{s.agreement_accuracy:.3f}", "", "")
    c = Console(file=out)
    c.print(t)
    pc = Table(title="triples per concept")
    for col in ("concept", "gold", "predicted", "found", "P", "R", "F1"):
        pc.add_column(col, justify="left" if col == "concept" else "right")
    for name, v in sorted(s.per_concept.items()):
        pc.add_row(name, str(v.gold), str(v.pred), str(v.tp), f"{v.p:.2f}", f"{v.r:.2f}", f"{v.f1:.2f}")
    c.print(pc)


def print_errors(s: PositionScores, out) -> None:
    def short(text: str) -> str:
        text = " ".join(text.split())
        return text if len(text) <= 100 else text[:97] + "..."
    for m in s.missed:
        out.write(f"MISSED   {m.article}: {m.actor} / {m.concept} / {m.agreement}\n")
    for p in s.spurious:
        out.write(f"SPURIOUS {p.article}: {p.actor} / {p.concept} / {p.agreement}: {short(p.text)!r}\n")
    for g, said in s.wrong_side:
        sides = ", ".join(str(c.agreement or "none") for c in said)
        out.write(f"SIDE     {g.article}: {g.actor} / {g.concept}: gold {g.agreement}, said {sides}: "
                  f"{short(said[0].text)!r}\n")
