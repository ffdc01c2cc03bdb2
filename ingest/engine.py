"""The run engine: one loop for one-off runs and for runs on state.

::

    for each source                          a LOCATION, or a configured [sources.NAME]
        (the keeper may say: not due)
        for each input it expands to         files of a folder, a URL, stdin
            (the keeper may skip it: our own file, unchanged since its last read)
            for each item read
                fetched before in this run?  a duplicate, before any costly stage
                clean, identify              Pipeline.process (the part --workers will take)
                enrich                       unless the keeper knows it as its source states it
                tag
                the keeper's verdict         new, update, unchanged, duplicate
                written to every target      a failing target stops alone
                recorded                     a checkpoint every N articles and per source

The loop is the same whatever remembers articles. The :class:`Keeper` is that memory: the
base class remembers only this run (a one-off run), :class:`~ingest.state.keeper.LedgerKeeper`
remembers across runs in the ledger and adds due times, HTTP validators, file stamps,
checkpoints, outboxes and dead letters.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ingest import memory
from ingest.errors import IngestError, SourceError
from ingest.http import Prefetcher, prefetcher_for, prefetching
from ingest.keep import Keep
from ingest.locations import Source, Target, split_kind
from ingest.model import Article, Relation
from ingest.outlets import Outlets
from ingest.pipeline import Pipeline
from ingest.seen import SeenItems
from ingest.summary import DeadLetterHandler, ErrorHandler, ProgressHandler, RunSummary, ignore

_T = TypeVar("_T")

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


class Engine:
    """One run: sources in, articles out to every target, the keeper deciding what is new.

    :param pipeline: the stages.
    :param targets: where articles go.
    :param keeper: what the run remembers; :class:`Keeper` for a one-off run.
    :param checkpoint_every: with a keeper that checkpoints, the most articles between two.
    """

    def __init__(
        self,
        pipeline: Pipeline,
        targets: Sequence[Target],
        keeper: Keeper | None = None,
        *,
        on_error: ErrorHandler = ignore,
        on_progress: ProgressHandler = ignore,
        on_notice: NoticeHandler = ignore,
        checkpoint_every: int = 500,
    ) -> None:
        self.pipeline = pipeline
        self.targets = targets
        self.keeper = keeper or Keeper()
        self.on_error = on_error
        self.on_progress = on_progress
        self.on_notice = on_notice
        self.checkpoint_every = checkpoint_every
        self.summary = RunSummary()
        self.outlets = Outlets(pipeline, self._error, self.summary)
        self._errors: list[str] = []
        self._source_name: str | None = None
        # Raw items fetched in this run: one fetched again is a duplicate before any stage.
        self._fetched = SeenItems()

    # -- the run --------------------------------------------------------------------------

    def run(self, sources: Sequence[RunSource]) -> RunSummary:
        """Read every source and deliver its articles; the summary of what happened."""
        return self.session(lambda: self.read(sources))

    def session(self, work: Callable[[], object]) -> RunSummary:
        """Open the targets, do ``work``, make everything durable and close the targets; on
        any exception (Ctrl-C, a closed stdout) abort them instead and raise."""
        started = time.perf_counter()
        keeper, outlets = self.keeper, self.outlets
        outlets.on_failure = keeper.target_failed
        status = "failed"
        try:
            with self.pipeline.frozen():
                outlets.open(self.targets, incremental=keeper.incremental)
                keeper.opened(outlets, self.on_notice)
                work()
                self.checkpoint()
                outlets.close()
            status = "failed" if self.summary.failed else "ok"
        except KeyboardInterrupt:
            status = "interrupted"
            outlets.abort()
            raise
        except BaseException:
            outlets.abort()
            raise
        finally:
            self._fetched.close()
            self.summary.seconds = time.perf_counter() - started
            keeper.close(status)
        return self.summary

    def read(self, sources: Sequence[RunSource]) -> None:
        """Read each source in turn, while the URLs among them are fetched ahead."""
        with prefetching(self._fetch_ahead(sources)):
            for source in sources:
                self.read_source(source)

    def _fetch_ahead(self, sources: Sequence[RunSource]) -> Prefetcher | None:
        """Start fetching the due URL sources ahead, in order (``http.concurrency``), when
        there are several; a source with settings of its own is fetched when it is read."""
        plan: list[tuple[str, str | None, str | None]] = []
        for source in sources:
            ahead = None if source.settings else self.keeper.lookahead(source)
            if ahead is not None:
                location = split_kind(ahead[0])[1]
                if location.startswith(("http://", "https://")):
                    plan.append((location, ahead[1], ahead[2]))
        prefetcher = prefetcher_for(self.pipeline.config) if len(plan) > 1 else None
        if prefetcher is not None:
            prefetcher.start(plan)
        return prefetcher

    def read_source(self, source: RunSource) -> None:
        """Every input of ``source``, unless the keeper says it is not due."""
        visit = self.keeper.visit(source, self.summary)
        if visit is None:
            return
        self._errors = []
        self._source_name = self.keeper.name()
        with self.pipeline.configured(visit.settings, visit.keep):
            found_inputs = self.pipeline.sources([visit.spec], visit.kind)
            for found in _timed(found_inputs, self.summary.stage_seconds):
                if isinstance(found, Source) and self.keeper.ours(found):
                    continue
                self.keeper.count_input(self.summary)
                if isinstance(found, SourceError):
                    self.summary.sources_failed += 1
                    self._error(found)
                    continue
                prepared = self.keeper.prepare(found, self.summary)
                if prepared is not None:
                    self.read_input(prepared)
        self.keeper.visit_done(self._errors, self.on_notice)
        self._source_name = None
        self.checkpoint()

    def read_input(self, source: Source) -> None:
        """Every item of one input, through the stages, to the targets."""
        failed_before = self.summary.sources_failed
        items = self.pipeline.items(
            source,
            self.summary,
            self._error,
            self.keeper.dead_letters(),
            fetched_before=self._fetched,
            known=self.keeper.known,
        )
        for article in items:
            self.deliver(article)
        self.keeper.input_done(source, failed=self.summary.sources_failed > failed_before)

    def deliver(self, article: Article) -> None:
        """Export one processed article if the keeper finds it new or changed."""
        summary, keeper = self.summary, self.keeper
        verdict = keeper.judge(article)
        if verdict is Verdict.DUPLICATE:
            summary.duplicates += 1
            return
        if verdict is Verdict.UNCHANGED:
            summary.unchanged += 1
            if keeper.unchanged(article) >= self.checkpoint_every:
                self.checkpoint()
            return
        tick = time.perf_counter()
        written = self.outlets.write(article, keeper.missed)
        summary.stage_seconds["export"] += time.perf_counter() - tick
        summary.updates += verdict is Verdict.UPDATE
        waiting = keeper.delivered(article)
        # What a target holds, or the ledger holds for it: one-off runs count only the first.
        summary.articles += bool(written or keeper.incremental)
        self.on_progress(summary)
        if summary.articles % memory.EVERY == 0:
            memory.release_free_memory()
        if waiting >= self.checkpoint_every:
            self.checkpoint()

    def checkpoint(self) -> None:
        """Let the keeper make the targets durable and record what they hold."""
        self.keeper.checkpoint(self.outlets)

    def _error(self, exc: IngestError) -> None:
        self._errors.append(str(exc))
        if self._source_name:
            exc.source_name = self._source_name
        self.on_error(exc)


def _timed(items: Iterator[_T], stage_seconds: dict[str, float]) -> Iterator[_T]:
    """``items``, with the time spent producing each added to ``"discover"``."""
    while True:
        tick = time.perf_counter()
        try:
            item = next(items)
        except StopIteration:
            stage_seconds["discover"] += time.perf_counter() - tick
            return
        stage_seconds["discover"] += time.perf_counter() - tick
        yield item


def run_once(
    pipeline: Pipeline,
    locations: Sequence[str],
    targets: Sequence[Target],
    *,
    kind: str | None = None,
    on_error: ErrorHandler = ignore,
    on_progress: ProgressHandler = ignore,
) -> RunSummary:
    """A one-off run: read every location, process each item, write it to every target.

    Errors in one source, item or target go to ``on_error`` and the run goes on. Targets
    are opened before anything is read, closed at the end, and aborted (left as they were)
    on ``KeyboardInterrupt`` or a closed stdout.

    :raises UsageError: a target no plugin writes, or a malformed one.
    """
    sources = [RunSource(spec, spec, kind) for spec in locations]
    engine = Engine(pipeline, targets, on_error=on_error, on_progress=on_progress)
    return engine.run(sources)
