"""Who is who across articles: one speaker row per person or organisation.

Conservative by design: a full name ("Antony Blinken") is one speaker everywhere. A bare surname an
article could not complete ("Blinken" in an article that never gives the first name) joins the one
person in the corpus with that surname, and only when there is exactly one; two people who share a
surname ("Anna Berg", "Lars Berg") never merge. Titles are kept with the dates of the articles that
gave them ("Secretary of State" from 2021-01-27 to ...).

Users correct it with ``onrecord speakers --merge A B`` and ``--split A B``; each correction is also kept
as an alias (``speaker_aliases``) that later ingests obey, so it outlives every re-ingest.
"""

from __future__ import annotations

import sqlite3

from onrecord.errors import OnrecordError
from onrecord.types import Entity


def _key(name: str) -> str:
    return " ".join(name.lower().split())


class Registry:
    """What the identity rule asks of the speakers known so far. _Db answers from the store; the Spark
    stage answers from a dictionary (spark/speakers.py), so both follow one rule: ``resolve``."""

    def alias(self, key: str) -> int | None: ...
    def by_key(self, key: str) -> int | None: ...
    def persons_named(self, surname: str) -> list[int]: ...  # PERSON speakers whose key ends in " surname"
    def create(self, name: str, key: str, type_: str) -> int: ...


def resolve(reg: Registry, name: str, type_: str) -> int:
    """The speaker ``name`` is: a user's alias; else the speaker with this exact name; else, for a bare
    surname of a person, the one person with that surname, when there is exactly one; else a new one."""
    key = _key(name)
    found = reg.alias(key)
    if found is not None:  # a user's correction outranks every rule
        return found
    found = reg.by_key(key)
    if found is not None:
        return found
    if type_ == "PERSON" and " " not in key:
        same_surname = reg.persons_named(key)
        if len(same_surname) == 1:
            return same_surname[0]
    return reg.create(name, key, type_)


class _Db(Registry):
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def alias(self, key: str) -> int | None:
        row = self.db.execute("SELECT speaker_id FROM speaker_aliases WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def by_key(self, key: str) -> int | None:
        row = self.db.execute("SELECT id FROM speakers WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def persons_named(self, surname: str) -> list[int]:
        return [r[0] for r in self.db.execute(
            "SELECT id FROM speakers WHERE type = 'PERSON' AND key LIKE ? ESCAPE '\\'",
            ("% " + surname.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_"),))]

    def create(self, name: str, key: str, type_: str) -> int:
        return self.db.execute("INSERT INTO speakers(name, key, type) VALUES (?, ?, ?)",
                               (name, key, type_)).lastrowid


def speaker_id(db: sqlite3.Connection, name: str, type_: str) -> int:
    """The store's speaker for ``name`` (created when new), by ``resolve``."""
    return resolve(_Db(db), name, type_)


def record_titles(db: sqlite3.Connection, sid: int, ent: Entity, date: str | None) -> None:
    orgs = ent.orgs or [""]
    for title in ent.titles:
        for org in orgs:
            db.execute(
                "INSERT INTO speaker_titles(speaker_id, title, org, first_date, last_date) VALUES (?,?,?,?,?)"
                " ON CONFLICT(speaker_id, title, org) DO UPDATE SET"
                " first_date = CASE WHEN excluded.first_date IS NOT NULL AND (first_date IS NULL"
                "   OR excluded.first_date < first_date) THEN excluded.first_date ELSE first_date END,"
                " last_date = CASE WHEN excluded.last_date IS NOT NULL AND (last_date IS NULL"
                "   OR excluded.last_date > last_date) THEN excluded.last_date ELSE last_date END",
                (sid, title, org, date, date))


def find(db: sqlite3.Connection, name: str) -> sqlite3.Row:
    row = db.execute("SELECT * FROM speakers WHERE key = ?", (_key(name),)).fetchone()
    if row is None:
        like = [r[0] for r in db.execute("SELECT name FROM speakers WHERE key LIKE ? LIMIT 5",
                                         (f"%{_key(name)}%",))]
        hint = f"; did you mean {' or '.join(repr(x) for x in like)}?" if like else ""
        raise OnrecordError(f"no speaker named {name!r}{hint}")
    return row


def merge(db: sqlite3.Connection, keep: str, other: str) -> int:
    """Speaker ``other`` becomes ``keep``: its quotes, titles and aliases move. Returns quotes moved."""
    a, b = find(db, keep), find(db, other)
    if a["id"] == b["id"]:
        raise OnrecordError(f"{keep!r} and {other!r} are already one speaker")
    moved = db.execute("UPDATE quotes SET speaker_id = ? WHERE speaker_id = ?", (a["id"], b["id"])).rowcount
    db.execute("UPDATE quotations SET speaker_id = ? WHERE speaker_id = ?", (a["id"], b["id"]))
    for t in db.execute("SELECT * FROM speaker_titles WHERE speaker_id = ?", (b["id"],)).fetchall():
        db.execute("INSERT OR IGNORE INTO speaker_titles VALUES (?, ?, ?, ?, ?)",
                   (a["id"], t["title"], t["org"], t["first_date"], t["last_date"]))
    db.execute("DELETE FROM speaker_titles WHERE speaker_id = ?", (b["id"],))
    db.execute("UPDATE speaker_aliases SET speaker_id = ? WHERE speaker_id = ?", (a["id"], b["id"]))
    db.execute("INSERT OR REPLACE INTO speaker_aliases(key, speaker_id, action) VALUES (?, ?, 'merge')",
               (b["key"], a["id"]))
    db.execute("DELETE FROM speakers WHERE id = ?", (b["id"],))
    return moved


def split(db: sqlite3.Connection, name: str, alias: str) -> int:
    """The quotes of ``name`` whose article called the speaker ``alias`` get a speaker of their own
    (``alias``), now and in every later ingest. Returns quotes moved."""
    a = find(db, name)
    rows = db.execute("SELECT id FROM quotes WHERE speaker_id = ? AND lower(speaker_name) = ?",
                      (a["id"], _key(alias))).fetchall()
    if not rows:
        raise OnrecordError(f"no quote of {a['name']!r} was attributed to {alias!r} in its article")
    key = _key(alias)
    row = db.execute("SELECT id FROM speakers WHERE key = ?", (key,)).fetchone()
    new = row[0] if row else db.execute("INSERT INTO speakers(name, key, type) VALUES (?, ?, ?)",
                                        (alias, key, a["type"])).lastrowid
    db.executemany("UPDATE quotes SET speaker_id = ? WHERE id = ?", [(new, r[0]) for r in rows])
    db.execute("UPDATE quotations SET speaker_id = ? WHERE id IN"
               " (SELECT quotation_id FROM quotes WHERE speaker_id = ?)", (new, new))
    db.execute("INSERT OR REPLACE INTO speaker_aliases(key, speaker_id, action) VALUES (?, ?, 'split')",
               (key, new))
    return len(rows)
