"""The run's side of ``--workers``: read ahead, hand inputs to the workers, and deliver
what comes back in the order the inputs were found.

The engine's loop is cut in two, in one thread. The *planner* walks the sources ahead of
delivery as far as the window allows: it visits each source (the keeper says whether it is
due and prepares each input, attaching stored validators), takes the response of each URL
from the prefetcher, and gives each input to a worker. The *deliverer* takes the planned
steps in order: it starts each source, delivers each input's events (judging, writing,
recording, exactly as a one-process run does), and ends each source. So output order is
the one-process order; only the work overlaps.

An input stays with the driver when a worker cannot read it: standard input, a URL that was
not fetched ahead, a kind that fetches beyond its own location (``SourceKind.in_workers``),
or any input once the workers are gone. Items whose stages would go over the network come
back from the worker raw and go through the stages here.
"""

from __future__ import annotations

import pickle
from collections import deque
from collections.abc import Iterator, Sequence
from copy import copy
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

from ingest.errors import IngestError, SourceError
from ingest.http import HttpError, HttpResponse, HttpState
from ingest.http.prefetch import take
from ingest.locations import Source
from ingest.model import Article
from ingest.parallel.local import WorkerLost
from ingest.parallel.work import COUNTERS, Event, InputTask, bare, copy_back
from ingest.rawitems import snapshot

if TYPE_CHECKING:
    from ingest.pipeline import Pipeline
    from ingest.summary import RunSummary

#: A source of the run (:class:`ingest.engine.RunSource`).
RunSource = Any

#: Inputs given to the workers ahead of delivery, per worker.
AHEAD_PER_WORKER = 3


class Engine(Protocol):
    """What the driver needs of :class:`ingest.engine.Engine` (which imports this module)."""

    pipeline: Pipeline
    keeper: Any
    summary: RunSummary

    def begin_source(self) -> None:
        """Start delivering the oldest visited source."""

    def end_source(self) -> None:
        """The source being delivered is done."""

    def read_input(self, source: Source) -> None:
        """Read one input in this process."""

    def deliver(self, article: Article) -> None:
        """Judge and write one article."""

    def fetched_before(self, key: bytes) -> bool:
        """True when the raw item ``key`` was met before in the run (and remember it)."""

    def report(self, exc: IngestError) -> None:
        """Tell an error."""

    def report_notice(self, line: str) -> None:
        """Tell a line that is not an error."""


class Pool(Protocol):
    """Where inputs are read: :class:`~ingest.parallel.local.LocalPool`, or a cluster."""

    @property
    def size(self) -> int:
        """How many workers there are."""

    def submit(self, task: InputTask) -> Any:
        """Start reading ``task``; a ticket for :meth:`events`, None when it cannot."""

    def events(self, ticket: Any) -> Iterator[list[Event]]:
        """The task's events in chunks, as they come."""

    def close(self) -> None:
        """Stop the workers."""


@dataclass(slots=True)
class _Begin:
    source: RunSource


@dataclass(slots=True)
class _End:
    source: RunSource


@dataclass(slots=True)
class _Failed:
    error: SourceError


@dataclass(slots=True)
class _Input:
    source: RunSource
    prepared: Source
    ticket: Any = None  # None: the driver reads it


class ParallelRead:
    """Read ``sources`` for ``engine``, the inputs read by ``pool``'s workers."""

    def __init__(self, engine: Engine, pool: Pool) -> None:
        self.engine = engine
        self.pool = pool
        self.ahead = max(1, pool.size) * AHEAD_PER_WORKER
        kinds = engine.pipeline.source_kinds()
        self._driver_kinds = frozenset(k.name for k in kinds if not k.in_workers)

    def read(self, sources: Sequence[RunSource]) -> None:
        """Plan ahead of delivery, at most :attr:`ahead` inputs with the workers."""
        window: deque[_Begin | _End | _Failed | _Input] = deque()
        given = 0
        for step in self._plan(sources):
            window.append(step)
            given += isinstance(step, _Input) and step.ticket is not None
            while given > self.ahead or len(window) > 8 * self.ahead:
                done = window.popleft()
                given -= isinstance(done, _Input) and done.ticket is not None
                self._deliver(done)
        while window:
            self._deliver(window.popleft())

    # -- planning -----------------------------------------------------------------------

    def _plan(self, sources: Sequence[RunSource]) -> Iterator[_Begin | _End | _Failed | _Input]:
        engine, keeper, pipeline = self.engine, self.engine.keeper, self.engine.pipeline
        summary = engine.summary
        for source in sources:
            visit = keeper.visit(source, summary)
            if visit is None:
                continue
            yield _Begin(visit)
            found_inputs = pipeline.sources([visit.spec], visit.kind)
            while True:
                # The deliverer may switch the settings between two steps: set them for
                # each step of the planner.
                with pipeline.configured(visit.settings, visit.keep):
                    found = next(found_inputs, None)
                    if found is None:
                        break
                    if isinstance(found, Source) and keeper.ours(found):
                        continue
                    keeper.count_input(summary)
                    if isinstance(found, SourceError):
                        yield _Failed(found)
                        continue
                    prepared = keeper.prepare(found, summary)
                if prepared is not None:
                    yield self._give(visit, prepared)
            yield _End(visit)

    def _give(self, visit: RunSource, prepared: Source) -> _Input:
        """The input, given to a worker when one can read it."""
        if prepared.is_stdin or prepared.kind in self._driver_kinds:
            return _Input(visit, prepared)
        shipped = prepared
        if prepared.is_url:
            state = prepared.http or HttpState()  # one-off runs keep none
            prepared = replace(prepared, http=state)
            if state.prefetched is None:
                response: HttpResponse | HttpError | None
                try:
                    response = take(prepared.location, state.etag, state.last_modified)
                except HttpError as exc:
                    response = bare(exc)
                if response is None:  # not fetched ahead: the driver fetches it
                    return _Input(visit, prepared)
                # Kept here too: should the worker hand it back, the run reads it.
                state.prefetched = response
            shipped = replace(prepared, http=copy(state))
        task = InputTask(
            shipped,
            dict(visit.settings),
            visit.keep,
            dead_letters=self.engine.keeper.dead_letters() is not None,
        )
        try:
            ticket = self.pool.submit(task)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            # Something of it cannot travel (a plugin's option value): read it here.
            self.engine.report_notice(f"{prepared.label()}: read by the run itself ({exc})")
            ticket = None
        return _Input(visit, prepared, ticket)

    # -- delivery -----------------------------------------------------------------------

    def _deliver(self, step: _Begin | _End | _Failed | _Input) -> None:
        engine = self.engine
        if isinstance(step, _Begin):
            engine.begin_source()
        elif isinstance(step, _End):
            engine.end_source()
        elif isinstance(step, _Failed):
            engine.summary.sources_failed += 1
            engine.report(step.error)
        else:
            with engine.pipeline.configured(step.source.settings, step.source.keep):
                if step.ticket is None:
                    engine.read_input(step.prepared)
                else:
                    self._deliver_input(step)

    def _deliver_input(self, step: _Input) -> None:
        """Replay a worker's events: the run sees what a one-process read would show."""
        engine = self.engine
        ended = failed = False
        replayed = 0
        try:
            for chunk in self.pool.events(step.ticket):
                for event in chunk:
                    replayed += 1
                    kind = event[0]
                    if kind == "article":
                        if event[2] is not None and engine.fetched_before(event[2]):
                            engine.summary.duplicates += 1
                        else:
                            engine.deliver(event[1])
                    elif kind == "error":
                        engine.report(event[1])
                    elif kind == "dead":
                        self._dead_letter(*event[1:])
                    elif kind == "driver":
                        if event[3] is not None and engine.fetched_before(event[3]):
                            engine.summary.duplicates += 1
                        else:
                            self._stages_here(event[1], event[2])
                    elif kind == "restart":
                        engine.read_input(step.prepared)
                        return
                    elif kind == "end":
                        failed = self._ended(step, event[1], event[2])
                        ended = True
                    else:  # "crash": a fault of the worker itself, not of the input
                        raise _crashed(step, event[1])
        except WorkerLost as exc:
            if not replayed:  # nothing of it delivered: read it here instead
                engine.report_notice(f"{exc}; {step.prepared.label()} is read by the run")
                engine.read_input(step.prepared)
                return
            engine.summary.sources_failed += 1
            failed = True
            engine.report(SourceError(step.prepared.label(), f"{exc} while reading it"))
        except SourceError as exc:
            engine.summary.sources_failed += 1
            failed = True
            engine.report(exc)
        if ended or failed:
            engine.keeper.input_done(step.prepared, failed=failed)

    def _ended(self, step: _Input, counts: dict[str, Any], http: HttpState | None) -> bool:
        summary = self.engine.summary
        for name in COUNTERS:
            setattr(summary, name, getattr(summary, name) + counts[name])
        for stage, seconds in counts["stage_seconds"].items():
            summary.stage_seconds[stage] = summary.stage_seconds.get(stage, 0.0) + seconds
        copy_back(step.prepared.http, http)
        return bool(counts["sources_failed"])

    def _dead_letter(self, stage: str, plugin: str | None, exc: IngestError, raw: Any) -> None:
        keep = self.engine.keeper.dead_letters()
        if keep is not None:
            keep(stage, plugin, exc, raw)

    def _stages_here(self, raw: Any, plugin: str) -> None:
        """An item handed back: its stages run here, where fetching is allowed."""
        engine = self.engine
        pipeline = engine.pipeline
        keep = engine.keeper.dead_letters()
        article = raw if keep is None else snapshot(raw)
        ready = pipeline.settle(
            article,
            plugin,
            engine.summary,
            engine.report,
            keep=keep,
            raw=raw,
            known=engine.keeper.known,
        )
        if ready:
            engine.deliver(article)


def _crashed(step: _Input, detail: str) -> SourceError:
    return SourceError(step.prepared.label(), f"a worker failed reading it: {detail}")
