"""ingest.http against a real HTTP server on 127.0.0.1: limits, redirects, errors, caching."""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from ingest.config import Config, Settings
from ingest.http import (
    DEFAULT_MAX_BYTES,
    DEFAULT_USER_AGENT,
    HttpResponse,
    fetch,
    fetch_with_config,
)
from ingest.http.body import BodyRefused, BoundedBody
from ingest.http.errors import HttpError, describe
from ingest.manager import get_plugin_manager
from ingest_plugins.sources.http import ingest_add_settings
from tests.servers import gzip_bomb

TEXT = "Council approves the budget after a long night. Ünïcödé stays intact.\n".encode() * 50
ETAG = '"v1"'
LAST_MODIFIED = "Tue, 02 Jan 2024 10:00:00 GMT"
SMALL = 10_000  # the byte limit for the size tests that do not need a real bomb


class _Server(ThreadingHTTPServer):
    bomb: bytes
    stopping: threading.Event


class _Handler(BaseHTTPRequestHandler):
    """Routes that misbehave at the socket level (linger, dribble, a body that never ends),
    which the ``Reply`` routes of ``tests/servers.py`` cannot express."""

    server: _Server
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep the test output clean

    def do_GET(self) -> None:
        name, _, arg = self.path.lstrip("/").partition("/")
        try:
            ROUTES[name](self, arg)
        except (BrokenPipeError, ConnectionResetError):
            return  # the client gave up, as it should

    def reply(self, status: int, body: bytes = b"", **headers: str) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def linger(self) -> None:
        """Keep the connection open, sending nothing, until the client or the server leaves."""
        self.connection.settimeout(0.1)
        while not self.server.stopping.is_set():
            try:
                if not self.connection.recv(1):
                    return
            except TimeoutError:
                continue


def _echo(h: _Handler, _: str) -> None:
    h.reply(200, json.dumps(dict(h.headers.items())).encode(), Content_Type="application/json")


def _redirect(status: int, location: str) -> Callable[[_Handler, str], None]:
    return lambda h, _: h.reply(status, Location=location)


def _chain(h: _Handler, arg: str) -> None:
    if int(arg):
        h.reply(302, Location=str(int(arg) - 1))
    else:
        h.reply(200, b"end of chain")


def _bomb(h: _Handler, _: str) -> None:
    h.send_response(200)
    h.send_header("Content-Encoding", "gzip")
    h.send_header("Content-Length", str(len(h.server.bomb)))
    h.end_headers()
    for start in range(0, len(h.server.bomb), 65536):
        h.wfile.write(h.server.bomb[start : start + 65536])


def _declares_too_much(h: _Handler, _: str) -> None:
    h.send_response(200)
    h.send_header("Content-Length", str(10**9))
    h.end_headers()
    h.wfile.flush()
    h.linger()  # a client that read the body would time out instead


def _grows(h: _Handler, _: str) -> None:
    h.send_response(200)  # HTTP/1.0, no Content-Length: the body ends when the server closes
    h.end_headers()
    while not h.server.stopping.is_set():
        h.wfile.write(b"x" * 1000)


def _dribble(h: _Handler, _: str) -> None:
    h.send_response(200)
    h.send_header("Content-Length", str(10**6))
    h.end_headers()
    while not h.server.stopping.wait(0.2):
        h.wfile.write(b"x")
        h.wfile.flush()


def _etag(h: _Handler, _: str) -> None:
    if h.headers.get("If-None-Match") == ETAG:
        h.reply(304, ETag=ETAG)
    else:
        h.reply(200, TEXT, ETag=ETAG)


def _dated(h: _Handler, _: str) -> None:
    if h.headers.get("If-Modified-Since") == LAST_MODIFIED:
        h.reply(304)
    else:
        h.reply(200, TEXT, Last_Modified=LAST_MODIFIED)


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


ROUTES: dict[str, Callable[[_Handler, str], None]] = {
    "plain": lambda h, _: h.reply(200, TEXT, Content_Type='text/plain; charset="UTF-8"'),
    "echo": _echo,
    "gzip": lambda h, _: h.reply(200, gzip.compress(TEXT), Content_Encoding="gzip"),
    "deflate": lambda h, _: h.reply(200, zlib.compress(TEXT), Content_Encoding="deflate"),
    "raw-deflate": lambda h, _: h.reply(200, _raw_deflate(TEXT), Content_Encoding="deflate"),
    "bomb": _bomb,
    "declares-too-much": _declares_too_much,
    "grows": _grows,
    "dribble": _dribble,
    "moved": _redirect(301, "/moved-again"),
    "moved-again": _redirect(308, "plain"),
    "found": _redirect(302, "/plain"),
    "moved-then-found": _redirect(301, "/found"),
    "loop-a": _redirect(302, "/loop-b"),
    "loop-b": _redirect(307, "/loop-a"),
    "chain": _chain,
    "to-ftp": _redirect(302, "ftp://127.0.0.1/file"),
    "no-location": lambda h, _: h.reply(302),
    "brotli": lambda h, _: h.reply(200, b"\x0b\x02\x80", Content_Encoding="br"),
    "corrupt": lambda h, _: h.reply(200, b"\x1f\x8bnot gzip", Content_Encoding="gzip"),
    "status": lambda h, arg: h.reply(int(arg), b"nope"),
    "busy": lambda h, _: h.reply(503, Retry_After="120"),
    "slow-down": lambda h, _: h.reply(429, Retry_After=formatdate(time.time() + 60, usegmt=True)),
    "etag": _etag,
    "dated": _dated,
}


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    """The base URL of a local server running the routes above."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.bomb = gzip_bomb()
    server.stopping = threading.Event()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.stopping.set()
    server.shutdown()
    server.server_close()  # joins the handler threads: none may be left running
    thread.join()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)


def get(url: str, **options: Any) -> HttpResponse:
    limits: dict[str, Any] = {
        "max_bytes": DEFAULT_MAX_BYTES,
        "timeout": 5.0,
        "deadline": 10.0,
        "user_agent": "ingest-tests/1",
    }
    return fetch(url, **{**limits, **options})


def refused(url: str, **options: Any) -> HttpError:
    with pytest.raises(HttpError) as info:
        get(url, **options)
    assert "\n" not in info.value.reason
    assert str(info.value) == info.value.reason
    return info.value


def refused_with_config(url: str, config: Config) -> HttpError:
    with pytest.raises(HttpError) as info:
        fetch_with_config(url, config)
    return info.value


def test_plain_200(base: str) -> None:
    response = get(f"{base}/plain")
    assert response.status == 200
    assert response.content == TEXT
    assert response.url == f"{base}/plain"
    assert response.content_type == "text/plain"
    assert response.charset == "utf-8"
    assert not response.not_modified
    assert response.permanent_redirect is None
    assert response.headers["content-length"] == str(len(TEXT))


def test_request_headers_arrive(base: str) -> None:
    sent = json.loads(get(f"{base}/echo", accept="application/rss+xml").content)
    headers = {k.lower(): v for k, v in sent.items()}
    assert headers["user-agent"] == "ingest-tests/1"
    assert headers["accept-encoding"] == "gzip, deflate"
    assert headers["accept"] == "application/rss+xml"
    assert "if-none-match" not in headers


@pytest.mark.parametrize("route", ["gzip", "deflate", "raw-deflate"])
def test_compressed_bodies_are_decoded(base: str, route: str) -> None:
    response = get(f"{base}/{route}")
    assert response.content == TEXT
    assert int(response.headers["content-length"]) < len(TEXT)


def test_gzip_bomb_stops_at_the_limit_in_bounded_memory(base: str) -> None:
    tracemalloc.start()
    try:
        error = refused(f"{base}/bomb")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert error.reason == (
        "decompresses to more than the 33,554,432-byte limit (compression bomb?)"
    )
    assert peak < 100 * 1024 * 1024


def test_declared_length_over_the_limit_is_refused_before_reading(base: str) -> None:
    error = refused(f"{base}/declares-too-much", max_bytes=SMALL, timeout=5.0)
    assert error.reason == "larger than the 10,000-byte limit"


def test_body_growing_past_the_limit_is_refused_as_it_streams(base: str) -> None:
    assert refused(f"{base}/grows", max_bytes=SMALL).reason == "larger than the 10,000-byte limit"


def test_permanent_redirect_chain(base: str) -> None:
    response = get(f"{base}/moved")
    assert response.content == TEXT
    assert response.url == f"{base}/plain"
    assert response.permanent_redirect == f"{base}/plain"


def test_temporary_redirect_is_not_permanent(base: str) -> None:
    response = get(f"{base}/found")
    assert response.url == f"{base}/plain"
    assert response.permanent_redirect is None


def test_permanent_redirect_stops_at_the_first_temporary_hop(base: str) -> None:
    response = get(f"{base}/moved-then-found")
    assert response.url == f"{base}/plain"
    assert response.permanent_redirect == f"{base}/found"


def test_redirect_loop(base: str) -> None:
    assert refused(f"{base}/loop-a").reason == "redirect loop"


def test_five_redirects_are_followed_and_six_are_too_many(base: str) -> None:
    assert get(f"{base}/chain/5").content == b"end of chain"
    assert refused(f"{base}/chain/6").reason == "too many redirects (5)"


@pytest.mark.parametrize(
    ("route", "reason"),
    [
        ("to-ftp", "redirected to a URL that is not http(s)"),
        ("no-location", "HTTP 302 Found without a Location"),
        ("brotli", "unsupported Content-Encoding 'br'"),
        ("corrupt", "corrupt gzip body (Error -3 while decompressing data: "),
    ],
)
def test_malformed_responses(base: str, route: str, reason: str) -> None:
    assert refused(f"{base}/{route}").reason.startswith(reason)


@pytest.mark.parametrize(
    ("code", "reason"), [(404, "HTTP 404 Not Found"), (500, "HTTP 500 Internal Server Error")]
)
def test_error_status(base: str, code: int, reason: str) -> None:
    error = refused(f"{base}/status/{code}")
    assert (error.reason, error.status, error.retry_after) == (reason, code, None)


def test_503_retry_after_seconds(base: str) -> None:
    error = refused(f"{base}/busy")
    assert (error.status, error.retry_after) == (503, 120.0)
    assert error.reason == "HTTP 503 Service Unavailable"


def test_429_retry_after_http_date(base: str) -> None:
    error = refused(f"{base}/slow-down")
    assert error.status == 429
    assert error.retry_after is not None
    assert 55 <= error.retry_after <= 61


@pytest.mark.parametrize(
    ("route", "option", "current", "stale"),
    [
        ("etag", "etag", ETAG, '"v0"'),
        ("dated", "last_modified", LAST_MODIFIED, "Mon, 01 Jan 2024 10:00:00 GMT"),
    ],
)
def test_conditional_get(base: str, route: str, option: str, current: str, stale: str) -> None:
    unchanged = get(f"{base}/{route}", **{option: current})
    assert (unchanged.status, unchanged.not_modified, unchanged.content) == (304, True, b"")
    changed = get(f"{base}/{route}", **{option: stale})
    assert (changed.status, changed.not_modified, changed.content) == (200, False, TEXT)
    assert getattr(changed, option) == current


def test_dribbling_server_ends_at_the_deadline(base: str) -> None:
    started = time.monotonic()
    error = refused(f"{base}/dribble", deadline=1.5, timeout=1.0)
    assert error.reason == "took longer than 1.5 s (the server kept sending)"
    assert time.monotonic() - started < 4


def test_silent_server_times_out() -> None:
    with socket.socket() as silent:  # listens, so connections complete, but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        started = time.monotonic()
        error = refused(f"http://127.0.0.1:{silent.getsockname()[1]}/", timeout=1.0)
    assert error.reason == "timed out after 1 s waiting for a response"
    assert error.status is None
    assert time.monotonic() - started < 3


def test_refused_connection() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert refused(f"http://127.0.0.1:{port}/").reason == "connection refused"


def test_tls_error_is_one_line(base: str) -> None:
    error = refused(base.replace("http://", "https://") + "/plain")
    assert error.reason.startswith("TLS error: ")


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/file", "file:///etc/passwd", "http:///path"])
def test_not_an_http_url(url: str) -> None:
    assert refused(url).reason == "not an http(s) URL"


def test_invalid_url() -> None:
    assert refused("http://[::1/").reason.startswith("invalid URL: ")


def test_dns_failure_is_described_with_the_host() -> None:
    # No real lookup: an unresolvable name may still be sent to an outside resolver.
    error = httpx.ConnectError("[Errno -2]", request=httpx.Request("GET", "http://nowhere.test/"))
    error.__cause__ = socket.gaierror(-2, "Name or service not known")
    assert describe(error, 10.0) == "cannot resolve host nowhere.test"


def test_a_given_client_is_used_and_left_open(base: str) -> None:
    with httpx.Client() as client:
        assert get(f"{base}/gzip", client=client).content == TEXT
        assert get(f"{base}/plain", client=client).content == TEXT
        assert not client.is_closed


def test_fetch_with_config_reads_the_settings(base: str) -> None:
    settings = Settings()
    ingest_add_settings(settings)
    config = Config(settings, {"http.user_agent": "configured/2", "http.max_bytes": "100"})
    assert refused_with_config(f"{base}/plain", config).reason == "larger than the 100-byte limit"
    config = Config(settings, {"http.user_agent": "configured/2"})
    sent = json.loads(fetch_with_config(f"{base}/echo", config).content)
    assert sent["User-Agent"] == "configured/2"


def test_fetch_with_config_falls_back_to_defaults_when_http_is_disabled(base: str) -> None:
    sent = json.loads(fetch_with_config(f"{base}/echo", Config(Settings())).content)
    assert sent["User-Agent"] == DEFAULT_USER_AGENT


def test_http_plugin_declares_its_settings() -> None:
    plugin_manager = get_plugin_manager(["ingest_plugins.sources.http"], entry_points_group=None)
    settings = Settings()
    plugin_manager.hook.ingest_add_settings(settings=settings)
    assert {"http.timeout", "http.deadline", "http.max_bytes", "http.user_agent"} <= {
        s.name for s in settings
    }
    assert settings.get("http.max_bytes").default == 32 * 1024 * 1024  # type: ignore[union-attr]


def test_a_compressed_body_cut_short_is_refused_and_every_gzip_member_is_read() -> None:
    first, second = gzip.compress(b"first " * 100), gzip.compress(b"second " * 100)
    whole = BoundedBody("gzip", 10**6)
    for start in range(0, len(first + second), 7):  # members split across chunks
        whole.feed((first + second)[start : start + 7])
    assert whole.finish() == b"first " * 100 + b"second " * 100
    cut = BoundedBody("gzip", 10**6)
    cut.feed(first[: len(first) // 2])
    with pytest.raises(BodyRefused, match="truncated gzip body"):
        cut.finish()
    padded = BoundedBody("gzip", 10**6)
    padded.feed(first + b"\x00" * 8)  # NUL padding after the last member, as gzip -d allows
    assert padded.finish() == b"first " * 100
