"""What the ledger stores, as records: a source's state, an article's last sighting, a dead
letter, the batch one checkpoint commits; and the ledger's timestamps (UTC, to the second,
``2026-11-29T08:00:00Z``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime


def now() -> datetime:
    """The current time, UTC, to the second (what the ledger stores)."""
    return datetime.now(UTC).replace(microsecond=0)


def stamp(moment: datetime | None) -> str | None:
    """``2026-11-29T08:00:00Z``, or None."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def unstamp(value: str | None) -> datetime | None:
    """The inverse of :func:`stamp`."""
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) if value else None


@dataclass(slots=True)
class SourceState:
    """What the ledger knows of one source (a row of ``sources``)."""

    name: str
    configured: str
    location: str
    kind: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    last_attempt: datetime | None = None
    last_success: datetime | None = None
    last_status: str | None = None
    failures: int = 0
    last_error: str | None = None
    next_fetch: datetime | None = None
    articles: int = 0

    def due(self, moment: datetime) -> bool:
        """Whether the source may be fetched at ``moment`` (its interval or backoff is over)."""
        return self.next_fetch is None or self.next_fetch <= moment


@dataclass(frozen=True, slots=True)
class Seen:
    """What the ledger knows of one article."""

    content_hash: str
    version: int


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """An item a stage failed on."""

    id: int
    run: int | None
    created: datetime
    source: str
    stage: str
    plugin: str | None
    error: str
    item: bytes | None


@dataclass(slots=True)
class Batch:
    """Everything one checkpoint makes permanent, written by :meth:`Ledger.commit`."""

    #: (id, source name, content hash, version) of the articles every target now holds.
    articles: list[tuple[str, str, str, int]] = field(default_factory=list)
    #: Target label -> the checkpoint its exporter returned.
    checkpoints: dict[str, str | None] = field(default_factory=dict)
    #: (target, id, JSON line) that a failed target missed, to send it next run.
    outbox: list[tuple[str, str, bytes]] = field(default_factory=list)
    #: Outbox entries now delivered: (target, id).
    delivered: list[tuple[str, str]] = field(default_factory=list)
    #: Sources whose fetch is finished (validators, success or failure, next fetch).
    sources: list[SourceState] = field(default_factory=list)
    #: (source, path, stamp) of local files read whole: unchanged, they are not read again.
    files: list[tuple[str, str, str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(
            self.articles
            or self.checkpoints
            or self.outbox
            or self.delivered
            or self.sources
            or self.files
        )
