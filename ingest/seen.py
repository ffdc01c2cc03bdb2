"""Which items a run has already exported, in bounded memory.

Ids and content hashes are kept in a dict up to :data:`MEMORY_LIMIT` items; past that they
move to a temporary SQLite file (deleted when the run ends), so a run over a capture of
hundreds of millions of posts keeps a flat memory profile.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile

MEMORY_LIMIT = 50_000


class SeenItems:
    """A map from item key to content digest (both short bytes), spilling to disk."""

    def __init__(self, memory_limit: int | None = None) -> None:
        self.memory_limit = memory_limit or MEMORY_LIMIT
        self._memory: dict[bytes, bytes] = {}
        self._db: sqlite3.Connection | None = None
        self._path: str | None = None

    def get(self, key: bytes) -> bytes | None:
        """The digest remembered for ``key``, or None."""
        found = self._memory.get(key)
        if found is not None or self._db is None:
            return found
        row = self._db.execute("SELECT digest FROM seen WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def put(self, key: bytes, digest: bytes) -> None:
        """Remember ``digest`` for ``key`` (replacing an older one)."""
        if self._db is not None:
            self._db.execute("INSERT OR REPLACE INTO seen VALUES (?, ?)", (key, digest))
            return
        self._memory[key] = digest
        if len(self._memory) >= self.memory_limit:
            self._spill()

    def _spill(self) -> None:
        fd, self._path = tempfile.mkstemp(prefix="ingest-seen-", suffix=".sqlite")
        os.close(fd)
        # A scratch file: durability buys nothing, speed does.
        self._db = sqlite3.connect(self._path, isolation_level=None)
        self._db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-2048;"
            "CREATE TABLE seen (key BLOB PRIMARY KEY, digest BLOB NOT NULL) WITHOUT ROWID;"
        )
        self._db.execute("BEGIN")
        self._db.executemany("INSERT INTO seen VALUES (?, ?)", self._memory.items())
        self._memory = {}

    def close(self) -> None:
        """Drop the scratch file, if any."""
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._path is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._path)
            self._path = None
