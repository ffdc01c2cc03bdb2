"""Reaching a Dask cluster for :mod:`ingest.parallel.dask`: its address, the connection, and
the check that its workers load the run's plugins."""

from __future__ import annotations

import traceback
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ingest.errors import IngestError, UsageError
from ingest.parallel.work import PipelineSpec

if TYPE_CHECKING:
    import pluggy
    from distributed import Client


#: The longest wait for a scheduler to answer, and for a first worker to join (Dask's own
#: ``distributed.comm.timeouts.connect`` when shorter).
CONNECT_TIMEOUT = 10.0
#: Seconds without any worker after which the run reads the remaining inputs itself.
NO_WORKERS_GRACE = 60.0


def tcp_address(address: str) -> str:
    """``dask://HOST:PORT`` as Dask names it, ``tcp://HOST:PORT``."""
    parts = urlsplit(address)
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme != "dask" or not parts.hostname or port is None or parts.path.strip("/"):
        raise UsageError(f"--executor: {address!r} is not dask://HOST:PORT")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"tcp://{host}:{port}"


def connect(address: str) -> Client:
    """A client of the scheduler at ``address``, with at least one worker.

    :raises UsageError: nothing answers there in time, or no worker joins.
    """
    import dask.config  # noqa: PLC0415
    from dask.utils import parse_timedelta  # noqa: PLC0415
    from distributed import Client  # noqa: PLC0415

    tcp = tcp_address(address)
    configured = parse_timedelta(dask.config.get("distributed.comm.timeouts.connect"), "s")
    timeout = min(CONNECT_TIMEOUT, configured or CONNECT_TIMEOUT)
    try:
        client = Client(tcp, timeout=timeout, set_as_default=False)
    except OSError as exc:  # TimeoutError among them
        reason = one_line(exc)
        detail = "" if "Timed out" in reason else f" ({reason})"
        raise UsageError(
            f"--executor {address}: no Dask scheduler answered at {tcp} within {timeout:g} s"
            + detail
        ) from None
    try:
        client.wait_for_workers(1, timeout=timeout)
    except OSError:
        client.close()
        raise UsageError(
            f"--executor {address}: the Dask scheduler has no workers (none joined within "
            f"{timeout:g} s)"
        ) from None
    return client


def check_workers(
    client: Client, spec: PipelineSpec, pm: pluggy.PluginManager, address: str
) -> None:
    """Each worker builds the pipeline now (once, as for its first input) and says which
    plugins it has: they must be the run's.

    :raises UsageError: a worker that cannot load them, or has others.
    """
    from ingest import __version__  # noqa: PLC0415

    wanted = (__version__, tuple(sorted(plugin_names(pm))))
    futures = {
        worker: client.submit(plugins_here, spec, workers=[worker], pure=False)
        for worker in client.nthreads()
    }
    for worker, future in futures.items():
        try:
            found = future.result(timeout=NO_WORKERS_GRACE)
        except Exception as exc:  # a worker that cannot even unpickle the question
            found = one_line(exc)
        if found == wanted:
            continue
        if isinstance(found, str):
            reason = found
        elif found[0] != wanted[0]:
            reason = f"it runs ingest {found[0]}, this run ingest {wanted[0]}"
        else:
            lacks, extra = set(wanted[1]) - set(found[1]), set(found[1]) - set(wanted[1])
            said = [f"lacks the plugins {', '.join(sorted(lacks))}"] if lacks else []
            if extra:
                said.append(f"has the plugins {', '.join(sorted(extra))} this run has not")
            reason = "; ".join(said) + " (install the same plugins on the workers)"
        raise UsageError(f"--executor {address}: Dask worker {worker}: {reason}")


def plugins_here(spec: PipelineSpec) -> tuple[str, tuple[str, ...]] | str:
    """This worker's ingest version and plugins, for the run's pipeline; the error when it
    cannot build it."""
    from ingest import __version__  # noqa: PLC0415
    from ingest.parallel.work import worker_pipeline  # noqa: PLC0415

    try:
        pipeline = worker_pipeline(spec)
    except IngestError as exc:  # a -p module not importable here, a plugin that fails
        return str(exc)
    except Exception as exc:
        return one_line(exc)
    return __version__, tuple(sorted(plugin_names(pipeline.pm)))


def one_line(exc: BaseException) -> str:
    text = "".join(traceback.format_exception_only(exc)).strip()
    return " ".join(text.split())


# -- on a worker ----------------------------------------------------------------------------


def plugin_names(pm: pluggy.PluginManager) -> list[str]:
    return [name for name, plugin in pm.list_name_plugin() if plugin is not None]
