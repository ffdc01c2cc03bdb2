"""A real HTTP server on 127.0.0.1 for tests: routes map a path to a handler function."""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    """What a route answers: status, headers and a body (bytes, or chunks to send slowly)."""

    status: int = 200
    body: bytes | Iterator[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)
    #: Seconds to wait before answering at all.
    delay: float = 0.0


Route = Callable[[BaseHTTPRequestHandler], Reply]


class _Handler(BaseHTTPRequestHandler):
    disable_nagle_algorithm = True  # no 40 ms wait for a delayed ACK after the headers
    routes: dict[str, Route]
    requests: list[tuple[str, dict[str, str]]]

    def do_GET(self) -> None:
        self.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
        route = self.routes.get(self.path.split("?", 1)[0])
        reply = route(self) if route else Reply(404, b"not found")
        time.sleep(reply.delay)
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if isinstance(reply.body, bytes):
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
            else:
                self.end_headers()
                for chunk in reply.body:
                    self.wfile.write(chunk)
                    self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return  # the client gave up, as it should have

    def log_message(self, format: str, *args: object) -> None:
        return


@dataclass
class Server:
    """A running server: ``url(path)`` and the requests it received."""

    base: str
    routes: dict[str, Route]
    requests: list[tuple[str, dict[str, str]]]

    def url(self, path: str) -> str:
        """The full URL of ``path`` on this server."""
        return self.base + path


@contextmanager
def serve(routes: dict[str, Route], host: str = "127.0.0.1") -> Iterator[Server]:
    """Serve ``routes`` on an ephemeral port of ``host`` (a loopback address: 127.0.0.2 is
    another host to a client) until the block ends."""
    requests: list[tuple[str, dict[str, str]]] = []
    handler = type("Handler", (_Handler,), {"routes": routes, "requests": requests})
    httpd = ThreadingHTTPServer((host, 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(f"http://{host}:{httpd.server_address[1]}", routes, requests)
    finally:
        httpd.shutdown()
        httpd.server_close()


@cache
def gzip_bomb() -> bytes:
    """1 GiB of zeros, gzipped to about 1 MB (built once per test session)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1024 * 1024)
    return b"".join([*(packer.compress(zeros) for _ in range(1024)), packer.flush()])


def dribble(prefix: bytes, every: float = 0.2) -> Iterator[bytes]:
    """A body that starts with ``prefix`` and then never ends, a byte at a time."""
    yield prefix
    while True:
        time.sleep(every)
        yield b" "
