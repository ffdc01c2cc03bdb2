"""The ledger's SQLite schema, as the migrations that build it, in order. Append a new
migration for every change; never edit one that has shipped (files in the field were built
by it). :class:`ingest.state.ledger.Ledger` applies those a file lacks, by ``PRAGMA user_version``.
"""

from __future__ import annotations

#: Schema migrations; the ledger's ``user_version`` is how many of them were applied.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE sources (
        name          TEXT PRIMARY KEY,
        kind          TEXT,
        configured    TEXT NOT NULL,      -- the location as configured
        location      TEXT NOT NULL,      -- where it lives now (permanent redirects)
        etag          TEXT,
        last_modified TEXT,
        last_attempt  TEXT,
        last_success  TEXT,
        last_status   TEXT,               -- ok | not-modified | failed
        failures      INTEGER NOT NULL DEFAULT 0,
        last_error    TEXT,
        next_fetch    TEXT,               -- not before this time (interval, backoff)
        articles      INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE articles (
        id            TEXT PRIMARY KEY,
        source        TEXT,
        content_hash  TEXT NOT NULL,
        version       INTEGER NOT NULL,
        first_seen    TEXT NOT NULL,
        last_seen     TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE targets (
        target        TEXT PRIMARY KEY,
        checkpoint    TEXT,
        updated       TEXT NOT NULL
    );
    CREATE TABLE outbox (
        target        TEXT NOT NULL,
        id            TEXT NOT NULL,
        article       BLOB NOT NULL,      -- the JSON line the target missed
        queued        TEXT NOT NULL,
        PRIMARY KEY (target, id)
    );
    CREATE TABLE runs (
        id            INTEGER PRIMARY KEY,
        started       TEXT NOT NULL,
        ended         TEXT,
        pid           INTEGER,
        status        TEXT,               -- running | ok | failed | interrupted
        sources       INTEGER NOT NULL DEFAULT 0,
        articles      INTEGER NOT NULL DEFAULT 0,
        updates       INTEGER NOT NULL DEFAULT 0,
        unchanged     INTEGER NOT NULL DEFAULT 0,
        not_modified  INTEGER NOT NULL DEFAULT 0,
        failures      INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE dead_letters (
        id            INTEGER PRIMARY KEY,
        run           INTEGER,
        created       TEXT NOT NULL,
        source        TEXT NOT NULL,
        stage         TEXT NOT NULL,
        plugin        TEXT,
        error         TEXT NOT NULL,
        item          BLOB                -- the raw item: bytes as read, or article JSON
    );
    """,
    """
    CREATE TABLE meta (
        key           TEXT PRIMARY KEY,
        value         TEXT NOT NULL
    );
    INSERT INTO meta (key, value) VALUES ('state_id', lower(hex(randomblob(16))));
    """,
    """
    CREATE TABLE files (
        source        TEXT NOT NULL,
        path          TEXT NOT NULL,
        stamp         TEXT NOT NULL,      -- size, mtime and inode when last read whole
        PRIMARY KEY (source, path)
    ) WITHOUT ROWID;
    """,
    """
    -- A run of sources, or a retry of dead letters: status tells them apart.
    ALTER TABLE runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'run';
    """,
)
