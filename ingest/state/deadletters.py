"""Dead letters: items a stage failed on, kept in the ledger with their raw form so that
``ingest dead-letters retry`` can run them again once the cause is fixed."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from datetime import datetime

from ingest.state.records import DeadLetter, now, stamp, unstamp


class DeadLetterStore:
    """The ``dead_letters`` table of the ledger; :class:`~ingest.state.ledger.Ledger` is one."""

    db: sqlite3.Connection

    def add_dead_letter(
        self,
        run: int | None,
        source: str,
        *,
        stage: str,
        plugin: str | None,
        error: str,
        item: bytes | None,
    ) -> int:
        """Keep an item a stage failed on; its id. The same item failing the same way again
        (every run, until someone fixes it) updates its letter instead of adding one: same
        source, stage and plugin, and the same error, whose message names the item (a line
        number, a guid). The raw item is not compared: it holds the time it was fetched."""
        row = self.db.execute(
            "SELECT id FROM dead_letters WHERE source = ? AND stage = ? AND plugin IS ?"
            " AND error = ?",
            (source, stage, plugin, error),
        ).fetchone()
        if row is not None:
            self.db.execute(
                "UPDATE dead_letters SET run = ?, created = ?, item = ? WHERE id = ?",
                (run, stamp(now()), item, row[0]),
            )
            return int(row[0])
        cursor = self.db.execute(
            "INSERT INTO dead_letters (run, created, source, stage, plugin, error, item)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (run, stamp(now()), source, stage, plugin, error, item),
        )
        return int(cursor.lastrowid or 0)

    def dead_letters(self, ids: Iterable[int] | None = None) -> list[DeadLetter]:
        """The dead letters (those with ``ids``, or all), oldest first."""
        return list(self.iter_dead_letters(ids))

    def iter_dead_letters(self, ids: Iterable[int] | None = None) -> Iterator[DeadLetter]:
        """:meth:`dead_letters`, a chunk at a time: raw items can be large."""
        wanted = sorted(set(ids)) if ids is not None else None
        last = 0
        while True:
            query = (
                "SELECT id, run, created, source, stage, plugin, error, item FROM dead_letters"
                " WHERE id > ?"
            )
            params: list[int] = [last]
            if wanted is not None:
                chunk = [i for i in wanted if i > last][:500]
                if not chunk:
                    return
                query += f" AND id IN ({','.join('?' * len(chunk))})"
                params += chunk
            rows = self.db.execute(query + " ORDER BY id LIMIT 500", params).fetchall()
            if not rows:
                if wanted is None:
                    return
                last = chunk[-1]
                continue
            last = rows[-1][0]
            for r in rows:
                yield DeadLetter(r[0], r[1], unstamp(r[2]) or now(), r[3], r[4], r[5], r[6], r[7])

    def dead_letter_count(self) -> int:
        """How many dead letters wait."""
        return int(self.db.execute("SELECT count(*) FROM dead_letters").fetchone()[0])

    def remove_dead_letters(self, ids: Iterable[int]) -> int:
        """Delete dead letters by id; how many were deleted."""
        cursor = self.db.executemany("DELETE FROM dead_letters WHERE id = ?", ((i,) for i in ids))
        return cursor.rowcount

    def purge_dead_letters(self, before: datetime | None = None) -> int:
        """Delete every dead letter (created before ``before``); how many were deleted."""
        if before is None:
            return self.db.execute("DELETE FROM dead_letters").rowcount
        return self.db.execute(
            "DELETE FROM dead_letters WHERE created < ?", (stamp(before),)
        ).rowcount
