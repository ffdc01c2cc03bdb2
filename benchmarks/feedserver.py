"""A real HTTP feed server on 127.0.0.1 for benchmarks: conditional GET, gzip, counters.

Feed number ``i`` is served at ``/feeds/{i:04}`` with a strong ETag (the quoted sha1 of its
body) and a Last-Modified date. A request whose ``If-None-Match`` lists the current ETag, or
that has no ``If-None-Match`` and an ``If-Modified-Since`` not older than Last-Modified
(RFC 9110 section 13.2.2: the ETag wins when both are sent), is answered ``304 Not
Modified`` without a body. ``Accept-Encoding: gzip`` gets the body gzipped once, when the
feed is set, not per request. The server speaks HTTP/1.1 with ``Content-Length``, so clients
keep their connections alive, and logs nothing.

It counts requests, conditional requests, 304 and 200 answers and the body bytes put on the
wire (the gzipped size when gzipped), thread-safely::

    with serve_feeds(bodies, content_types) as server:
        httpx.get(server.url(0))
        print(server.stats())    # ServerStats(requests=1, ..., body_bytes=...)
        server.reset()
        server.set_body(0, b"...")   # a new ETag and a later Last-Modified
"""

from __future__ import annotations

import gzip
import hashlib
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import Message
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: Last-Modified of every feed as first served; each ``set_body`` moves it a day later.
BASE_DATE = datetime(2024, 1, 1, tzinfo=UTC)

_PATH = re.compile(r"/feeds/(\d{4,})")


@dataclass(frozen=True, slots=True)
class ServerStats:
    """What the server answered since it started or was last reset."""

    #: Every request received, whatever the answer.
    requests: int = 0
    #: Requests carrying ``If-None-Match`` or ``If-Modified-Since``.
    conditional: int = 0
    #: ``304 Not Modified`` answers.
    not_modified: int = 0
    #: ``200 OK`` answers.
    ok: int = 0
    #: ``200`` answers sent gzipped.
    gzipped: int = 0
    #: Answers that were neither 200 nor 304 (unknown path, method not allowed).
    other: int = 0
    #: Body bytes sent, as on the wire (compressed when gzipped).
    body_bytes: int = 0


@dataclass(frozen=True, slots=True)
class _Feed:
    """One feed's current representation, computed once when its body is set."""

    body: bytes
    gzipped: bytes
    content_type: str
    etag: str
    last_modified: datetime

    @classmethod
    def make(cls, body: bytes, content_type: str, last_modified: datetime) -> _Feed:
        etag = f'"{hashlib.sha1(body).hexdigest()}"'
        packed = gzip.compress(body, compresslevel=6, mtime=0)
        return cls(body, packed, content_type, etag, last_modified)


class FeedServer:
    """Serves feeds from memory in a daemon thread; use :func:`serve_feeds` to run one."""

    def __init__(self, bodies: Sequence[bytes], content_types: Sequence[str]) -> None:
        if len(bodies) != len(content_types):
            raise ValueError("one content type per body")
        self._feeds = [
            _Feed.make(body, kind, BASE_DATE)
            for body, kind in zip(bodies, content_types, strict=True)
        ]
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._full: dict[int, int] = {}
        self._httpd = _HTTPServer(("127.0.0.1", 0), _Handler, self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="feedserver", daemon=True
        )

    @property
    def port(self) -> int:
        """The ephemeral port the server listens on."""
        return int(self._httpd.server_address[1])

    def __len__(self) -> int:
        return len(self._feeds)

    def url(self, index: int) -> str:
        """The URL of feed ``index``."""
        return f"http://127.0.0.1:{self.port}/feeds/{index:04}"

    def set_body(self, index: int, body: bytes) -> None:
        """Replace feed ``index``'s body: a new ETag, Last-Modified a day later."""
        with self._lock:
            old = self._feeds[index]
            later = old.last_modified + timedelta(days=1)
            self._feeds[index] = _Feed.make(body, old.content_type, later)

    def stats(self) -> ServerStats:
        """The counters now."""
        with self._lock:
            return ServerStats(**self._counts)

    def full_answers(self) -> dict[int, int]:
        """How many ``200`` answers each feed got (by index), for the feeds that got any."""
        with self._lock:
            return dict(self._full)

    def reset(self) -> None:
        """Zero the counters."""
        with self._lock:
            self._counts.clear()
            self._full.clear()

    def start(self) -> None:
        """Start serving in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def _respond(self, path: str, request: Message) -> _Response:
        """The answer to a GET of ``path`` with the request headers ``request``."""
        match = _PATH.fullmatch(path.split("?", 1)[0])
        if match is None or int(match.group(1)) >= len(self._feeds):
            return _Response(HTTPStatus.NOT_FOUND, {"Content-Type": "text/plain"}, b"no feed\n")
        index = int(match.group(1))
        with self._lock:
            feed = self._feeds[index]
        headers = {
            "ETag": feed.etag,
            "Last-Modified": format_datetime(feed.last_modified, usegmt=True),
            "Vary": "Accept-Encoding",
            "Cache-Control": "no-cache",
        }
        if _not_modified(request.get("If-None-Match"), request.get("If-Modified-Since"), feed):
            return _Response(HTTPStatus.NOT_MODIFIED, headers, None, index)
        headers["Content-Type"] = feed.content_type
        if _accepts_gzip(request.get("Accept-Encoding", "")):
            headers["Content-Encoding"] = "gzip"
            return _Response(HTTPStatus.OK, headers, feed.gzipped, index, gzipped=True)
        return _Response(HTTPStatus.OK, headers, feed.body, index)

    def _record(self, response: _Response, *, conditional: bool, body_bytes: int) -> None:
        """Count one answer."""
        field = {HTTPStatus.OK: "ok", HTTPStatus.NOT_MODIFIED: "not_modified"}.get(
            response.status, "other"
        )
        with self._lock:
            counts = self._counts
            counts["requests"] = counts.get("requests", 0) + 1
            counts["conditional"] = counts.get("conditional", 0) + conditional
            counts[field] = counts.get(field, 0) + 1
            counts["gzipped"] = counts.get("gzipped", 0) + response.gzipped
            counts["body_bytes"] = counts.get("body_bytes", 0) + body_bytes
            if response.status == HTTPStatus.OK and response.index is not None:
                self._full[response.index] = self._full.get(response.index, 0) + 1


@dataclass(frozen=True, slots=True)
class _Response:
    """What to answer: status, headers, and the body (None: none at all, as for 304)."""

    status: HTTPStatus
    headers: dict[str, str]
    body: bytes | None
    index: int | None = None
    gzipped: bool = False


class _HTTPServer(ThreadingHTTPServer):
    """The standard threading server, with a deeper backlog and a link to its feeds."""

    daemon_threads = True
    request_queue_size = 256

    def __init__(
        self, address: tuple[str, int], handler: type[_Handler], feeds: FeedServer
    ) -> None:
        self.feeds = feeds
        super().__init__(address, handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in separate writes: with Nagle's algorithm the body's last
    # segment waits for the client's delayed ACK, 40 ms per response, which would be
    # measured as the client's time.
    disable_nagle_algorithm = True
    server: _HTTPServer

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: no request log on stderr."""

    def _answer(self, *, send_body: bool) -> None:
        feeds = self.server.feeds
        response = feeds._respond(self.path, self.headers)
        body = response.body
        # Counted before answering, so that a client that has its answer sees it counted.
        conditional = "If-None-Match" in self.headers or "If-Modified-Since" in self.headers
        sent = len(body) if body is not None and send_body else 0
        feeds._record(response, conditional=conditional, body_bytes=sent)
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if body is not None:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body is not None and send_body:
            self.wfile.write(body)


def _not_modified(if_none_match: str | None, if_modified_since: str | None, feed: _Feed) -> bool:
    """Whether the request's validators match ``feed`` (RFC 9110 section 13.2.2)."""
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or feed.etag in tags
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False  # an invalid date is ignored
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return since >= feed.last_modified


def _accepts_gzip(accept_encoding: str) -> bool:
    """Whether ``Accept-Encoding`` admits gzip (listed, or ``*``, without ``q=0``)."""
    for item in accept_encoding.split(","):
        name, _, params = item.partition(";")
        if name.strip().lower() not in {"gzip", "x-gzip", "*"}:
            continue
        quality = params.strip().lower().removeprefix("q=")
        try:
            return not params.strip() or float(quality) > 0
        except ValueError:
            return True
    return False


@contextmanager
def serve_feeds(bodies: Sequence[bytes], content_types: Sequence[str]) -> Iterator[FeedServer]:
    """Serve ``bodies`` (feed ``i`` at ``/feeds/{i:04}``) on 127.0.0.1 for the ``with`` block."""
    server = FeedServer(bodies, content_types)
    server.start()
    try:
        yield server
    finally:
        server.stop()
