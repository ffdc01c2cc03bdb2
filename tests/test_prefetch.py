"""Fetching ahead: URL sources fetched concurrently (``http.concurrency`` in all,
``http.host_concurrency`` to one host), read in the order given, with the ledger, 304s and
errors as in a run that fetches one source at a time. Real servers on ten loopback hosts."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from ingest.http import Prefetcher, prefetching
from ingest.http.errors import HttpError
from ingest.http.prefetch import take
from ingest.http.state import HttpResponse
from ingest.testing import run_cli
from tests.servers import Reply, Server, serve

HOSTS = [f"127.0.0.{n}" for n in range(1, 11)]
FEEDS_PER_HOST = 6


class Meter:
    """Requests in flight, per host and in all, and the most seen of each."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now: dict[str, int] = {}
        self.most: dict[str, int] = {}
        self.all_now = self.all_most = 0

    def enter(self, host: str) -> None:
        with self.lock:
            self.now[host] = self.now.get(host, 0) + 1
            self.most[host] = max(self.most.get(host, 0), self.now[host])
            self.all_now += 1
            self.all_most = max(self.all_most, self.all_now)

    def leave(self, host: str) -> None:
        with self.lock:
            self.now[host] -= 1
            self.all_now -= 1


def _feed(host: str, n: int) -> bytes:
    items = "".join(
        f"<item><guid isPermaLink='false'>{host}-{n}-{i}</guid><title>Story {i} of feed {n} "
        f"on {host}</title><description>Story {i} of feed {n}, served by {host}.</description>"
        "</item>"
        for i in range(2)
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>Feed {n}</title><link>http://{host}/</link>{items}</channel></rss>"
    ).encode()


def _route(meter: Meter, host: str, n: int, delay: float) -> object:
    body = _feed(host, n)
    etag = f'"{host}-{n}"'

    def answer(handler: BaseHTTPRequestHandler) -> Reply:
        meter.enter(host)
        try:
            threading.Event().wait(delay)  # the slow answer, counted while in flight
            if handler.headers.get("If-None-Match") == etag:
                return Reply(304, b"", {"ETag": etag})
            return Reply(200, body, {"ETag": etag, "Content-Type": "application/rss+xml"})
        finally:
            meter.leave(host)

    return answer


@pytest.fixture
def hosts() -> Iterator[tuple[list[Server], Meter]]:
    """Ten loopback hosts, six feeds each, every answer after 0.3 s."""
    meter = Meter()
    with ExitStack() as stack:
        servers = []
        for host in HOSTS:
            routes = {f"/feed{n}.xml": _route(meter, host, n, 0.3) for n in range(FEEDS_PER_HOST)}
            servers.append(stack.enter_context(serve(routes, host)))  # type: ignore[arg-type]
        yield servers, meter


def _urls(servers: list[Server]) -> list[str]:
    return [s.url(f"/feed{n}.xml") for n in range(FEEDS_PER_HOST) for s in servers]


def test_sources_are_fetched_ahead_within_the_limits_and_read_in_order(
    hosts: tuple[list[Server], Meter], tmp_path: Path
) -> None:
    servers, meter = hosts
    urls = _urls(servers)
    config = tmp_path / "ingest.toml"
    lines = ['targets = ["out.jsonl"]']
    for i, url in enumerate(urls):
        lines += [f"[sources.f{i:02}]", f'location = "{url}"', 'interval = "1m"']
    config.write_text("\n".join(lines) + "\n")
    first = run_cli(["run", "-c", str(config), "-v"])
    assert first.exit_code == 0, first.stderr
    assert max(meter.most.values()) <= 2  # never more than 2 at once to one host
    assert meter.all_most >= 12  # many hosts at once: a busy host holds no thread
    assert meter.all_most <= 16
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    # The order of the sources as configured, each feed's entries in its own order.
    expected = [f"{u.split('/')[2].split(':')[0]}-{u[-5]}-{i}" for u in urls for i in range(2)]
    assert [a["source"]["origin_id"].split("#", 1)[1] for a in out] == expected

    again = run_cli(["run", "-c", str(config), "-v", "--force"])
    assert again.exit_code == 0, again.stderr
    assert "60 not modified" in again.stderr  # conditional requests, answered 304, as before
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == len(expected)


def test_one_at_a_time_when_concurrency_is_one(
    hosts: tuple[list[Server], Meter], tmp_path: Path
) -> None:
    servers, meter = hosts
    urls = _urls(servers)[:4]
    result = run_cli(["run", *urls, "--set", "http.concurrency=1"])
    assert result.exit_code == 0, result.stderr
    assert meter.all_most == 1
    assert len(result.articles) == 8


def test_a_failing_source_among_prefetched_ones_is_its_own_line(
    hosts: tuple[list[Server], Meter],
) -> None:
    servers, _ = hosts
    urls = _urls(servers)[:5]
    gone = servers[0].url("/gone.xml")
    result = run_cli(["run", urls[0], "rss:" + gone, *urls[1:]])
    assert result.exit_code == 1
    assert result.error_lines == [f"error: rss:{gone}: HTTP 404 Not Found"]
    assert len(result.articles) == 10  # every other feed, whole


def test_a_prefetch_is_taken_once_and_only_with_its_validators() -> None:
    calls: list[tuple[str, str | None, str | None]] = []
    ready = threading.Event()

    def fetcher(url: str, etag: str | None, last_modified: str | None) -> HttpResponse:
        calls.append((url, etag, last_modified))
        if url.endswith("bad"):
            raise HttpError("HTTP 500 Internal Server Error", status=500)
        ready.set()
        return HttpResponse(url=url, status=200, content=b"ok", headers={})

    prefetcher = Prefetcher(fetcher, workers=2, per_host=1)
    prefetcher.start([("http://a/x", '"1"', None), ("http://a/bad", None, None)])
    with prefetching(prefetcher):
        assert take("http://a/x", '"2"', None) is None  # other validators: not this prefetch
        response = take("http://a/x", '"1"', None)
        assert response is not None
        assert response.content == b"ok"
        assert take("http://a/x", '"1"', None) is None  # taken once
        with pytest.raises(HttpError, match="HTTP 500"):
            take("http://a/bad", None, None)
    assert take("http://a/x", '"1"', None) is None  # outside a run: nothing ahead
    assert sorted(calls) == [("http://a/bad", None, None), ("http://a/x", '"1"', None)]
