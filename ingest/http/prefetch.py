"""Fetching ahead: the URLs a run will read next are fetched on threads, at most
``http.concurrency`` at a time and ``http.host_concurrency`` to one host, while the run's
one thread reads, processes and writes in the order the sources were given.

Nothing else changes: the run reads its sources one after the other as it always did, and
when a fetch plugin asks for a URL (:func:`~ingest.http.sources.fetch_with_config`) with the
same validators as were prefetched, it gets the prefetched response, or its error, instead of
a new request. So the ledger, backoff, 304s, ``Retry-After`` and redirects are handled by
the same code on the same thread as before; only the waiting overlaps. A URL the run reaches
before its prefetch started is fetched as before, and the prefetch is dropped.

At most ``window`` responses wait to be read, so memory stays bounded whatever the number of
sources.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager

from ingest.http.errors import HttpError
from ingest.http.polite import HostKey, host_key
from ingest.http.state import HttpResponse

#: What identifies a prefetch: the URL and the validators it was sent with.
Key = tuple[str, str | None, str | None]
#: Fetches one URL with its validators (the ``http.*`` settings applied).
Fetcher = Callable[[str, str | None, str | None], HttpResponse]

DEFAULT_CONCURRENCY = 16


class Prefetcher:
    """Fetches ``keys`` ahead on ``workers`` threads, in their order as far as the limits
    allow: at most ``per_host`` at a time to one host (a key whose host is busy waits without
    holding a thread, and later keys of other hosts go first), and at most ``window`` fetched
    or on their way and not yet taken.

    :param fetcher: the fetch itself; runs on the worker threads.
    """

    def __init__(
        self, fetcher: Fetcher, *, workers: int, per_host: int, window: int | None = None
    ) -> None:
        self._fetcher = fetcher
        self._workers = max(1, workers)
        self._per_host = max(1, per_host)
        self._window = window or 2 * self._workers
        # Daemon threads, not an executor's: Ctrl-C must not wait for a slow host's answer.
        self._queue: queue.SimpleQueue[tuple[Key, HostKey, Future[HttpResponse]] | None]
        self._queue = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._work, name=f"ingest-fetch-{n}", daemon=True)
            for n in range(self._workers)
        ]
        for thread in self._threads:
            thread.start()
        self._lock = threading.Lock()
        self._waiting: dict[Key, None] = {}  # in order; dicts keep it
        self._jobs: dict[Key, Future[HttpResponse]] = {}
        self._busy: dict[HostKey, int] = {}
        self._running = self._held = 0  # fetching now; fetched or fetching, not yet taken
        self._closed = False

    def start(self, keys: Iterable[Key]) -> None:
        """Start fetching ``keys`` ahead, in order (each key once)."""
        with self._lock:
            self._waiting.update(dict.fromkeys(keys))
            self._dispatch()

    def _dispatch(self) -> None:
        """Start what the limits allow, in order (the caller holds the lock)."""
        if self._closed:
            return
        started = []
        for key in self._waiting:
            if self._running >= self._workers or self._held >= self._window:
                break
            host = host_key(key[0])
            if self._busy.get(host, 0) >= self._per_host:
                continue
            self._busy[host] = self._busy.get(host, 0) + 1
            self._running += 1
            self._held += 1
            started.append(key)
            job: Future[HttpResponse] = Future()
            self._jobs[key] = job
            self._queue.put((key, host, job))
        for key in started:
            del self._waiting[key]

    def _work(self) -> None:
        while (task := self._queue.get()) is not None:
            key, host, job = task
            try:
                job.set_result(self._fetcher(*key))
            except BaseException as exc:  # handed to the reader, which raises it
                job.set_exception(exc)
            finally:
                with self._lock:
                    self._busy[host] -= 1
                    self._running -= 1
                    self._dispatch()

    def take(self, key: Key) -> HttpResponse | None:
        """The prefetched response of ``key`` (waiting for it if on its way), or None when
        its fetch has not started (it never will: the caller fetches it now).

        :raises HttpError: the prefetch failed as the fetch itself would have.
        """
        with self._lock:
            self._waiting.pop(key, None)
            job = self._jobs.pop(key, None)
        if job is None:
            return None
        try:
            return job.result()
        finally:
            with self._lock:
                self._held -= 1
                self._dispatch()

    def close(self) -> None:
        """Stop fetching ahead; what was fetched and not taken is dropped."""
        with self._lock:
            self._closed = True
            self._waiting.clear()
        for _ in self._threads:
            self._queue.put(None)


_active: Prefetcher | None = None


@contextmanager
def prefetching(prefetcher: Prefetcher | None) -> Iterator[None]:
    """Within the block, :func:`take` answers from ``prefetcher`` (None: from nothing)."""
    global _active  # noqa: PLW0603 - one run at a time owns the process's fetching ahead
    saved, _active = _active, prefetcher
    try:
        yield
    finally:
        _active = saved
        if prefetcher is not None:
            prefetcher.close()


def take(url: str, etag: str | None, last_modified: str | None) -> HttpResponse | None:
    """The response prefetched for ``url`` with these validators, if any.

    :raises HttpError: the prefetch failed.
    """
    active = _active
    if active is None:
        return None
    return active.take((url, etag, last_modified))


__all__ = ["DEFAULT_CONCURRENCY", "HttpError", "Prefetcher", "prefetching", "take"]
