"""``--executor dask``: inputs read by the workers of a Dask cluster, a local one started
for the run or a running ``distributed`` scheduler (``dask://HOST:PORT``, spoken to as
``tcp://HOST:PORT``; TLS is not supported). The run closes its client, never that cluster.

Dask workers do not fork from the run: each builds the run's pipeline again from a
:class:`~ingest.parallel.work.PipelineSpec` (installed plugins, ``-p`` modules, blocked names,
settings). A plugin registered in the run's process only is refused before anything is
read, and so is a remote worker whose plugins differ from the run's.

One input is one task that returns all its events at once; the driver takes them in the
order it submitted them. The scheduler reruns elsewhere the tasks of a worker that died (up
to ``distributed.scheduler.allowed-failures`` deaths, then the input fails with one line),
so no ``retries`` are asked for: an input that raised would raise again. A death counts
against every task the worker held: the local cluster has ``worker-saturation`` 1.0, so that
a worker is given only the input it reads, once there are many (advised for any scheduler).
When the scheduler is gone, or no worker is left for :data:`NO_WORKERS_GRACE` s, the run
reads the rest. Workers read local files at the run's paths (relative: in the run's folder).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import CancelledError
from dataclasses import replace
from typing import TYPE_CHECKING

from ingest.errors import UsageError
from ingest.manager import get_plugin_manager, plugin_origin
from ingest.parallel.dask_cluster import (
    NO_WORKERS_GRACE,
    check_workers,
    connect,
    one_line,
    plugin_names,
)
from ingest.parallel.local import WorkerLost
from ingest.parallel.work import Event, InputTask, PipelineSpec, available_cores, run_input

if TYPE_CHECKING:
    import pluggy
    from distributed import Client, Future, LocalCluster

    from ingest.keep import Keep
    from ingest.locations import Source
    from ingest.pipeline import Pipeline

#: Seconds between two looks at the cluster while a result is awaited.
_POLL = 1.0
#: The loggers Dask configures: quiet while the pool lives.
_LOGGERS = ("distributed", "distributed.client", "distributed.gc", "tornado.application")


class DaskPool:
    """Workers of a Dask cluster reading :class:`InputTask` objects.

    :param pipeline: the run's pipeline, rebuilt on the workers from its plugins' origin.
    :param address: ``dask://HOST:PORT`` of a running scheduler; None starts a local
        cluster of ``workers`` processes (default one per available core).
    :raises UsageError: a plugin the workers cannot load, no scheduler at ``address``, or
        workers whose plugins differ from the run's.
    """

    def __init__(
        self, pipeline: Pipeline, *, address: str | None = None, workers: int | None = None
    ) -> None:
        self.spec = pipeline_spec(pipeline)
        self._keep = pipeline.keep
        self._cwd = os.getcwd()
        self._lost = False
        self._no_workers_since: float | None = None
        self._cluster: LocalCluster | None = None
        try:
            import distributed  # noqa: F401, PLC0415
        except ImportError:
            raise UsageError("--executor dask needs Dask: pip install 'ingest[dask]'") from None
        self._count = (workers or available_cores()) if address is None else (workers or 0)
        self.where = (
            "the local Dask cluster" if address is None else f"the Dask scheduler at {address}"
        )
        with contextlib.ExitStack() as stack:
            stack.enter_context(_quiet_dask())
            self._client = self._start(address, pipeline.pm)
            self._quiet = stack.pop_all()

    def _start(self, address: str | None, pm: pluggy.PluginManager) -> Client:
        """A client of a local cluster started now, or of the scheduler at ``address``."""
        import dask.config  # noqa: PLC0415
        from distributed import Client, LocalCluster  # noqa: PLC0415

        if address is not None:
            client = connect(address)
            try:
                check_workers(client, self.spec, pm, address)
            except BaseException:
                client.close()
                raise
            return client
        # A worker holds only the input it reads (see the module's docstring).
        saturation = {"distributed.scheduler.worker-saturation": 1.0}
        with _sigint_ignored(), dask.config.set(saturation):
            self._cluster = LocalCluster(
                n_workers=self._count,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=logging.CRITICAL,
                # Its HTTP server (metrics) on a free port, not on 8787, which may be taken.
                scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            )
        try:
            return Client(self._cluster, set_as_default=False)
        except BaseException:
            self._cluster.close()
            raise

    @property
    def size(self) -> int:
        """How many tasks the cluster runs at once (its worker threads), as now."""
        return self._threads() or max(1, self._count)

    def _threads(self) -> int:
        if self._lost:
            return 0
        try:
            return sum(self._client.nthreads().values())
        except (OSError, CancelledError):
            return 0

    def submit(self, task: InputTask) -> Future[list[Event]] | None:
        """Give ``task`` to the cluster; a ticket for :meth:`events`, or None when the
        cluster is gone (the driver reads the input itself)."""
        if self._lost:
            return None
        task = replace(
            task,
            spec=task.spec if task.spec is not None else self.spec,
            keep=_merged(self._keep, task.keep),
        )
        future: Future[list[Event]] = self._client.submit(_read, task, self._cwd, pure=False)
        return future

    def events(self, ticket: Future[list[Event]]) -> Iterator[list[Event]]:
        """The events of the task ``ticket``, in one chunk once it is done.

        :raises WorkerLost: the scheduler is gone, or no worker was left for long.
        """
        try:
            chunk = self._result(ticket)
        finally:
            ticket.release()
        yield chunk

    def _result(self, future: Future[list[Event]]) -> list[Event]:
        from distributed import KilledWorker  # noqa: PLC0415

        # Wait on an event, not in Dask's result(): Ctrl-C then leaves no gathering behind
        # (asyncio would print it at exit).
        done = threading.Event()
        future.add_done_callback(lambda _: done.set())
        while not done.wait(_POLL):
            self._watch()
        try:
            events: list[Event] = future.result(timeout=NO_WORKERS_GRACE)
        except CancelledError:  # the scheduler is gone, or the cluster was restarted
            self._lost = True
            raise WorkerLost(f"{self.where} is gone") from None
        except OSError as exc:  # the connection broke, or the result was lost for long
            self._lost = self._client.status != "running"
            raise WorkerLost(f"lost the connection to {self.where}") from exc
        except KilledWorker as exc:
            deaths = exc.allowed_failures + 1
            return [("crash", f"{deaths} Dask workers died reading it, one after the other")]
        except Exception as exc:  # it could not even start: a task that does not load
            return [("crash", one_line(exc))]
        return events

    def _watch(self) -> None:
        """While a result is awaited: give up on a cluster gone, or without workers for long.

        :raises WorkerLost: so.
        """
        if self._lost:
            raise WorkerLost(f"{self.where} is gone")
        if self._threads():
            self._no_workers_since = None
            return
        now = time.monotonic()
        if self._no_workers_since is None:
            self._no_workers_since = now
        elif now - self._no_workers_since > NO_WORKERS_GRACE:
            self._lost = True
            raise WorkerLost(f"{self.where} has had no workers for {NO_WORKERS_GRACE:g} s")

    def close(self) -> None:
        """Close the client (what it still waits for is not wanted) and the local cluster."""
        try:
            self._client.close()
            if self._cluster is not None:
                self._cluster.close()
        finally:
            self._quiet.close()


# -- in the run's process -------------------------------------------------------------------


def pipeline_spec(pipeline: Pipeline) -> PipelineSpec:
    """How Dask workers build ``pipeline`` again.

    :raises UsageError: a plugin is registered in this process only (no worker could load it).
    """
    pm = pipeline.pm
    origin = plugin_origin(pm)
    rebuilt = set(plugin_names(get_plugin_manager(*origin))) if origin is not None else set()
    alone = [name for name in plugin_names(pm) if name not in rebuilt]
    if alone:
        raise UsageError(
            f"--executor dask: plugin {alone[0]!r} is registered in this process only; Dask "
            "workers load installed plugins (entry points) and -p modules only"
        )
    if origin is None:
        raise UsageError(
            "--executor dask: the run's plugins were not loaded by ingest; Dask workers load "
            "installed plugins (entry points) and -p modules only"
        )
    modules, blocked = origin
    return PipelineSpec(modules, blocked, tuple(sorted(pipeline.values.items())))


def _merged(run_keep: tuple[Keep, ...], keep: tuple[Keep, ...]) -> tuple[Keep, ...]:
    """The run's filters (``--language``) with the source's own over them: a worker's
    pipeline has no filters of its own."""
    fields = {k.field for k in keep}
    return (*(k for k in run_keep if k.field not in fields), *keep)


@contextlib.contextmanager
def _quiet_dask() -> Iterator[None]:
    """Dask's log lines stay out of the run's stderr: the pool says what matters."""
    levels = {name: logging.getLogger(name).level for name in _LOGGERS}
    for name in _LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Processes started within ignore SIGINT (Python keeps an ignored SIGINT ignored), so
    that Ctrl-C on a terminal reaches the run alone, not the workers of its process group."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, saved)


def _read(task: InputTask, cwd: str) -> list[Event]:
    """Every event of one input, as the run's process would see it; what came before a
    fault of the worker and then a ``crash`` event."""
    events: list[Event] = []
    stray = _stray_path(task.source, cwd)
    if stray is not None:
        return [("crash", stray)]
    try:
        run_input(task, events.extend)
    except Exception as exc:
        events.append(("crash", one_line(exc)))
    return events


def _stray_path(source: Source, cwd: str) -> str | None:
    """A relative path read by a worker that runs in another directory than the run."""
    location = source.location
    if source.is_stdin or "://" in location or os.path.isabs(location):
        return None
    here = os.getcwd()
    if here == cwd:
        return None
    return (
        f"a relative path, and this Dask worker runs in {here}, not in {cwd}: give absolute "
        "paths, or start the workers in the run's directory"
    )
