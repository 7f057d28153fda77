"""The corpus database: plain SQLite (FTS5 included), schema versioned with migrations.

Open it with anything that reads SQLite (the sqlite3 shell, pandas, Datasette); docs/schema.md describes
every table. ``PRAGMA user_version`` holds the schema version; ``Store`` applies the migrations a file
lacks when it opens it, each in its own transaction.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from onrecord.errors import OnrecordError

DEFAULT_DB = "onrecord.db"
LOCK_WAIT = 120  # seconds
MMAP_BYTES = 1 << 30  # address space a read-only server maps (the file's pages, shared with the OS cache)
READER_CACHE_KIB = 32 * 1024  # SQLite's page cache per read-only server connection

# Each entry upgrades the schema by one version; never edit one that has shipped, add a new one.
MIGRATIONS: list[str] = [
    # 1: articles, speakers, quotes, full-text search over quotes, bad inputs
    """
    CREATE TABLE articles (
        id          INTEGER PRIMARY KEY,
        hash        TEXT NOT NULL UNIQUE,      -- sha256 of the text: the article's identity
        ext_id      TEXT,                      -- the input's own id, when given
        url         TEXT,
        date        TEXT,                      -- YYYY-MM-DD
        title       TEXT,
        source      TEXT,                      -- file (and line) it was read from
        text        TEXT NOT NULL,
        ingested_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );
    CREATE INDEX articles_ext_id ON articles(ext_id);
    CREATE INDEX articles_date ON articles(date);

    CREATE TABLE speakers (
        id    INTEGER PRIMARY KEY,
        name  TEXT NOT NULL,                   -- canonical full name: "Antony Blinken"
        key   TEXT NOT NULL UNIQUE,            -- lower-cased name, how articles find the speaker
        type  TEXT NOT NULL                    -- PERSON or ORG
    );

    CREATE TABLE speaker_titles (
        speaker_id INTEGER NOT NULL REFERENCES speakers(id),
        title      TEXT NOT NULL,
        org        TEXT NOT NULL DEFAULT '',
        first_date TEXT,                       -- earliest article date with this title
        last_date  TEXT,
        PRIMARY KEY (speaker_id, title, org)
    );

    CREATE TABLE quotes (
        id              INTEGER PRIMARY KEY,
        article_id      INTEGER NOT NULL REFERENCES articles(id),
        qid             TEXT NOT NULL,         -- q1, q2, ... within the article
        kind            TEXT NOT NULL,         -- direct, block, indirect, mixed
        question        INTEGER NOT NULL,
        text            TEXT NOT NULL,
        start           INTEGER NOT NULL,      -- offsets into articles.text
        "end"           INTEGER NOT NULL,
        speaker_id      INTEGER REFERENCES speakers(id),
        speaker_mention TEXT,
        speaker_start   INTEGER,
        speaker_end     INTEGER,
        via             TEXT,                  -- name, pronoun, title, context
        cue             TEXT,
        cue_start       INTEGER,
        cue_end         INTEGER,
        parent_qid      TEXT,
        confidence      REAL,
        UNIQUE (article_id, qid)
    );
    CREATE INDEX quotes_speaker ON quotes(speaker_id);

    CREATE VIRTUAL TABLE quotes_fts USING fts5(text, content='quotes', content_rowid='id');
    CREATE TRIGGER quotes_ai AFTER INSERT ON quotes BEGIN
        INSERT INTO quotes_fts(rowid, text) VALUES (new.id, new.text);
    END;
    CREATE TRIGGER quotes_ad AFTER DELETE ON quotes BEGIN
        INSERT INTO quotes_fts(quotes_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END;

    CREATE TABLE input_errors (
        id      INTEGER PRIMARY KEY,
        path    TEXT NOT NULL,
        line    INTEGER,
        reason  TEXT NOT NULL,
        seen_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
        UNIQUE (path, line, reason)
    );
    """,
    # 2: the same quotation across outlets; speaker corrections that outlive re-ingests
    """
    CREATE TABLE quotations (
        id             INTEGER PRIMARY KEY,
        norm           TEXT NOT NULL,          -- normalised words of the first appearance
        speaker_id     INTEGER REFERENCES speakers(id),
        first_quote_id INTEGER REFERENCES quotes(id),  -- the earliest appearance (by article date)
        first_date     TEXT,
        appearances    INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE quotation_keys (              -- near-duplicate lookup: smallest shingle hashes
        key          INTEGER NOT NULL,
        quotation_id INTEGER NOT NULL REFERENCES quotations(id)
    );
    CREATE INDEX quotation_keys_key ON quotation_keys(key);
    ALTER TABLE quotes ADD COLUMN quotation_id INTEGER REFERENCES quotations(id);
    ALTER TABLE quotes ADD COLUMN speaker_name TEXT;  -- the name as the article gave it, before corrections
    CREATE INDEX quotes_quotation ON quotes(quotation_id);

    CREATE TABLE speaker_aliases (             -- corrections: this name always means that speaker
        key        TEXT PRIMARY KEY,
        speaker_id INTEGER NOT NULL REFERENCES speakers(id),
        action     TEXT NOT NULL,              -- merge or split
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );
    """,
    # 3: short quotations ("We are ready") are one quotation when speaker and wording agree
    """
    ALTER TABLE quotations ADD COLUMN short INTEGER NOT NULL DEFAULT 0;  -- under MIN_WORDS words
    CREATE INDEX quotations_short ON quotations(norm, speaker_id) WHERE short = 1;
    CREATE INDEX input_errors_where ON input_errors(path, line);
    """,
    # 4: where actors stand: quotes coded for a codebook's concepts, and the user's corrections
    """
    CREATE TABLE codings (                     -- the codebook the positions were coded for (the last used)
        id          INTEGER PRIMARY KEY,
        fingerprint TEXT NOT NULL UNIQUE,      -- of its concepts, keywords, examples and thresholds
        path        TEXT,
        concepts    TEXT NOT NULL,             -- JSON list of its concept names
        coded_upto  INTEGER NOT NULL DEFAULT 0,  -- every quote with quotes.id <= this is coded
        coded_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );
    CREATE TABLE positions (
        coding_id INTEGER NOT NULL REFERENCES codings(id) ON DELETE CASCADE,
        quote_id  INTEGER NOT NULL REFERENCES quotes(id),
        concept   TEXT NOT NULL,
        agreement TEXT,                        -- yes, no, or null: the quote takes no side
        evidence  TEXT NOT NULL DEFAULT '',    -- the words that decided it
        method    TEXT NOT NULL,               -- keyword or example
        score     REAL,                        -- 1 for a keyword, cosine similarity for an example
        PRIMARY KEY (coding_id, quote_id, concept)
    );
    CREATE INDEX positions_concept ON positions(coding_id, concept);
    CREATE TABLE position_corrections (        -- onrecord positions --set: outlives re-coding and re-ingest
        article_hash TEXT NOT NULL,            -- the quote, by its article's identity and its span
        start        INTEGER NOT NULL,
        "end"        INTEGER NOT NULL,
        concept      TEXT NOT NULL,
        agreement    TEXT,                     -- yes, no, or null
        created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
        PRIMARY KEY (article_hash, start, "end", concept)
    );
    """,
    # 5: who published each article (the input's outlet or publisher, else the URL's host: read/outlet.py);
    # articles stored before get their URL's host
    """
    ALTER TABLE articles ADD COLUMN outlet TEXT;
    UPDATE articles SET outlet = (
        SELECT CASE WHEN host LIKE 'www.%' THEN substr(host, 5) ELSE host END FROM (
            SELECT lower(substr(rest, 1, min(instr(rest || '/', '/'), instr(rest || ':', ':'),
                                             instr(rest || '?', '?'), instr(rest || '#', '#')) - 1)) AS host
            FROM (SELECT substr(url, instr(url, '://') + 3) AS rest)))
        WHERE url LIKE '%://%.%';
    CREATE INDEX articles_outlet ON articles(outlet);
    """,
    # 6: a speaker's quotes in date order from two narrow indexes, not from the wide rows: a speaker
    # page of the most quoted speaker (30,000 quotes in 5,000 articles) 8.5 -> 2.2 ms
    """
    CREATE INDEX quotes_speaker_article ON quotes(speaker_id, article_id, start);
    DROP INDEX quotes_speaker;
    CREATE INDEX articles_id_date ON articles(id, date);
    """,
    # 7: a position a quote reports as someone else's ("Trump's plan to deport ...") is that holder's
    # statement: positions get a holder, part of the key (a quote may code its speaker and a holder)
    """
    CREATE TABLE positions_new (
        coding_id INTEGER NOT NULL REFERENCES codings(id) ON DELETE CASCADE,
        quote_id  INTEGER NOT NULL REFERENCES quotes(id),
        concept   TEXT NOT NULL,
        holder    TEXT NOT NULL DEFAULT '',    -- '' for the quote's speaker, else the holder as written
        holder_id INTEGER REFERENCES speakers(id),  -- the speaker the holder was resolved to, if any
        agreement TEXT,
        evidence  TEXT NOT NULL DEFAULT '',
        method    TEXT NOT NULL,               -- keyword, context (a keyword before the quote) or example
        score     REAL,
        PRIMARY KEY (coding_id, quote_id, concept, holder)
    );
    INSERT INTO positions_new(coding_id, quote_id, concept, agreement, evidence, method, score)
        SELECT coding_id, quote_id, concept, agreement, evidence, method, score FROM positions;
    DROP TABLE positions;
    ALTER TABLE positions_new RENAME TO positions;
    CREATE INDEX positions_concept ON positions(coding_id, concept);
    """,
]


def _can_write(path: Path) -> str | None:
    """Why ``path`` cannot be written (created, or changed with its journal beside it), or None."""
    folder = path.parent
    if path.exists():
        if not os.access(path, os.W_OK):
            return "the database file is read-only"
        if not os.access(folder, os.W_OK | os.X_OK):
            return f"its folder {str(folder)!r} is read-only (SQLite keeps its journal beside the database)"
        return None
    if not folder.is_dir():
        return f"there is no folder {str(folder)!r}"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"its folder {str(folder)!r} is read-only"
    return None


class Store:
    """One corpus database file. Use as a context manager, or call close().

    ``write``: the caller will change the database (ingest, corrections); the file and its folder must
    be writable, and a missing file is created. Otherwise a file that cannot be written is opened
    read-only, without the journal files a writer leaves beside it.

    ``readonly``: open with SQLite's ``mode=ro`` even when the file could be written (``onrecord serve``):
    this connection can never change the file, and it reads what a concurrent ingest commits (WAL)."""

    def __init__(self, path: str | Path = DEFAULT_DB, write: bool = True, readonly: bool = False) -> None:
        self.path = str(path)
        p = Path(path)
        if readonly and not p.is_file():
            raise OnrecordError(f"{self.path}: no such database; create it with "
                                f"`onrecord ingest PATH --db {self.path}`")
        why = _can_write(p)
        if why is not None and (write or not p.exists()):
            verb = "write to" if p.exists() else "create"
            raise OnrecordError(f"{self.path}: cannot {verb} the database: {why}")
        self.readonly = readonly or why is not None
        self.forced_readonly = readonly and why is None
        try:
            if self.forced_readonly:
                # a writer may be at work on this file: read-only, but not immutable, so its commits show
                self.db = sqlite3.connect(f"{p.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
                                          timeout=LOCK_WAIT)
            elif self.readonly:
                # nothing may write here: no -wal/-shm files either (immutable), unless a -wal left by a
                # crashed writer holds data that only SQLite's own read-only mode will read
                wal = Path(self.path + "-wal").exists()
                uri = f"{p.resolve().as_uri()}?mode=ro" + ("" if wal else "&immutable=1")
                self.db = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=LOCK_WAIT)
            else:
                # transactions are explicit; a second writer (another ingest) waits for the lock up to LOCK_WAIT
                self.db = sqlite3.connect(self.path, isolation_level=None, timeout=LOCK_WAIT)
            self.db.row_factory = sqlite3.Row
            if not self.readonly:
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            if self.forced_readonly:  # a long-lived reader (serve): read pages through a memory map and keep
                # more of them (the default cache is 2 MB), so a warm database costs no read() per page
                self.db.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
                self.db.execute(f"PRAGMA cache_size=-{READER_CACHE_KIB}")
            self._migrate()
        except sqlite3.DatabaseError as e:
            raise OnrecordError(f"{self.path}: not an onrecord database ({e})") from None
        except sqlite3.Error as e:
            raise OnrecordError(f"{self.path}: cannot open the database ({e})") from None

    @property
    def version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        current = self.version
        if current > len(MIGRATIONS):
            raise OnrecordError(f"{self.path}: made by a newer onrecord (schema {current}); upgrade onrecord")
        if current and current < len(MIGRATIONS) and self.forced_readonly:
            raise OnrecordError(f"{self.path}: made by an older onrecord (schema {current}); this command only "
                                f"reads it, so upgrade it first with any other (`onrecord speakers --db "
                                f"{self.path}` does)")
        if current and current < len(MIGRATIONS) and self.readonly:
            raise OnrecordError(f"{self.path}: made by an older onrecord (schema {current}) and read-only, so "
                                "it cannot be upgraded; make it writable and run the command again")
        if current == 0 and self.readonly:
            raise OnrecordError(f"{self.path}: not an onrecord database (no onrecord tables in it)")
        for version in range(current + 1, len(MIGRATIONS) + 1):
            with self.transaction():
                # read again under the write lock: another process (a second ingest) may have migrated
                if self.version >= version:
                    continue
                for statement in _statements(MIGRATIONS[version - 1]):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version={version}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All or nothing: a kill mid-way leaves the database as it was before. A database error (a full
        disk, a lock held too long) becomes one OnrecordError naming the file."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            raise self._error(e) from None
        try:
            yield self.db
            self.db.execute("COMMIT")
        except BaseException as e:
            if self.db.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    self.db.execute("ROLLBACK")
            if isinstance(e, sqlite3.Error):
                raise self._error(e) from None
            raise

    def _error(self, e: sqlite3.Error) -> OnrecordError:
        what = str(e)
        if "full" in what:
            what += "; free some space and run the same command again"
        elif "locked" in what or "busy" in what:
            what += f" (another process held it for more than {LOCK_WAIT} s)"
        return OnrecordError(f"{self.path}: {what}; every batch written before is kept")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _statements(script: str) -> Iterator[str]:
    """Split a migration into statements (triggers hold semicolons of their own)."""
    buf = ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--") and not buf.strip():
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                yield buf.strip()
            buf = ""
    if buf.strip():
        yield buf.strip()
