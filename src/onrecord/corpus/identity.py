"""Who is who across articles: one speaker row per person or organisation.

Conservative by design: a full name ("Antony Blinken") is one speaker everywhere. A bare surname an
article could not complete ("Blinken" in an article that never gives the first name) joins the one
person in the corpus with that surname, and only when there is exactly one; two people who share a
surname ("Anna Berg", "Lars Berg") never merge. Titles are kept with the dates of the articles that
gave them ("Secretary of State" from 2021-01-27 to ...).
"""

from __future__ import annotations

import sqlite3

from onrecord.types import Entity


def _key(name: str) -> str:
    return " ".join(name.lower().split())


def speaker_id(db: sqlite3.Connection, name: str, type_: str) -> int:
    key = _key(name)
    row = db.execute("SELECT id FROM speakers WHERE key = ?", (key,)).fetchone()
    if row:
        return row[0]
    if type_ == "PERSON" and " " not in key:
        same_surname = db.execute(
            "SELECT id FROM speakers WHERE type = 'PERSON' AND key LIKE ? ESCAPE '\\'",
            ("% " + key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_"),)).fetchall()
        if len(same_surname) == 1:
            return same_surname[0][0]
    return db.execute("INSERT INTO speakers(name, key, type) VALUES (?, ?, ?)", (name, key, type_)).lastrowid


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
