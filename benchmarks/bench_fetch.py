"""Benchmark: many feeds on slow hosts, fetched ahead concurrently or one at a time.

Ten loopback hosts (127.0.0.1 to 127.0.0.10) serve six feeds each, every answer after
``--delay`` seconds (0.5). A run on state reads all 60 with the default ``http.concurrency``
(16 at once, ``http.host_concurrency`` 2 to one host), then with ``http.concurrency=1`` (one
at a time, as before fetching ahead). The table gives the seconds, the most requests in
flight at once in all and to one host, and the ratio. Run from the repository root::

    python -m benchmarks.bench_fetch [--hosts 10] [--feeds 6] [--delay 0.5]
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from ingest.testing import run_cli


class Meter:
    """Requests in flight, in all and per host, and the most seen."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now: dict[str, int] = {}
        self.most_host = self.all_now = self.most_all = 0

    def change(self, host: str, by: int) -> None:
        with self.lock:
            self.now[host] = self.now.get(host, 0) + by
            self.all_now += by
            self.most_host = max(self.most_host, self.now[host])
            self.most_all = max(self.most_all, self.all_now)


@contextmanager
def slow_host(host: str, feeds: int, delay: float, meter: Meter) -> Iterator[int]:
    """Serve ``feeds`` small RSS feeds on ``host``, each answer after ``delay`` s; the port."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            # Counted while the request waits for its answer: once the answer is written,
            # the client may already send its next request before this thread goes on.
            meter.change(host, 1)
            try:
                time.sleep(delay)
            finally:
                meter.change(host, -1)
            n = self.path.strip("/").removeprefix("feed").removesuffix(".xml")
            body = (
                "<?xml version='1.0'?><rss version='2.0'><channel><title>F</title>"
                f"<item><guid isPermaLink='false'>{host}-{n}</guid><title>Story {n}"
                f"</title><description>Story {n} on {host}.</description></item>"
                "</channel></rss>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer((host, 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def measure(hosts: int, feeds: int, delay: float, concurrency: int) -> tuple[float, Meter, str]:
    """One run on state over every feed; seconds, the meter, the run's summary line."""
    meter = Meter()
    with ExitStack() as stack, tempfile.TemporaryDirectory() as work:
        lines = ['targets = ["out.jsonl"]', "[settings]", f'"http.concurrency" = {concurrency}']
        for h in range(1, hosts + 1):
            host = f"127.0.0.{h}"
            port = stack.enter_context(slow_host(host, feeds, delay, meter))
            for n in range(feeds):
                lines += [
                    f'[sources."{host}-{n}"]',
                    f'location = "http://{host}:{port}/feed{n}.xml"',
                ]
        config = Path(work) / "ingest.toml"
        config.write_text("\n".join(lines) + "\n")
        started = time.perf_counter()
        result = run_cli(["run", "-c", str(config), "-v"])
        seconds = time.perf_counter() - started
        if result.exit_code != 0:
            raise SystemExit(f"run failed: {result.stderr}")
    return seconds, meter, result.stderr.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--feeds", type=int, default=6, help="feeds per host")
    parser.add_argument("--delay", type=float, default=0.5, help="seconds before each answer")
    args = parser.parse_args()
    total = args.hosts * args.feeds
    print(f"{total} feeds on {args.hosts} loopback hosts, each answering after {args.delay} s\n")
    print(
        f"{'http.concurrency':<18} {'seconds':>8} {'most at once':>13} {'to one host':>12} "
        f"{'vs one at a time':>17}"
    )
    rows = [(c, *measure(args.hosts, args.feeds, args.delay, c)) for c in (16, 1)]
    serial = rows[-1][1]
    for concurrency, seconds, meter, _ in rows:
        print(
            f"{concurrency:<18} {seconds:>8.2f} {meter.most_all:>13} {meter.most_host:>12} "
            f"{serial / seconds:>16.1f}x"
        )
    print(f"\nlast summary: {rows[0][3]}")


if __name__ == "__main__":
    main()
