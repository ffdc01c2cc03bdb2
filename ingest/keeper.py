"""What a run remembers (:class:`Keeper`), what it says of each article (:class:`Verdict`)
and what it reads (:class:`RunSource`): the parts of :mod:`ingest.engine`'s loop that runs
on state replace (:class:`~ingest.state.keeper.LedgerKeeper`)."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ingest.keep import Keep
from ingest.locations import Source
from ingest.model import Article, Relation
from ingest.outlets import Outlets
from ingest.seen import SeenItems
from ingest.summary import DeadLetterHandler, RunSummary

#: Called with a line worth telling that is not an error (a target rolled back).
NoticeHandler = Callable[[str], None]


class Verdict(enum.Enum):
    """What the keeper says of a processed article."""

    NEW = "new"
    #: Known id, other content: exported again, one version up, as ``update_of``.
    UPDATE = "update"
    #: Delivered before with this content (runs on state): skipped.
    UNCHANGED = "unchanged"
    #: Met before in this run: skipped.
    DUPLICATE = "duplicate"


@dataclass(frozen=True, slots=True)
class RunSource:
    """One source of a run: a LOCATION of the command line or a configured source."""

    #: ``KIND:LOCATION`` or ``LOCATION``, as ``ingest run`` takes it.
    spec: str
    #: The name runs on state know it by; the spec itself for a LOCATION.
    name: str
    #: ``--kind``: the kind of every input that the spec does not prefix with one.
    kind: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    #: Filters of this source, over the run's.
    keep: tuple[Keep, ...] = ()


class Keeper:
    """What a run remembers. This base remembers only the run itself: it is the keeper of a
    one-off run, and the place where :class:`~ingest.state.keeper.LedgerKeeper` adds the
    ledger. Every method is a step of :class:`Engine`'s loop."""

    #: Targets must append and checkpoint (runs on state).
    incremental = False
    #: The id of the state that writes the targets, if any.
    owner: str | None = None

    def __init__(self) -> None:
        # id -> content digest and version, for the ids exported in this run
        self._versions = SeenItems()

    def opened(self, outlets: Outlets, notice: NoticeHandler) -> None:
        """The targets are open (runs on state roll them back and redeliver here)."""

    def begun(self, summary: RunSummary) -> None:
        """The run starts delivering the source :meth:`visit` started last but not yet
        done. With ``--workers``, later sources may be visited (and their inputs prepared)
        before the earlier ones are done; the delivering calls (:meth:`input_done`,
        :meth:`visit_done`, :meth:`delivered`, :meth:`name`) are about the oldest."""

    def lookahead(self, source: RunSource) -> tuple[str, str | None, str | None] | None:
        """What :meth:`visit` will make of ``source``, without visiting it: its spec and
        stored HTTP validators (ETag, Last-Modified), or None when it is not due. Fetching
        ahead asks it; it must change nothing."""
        return source.spec, None, None

    def visit(self, source: RunSource, summary: RunSummary) -> RunSource | None:
        """Start ``source``: the source to read (runs on state read it where it moved), or
        None when it is not due (the keeper counts it)."""
        return source

    def ours(self, found: Source) -> bool:
        """True for one of the run's own files (its state, a target): never input."""
        return False

    def count_input(self, summary: RunSummary) -> None:
        """Count an input: in a one-off run, each input is a source of its own."""
        summary.sources += 1

    def prepare(self, found: Source, summary: RunSummary) -> Source | None:
        """The source as the fetch plugin gets it (runs on state attach HTTP validators), or
        None for an input unchanged since its last complete read (the keeper counts it)."""
        return found

    def input_done(self, found: Source, *, failed: bool) -> None:
        """An input was read to its end (``failed``: with a source error)."""

    def visit_done(self, errors: list[str], notice: NoticeHandler) -> None:
        """The source is done; ``errors`` are the messages of its failures."""

    def name(self) -> str | None:
        """The name the errors of the source being read are told under, if it has one."""
        return None

    def judge(self, article: Article) -> Verdict:
        """New, update or duplicate, by what this run exported: an id met again with other
        content (a feed listing an edited entry twice) is an update."""
        key = bytes.fromhex(article.id[:16])
        digest = bytes.fromhex(article.remembered_hash[:16])
        previous = self._versions.get(key)  # the digest, then the version as one byte
        if previous is not None and previous[:8] == digest:
            return Verdict.DUPLICATE
        verdict = Verdict.NEW
        if previous is not None:
            article.version = previous[8] + 1
            article.relations.append(Relation("update_of", article.id))
            verdict = Verdict.UPDATE
        self._versions.put(key, digest + bytes((min(article.version, 255),)))
        return verdict

    def known(self, article_id: str, stated_hash: str) -> bool:
        """True when the run holds ``article_id`` already as its source stated it (an
        enrich plugin need not complete it again)."""
        previous = self._versions.get(bytes.fromhex(article_id[:16]))
        return previous is not None and previous[:8] == bytes.fromhex(stated_hash[:16])

    def missed(self, label: str, article: Article) -> None:
        """``article`` did not reach the failed target ``label``."""

    def delivered(self, article: Article) -> int:
        """``article`` went out; how many articles wait for the next checkpoint."""
        return 0

    def unchanged(self, article: Article) -> int:
        """``article`` was delivered before; how many wait for the next checkpoint."""
        return 0

    def target_failed(self, label: str) -> None:
        """The target ``label`` failed: what it was given since its last checkpoint is
        missing from it."""

    def checkpoint(self, outlets: Outlets) -> None:
        """If anything waits to be recorded: make the targets durable, then record what
        they hold (runs on state)."""

    def dead_letters(self) -> DeadLetterHandler | None:
        """Where failed items go with their raw form; None: nowhere."""
        return None

    def close(self, status: str) -> None:
        """Free what the run held; ``status``: ``ok``, ``failed`` or ``interrupted``."""
        self._versions.close()
