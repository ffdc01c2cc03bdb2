"""The ``http.*`` settings: how every plugin that reads URLs fetches them.

Fetching itself is the core's (:func:`ingest.helpers.fetch_source`); this plugin declares the
settings users tune. Switched off, fetching keeps its defaults.
"""

from __future__ import annotations

from ingest import Settings, hookimpl
from ingest.helpers import (
    DEFAULT_DEADLINE,
    DEFAULT_MAX_BYTES,
    DEFAULT_TIMEOUT,
    DEFAULT_USER_AGENT,
)


@hookimpl
def ingest_add_settings(settings: Settings) -> None:
    """Declare ``http.timeout``, ``http.deadline``, ``http.max_bytes`` and ``http.user_agent``."""
    settings.add("http.timeout", DEFAULT_TIMEOUT, "Seconds to wait to connect or for data.")
    settings.add("http.deadline", DEFAULT_DEADLINE, "Most seconds for one response, body included.")
    settings.add(
        "http.max_bytes", DEFAULT_MAX_BYTES, "Refuse bodies larger than this, decompressed."
    )
    settings.add("http.user_agent", DEFAULT_USER_AGENT, "The User-Agent header sent.")
