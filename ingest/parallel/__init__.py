"""Reading inputs in parallel: ``--workers N`` processes on this machine
(:mod:`ingest.parallel.local`) or a Dask cluster (:mod:`ingest.parallel.dask`), each reading
whole inputs through the stages while the run (:mod:`ingest.parallel.driver`) fetches,
judges, writes and records, in the order a one-process run would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ingest.errors import UsageError
from ingest.parallel.work import PipelineSpec, available_cores

if TYPE_CHECKING:
    from ingest.parallel.driver import Pool
    from ingest.pipeline import Pipeline

__all__ = ["PipelineSpec", "available_cores", "pool_factory"]


def pool_factory(workers: int | None, executor: str = "local") -> Callable[[Pipeline], Pool] | None:
    """What makes the workers of a run: ``executor`` is ``local`` (``workers`` processes,
    default one per available core; 1: none, the run reads everything itself), ``dask`` (a
    local Dask cluster of ``workers`` processes) or ``dask://HOST:PORT`` (a running
    ``distributed`` scheduler).

    :raises UsageError: an unknown executor, or fewer than one worker.
    """
    if workers is not None and workers < 1:
        raise UsageError(f"--workers: {workers} is not a number of processes (1 or more)")
    if executor == "local":
        import multiprocessing  # noqa: PLC0415 - only runs that may have workers need it

        count = workers or available_cores()
        # Workers are forked (they inherit the run's plugins as loaded): where processes
        # cannot fork (Windows), the run reads everything itself.
        if count <= 1 or "fork" not in multiprocessing.get_all_start_methods():
            return None

        def local(pipeline: Pipeline) -> Pool:
            from ingest.parallel.local import LocalPool  # noqa: PLC0415

            return LocalPool(count, pipeline)

        return local
    if executor == "dask" or executor.startswith("dask://"):
        address = executor if executor != "dask" else None

        def dask(pipeline: Pipeline) -> Pool:
            from ingest.parallel.dask import DaskPool  # noqa: PLC0415

            return DaskPool(pipeline, address=address, workers=workers)

        return dask
    raise UsageError(f"--executor: {executor!r} is not one of local, dask, dask://HOST:PORT")
