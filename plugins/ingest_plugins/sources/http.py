"""The ``http.*`` settings: how every plugin that reads URLs fetches them.

Fetching itself is the core's (:func:`ingest.helpers.fetch_source`, and
:func:`ingest.helpers.fetch_page` for pages, politely); this plugin declares the settings
users tune. Switched off, fetching keeps its defaults.
"""

from __future__ import annotations

from ingest import Settings, hookimpl
from ingest.helpers import (
    DEFAULT_CONCURRENCY,
    DEFAULT_DEADLINE,
    DEFAULT_HOST_CONCURRENCY,
    DEFAULT_HOST_DELAY,
    DEFAULT_MAX_BYTES,
    DEFAULT_TIMEOUT,
    DEFAULT_USER_AGENT,
)


@hookimpl
def ingest_add_settings(settings: Settings) -> None:
    """Declare ``http.timeout``, ``http.deadline``, ``http.max_bytes``, ``http.user_agent``,
    ``http.concurrency`` (sources fetched at once), and politeness: ``http.robots``,
    ``http.host_delay`` (pages) and ``http.host_concurrency``."""
    settings.add("http.timeout", DEFAULT_TIMEOUT, "Seconds to wait to connect or for data.")
    settings.add("http.deadline", DEFAULT_DEADLINE, "Most seconds for one response, body included.")
    settings.add(
        "http.max_bytes", DEFAULT_MAX_BYTES, "Refuse bodies larger than this, decompressed."
    )
    settings.add("http.user_agent", DEFAULT_USER_AGENT, "The User-Agent header sent.")
    settings.add(
        "http.robots", True, "Obey each host's robots.txt when fetching pages (--ignore-robots)."
    )
    settings.add(
        "http.host_delay",
        DEFAULT_HOST_DELAY,
        "Least seconds between two page requests to one host (a longer Crawl-delay wins).",
    )
    settings.add(
        "http.host_concurrency",
        DEFAULT_HOST_CONCURRENCY,
        "Most requests to one host at a time, sources and pages alike (at least 1).",
    )
    settings.add(
        "http.concurrency",
        DEFAULT_CONCURRENCY,
        "Most sources fetched at once, ahead of the run reading them (1: one at a time).",
    )
