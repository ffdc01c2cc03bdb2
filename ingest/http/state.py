"""What HTTP fetching hands back (:class:`HttpResponse`) and what a source remembers of it
across runs (:class:`HttpState`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ingest.http.errors import HttpError


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

    def __reduce__(self) -> tuple[Any, ...]:
        # Fetched ahead, a response travels to a worker process (--workers): its read-only
        # headers go as a dict.
        fields = (self.url, self.status, dict(self.headers), self.content)
        return _response, (fields, self.not_modified, self.permanent_redirect)

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


def _response(
    fields: tuple[str, int, dict[str, str], bytes],
    not_modified: bool,
    permanent_redirect: str | None,
) -> HttpResponse:
    url, status, headers, content = fields
    return HttpResponse(
        url, status, MappingProxyType(headers), content, not_modified, permanent_redirect
    )


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
    #: say it), or fetched ahead for a worker process: :func:`fetch_source` hands it over
    #: (or raises the error that fetch ended in) instead of fetching the URL again.
    prefetched: HttpResponse | HttpError | None = None
