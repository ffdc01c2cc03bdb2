"""What a worker process does: read one input through the stages (fetch and parse, clean,
identify, enrich, tag) and hand back, in order, what the run's own process must know.

A worker never writes and never goes over the network. The run's process (the driver)
fetches every URL (ahead, concurrently) and ships the response with the input; a stage that
would fetch (a page for an enrich plugin, a robots.txt) raises
:class:`~ingest.errors.NeedsDriver`, and the item goes back to the driver, which runs its
stages itself, politely and knowing what the run holds. The driver judges, writes and
records every article: the ledger's guarantees do not depend on the workers.

Events, in the order they happened (plain tuples: they are pickled by the thousand):

``("article", Article, key)``
    an article through every stage; ``key`` is its raw item's (see
    :func:`~ingest.rawitems.fetched_again`): the driver drops an item another input
    had already, as a one-process run does before any stage.
``("error", IngestError)``
    an item or the input failed (counted in the final ``counts``).
``("dead", stage, plugin, IngestError, raw bytes | None)``
    a dead letter, in runs on state.
``("driver", Article, plugin, key)``
    a raw item whose stages the driver runs.
``("restart",)``
    the input must be read by the driver from its start (nothing of it was handed back).
``("end", counts, HttpState | None)``
    the input is done: the summary counters it moved, and what its fetch learned.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any, TypeVar

from ingest.errors import IngestError, NeedsDriver, SourceError
from ingest.keep import Keep
from ingest.locations import Source
from ingest.model import Article
from ingest.pipeline import Pipeline
from ingest.seen import SeenItems
from ingest.summary import RunSummary

Event = tuple[Any, ...]
_E = TypeVar("_E", bound=BaseException)
#: Takes each chunk of events as it is ready.
Emit = Callable[[list[Event]], None]

#: The counters of :class:`RunSummary` that reading an input moves.
COUNTERS = ("sources_failed", "items_failed", "duplicates", "filtered")

#: Events handed back at a time: a bound on what waits in a queue, and few enough round
#: trips.
CHUNK = 64


@dataclass(frozen=True, slots=True)
class PipelineSpec:
    """How a worker that did not inherit the run's pipeline builds it again: the plugins
    (entry points, ``-p`` modules, blocked names) and the run's settings."""

    modules: tuple[str, ...] = ()
    blocked: tuple[str, ...] = ()
    values: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class InputTask:
    """One input for a worker: the source as the fetch plugin gets it (a URL's response
    attached), and the settings and filters of the configured source it belongs to."""

    source: Source
    values: dict[str, Any] = field(default_factory=dict)
    keep: tuple[Keep, ...] = ()
    #: Runs on state keep failed items with their raw form.
    dead_letters: bool = False
    #: None in a worker forked from the run: it has the run's pipeline already.
    spec: PipelineSpec | None = None


_inherited: Pipeline | None = None


def inherit(pipeline: Pipeline | None) -> None:
    """The pipeline workers forked from now on use (set before forking)."""
    global _inherited  # noqa: PLW0603 - handed to forked children through memory
    _inherited = pipeline


@cache
def _built(spec: PipelineSpec) -> Pipeline:
    from ingest.manager import get_plugin_manager  # noqa: PLC0415 - only in such workers

    pm = get_plugin_manager(spec.modules, spec.blocked)
    pipeline = Pipeline(pm, dict(spec.values))
    # Fixed for the worker's life, as for a run (see Pipeline.frozen).
    _frozen.enter_context(pipeline.frozen())
    return pipeline


_frozen = contextlib.ExitStack()


def worker_pipeline(spec: PipelineSpec | None) -> Pipeline:
    """The pipeline of this worker process."""
    if spec is None:
        if _inherited is None:
            raise RuntimeError("a forked worker without the run's pipeline")
        return _inherited
    return _built(spec)


def run_input(task: InputTask, emit: Emit, chunk: int = CHUNK) -> None:
    """Read ``task``'s input through the stages, handing events to ``emit`` in chunks."""
    from ingest.http.client import offline  # noqa: PLC0415

    with offline():
        _read(task, emit, chunk)


def _read(task: InputTask, emit: Emit, chunk: int) -> None:
    pipeline = worker_pipeline(task.spec)
    summary = RunSummary()
    events: list[Event] = []
    handed = 0  # events handed over, "end" aside: a restart must come before any

    def on_error(exc: IngestError) -> None:
        events.append(("error", bare(exc)))

    def dead(stage: str, plugin: str | None, exc: IngestError, raw: bytes | None) -> None:
        events.append(("dead", stage, plugin, bare(exc), raw))

    seen = _Keys()

    def on_driver(raw: Article, plugin: str) -> None:
        events.append(("driver", raw, plugin, seen.last))

    source = task.source
    try:
        with pipeline.configured(task.values, task.keep):
            items = pipeline.items(
                source,
                summary,
                on_error,
                dead if task.dead_letters else None,
                fetched_before=seen,
                on_driver=on_driver,
            )
            for article in items:
                events.append(("article", article, seen.last))
                if len(events) >= chunk:
                    handed += len(events)
                    emit(events)
                    events = []
    except NeedsDriver:
        if not handed:
            emit([("restart",)])
            return
        # It fetched again after handing articles over: what was handed stays delivered.
        summary.sources_failed += 1
        reason = "reads over the network while being read: run it with --workers 1"
        events.append(("error", SourceError(source.label(), reason)))
    finally:
        seen.close()
    counts = {name: getattr(summary, name) for name in COUNTERS}
    counts["stage_seconds"] = summary.stage_seconds
    events.append(("end", counts, source.http))
    emit(events)


class _Keys(SeenItems):
    """The raw items of one input, and the key of the last one (the item in the stages)."""

    last: bytes | None = None

    def put(self, key: bytes, digest: bytes) -> None:
        """Remember ``key``; it is the item's whose stages run next."""
        self.last = key
        super().put(key, digest)


def bare(exc: _E) -> _E:
    """``exc`` without its chain and traceback, to travel between processes: its message
    says it all, and what it was raised from may not unpickle (an exception whose
    constructor takes other arguments: picklers that send chains, as Dask's does, fail)."""
    exc.__cause__ = exc.__context__ = None
    exc.__traceback__ = None
    return exc


def copy_back(into: Any, learned: Any) -> None:
    """Copy what a worker's fetch learned (its :class:`HttpState`) into the driver's."""
    if into is None or learned is None:
        return
    for name in (f.name for f in fields(into)):
        setattr(into, name, getattr(learned, name))


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the OS tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
