"""``--workers N``: N worker processes on this machine, forked from the run.

Each worker has its own task queue and its own bounded result queue, and reads its tasks in
the order given. The driver reads results task by task in the order it submitted them: the
oldest task not yet read is always the oldest of its worker, so its chunks are next on that
worker's queue. A worker whose result queue is full waits: memory stays bounded however far
it could read ahead.

Workers are forked, not spawned: they inherit the run's pipeline as it is (plugins
registered in-process included, models already loaded) at no cost. They ignore Ctrl-C (the
run decides what an interruption means) and leave when the run's process is gone.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import queue
import signal
import traceback
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

from ingest.errors import IngestError
from ingest.parallel.work import Event, InputTask, inherit, run_input

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from ingest.pipeline import Pipeline

#: Chunks a worker may hand over before it waits for the driver to read them.
RESULTS_WAITING = 8
#: Seconds between two looks at whether the other side is still there.
_POLL = 0.5


class WorkerLost(IngestError):
    """A worker process died (killed, out of memory) while it held a task."""


class LocalPool:
    """``workers`` processes forked from this one, reading :class:`InputTask` objects."""

    def __init__(self, workers: int, pipeline: Pipeline) -> None:
        context = multiprocessing.get_context("fork")
        inherit(pipeline)
        self._tasks = [context.Queue() for _ in range(workers)]
        self._results = [context.Queue(RESULTS_WAITING) for _ in range(workers)]
        parent = os.getpid()
        self._processes: list[BaseProcess] = []
        try:
            for index in range(workers):
                process = context.Process(
                    target=_serve,
                    args=(self._tasks[index], self._results[index], parent),
                    name=f"ingest-worker-{index}",
                    daemon=True,
                )
                process.start()
                self._processes.append(process)
        finally:
            inherit(None)
        self._load = [0] * workers  # tasks given and not yet read, per worker
        self._next_id = 0

    @property
    def size(self) -> int:
        """How many workers there are."""
        return len(self._processes)

    def submit(self, task: InputTask) -> tuple[int, int] | None:
        """Give ``task`` to the least busy worker; a ticket for :meth:`events`, or None
        when no worker is left (the driver reads it itself)."""
        alive = [i for i, process in enumerate(self._processes) if process.is_alive()]
        if not alive:
            return None
        index = min(alive, key=self._load.__getitem__)
        task_id = self._next_id
        self._next_id += 1
        # Pickled here, not on the queue's thread: what cannot be sent fails the call.
        payload = pickle.dumps(task, protocol=pickle.HIGHEST_PROTOCOL)
        self._load[index] += 1
        self._tasks[index].put((task_id, payload))
        return index, task_id

    def events(self, ticket: tuple[int, int]) -> Iterator[list[Event]]:
        """The chunks of events of the task ``ticket``, as they come.

        :raises WorkerLost: its worker died first.
        """
        index, task_id = ticket
        try:
            while (chunk := self._next(index, task_id)) is not None:
                try:
                    events = pickle.loads(chunk)
                except Exception as exc:  # a worker answer this process cannot rebuild
                    reason = f"{type(exc).__name__}: {exc}"
                    lost = f"an answer of a worker could not be read ({reason})"
                    raise WorkerLost(lost) from None
                yield events
        except GeneratorExit:
            # Left before its end (the driver read the input itself): the rest of its
            # chunks must go, or they would pass for the next task's. (On any other way
            # out, Ctrl-C included, the run ends and the pool with it.)
            self._drain(index, task_id)
            raise
        finally:
            self._load[index] -= 1

    def _drain(self, index: int, task_id: int) -> None:
        """Read and drop what is left of task ``task_id``."""
        try:
            while self._next(index, task_id) is not None:
                pass
        except WorkerLost:
            pass

    def _next(self, index: int, task_id: int) -> bytes | None:
        """The next chunk of ``task_id`` from worker ``index``; None at its end."""
        results, process = self._results[index], self._processes[index]
        while True:
            try:
                got_id, chunk = results.get(timeout=_POLL)
            except queue.Empty:
                if not process.is_alive():
                    raise WorkerLost(
                        f"worker process {process.name} died (exit code {process.exitcode})"
                    ) from None
                continue
            if got_id != task_id:  # cannot happen: tasks are read in the order given
                raise RuntimeError(f"worker {index}: task {got_id} came before {task_id}")
            return cast("bytes | None", chunk)

    def close(self) -> None:
        """Stop the workers (at once: whatever they were doing is not wanted any more)."""
        for tasks in self._tasks:
            tasks.put(None)
        for process in self._processes:
            process.join(timeout=1.0)
            if process.is_alive():
                process.kill()
                process.join()
        for q in (*self._tasks, *self._results):
            q.cancel_join_thread()
            q.close()


def _serve(tasks: Any, results: Any, parent: int) -> None:
    """A worker's life: read tasks until told to stop, or until the run is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    results.cancel_join_thread()  # leaving must never wait for a run that is gone
    while True:
        try:
            got = tasks.get(timeout=_POLL)
        except queue.Empty:
            if os.getppid() != parent:
                return
            continue
        if got is None:
            return
        task_id, payload = got

        def emit(chunk: list[Event], task_id: int = task_id) -> None:
            # Pickled here: an event that cannot be sent is a crash the run hears of.
            _put(results, (task_id, pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL)), parent)

        try:
            task = pickle.loads(payload)
            run_input(task, emit)
        except BaseException as exc:
            detail = "".join(traceback.format_exception_only(exc)).strip()
            _put(results, (task_id, pickle.dumps([("crash", detail)])), parent)
        _put(results, (task_id, None), parent)


def _put(results: Any, item: object, parent: int) -> None:
    """Hand ``item`` to the run, waiting while its queue is full; leave if the run is gone
    (killed: nobody will read, and a worker must not outlive it)."""
    while True:
        try:
            results.put(item, timeout=_POLL)
        except queue.Full:
            if os.getppid() != parent:
                os._exit(0)
            continue
        return
