"""Positions in the corpus: every quote coded for a codebook's concepts, stored, and the user's
corrections laid over the coding (tables codings, positions, position_corrections: docs/schema.md).

The database keeps the coding of the last codebook used. Coding is incremental: quotes ingested since
are coded on the next call; a changed codebook (its fingerprint) recodes everything. Corrections name
the quote by its article's identity (the text's hash) and span, so they survive both.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from onrecord.corpus.store import Store
from onrecord.errors import NotFound, OnrecordError
from onrecord.networks.codebook import Codebook

BEFORE = 600  # characters before a quote read for what it refers back to (paragraphs_before)
BATCH = 2000  # quotes coded and committed at a time (a killed run keeps what it committed)
AGREEMENTS = {"yes": "yes", "no": "no", "none": None}
FIELDS = ["quote_id", "date", "actor", "org", "concept", "agreement", "evidence", "text"]


@dataclass
class Statement:
    """One quote speaking to one concept: a row of DNA's statement table."""
    quote_id: int
    date: str | None
    actor: str | None  # the speaker's canonical name, or the holder's of a position the quote reports
    #                    as theirs ("Lind's call for ..."); null when the quote has no named speaker
    org: str | None  # the actor's organisation at the time (the actor itself for an organisation)
    concept: str
    agreement: str | None  # yes, no, or null
    evidence: str
    text: str
    corrected: bool = False  # set by hand (onrecord positions --set)

    def as_dict(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in FIELDS}


# a quote as agreement reads it: its text, its cue and the words between the two ("called *for* tougher
# sanctions": the cue is "called", the content "tougher sanctions")
_TO_CODE = """
    SELECT q.id, q.article_id, q.speaker_id, q.text, q.cue, q.question,
           CASE WHEN q.cue_end IS NOT NULL AND q.cue_end <= q.start AND q.start - q.cue_end <= 40
                THEN substr(a.text, q.cue_end + 1, q.start - q.cue_end) ELSE '' END AS bridge,
           substr(a.text, max(1, q.start - ? + 1), q.start - max(0, q.start - ?)) AS before
    FROM quotes q JOIN articles a ON a.id = q.article_id WHERE q.id > ? ORDER BY q.id LIMIT ?
"""


def paragraphs_before(text: str) -> str:
    """The end of ``text`` from the start of its last paragraph but one: what a quote at its end may refer
    back to ("the proposal")."""
    seen = 1 if text.rstrip(" \t").endswith("\n") else 0  # a quote opening its paragraph
    for k in range(len(text) - 1, -1, -1):
        if text[k] == "\n" and text[k + 1:k + 2].strip() and text[:k].strip():
            seen += 1
            if seen == 2:
                return text[k + 1:]
    return text


def coding_for(store: Store, codebook: Codebook, on_progress: Callable[[int, int], None] | None = None,
               recode: bool = False) -> int:
    """The id of the stored coding for ``codebook``, coding first what is not coded yet (every quote
    when the codebook changed, else those ingested since). ``on_progress(done, total)``."""
    row = store.db.execute("SELECT id, coded_upto FROM codings WHERE fingerprint = ?",
                           (codebook.fingerprint,)).fetchone()
    last = store.db.execute("SELECT COALESCE(MAX(id), 0) FROM quotes").fetchone()[0]
    if row is not None and row["coded_upto"] >= last and not recode:
        return row["id"]
    if store.readonly:
        why = "is coded for another codebook" if row is None else "has quotes not coded yet"
        raise OnrecordError(f"{store.path}: the database {why} and is read-only, so the coding cannot be "
                            "stored; make it writable and run the command again")
    from onrecord.networks.agreement import Coder, Item

    with store.transaction() as db:
        if row is None or recode:
            db.execute("DELETE FROM codings")  # one coding at a time: the codebook last used
            cur = db.execute("INSERT INTO codings(fingerprint, path, concepts) VALUES (?, ?, ?)",
                             (codebook.fingerprint, codebook.path,
                              json.dumps([c.name for c in codebook.concepts], ensure_ascii=False)))
            coding, upto = cur.lastrowid, 0
        else:
            coding, upto = row["id"], row["coded_upto"]
    total = store.db.execute("SELECT COUNT(*) FROM quotes WHERE id > ?", (upto,)).fetchone()[0]
    coder, done = None, 0
    while True:
        rows = store.db.execute(_TO_CODE, (BEFORE, BEFORE, upto, BATCH)).fetchall()
        if not rows:
            break
        if coder is None:
            coder = Coder(codebook)
        coded = coder.code([Item(r["text"], " ".join(f"{r['cue']} {r['bridge']}".split()) if r["cue"] else None,
                                 bool(r["question"]), paragraphs_before(r["before"])) for r in rows],
                           on_progress=None if on_progress is None else lambda n, base=done: on_progress(base + n, total))
        holders = _Holders(store)
        values = []
        for r, cs in zip(rows, coded, strict=True):
            for c in cs:
                holder, holder_id = holders.resolve(r["article_id"], c.holder) if c.holder else ("", None)
                if holder_id is not None and holder_id == r["speaker_id"]:
                    holder, holder_id = "", None  # the speaker's own position ("Trump will build the wall")
                values.append((coding, r["id"], c.concept, holder, holder_id, c.agreement, c.evidence, c.method,
                               c.score))
        with store.transaction() as db:
            # a holder who is the speaker comes after the speaker's own row and replaces it
            db.executemany(
                "INSERT OR REPLACE INTO positions(coding_id, quote_id, concept, holder, holder_id, agreement,"
                " evidence, method, score) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", values)
            upto = rows[-1]["id"]
            db.execute("UPDATE codings SET coded_upto = ?, coded_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
                       " WHERE id = ?", (upto, coding))
        done += len(rows)
    if total == 0:
        with store.transaction() as db:
            db.execute("UPDATE codings SET coded_upto = ? WHERE id = ?", (last, coding))
    return coding


class _Holders:
    """Who a position's holder, as a quote names them ("Varga", "the NRA"), is: (the name to show, the
    speaker id or None). One of the article's speakers whose name holds all the holder's words ("Ines
    Varga"); else the fullest form of the name the article writes ("Foreign Minister Ines Varga", its
    titles left out), and the corpus's one speaker of that name if there is one."""

    def __init__(self, store: Store) -> None:
        self.db = store.db
        self.cache: dict[tuple[int, str], tuple[str, int | None]] = {}

    def resolve(self, article_id: int, holder: str) -> tuple[str, int | None]:
        key = (article_id, holder)
        if key not in self.cache:
            self.cache[key] = self._resolve(article_id, holder)
        return self.cache[key]

    def _resolve(self, article_id: int, holder: str) -> tuple[str, int | None]:
        from onrecord.analyze.speakers import parse_name
        from onrecord.lexicon import title_words, wordlist

        skip = title_words() | wordlist("honorifics")
        not_names = wordlist("not_names")

        def name_of(text: str) -> list[str]:  # the words of a name, its leading titles left out
            ws = text.replace(".", "").split()
            while ws and (ws[0].lower() in skip or ws[0] in not_names):
                ws = ws[1:]
            return ws

        plain = name_of(holder)
        words = {w.lower() for w in plain}
        if not words:
            return holder, None
        rows = self.db.execute("SELECT s.id, s.name, COUNT(*) AS n FROM quotes q JOIN speakers s"
                               " ON s.id = q.speaker_id WHERE q.article_id = ? GROUP BY s.id ORDER BY n DESC",
                               (article_id,)).fetchall()
        for r in rows:
            if words <= set(r["name"].lower().replace(".", "").split()):
                return r["name"], r["id"]
        name = " ".join(plain)
        text = self.db.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()["text"]
        last = re.escape(plain[-1])
        for m in re.finditer(r"(?:\b[A-Z][\w'’.-]* ){1,4}" + last + r"\b", text):
            full = name_of(parse_name(m.group(0).split()).name or "")  # a name, not a headline in title case
            if len(full) > len(name.split()) and words <= {w.lower() for w in full}:
                name = " ".join(full)
                break
        row = self.db.execute("SELECT id FROM speakers WHERE name = ? COLLATE NOCASE LIMIT 2", (name,)).fetchall()
        return name, (row[0]["id"] if len(row) == 1 else None)


# a statement's actor: the quote's speaker, or the holder of the position the quote reports (resolved to a
# speaker, else the holder's name as written)
_CODED = """
    SELECT q.id AS quote_id, a.date, CASE WHEN p.holder = '' THEN q.speaker_id ELSE p.holder_id END AS speaker_id,
           CASE WHEN p.holder = '' THEN s.name ELSE COALESCE(h.name, p.holder) END AS actor,
           CASE WHEN p.holder = '' THEN s.type ELSE h.type END AS type, q.text, p.concept, p.agreement,
           p.evidence, c.agreement AS fixed, c.concept IS NOT NULL AS corrected
    FROM positions p JOIN quotes q ON q.id = p.quote_id JOIN articles a ON a.id = q.article_id
    LEFT JOIN speakers s ON s.id = q.speaker_id
    LEFT JOIN speakers h ON h.id = p.holder_id
    LEFT JOIN position_corrections c ON p.holder = '' AND c.article_hash = a.hash AND c.start = q.start
         AND c."end" = q."end" AND lower(c.concept) = lower(p.concept)
    WHERE p.coding_id = ?
"""
# corrections the coder has no row for: the user says the quote speaks to the concept
_ADDED = """
    SELECT q.id AS quote_id, a.date, q.speaker_id, s.name AS actor, s.type, q.text, c.concept,
           NULL AS agreement, '' AS evidence, c.agreement AS fixed, 1 AS corrected
    FROM position_corrections c JOIN articles a ON a.hash = c.article_hash
    JOIN quotes q ON q.article_id = a.id AND q.start = c.start AND q."end" = c."end"
    LEFT JOIN speakers s ON s.id = q.speaker_id
    WHERE NOT EXISTS (SELECT 1 FROM positions x WHERE x.coding_id = ? AND x.quote_id = q.id
                      AND lower(x.concept) = lower(c.concept) AND x.holder = '')
"""


def statements(store: Store, codebook: Codebook, concept: str | None = None, speaker: str | None = None,
               since: str | None = None, until: str | None = None,
               on_progress: Callable[[int, int], None] | None = None) -> list[Statement]:
    """Every quote that speaks to a concept of ``codebook`` (or to ``concept``), corrections applied,
    in date order. ``speaker`` is resolved as `timeline` does (a full name, or the only name holding it)."""
    coding = coding_for(store, codebook, on_progress)
    speaker_id = None
    if speaker is not None:
        from onrecord.corpus.query import resolve_speaker

        speaker_id = resolve_speaker(store, speaker)[0]
    return _read(store, coding, [c.name for c in codebook.concepts],
                 None if concept is None else codebook.concept(concept).name, speaker_id, since, until)


@dataclass
class StoredCoding:
    """The coding a database holds, as the last ``onrecord positions`` (or network, export) left it."""
    id: int
    concepts: list[str]
    path: str | None  # the codebook file it was made from
    coded_at: str
    pending: int  # quotes ingested since, not coded yet (the next command given the codebook codes them)


def stored_coding(store: Store) -> StoredCoding | None:
    """The stored coding, without the codebook (read-only readers such as ``onrecord serve``); None when
    nothing was ever coded."""
    row = store.db.execute("SELECT id, concepts, path, coded_upto, coded_at FROM codings ORDER BY id DESC"
                           " LIMIT 1").fetchone()
    if row is None:
        return None
    pending = store.db.execute("SELECT COUNT(*) FROM quotes WHERE id > ?", (row["coded_upto"],)).fetchone()[0]
    return StoredCoding(row["id"], json.loads(row["concepts"]), row["path"], row["coded_at"], pending)


def stored_statements(store: Store, coding: StoredCoding, concept: str | None = None,
                      speaker_id: int | None = None, since: str | None = None, until: str | None = None
                      ) -> list[Statement]:
    """``statements`` as the database holds them for ``coding`` (nothing is coded anew)."""
    if concept is not None:
        names = {c.lower(): c for c in coding.concepts}
        if concept.lower() not in names:
            raise NotFound(f"no concept {concept!r} in the stored coding; it has: {', '.join(coding.concepts)}")
        concept = names[concept.lower()]
    return _read(store, coding.id, coding.concepts, concept, speaker_id, since, until)


def _read(store: Store, coding: int, concepts: list[str], concept: str | None, speaker_id: int | None,
          since: str | None, until: str | None) -> list[Statement]:
    names = {c.lower(): c for c in concepts}
    where, args = [], []
    if concept is not None:
        where.append("lower({concept}) = ?")
        args.append(concept.lower())
    if speaker_id is not None:
        where.append("{speaker} = ?")
        args.append(speaker_id)
    if since:
        where.append("a.date >= ?")
        args.append(since)
    if until:
        where.append("a.date <= ?")
        args.append(until)
    extra = "".join(f" AND {w}" for w in where)
    coded = extra.replace("{concept}", "p.concept").replace(
        "{speaker}", "(CASE WHEN p.holder = '' THEN q.speaker_id ELSE p.holder_id END)")
    added = extra.replace("{concept}", "c.concept").replace("{speaker}", "q.speaker_id")
    rows = (store.db.execute(_CODED + coded, [coding, *args]).fetchall()
            + store.db.execute(_ADDED + added, [coding, *args]).fetchall())
    orgs = _Orgs(store)
    out = []
    for r in rows:
        name = names.get(r["concept"].lower())
        if name is None:  # a correction for a concept this codebook does not have
            continue
        corrected = bool(r["corrected"])
        agreement = r["fixed"] if corrected else r["agreement"]
        evidence = "set by hand" if corrected else r["evidence"]
        org = r["actor"] if r["type"] == "ORG" else orgs.at(r["speaker_id"], r["date"])
        out.append(Statement(r["quote_id"], r["date"], r["actor"], org, name, agreement, evidence, r["text"],
                             corrected))
    out.sort(key=lambda s: (s.date or "", s.quote_id, s.concept))
    return out


def sides(statements: list[Statement]) -> list[dict[str, Any]]:
    """Per concept, how many statements took each side: concept, yes, no, none (no side), by count."""
    counts: dict[str, dict[str, int]] = {}
    for st in statements:
        c = counts.setdefault(st.concept, {"yes": 0, "no": 0, "none": 0})
        c[st.agreement or "none"] += 1
    return [{"concept": k, **v} for k, v in sorted(counts.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))]


class _Orgs:
    """The organisation a speaker belonged to on a date, from the titles the articles gave them."""

    def __init__(self, store: Store) -> None:
        self.db = store.db
        self.cache: dict[int, list] = {}

    def at(self, speaker_id: int | None, when: str | None) -> str | None:
        if speaker_id is None:
            return None
        titles = self.cache.get(speaker_id)
        if titles is None:
            titles = self.cache[speaker_id] = self.db.execute(
                "SELECT org, first_date, last_date FROM speaker_titles WHERE speaker_id = ? AND org != ''"
                " ORDER BY last_date DESC", (speaker_id,)).fetchall()
        if not titles:
            return None
        if when:
            for t in titles:
                if (t["first_date"] or "") <= when <= (t["last_date"] or "9999"):
                    return t["org"]
        return titles[0]["org"]  # the latest known


def set_position(store: Store, quote_id: int, concept: str, agreement: str) -> str:
    """Record the user's coding of one quote on one concept (yes, no or none); returns the quote's text.
    It outlives re-coding (a changed codebook) and re-ingest (it names the article by its text)."""
    if agreement.lower() not in AGREEMENTS:
        raise OnrecordError(f"agreement must be yes, no or none, not {agreement!r}")
    row = store.db.execute('SELECT q.start, q."end", q.text, a.hash FROM quotes q JOIN articles a'
                           " ON a.id = q.article_id WHERE q.id = ?", (quote_id,)).fetchone()
    if row is None:
        raise NotFound(f"no quote {quote_id} in {store.path} (quote ids are the quote_id column of "
                       "`onrecord positions`)")
    with store.transaction() as db:
        db.execute('INSERT OR REPLACE INTO position_corrections(article_hash, start, "end", concept, agreement)'
                   " VALUES (?, ?, ?, ?, ?)",
                   (row["hash"], row["start"], row["end"], concept, AGREEMENTS[agreement.lower()]))
    return row["text"]
