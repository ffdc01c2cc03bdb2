"""HTTP is ours, not feedparser's: bounded, conditional, redirect-checked fetching.

* :mod:`ingest.http.client`: :func:`fetch`, one streamed GET with every limit enforced;
* :mod:`ingest.http.body`: decompression capped on the *decompressed* size;
* :mod:`ingest.http.errors`: every failure as one line (:class:`HttpError`);
* :mod:`ingest.http.state`: the response, and what a source remembers of it across runs;
* :mod:`ingest.http.polite`: robots.txt per host, and a per-host pace;
* :mod:`ingest.http.prefetch`: the sources a run reads next, fetched ahead on threads;
* :mod:`ingest.http.sources`: :func:`fetch_source` for fetch plugins, :func:`fetch_page`
  (politely), :func:`probe_kind`.
"""

from ingest.http.client import (
    DEFAULT_DEADLINE,
    DEFAULT_MAX_BYTES,
    DEFAULT_TIMEOUT,
    DEFAULT_USER_AGENT,
    fetch,
)
from ingest.http.errors import HttpError
from ingest.http.polite import DEFAULT_HOST_CONCURRENCY, DEFAULT_HOST_DELAY
from ingest.http.prefetch import DEFAULT_CONCURRENCY, Prefetcher, prefetching
from ingest.http.sources import (
    fetch_page,
    fetch_source,
    fetch_with_config,
    prefetcher_for,
    probe_kind,
)
from ingest.http.state import HttpResponse, HttpState

__all__ = [
    "DEFAULT_CONCURRENCY",
    "DEFAULT_DEADLINE",
    "DEFAULT_HOST_CONCURRENCY",
    "DEFAULT_HOST_DELAY",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_TIMEOUT",
    "DEFAULT_USER_AGENT",
    "HttpError",
    "HttpResponse",
    "HttpState",
    "Prefetcher",
    "fetch",
    "fetch_page",
    "fetch_source",
    "fetch_with_config",
    "prefetcher_for",
    "prefetching",
    "probe_kind",
]
