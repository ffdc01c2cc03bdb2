"""HTTP fetching for the feed, page and post plugins: HTTP is ours, not feedparser's.

:func:`fetch` makes one streamed GET with httpx and does the parts that must not be left to
chance itself: redirects (at most five, loops refused), gzip and deflate decompression with a
cap on the *decompressed* size, a byte limit and a total deadline checked as the body
streams, and conditional requests (``If-None-Match``/``If-Modified-Since``). Every failure is
an :class:`HttpError` with a one-line reason, never a raw httpx exception.

httpx is imported by the first request, not with this module: a run that reads only files,
and ``ingest --version``, never load it (0.1 s or more).
"""

from __future__ import annotations

import contextlib
import functools
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from ingest._version import __version__
from ingest.errors import NeedsDriver
from ingest.http.body import BodyRefused, BoundedBody, too_large
from ingest.http.errors import HttpError, describe, status_error
from ingest.http.state import HttpResponse

if TYPE_CHECKING:
    import httpx

DEFAULT_TIMEOUT = 10.0
DEFAULT_DEADLINE = 60.0
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
DEFAULT_USER_AGENT = f"ingest/{__version__} (+news ingestion toolkit)"
MAX_REDIRECTS = 5
_PROXY_VARIABLES = (
    *("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"),
    *("http_proxy", "https_proxy", "all_proxy", "no_proxy"),
)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})


@dataclass(frozen=True, slots=True)
class _Limits:
    max_bytes: int
    timeout: float
    deadline: float
    ends: float  # time.monotonic() value past which the fetch gives up


#: Set in worker processes (``--workers``): they never fetch; see :class:`NeedsDriver`.
_offline = False


@contextlib.contextmanager
def offline() -> Iterator[None]:
    """Within the block, this process never fetches: every fetch raises
    :class:`~ingest.errors.NeedsDriver` (a worker of ``--workers`` reading an input)."""
    global _offline  # noqa: PLW0603 - a property of the whole process
    saved, _offline = _offline, True
    try:
        yield
    finally:
        _offline = saved


def shared_client(timeout: float) -> httpx.Client:
    """One pooled client per process (and timeout, and proxy environment): a new client
    loads the CA bundle and builds a TLS context, 16 ms each time, which made an unchanged
    500-feed run cost 8 s of nothing; a shared one also keeps connections alive."""
    proxies = tuple(os.environ.get(name) for name in _PROXY_VARIABLES)
    return _client(timeout, proxies)


@functools.cache
def _client(timeout: float, proxies: tuple[str | None, ...]) -> httpx.Client:
    import httpx  # noqa: PLC0415 - lazy: see the module docstring

    return httpx.Client(timeout=timeout)


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
    if _offline:
        raise NeedsDriver(url)
    import httpx  # noqa: PLC0415 - lazy: see the module docstring

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
    import httpx  # noqa: PLC0415 - lazy: see the module docstring

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
    import httpx  # noqa: PLC0415 - lazy: see the module docstring

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
