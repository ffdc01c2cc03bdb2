"""HTTP fetching for the feed, page and post plugins: HTTP is ours, not feedparser's.

:func:`fetch` makes one streamed GET with httpx and does the parts that must not be left to
chance itself: redirects (at most five, loops refused), gzip and deflate decompression with a
cap on the *decompressed* size, a byte limit and a total deadline checked as the body
streams, and conditional requests (``If-None-Match``/``If-Modified-Since``). Every failure is
an :class:`HttpError` with a one-line reason, never a raw httpx exception.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import httpx
import pluggy

from ingest._version import __version__
from ingest.config import Config, Settings
from ingest.errors import SourceError
from ingest.hookspecs import PROJECT
from ingest.httpbody import BodyRefused, BoundedBody, too_large
from ingest.httperrors import HttpError, describe, retry_after_seconds, status_error
from ingest.locations import HEAD_BYTES, Source

# The same marker as ``ingest.hookimpl``; made here so that core modules may import this one
# while ``ingest/__init__.py`` is still initializing.
hookimpl = pluggy.HookimplMarker(PROJECT)

DEFAULT_TIMEOUT = 10.0
DEFAULT_DEADLINE = 60.0
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
DEFAULT_USER_AGENT = f"ingest/{__version__} (+news ingestion toolkit)"
MAX_REDIRECTS = 5
#: What a fetch made only to tell a URL's kind accepts: anything, news formats first.
PROBE_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json, "
    "application/xml;q=0.9, text/html;q=0.8, */*;q=0.5"
)

_PROXY_VARIABLES = (
    *("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"),
    *("http_proxy", "https_proxy", "all_proxy", "no_proxy"),
)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """A 2xx response with its body read and decompressed, or a 304 Not Modified."""

    #: The final URL, after redirects.
    url: str
    #: The status code: 2xx, or 304.
    status: int
    #: Response headers by lowercase name; a repeated header's values are joined by ", ".
    headers: Mapping[str, str]
    #: The body, decompressed; empty for a 304.
    content: bytes
    #: True for a 304: the copy the caller's etag/last_modified describe is still current.
    not_modified: bool = False
    #: Where the URL now lives when the chain started with 301/308 (the URL reached by those
    #: leading permanent redirects), for the caller to store; None otherwise.
    permanent_redirect: str | None = None

    @property
    def etag(self) -> str | None:
        """The ``ETag`` header, to send back as ``etag`` next time."""
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        """The ``Last-Modified`` header, to send back as ``last_modified`` next time."""
        return self.headers.get("last-modified")

    @property
    def content_type(self) -> str:
        """The media type, lowercased, without parameters (``text/html``); "" when absent."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @property
    def charset(self) -> str | None:
        """The ``charset`` parameter of ``Content-Type``, lowercased, or None."""
        for param in self.headers.get("content-type", "").split(";")[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "charset":
                return value.strip().strip("\"'").lower() or None
        return None


@dataclass(slots=True)
class HttpState:
    """A source's HTTP memory across runs: the validators sent with the next fetch, and what
    that fetch learned. Runs on state attach one to ``Source.http``; :func:`fetch_source`
    sends and updates it, and the ledger keeps it once the source's articles are committed."""

    #: Validators from the last successful fetch, sent as If-None-Match/If-Modified-Since.
    etag: str | None = None
    last_modified: str | None = None
    #: The status of the last response (2xx, 304 or the error status); None before any.
    status: int | None = None
    #: True when the server answered 304: nothing changed, nothing to read.
    not_modified: bool = False
    #: Where a permanent redirect (301/308) said the source now lives.
    moved_to: str | None = None
    #: ``Cache-Control: max-age`` (or ``Expires``) of the response, in seconds.
    max_age: float | None = None
    #: ``Retry-After`` of a 429/503 answer, in seconds.
    retry_after: float | None = None
    #: Body bytes received (decompressed), for status and benchmarks.
    received: int = 0
    #: A response already fetched to tell the source's kind (a URL whose name does not
    #: say it): :func:`fetch_source` hands it over instead of fetching the URL again.
    prefetched: HttpResponse | None = None


@dataclass(frozen=True, slots=True)
class _Limits:
    max_bytes: int
    timeout: float
    deadline: float
    ends: float  # time.monotonic() value past which the fetch gives up


@hookimpl
def ingest_add_settings(settings: Settings) -> None:
    """Declare ``http.timeout``, ``http.deadline``, ``http.max_bytes`` and ``http.user_agent``."""
    settings.add("http.timeout", DEFAULT_TIMEOUT, "Seconds to wait to connect or for data.")
    settings.add("http.deadline", DEFAULT_DEADLINE, "Most seconds for one response, body included.")
    settings.add(
        "http.max_bytes", DEFAULT_MAX_BYTES, "Refuse bodies larger than this, decompressed."
    )
    settings.add("http.user_agent", DEFAULT_USER_AGENT, "The User-Agent header sent.")


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


def shared_client(timeout: float) -> httpx.Client:
    """One pooled client per process (and timeout, and proxy environment): a new client
    loads the CA bundle and builds a TLS context, 16 ms each time, which made an unchanged
    500-feed run cost 8 s of nothing; a shared one also keeps connections alive."""
    proxies = tuple(os.environ.get(name) for name in _PROXY_VARIABLES)
    return _client(timeout, proxies)


@functools.cache
def _client(timeout: float, proxies: tuple[str | None, ...]) -> httpx.Client:
    return httpx.Client(timeout=timeout)


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


def fetch(
    url: str,
    *,
    max_bytes: int,
    timeout: float,
    deadline: float,
    user_agent: str,
    etag: str | None = None,
    last_modified: str | None = None,
    accept: str | None = None,
    client: httpx.Client | None = None,
) -> HttpResponse:
    """GET an http(s) URL, following redirects, and return the decompressed body.

    :param max_bytes: refuse a body larger than this, compressed or decompressed.
    :param timeout: seconds to wait to connect, and for each read.
    :param deadline: total seconds for the whole fetch, redirects and body included.
    :param etag, last_modified: validators from the last fetch: a 304 then gives
        ``not_modified=True`` and an empty body.
    :param accept: the ``Accept`` header, if any.
    :param client: an httpx client to reuse (connection pooling); one is made otherwise.
    :raises HttpError: any failure, a non-2xx status other than 304 included.
    """
    optional = {"Accept": accept, "If-None-Match": etag, "If-Modified-Since": last_modified}
    headers = {"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"}
    headers.update({name: value for name, value in optional.items() if value})
    limits = _Limits(max_bytes, timeout, deadline, time.monotonic() + deadline)
    try:
        if client is not None:
            return _follow(client, url, headers, limits)
        with httpx.Client(timeout=timeout) as own:
            return _follow(own, url, headers, limits)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise HttpError(describe(exc, timeout)) from exc


def _follow(
    client: httpx.Client, url: str, headers: dict[str, str], limits: _Limits
) -> HttpResponse:
    """Send the GET and the redirects it leads to, each hop under the same limits."""
    _check_url(url, "not an http(s) URL")
    seen = {str(httpx.URL(url))}
    permanent: str | None = None
    leading_permanent = True
    for _ in range(MAX_REDIRECTS + 1):
        if time.monotonic() > limits.ends:
            raise HttpError(f"took longer than {limits.deadline:g} s")
        request = client.build_request("GET", url, headers=headers, timeout=limits.timeout)
        response = client.send(request, stream=True, follow_redirects=False)
        try:
            if response.status_code not in _REDIRECTS:
                return _finish(response, limits, permanent)
            url = _location(response)
        finally:
            response.close()
        if url in seen:
            raise HttpError("redirect loop")
        seen.add(url)
        leading_permanent = leading_permanent and response.status_code in _PERMANENT
        permanent = url if leading_permanent else permanent
    raise HttpError(f"too many redirects ({MAX_REDIRECTS})")


def _check_url(url: str, reason: str) -> None:
    parsed = httpx.URL(url)
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise HttpError(reason)


def _location(response: httpx.Response) -> str:
    """The absolute URL a redirect points to."""
    location = response.headers.get("location", "").strip()
    if not location:
        raise status_error(response, " without a Location")
    target = str(response.url.join(location).copy_with(fragment=None))
    _check_url(target, "redirected to a URL that is not http(s)")
    return target


def _finish(response: httpx.Response, limits: _Limits, permanent: str | None) -> HttpResponse:
    """Read the final response's body, or raise for an error status."""
    status = response.status_code
    if status != 304 and not 200 <= status < 300:
        raise status_error(response)
    content = b"" if status == 304 else _read_body(response, limits)
    headers = MappingProxyType({k.lower(): v for k, v in response.headers.items()})
    return HttpResponse(str(response.url), status, headers, content, status == 304, permanent)


def _read_body(response: httpx.Response, limits: _Limits) -> bytes:
    """Stream the body, refusing it as soon as it is too large or too slow."""
    declared = response.headers.get("content-length", "").strip()
    if declared.isascii() and declared.isdigit() and int(declared) > limits.max_bytes:
        raise HttpError(too_large(limits.max_bytes))
    try:
        body = BoundedBody(response.headers.get("content-encoding", ""), limits.max_bytes)
        for chunk in response.iter_raw():
            body.feed(chunk)
            # Checked between chunks: a read timeout alone never stops a server that dribbles.
            if time.monotonic() > limits.ends:
                raise HttpError(f"took longer than {limits.deadline:g} s (the server kept sending)")
        return body.finish()
    except BodyRefused as exc:
        raise HttpError(str(exc)) from None
