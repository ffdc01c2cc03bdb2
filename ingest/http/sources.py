"""Fetching a source: :func:`fetch_source` for fetch plugins (the ``http.*`` settings, and
conditional requests in runs on state), :func:`fetch_page` for pages (the same, politely:
robots.txt and a per-host pace), and :func:`probe_kind` for URLs whose name does not tell
their kind."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ingest.config import Config
from ingest.errors import SourceError
from ingest.http import prefetch
from ingest.http.client import (
    DEFAULT_DEADLINE,
    DEFAULT_MAX_BYTES,
    DEFAULT_TIMEOUT,
    DEFAULT_USER_AGENT,
    fetch,
    shared_client,
)
from ingest.http.errors import HttpError, retry_after_seconds
from ingest.http.polite import (
    DEFAULT_HOST_CONCURRENCY,
    DEFAULT_HOST_DELAY,
    PACER,
    ROBOTS,
    HostKey,
    host_key,
    product_token,
    request_target,
)
from ingest.http.state import HttpResponse, HttpState
from ingest.locations import HEAD_BYTES, Source

#: What a fetch made only to tell a URL's kind accepts: anything, news formats first.
PROBE_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json, "
    "application/xml;q=0.9, text/html;q=0.8, */*;q=0.5"
)
#: What a robots.txt fetch accepts.
ROBOTS_ACCEPT = "text/plain, */*;q=0.5"


def fetch_with_config(
    url: str,
    config: Config,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    accept: str | None = None,
    ahead: bool = True,
) -> HttpResponse:
    """:func:`fetch` with the ``http.*`` settings (their defaults if the plugin is disabled);
    with ``ahead``, the response fetched ahead for this URL and these validators when the run
    fetched it ahead (:mod:`ingest.http.prefetch`)."""
    if ahead and (response := prefetch.take(url, etag, last_modified)) is not None:
        return response
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


def fetch_page(
    url: str,
    config: Config,
    *,
    accept: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
) -> HttpResponse:
    """Fetch one page politely: unless ``http.robots`` is off, only when the host's
    robots.txt allows it (fetched once per host), and paced per host (``http.host_delay``,
    or a longer ``Crawl-delay``; at most ``http.host_concurrency`` requests at a time),
    then as :func:`fetch_with_config` does.

    :raises SourceError: any failure, ``disallowed by robots.txt (URL)`` included, as one
        line naming ``url``.
    """
    try:
        return _fetch_politely(url, config, etag=etag, last_modified=last_modified, accept=accept)
    except HttpError as exc:
        raise SourceError(url, exc.reason) from None


def _fetch_politely(
    url: str,
    config: Config,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    accept: str | None = None,
) -> HttpResponse:
    key = host_key(url)
    interval = robots_check(url, config, key)
    with PACER.slot(key, interval=interval, concurrency=_concurrency(config)):
        return fetch_with_config(url, config, etag=etag, last_modified=last_modified, accept=accept)


def robots_check(url: str, config: Config, key: HostKey | None = None) -> float:
    """Refuse ``url`` when its host's robots.txt disallows it (unless ``http.robots`` is
    off), fetching that robots.txt first if this process has not yet.

    :returns: the seconds to leave between requests to the host: ``http.host_delay``, or
        the robots.txt ``Crawl-delay`` when longer.
    :raises HttpError: ``disallowed by robots.txt (URL)``, or why the whole host is.
    """
    key = key or host_key(url)
    delay = max(0.0, float(_setting(config, "http.host_delay", DEFAULT_HOST_DELAY)))
    if not _setting(config, "http.robots", True):
        return delay

    def fetch_robots(robots_url: str) -> HttpResponse:
        with PACER.slot(key, interval=delay, concurrency=_concurrency(config)):
            return fetch_with_config(robots_url, config, accept=ROBOTS_ACCEPT)

    agent = str(_setting(config, "http.user_agent", DEFAULT_USER_AGENT))
    rules = ROBOTS.robots(key, fetch_robots).rules_for(product_token(agent))
    if rules.refusal is not None:
        raise HttpError(rules.refusal)
    if not rules.allows(request_target(url)):
        raise HttpError(f"disallowed by robots.txt ({rules.url})")
    return max(delay, rules.crawl_delay or 0.0)


def fetch_source(
    source: Source, config: Config, *, accept: str | None = None, polite: bool = False
) -> HttpResponse:
    """Fetch a URL source with the ``http.*`` settings, conditionally when ``source.http``
    holds validators, and record what the response said in ``source.http``.

    :param polite: fetch it as :func:`fetch_page` does (robots.txt, per-host pace): for
        pages. A response fetched already to tell the source's kind is still refused when
        robots.txt disallows the URL.
    :returns: the response; ``response.not_modified`` means the caller has nothing to read.
    :raises SourceError: any failure, as one line naming the source.
    """
    state = source.http
    try:
        if state is not None and state.prefetched is not None:
            response, state.prefetched = state.prefetched, None
            if isinstance(response, HttpError):
                raise response
            if polite:
                robots_check(source.location, config)
        else:
            get = _fetch_politely if polite else fetch_with_config
            response = get(
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
        _remember(state, response)
    return response


def _remember(state: HttpState, response: HttpResponse) -> None:
    """Record in ``state`` what ``response`` said, for the next run."""
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


def _concurrency(config: Config) -> int:
    return max(1, int(_setting(config, "http.host_concurrency", DEFAULT_HOST_CONCURRENCY)))


def prefetcher_for(config: Config) -> prefetch.Prefetcher | None:
    """A :class:`~ingest.http.prefetch.Prefetcher` with the ``http.*`` settings
    (``http.concurrency`` in all, ``http.host_concurrency`` to one host); None when
    ``http.concurrency`` is 1: one fetch at a time, as the run reads."""
    workers = int(_setting(config, "http.concurrency", prefetch.DEFAULT_CONCURRENCY))
    if workers <= 1:
        return None
    per_host = int(_setting(config, "http.host_concurrency", DEFAULT_HOST_CONCURRENCY))

    def fetcher(url: str, etag: str | None, last_modified: str | None) -> HttpResponse:
        return fetch_with_config(
            url, config, etag=etag, last_modified=last_modified, accept=PROBE_ACCEPT, ahead=False
        )

    return prefetch.Prefetcher(fetcher, workers=workers, per_host=per_host)


def _setting(config: Config, name: str, default: Any) -> Any:
    """A setting's value, or ``default`` when the http plugin is disabled (never declared)."""
    return config.get(name) if name in config.settings else default
