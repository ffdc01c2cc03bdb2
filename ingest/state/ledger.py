"""The ledger: what repeated runs remember, in one SQLite file.

Per source: where it lives now (a permanent redirect moves it), its HTTP validators, the last
attempt and success, consecutive failures and when it may be fetched next. Per article: its
id, content hash, version, and when it was first and last seen. Per target: the checkpoint
its exporter returned at the last commit (a JSON Lines file's committed length). Per run:
start, end and counts. And the dead letters: items a stage failed on, kept with the raw item
so that ``ingest dead-letters retry`` can run them again once the cause is fixed.

The file is in WAL mode with a busy timeout, so ``ingest status`` reads it while a run
writes. The schema is versioned with ``PRAGMA user_version``; opening an older file applies
the missing migrations in one transaction, and a file from a newer ``ingest`` is refused.

Everything a run learns is written in :meth:`Ledger.commit`, one transaction per checkpoint,
only after every exporter has made the same articles durable: this is what makes a run that
is killed at any moment safe to run again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

from ingest.errors import UsageError
from ingest.state.deadletters import DeadLetterStore
from ingest.state.migrations import MIGRATIONS
from ingest.state.records import (
    Batch,
    Seen,
    SourceState,
    now,
    stamp,
    unstamp,
)

#: Seconds a writer waits for another connection's transaction before giving up.
BUSY_TIMEOUT = 30.0


class Ledger(DeadLetterStore):
    """The state of repeated runs, in the SQLite file at ``path`` (created when missing)."""

    def __init__(self, path: Path | str, *, readonly: bool = False) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise UsageError(f"state {self.path}: is a directory, expected a file")
        try:
            if readonly:
                # For status and listings: works for a user who may only read the file.
                uri = f"{self.path.resolve().as_uri()}?mode=ro"
                self.db = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise UsageError(f"state {self.path}: cannot open: {exc}") from None
        try:
            if readonly:
                self._check_version(readonly=True)
                return
            self._migrate()
            self.db.execute("PRAGMA journal_mode=WAL")
            # NORMAL is crash-safe in WAL mode; a power cut may drop the last commit, which
            # the next run simply does again (targets are rolled back to the same point).
            self.db.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise UsageError(f"state {self.path}: not a usable ingest state file ({exc})") from None
        except BaseException:
            self.db.close()
            raise

    def _check_version(self, *, readonly: bool = False) -> int:
        version = int(self.db.execute("PRAGMA user_version").fetchone()[0])
        if version > len(MIGRATIONS):
            raise UsageError(
                f"state {self.path}: written by a newer ingest (schema {version}, this one "
                f"knows {len(MIGRATIONS)}); upgrade ingest"
            )
        if readonly and version < len(MIGRATIONS):
            raise UsageError(
                f"state {self.path}: written by an older ingest (schema {version}); the next "
                "`ingest run` on it upgrades it"
            )
        return version

    def _migrate(self) -> None:
        if self._check_version() == len(MIGRATIONS):
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            # Re-read inside the write lock: another process may have just migrated it.
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            for script in MIGRATIONS[version:]:
                for statement in filter(str.strip, script.split(";")):
                    self.db.execute(statement)
            self.db.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    @property
    def state_id(self) -> str:
        """A random id made when the state was created: whose targets are whose."""
        return str(self.db.execute("SELECT value FROM meta WHERE key = 'state_id'").fetchone()[0])

    def known_target(self, target: str) -> bool:
        """Whether ``target`` ever committed in this state."""
        query = "SELECT 1 FROM targets WHERE target = ?"
        return self.db.execute(query, (target,)).fetchone() is not None

    @property
    def schema_version(self) -> int:
        """The number of migrations applied."""
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    # -- sources ----------------------------------------------------------------------------

    def source(
        self, name: str, configured: str, location: str | None = None, kind: str | None = None
    ) -> SourceState:
        """The state of source ``name``; a new one, or one whose configuration changed (the
        user edited the config), starts afresh at ``location`` (default: ``configured``)."""
        row = self.db.execute(
            "SELECT name, configured, location, kind, etag, last_modified, last_attempt,"
            " last_success, last_status, failures, last_error, next_fetch, articles"
            " FROM sources WHERE name = ?",
            (name,),
        ).fetchone()
        if row is None or row[1] != configured:
            articles = row[12] if row else 0
            return SourceState(name, configured, location or configured, kind, articles=articles)
        return SourceState(
            name=row[0],
            configured=row[1],
            location=row[2],
            kind=row[3],
            etag=row[4],
            last_modified=row[5],
            last_attempt=unstamp(row[6]),
            last_success=unstamp(row[7]),
            last_status=row[8],
            failures=row[9],
            last_error=row[10],
            next_fetch=unstamp(row[11]),
            articles=row[12],
        )

    def sources(self) -> list[SourceState]:
        """Every source the ledger knows, by name."""
        names = [row[0] for row in self.db.execute("SELECT name, configured FROM sources")]
        configured = dict(self.db.execute("SELECT name, configured FROM sources").fetchall())
        return [self.source(name, configured[name]) for name in sorted(names)]

    def refetch(self, name: str) -> bool:
        """Make source ``name`` due, and forget its validators and file stamps, so that the
        next run reads all of it again; False when the source is unknown."""
        cursor = self.db.execute(
            "UPDATE sources SET next_fetch = NULL, etag = NULL, last_modified = NULL"
            " WHERE name = ?",
            (name,),
        )
        self.db.execute("DELETE FROM files WHERE source = ?", (name,))
        return cursor.rowcount > 0

    # -- articles and targets ---------------------------------------------------------------

    def seen(self, article_id: str) -> Seen | None:
        """The hash and version recorded for an article id, or None if it is new."""
        row = self.db.execute(
            "SELECT content_hash, version FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return Seen(row[0], row[1]) if row else None

    def file_stamp(self, source: str, path: str) -> str | None:
        """The stamp of a local file when ``source`` last read it whole, or None."""
        row = self.db.execute(
            "SELECT stamp FROM files WHERE source = ? AND path = ?", (source, path)
        ).fetchone()
        return row[0] if row else None

    def article_count(self, source: str | None = None) -> int:
        """How many distinct articles are recorded (for one source)."""
        if source is None:
            return int(self.db.execute("SELECT count(*) FROM articles").fetchone()[0])
        query = "SELECT count(*) FROM articles WHERE source = ?"
        return int(self.db.execute(query, (source,)).fetchone()[0])

    def checkpoint(self, target: str) -> str | None:
        """The checkpoint of ``target`` at its last commit, or None."""
        row = self.db.execute(
            "SELECT checkpoint FROM targets WHERE target = ?", (target,)
        ).fetchone()
        return row[0] if row else None

    def outbox(self, target: str, limit: int = 500) -> Iterator[list[tuple[str, bytes]]]:
        """(id, JSON line) that ``target`` missed, oldest first, in lists of ``limit``: a
        target that was down for a month must not fill the memory."""
        last = 0
        while True:
            rows = self.db.execute(
                "SELECT rowid, id, article FROM outbox WHERE target = ? AND rowid > ?"
                " ORDER BY rowid LIMIT ?",
                (target, last, limit),
            ).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            yield [(article_id, line) for _, article_id, line in rows]

    def outbox_size(self, target: str | None = None) -> int:
        """How many articles wait for ``target`` (or any target)."""
        if target is None:
            return int(self.db.execute("SELECT count(*) FROM outbox").fetchone()[0])
        query = "SELECT count(*) FROM outbox WHERE target = ?"
        return int(self.db.execute(query, (target,)).fetchone()[0])

    def commit(self, batch: Batch) -> None:
        """Make ``batch`` permanent in one transaction."""
        if not batch:
            return
        moment = stamp(now())
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.executemany(
                "INSERT INTO articles (id, source, content_hash, version, first_seen, last_seen)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                " content_hash = excluded.content_hash, version = excluded.version,"
                " last_seen = excluded.last_seen",
                ((i, s, h, v, moment, moment) for i, s, h, v in batch.articles),
            )
            self.db.executemany(
                "INSERT INTO targets (target, checkpoint, updated) VALUES (?, ?, ?)"
                " ON CONFLICT (target) DO UPDATE SET checkpoint = excluded.checkpoint,"
                " updated = excluded.updated",
                ((t, c, moment) for t, c in batch.checkpoints.items()),
            )
            self.db.executemany(
                "INSERT OR REPLACE INTO outbox (target, id, article, queued) VALUES (?, ?, ?, ?)",
                ((t, i, a, moment) for t, i, a in batch.outbox),
            )
            self.db.executemany("DELETE FROM outbox WHERE target = ? AND id = ?", batch.delivered)
            for state in batch.sources:
                self._save_source(state)
            self.db.executemany(
                "INSERT OR REPLACE INTO files (source, path, stamp) VALUES (?, ?, ?)", batch.files
            )
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def touch(self, ids: Sequence[str]) -> None:
        """Record that unchanged articles were seen again (``last_seen``)."""
        if ids:
            self.db.executemany(
                "UPDATE articles SET last_seen = ? WHERE id = ?",
                ((stamp(now()), i) for i in ids),
            )

    def _save_source(self, state: SourceState) -> None:
        self.db.execute(
            "INSERT INTO sources (name, kind, configured, location, etag, last_modified,"
            " last_attempt, last_success, last_status, failures, last_error, next_fetch,"
            " articles) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (name) DO UPDATE SET kind = excluded.kind,"
            " configured = excluded.configured, location = excluded.location,"
            " etag = excluded.etag, last_modified = excluded.last_modified,"
            " last_attempt = excluded.last_attempt, last_success = excluded.last_success,"
            " last_status = excluded.last_status, failures = excluded.failures,"
            " last_error = excluded.last_error, next_fetch = excluded.next_fetch,"
            " articles = excluded.articles",
            (
                state.name,
                state.kind,
                state.configured,
                state.location,
                state.etag,
                state.last_modified,
                stamp(state.last_attempt),
                stamp(state.last_success),
                state.last_status,
                state.failures,
                state.last_error,
                stamp(state.next_fetch),
                state.articles,
            ),
        )

    # -- runs -------------------------------------------------------------------------------

    def start_run(self, pid: int, kind: str = "run") -> int:
        """Record a run's start (``kind``: ``run`` of sources, or ``retry`` of dead letters);
        its id."""
        cursor = self.db.execute(
            "INSERT INTO runs (started, pid, status, kind) VALUES (?, ?, 'running', ?)",
            (stamp(now()), pid, kind),
        )
        return int(cursor.lastrowid or 0)

    def end_run(self, run: int, status: str, counts: dict[str, int]) -> None:
        """Record a run's end, its status and its counts."""
        columns = ("sources", "articles", "updates", "unchanged", "not_modified", "failures")
        self.db.execute(
            "UPDATE runs SET ended = ?, status = ?, "
            + ", ".join(f"{c} = ?" for c in columns)
            + " WHERE id = ?",
            (stamp(now()), status, *(counts.get(c, 0) for c in columns), run),
        )

    def reap_runs(self) -> int:
        """Mark runs still "running" as killed: called by the holder of the state's lock, so
        no such run is alive. How many there were."""
        cursor = self.db.execute(
            "UPDATE runs SET status = 'killed', ended = ? WHERE status = 'running'",
            (stamp(now()),),
        )
        return cursor.rowcount

    def last_run(self, kind: str = "run") -> dict[str, object] | None:
        """The newest run of ``kind`` (``run`` or ``retry``), as a dict of its columns, or
        None."""
        cursor = self.db.execute(
            "SELECT * FROM runs WHERE kind = ? ORDER BY id DESC LIMIT 1", (kind,)
        )
        row = cursor.fetchone()
        if row is None:
            return None
        return dict(zip([d[0] for d in cursor.description], row, strict=True))
