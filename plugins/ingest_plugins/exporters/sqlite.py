"""SQLite export: ``sqlite:PATH`` (or ``sqlite:///abs/path``), one row per article, upserted by id.

The table ``articles`` keeps the fields people query (``id``, ``version``, ``url``,
``title``, ``language``, ``published``, ``fetched``, the source) in columns and the whole
record as JSON in ``record`` (query it with SQLite's JSON functions). An article seen again
with new content replaces its row, so the table holds each article once, at its latest
version. A one-off run writes in one transaction, committed when the run ends; a run on state
commits at every checkpoint, in step with the ledger.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ingest import Article, Config, Exporter, Target, TargetKind, UsageError, hookimpl
from ingest.helpers import dumps, format_datetime

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id              TEXT PRIMARY KEY,
    version         INTEGER NOT NULL,
    content_hash    TEXT NOT NULL,
    url             TEXT,
    title           TEXT,
    language        TEXT,
    published       TEXT,
    fetched         TEXT,
    source_kind     TEXT NOT NULL,
    source_location TEXT,
    record          TEXT NOT NULL
)
"""
_UPSERT = (
    "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
    " version = excluded.version, content_hash = excluded.content_hash, url = excluded.url,"
    " title = excluded.title, language = excluded.language, published = excluded.published,"
    " fetched = excluded.fetched, source_kind = excluded.source_kind,"
    " source_location = excluded.source_location, record = excluded.record"
)


class SqliteExporter(Exporter):
    """Upserts articles into ``PATH``'s ``articles`` table."""

    incremental = True

    def __init__(self, path: Path) -> None:
        if path.is_dir():
            raise UsageError(f"sqlite:{path}: is a directory")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        try:
            self.db = sqlite3.connect(path, timeout=30.0, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute(_SCHEMA)
            self.db.execute("BEGIN")
        except sqlite3.DatabaseError as exc:
            raise UsageError(f"sqlite:{path}: not a usable SQLite database ({exc})") from None

    def owned(self) -> list[Path]:
        """The database and its journals."""
        name = self.path.name
        return [
            self.path,
            *(self.path.with_name(name + end) for end in ("-wal", "-shm", "-journal")),
        ]

    def write(self, article: Article) -> None:
        """Insert or replace the article's row."""
        self.db.execute(
            _UPSERT,
            (
                article.id,
                article.version,
                article.content_hash,
                article.url,
                article.title,
                article.language,
                format_datetime(article.published),
                format_datetime(article.fetched),
                article.source.kind,
                article.source.location,
                dumps(article),
            ),
        )

    def checkpoint(self) -> None:
        """Commit, and open the next transaction."""
        self.db.execute("COMMIT")
        self.db.execute("BEGIN")

    def close(self) -> None:
        """Commit and close."""
        self.db.execute("COMMIT")
        self.db.close()

    def abort(self) -> None:
        """Roll back what was not committed, and close."""
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")
        self.db.close()


@hookimpl
def ingest_target_kinds() -> list[TargetKind]:
    """``sqlite``: a table upserted by id."""
    return [TargetKind("sqlite", "a SQLite table of articles (sqlite:PATH)", exactly_once=True)]


@hookimpl
def ingest_export(target: Target, config: Config) -> Exporter | None:
    """Claim ``sqlite`` targets."""
    if target.scheme != "sqlite":
        return None
    # sqlite:PATH, or the URL form sqlite:///absolute/path.
    location = target.location
    if location[:9].lower() == "sqlite://":
        location = location[9:]
    return SqliteExporter(Path(location))
