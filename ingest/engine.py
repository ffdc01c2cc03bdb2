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

import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, TypeVar

from ingest import memory
from ingest.errors import IngestError, SourceError
from ingest.http import Prefetcher, prefetcher_for, prefetching
from ingest.keeper import Keeper, NoticeHandler, RunSource, Verdict
from ingest.locations import Source, Target, split_kind
from ingest.model import Article
from ingest.outlets import Outlets
from ingest.pipeline import Pipeline
from ingest.seen import SeenItems
from ingest.summary import ErrorHandler, ProgressHandler, RunSummary, ignore

if TYPE_CHECKING:
    from ingest.parallel.driver import Pool

__all__ = [
    "Engine",
    "Keeper",
    "NoticeHandler",
    "PoolFactory",
    "RunSource",
    "Verdict",
    "run_once",
]

_T = TypeVar("_T")

#: Makes the workers of a run from its pipeline (see :mod:`ingest.parallel`).
PoolFactory = Callable[[Pipeline], "Pool"]


class Engine:
    """One run: sources in, articles out to every target, the keeper deciding what is new.

    :param pipeline: the stages.
    :param targets: where articles go.
    :param keeper: what the run remembers; :class:`Keeper` for a one-off run.
    :param checkpoint_every: with a keeper that checkpoints, the most articles between two.
    :param pool: makes the workers that read the inputs (``--workers``,
        :mod:`ingest.parallel`); None: this process reads them.
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
        pool: PoolFactory | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.pool = pool
        self.targets = targets
        self.keeper = keeper or Keeper()
        self.on_error = on_error
        self.on_progress = on_progress
        self.on_notice = on_notice
        self.checkpoint_every = checkpoint_every
        self.summary = RunSummary()
        self.outlets = Outlets(pipeline, self.report, self.summary)
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
        """Read each source in turn, while the URLs among them are fetched ahead (and, with
        a pool, while workers read the inputs ahead)."""
        # Workers fork before the fetching threads start.
        pool = self.pool(self.pipeline) if self.pool is not None and sources else None
        try:
            with prefetching(self._fetch_ahead(sources)):
                if pool is None:
                    for source in sources:
                        self.read_source(source)
                else:
                    from ingest.parallel.driver import ParallelRead  # noqa: PLC0415

                    ParallelRead(self, pool).read(sources)
        finally:
            if pool is not None:
                pool.close()

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
        self.begin_source()
        with self.pipeline.configured(visit.settings, visit.keep):
            found_inputs = self.pipeline.sources([visit.spec], visit.kind)
            for found in _timed(found_inputs, self.summary.stage_seconds):
                if isinstance(found, Source) and self.keeper.ours(found):
                    continue
                self.keeper.count_input(self.summary)
                if isinstance(found, SourceError):
                    self.summary.sources_failed += 1
                    self.report(found)
                    continue
                prepared = self.keeper.prepare(found, self.summary)
                if prepared is not None:
                    self.read_input(prepared)
        self.end_source()

    def begin_source(self) -> None:
        """Start delivering the oldest visited source."""
        self._errors = []
        self.keeper.begun(self.summary)
        self._source_name = self.keeper.name()

    def end_source(self) -> None:
        """The source being delivered is done: its schedule settled, a checkpoint."""
        self.keeper.visit_done(self._errors, self.on_notice)
        self._source_name = None
        self.checkpoint()

    def read_input(self, source: Source) -> None:
        """Every item of one input, through the stages, to the targets."""
        failed_before = self.summary.sources_failed
        items = self.pipeline.items(
            source,
            self.summary,
            self.report,
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

    def fetched_before(self, key: bytes) -> bool:
        """True when the raw item ``key`` (see :func:`~ingest.rawitems.raw_key`) was met
        before in this run; remembered now otherwise. Workers read inputs apart: the run
        asks this for what they hand back."""
        if self._fetched.get(key) is not None:
            return True
        self._fetched.put(key, b"")
        return False

    def report_notice(self, line: str) -> None:
        """Tell a line that is not an error."""
        self.on_notice(line)

    def report(self, exc: IngestError) -> None:
        """Tell an error of the source being delivered (and remember it for its schedule)."""
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
    on_notice: NoticeHandler = ignore,
    pool: PoolFactory | None = None,
) -> RunSummary:
    """A one-off run: read every location, process each item, write it to every target
    (``pool``: the workers that read the inputs, see :class:`Engine`).

    Errors in one source, item or target go to ``on_error`` and the run goes on. Targets
    are opened before anything is read, closed at the end, and aborted (left as they were)
    on ``KeyboardInterrupt`` or a closed stdout.

    :raises UsageError: a target no plugin writes, or a malformed one.
    """
    sources = [RunSource(spec, spec, kind) for spec in locations]
    engine = Engine(
        pipeline,
        targets,
        on_error=on_error,
        on_progress=on_progress,
        on_notice=on_notice,
        pool=pool,
    )
    return engine.run(sources)
