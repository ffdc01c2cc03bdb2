"""Fetching a source: :func:`fetch_source` for fetch plugins (the ``http.*`` settings, and
conditional requests in runs on state), and :func:`probe_kind` for URLs whose name does not
tell their kind."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ingest.config import Config
from ingest.errors import SourceError
from ingest.http.client import (
    DEFAULT_DEADLINE,
    DEFAULT_MAX_BYTES,
    DEFAULT_TIMEOUT,
    DEFAULT_USER_AGENT,
    fetch,
    shared_client,
)
from ingest.http.errors import HttpError, retry_after_seconds
from ingest.http.state import HttpResponse, HttpState
from ingest.locations import HEAD_BYTES, Source

#: What a fetch made only to tell a URL's kind accepts: anything, news formats first.
PROBE_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json, "
    "application/xml;q=0.9, text/html;q=0.8, */*;q=0.5"
)


def fetch_with_config(
    url: str,
    config: Config,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    accept: str | None = None,
) -> HttpResponse:
    """:func:`fetch` with the ``http.*`` settings (their defaults if the plugin is disabled)."""
    timeout = float(_setting(config, "http.timeout", DEFAULT_TIMEOUT))
    return fetch(
        url,
        max_bytes=int(_setting(config, "http.max_bytes", DEFAULT_MAX_BYTES)),
        timeout=timeout,
        deadline=float(_setting(config, "http.deadline", DEFAULT_DEADLINE)),
        user_agent=str(_setting(config, "http.user_agent", DEFAULT_USER_AGENT)),
        etag=etag,
        last_modified=last_modified,
        accept=accept,
        client=shared_client(timeout),
    )


def fetch_source(source: Source, config: Config, *, accept: str | None = None) -> HttpResponse:
    """Fetch a URL source with the ``http.*`` settings, conditionally when ``source.http``
    holds validators, and record what the response said in ``source.http``.

    :returns: the response; ``response.not_modified`` means the caller has nothing to read.
    :raises SourceError: any failure, as one line naming the source.
    """
    state = source.http
    if state is not None and state.prefetched is not None:
        response, state.prefetched = state.prefetched, None
    else:
        try:
            response = fetch_with_config(
                source.location,
                config,
                etag=state.etag if state else None,
                last_modified=state.last_modified if state else None,
                accept=accept,
            )
        except HttpError as exc:
            if state is not None:
                state.status, state.retry_after = exc.status, exc.retry_after
            raise SourceError(source.label(), exc.reason) from None
    if state is not None:
        state.status = response.status
        state.not_modified = response.not_modified
        state.moved_to = response.permanent_redirect
        state.max_age = _max_age(response.headers)
        state.received = len(response.content)
        # A 304 may carry fresher validators; a 200 without them means: do not send old ones.
        if response.etag or not response.not_modified:
            state.etag = response.etag
        if response.last_modified or not response.not_modified:
            state.last_modified = response.last_modified
    return response


def probe_kind(
    location: str,
    config: Config,
    detect: Callable[[str, bytes], str | None],
    media_types: Mapping[str, list[str]],
) -> Source | SourceError:
    """The source at a URL whose name does not tell its kind: fetch it once, and take the
    kind that alone declares its ``Content-Type``, else the one that recognizes its first
    bytes. The response travels with the source, so it is not fetched twice.

    :param media_types: media type -> the kinds that declare it.
    """
    try:
        response = fetch_with_config(location, config, accept=PROBE_ACCEPT)
    except HttpError as exc:
        return SourceError(location, exc.reason)
    claimed = media_types.get(response.content_type, [])
    kind = claimed[0] if len(claimed) == 1 else detect(location, response.content[:HEAD_BYTES])
    if kind is None:
        return SourceError(
            location,
            f"no plugin reads what it serves ({response.content_type or 'no Content-Type'})",
        )
    return Source(kind, location, http=HttpState(prefetched=response))


def _max_age(headers: Mapping[str, str]) -> float | None:
    """Seconds the response may be reused: ``Cache-Control: max-age``, else ``Expires``."""
    control = headers.get("cache-control", "").lower()
    for directive in control.split(","):
        name, _, value = directive.strip().partition("=")
        if name in ("no-cache", "no-store"):
            return None
        if name == "max-age" and value.strip().strip('"').isdigit():
            return float(value.strip().strip('"'))
    expires = headers.get("expires")
    if expires:
        seconds = retry_after_seconds(expires)
        if seconds is not None:
            return seconds
    return None


def _setting(config: Config, name: str, default: Any) -> Any:
    """A setting's value, or ``default`` when the http plugin is disabled (never declared)."""
    return config.get(name) if name in config.settings else default
