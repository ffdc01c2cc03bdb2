"""Benchmark: many feeds on 127.0.0.1, every answer after a delay, read by one ``ingest run``
fetching ahead concurrently (the default ``http.concurrency``) or one at a time.

The feeds (``--feeds``, 500) are synthetic news feeds of a few entries each, served by
``--sites`` servers (50; each is a host to the per-host limit, ``http.host_concurrency``)
from :mod:`benchmarks.feedserver`, each answer after ``--delay`` seconds (0.2). The run
(default plugins, JSON Lines out) happens in a child forked from this process, the servers
with it. Run from the repository root::

    python -m benchmarks.bench_concurrency [--feeds 500] [--sites 50] [--delay 0.2]
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any

from benchmarks import bench_fetch
from benchmarks.bench_fetch import Meter
from benchmarks.bench_memory import synthetic_feed
from benchmarks.feedserver import FeedServer
from benchmarks.forked import run_forked
from ingest import Pipeline, get_plugin_manager
from ingest.engine import run_once
from ingest.http.prefetch import DEFAULT_CONCURRENCY
from ingest.locations import parse_target

#: Entries in each served feed.
ENTRIES = 3


class SlowFeedServer(FeedServer):
    """A :class:`~benchmarks.feedserver.FeedServer` that answers each request after
    ``delay`` seconds, counting the requests in flight on ``meter`` under ``site``."""

    def __init__(self, bodies: list[bytes], delay: float, meter: Meter, site: str) -> None:
        super().__init__(bodies, ["application/rss+xml"] * len(bodies))
        self.delay, self.meter, self.site = delay, meter, site

    def _respond(self, path: str, request: Message) -> Any:
        # Runs on the request's own thread: the delay holds this answer only.
        self.meter.change(self.site, 1)
        try:
            time.sleep(self.delay)
            return super()._respond(path, request)
        finally:
            self.meter.change(self.site, -1)


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One run: articles exported (feeds, for a run on state), seconds, most requests in
    flight in all and to one site."""

    articles: int
    seconds: float
    most_at_once: int
    most_per_site: int


def _stop_all(servers: list[FeedServer]) -> None:
    """Stop the servers at once: each ``shutdown`` waits up to half a second for its loop."""
    threads = [threading.Thread(target=server.stop) for server in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _serve_and_run(job: tuple[int, int, float, int]) -> list[float]:
    """In the forked child: serve the feeds, run them; [articles, seconds of the run, most
    requests at once, most to one site]."""
    feeds, sites, delay, concurrency = job
    meter = Meter()
    urls: dict[int, str] = {}
    servers: list[FeedServer] = []
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        stack.callback(_stop_all, servers)
        for site in range(sites):
            # Feeds dealt round-robin, so consecutive URLs are on different sites.
            numbers = range(site, feeds, sites)
            bodies = [synthetic_feed(n * ENTRIES, ENTRIES) for n in numbers]
            servers.append(SlowFeedServer(bodies, delay, meter, str(site)))
            servers[-1].start()
            urls.update((n, "rss:" + servers[-1].url(i)) for i, n in enumerate(numbers))
        pipeline = Pipeline(get_plugin_manager(), {"http.concurrency": concurrency})
        target = parse_target("jsonl:" + str(Path(tmp) / "out.jsonl"))
        started = time.perf_counter()
        summary = run_once(pipeline, [urls[n] for n in range(feeds)], [target])
        seconds = time.perf_counter() - started
    return [summary.articles, seconds, meter.most_all, meter.most_host]


def fetch_feeds(feeds: int, sites: int, delay: float, concurrency: int) -> FetchResult:
    """One run over ``feeds`` feeds on ``sites`` servers answering after ``delay`` s, with
    ``http.concurrency`` = ``concurrency``, in a forked child; the seconds are the run's
    (from its start to its targets closed), not the servers' setting up."""
    done = run_forked(_serve_and_run, (feeds, sites, delay, concurrency))
    if done is None:
        raise SystemExit(f"the run over {feeds} served feeds failed in its child process")
    articles, seconds, most, per_site = done[0]
    return FetchResult(int(articles), seconds, int(most), int(per_site))


def _slow_hosts_run(job: tuple[int, int, float, float, bool]) -> list[float]:
    """In the forked child: bench_fetch's run on state; [seconds, most at once, most to one
    host]. SIGALRM ends the child when the run takes more than ``limit`` seconds."""
    hosts, feeds, delay, limit, one_core = job
    if one_core:  # one available core: the run's default --workers is 1
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    signal.alarm(max(1, math.ceil(limit)))
    seconds, meter, _ = bench_fetch.measure(hosts, feeds, delay, DEFAULT_CONCURRENCY)
    signal.alarm(0)
    return [seconds, meter.most_all, meter.most_host]


def slow_hosts(
    hosts: int, feeds: int, delay: float, limit: float, *, one_core: bool = False
) -> FetchResult | None:
    """:func:`benchmarks.bench_fetch.measure`'s run on state over ``hosts`` x ``feeds``
    feeds answering after ``delay`` s (default ``http.concurrency``), in a forked child
    (``one_core``: allowed one core, so one process); None when it did not finish within
    ``limit`` seconds."""
    done = run_forked(_slow_hosts_run, (hosts, feeds, delay, limit, one_core))
    if done is None:
        return None
    seconds, most, per_host = done[0]
    return FetchResult(hosts * feeds, seconds, int(most), int(per_host))


def compare(feeds: int, sites: int, delay: float) -> tuple[FetchResult, FetchResult]:
    """The run fetching ahead with the default ``http.concurrency``, then one at a time."""
    return (
        fetch_feeds(feeds, sites, delay, DEFAULT_CONCURRENCY),
        fetch_feeds(feeds, sites, delay, 1),
    )


def main() -> None:
    """Print the two runs side by side."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--sites", type=int, default=50, help="servers (hosts) on 127.0.0.1")
    parser.add_argument("--delay", type=float, default=0.2, help="seconds before each answer")
    args = parser.parse_args()
    get_plugin_manager()  # every plugin module imported before the children fork
    fast, slow = compare(args.feeds, args.sites, args.delay)
    print(f"{args.feeds} feeds on {args.sites} servers at 127.0.0.1, answers after {args.delay} s")
    print(
        f"{'http.concurrency':<18} {'articles':>8} {'seconds':>8} {'at once':>8} "
        f"{'per site':>9} {'speed-up':>9}"
    )
    for concurrency, result in ((DEFAULT_CONCURRENCY, fast), (1, slow)):
        print(
            f"{concurrency:<18} {result.articles:>8,} {result.seconds:>8.2f} "
            f"{result.most_at_once:>8} {result.most_per_site:>9} "
            f"{slow.seconds / result.seconds:>8.1f}x"
        )


if __name__ == "__main__":
    main()
