"""Polite page fetching against real HTTP servers on 127.0.0.1: robots.txt (RFC 9309), the
per-host delay and concurrency limit, and ``ingest run --ignore-robots``."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pluggy
import pytest
from typer.testing import CliRunner

from ingest import (
    Article,
    ArticleSource,
    Config,
    Settings,
    Source,
    SourceError,
    SourceKind,
    hookimpl,
)
from ingest.cli import build_app
from ingest.cli.exits import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from ingest.helpers import DEFAULT_USER_AGENT, fetch_page, fetch_source
from ingest.http.polite import HostPacer, RobotsFile, host_key, request_target, robots_url
from ingest.manager import get_plugin_manager
from ingest_plugins.sources.http import ingest_add_settings
from tests.servers import Reply, Route, Server, serve

PAGE = b"<html><head><title>Budget</title></head><body><p>Approved.</p></body></html>"
#: Allowance for the server seeing two requests closer together than they started (thread
#: scheduling on a loaded machine); the pacer itself is checked without it.
JITTER = 0.05


def config(**values: Any) -> Config:
    """The ``http.*`` settings with ``values`` over their defaults (host delay 0 unless set)."""
    settings = Settings()
    ingest_add_settings(settings)
    return Config(settings, {"http.host_delay": 0.0, **values})


def text(body: str, status: int = 200) -> Route:
    """A route answering ``body`` as text/plain."""
    reply = Reply(status, body.encode(), {"Content-Type": "text/plain"})
    return lambda _handler: reply


def page(_handler: BaseHTTPRequestHandler) -> Reply:
    return Reply(200, PAGE, {"Content-Type": "text/html; charset=utf-8"})


def paths(server: Server) -> list[str]:
    """The paths the server was asked for, in order."""
    return [path for path, _headers in server.requests]


# robots.txt decides


def test_a_page_robots_txt_disallows_is_refused_without_being_fetched() -> None:
    robots = "User-agent: *\nDisallow: /private/\n"
    with serve({"/robots.txt": text(robots), "/private/a": page}) as server:
        with pytest.raises(SourceError) as caught:
            fetch_page(server.url("/private/a"), config())
        assert paths(server) == ["/robots.txt"]
    assert str(caught.value) == (
        f"{server.url('/private/a')}: disallowed by robots.txt ({server.url('/robots.txt')})"
    )


def test_an_allowed_page_is_fetched_and_robots_txt_is_asked_with_our_user_agent() -> None:
    robots = "User-agent: *\nDisallow: /private/\n"
    with serve({"/robots.txt": text(robots), "/news/a": page}) as server:
        response = fetch_page(server.url("/news/a"), config(), accept="text/html")
        assert response.content == PAGE
        assert paths(server) == ["/robots.txt", "/news/a"]
        robots_headers = server.requests[0][1]
    assert robots_headers["user-agent"] == DEFAULT_USER_AGENT
    assert DEFAULT_USER_AGENT.startswith("ingest/")


def test_robots_txt_is_fetched_once_per_host_for_many_pages() -> None:
    routes = {f"/a/{i}": page for i in range(5)} | {"/robots.txt": text("User-agent: *\n")}
    with serve(routes) as server:
        for i in range(5):
            fetch_page(server.url(f"/a/{i}"), config())
        assert paths(server).count("/robots.txt") == 1
        assert len(server.requests) == 6


def test_a_group_for_our_product_token_wins_over_the_star_group() -> None:
    robots = "User-agent: *\nDisallow: /\n\nUser-agent: Ingest\nAllow: /\nDisallow: /drafts\n"
    with serve({"/robots.txt": text(robots), "/news": page, "/drafts/1": page}) as server:
        assert fetch_page(server.url("/news"), config()).content == PAGE
        with pytest.raises(SourceError, match=r"disallowed by robots\.txt"):
            fetch_page(server.url("/drafts/1"), config())
        # Another User-Agent is another product token: the star group applies to it.
        with pytest.raises(SourceError, match=r"disallowed by robots\.txt"):
            fetch_page(server.url("/news"), config(**{"http.user_agent": "otherbot/1.0"}))


def test_a_404_robots_txt_allows_everything() -> None:
    with serve({"/anything": page}) as server:  # no robots.txt route: 404
        assert fetch_page(server.url("/anything"), config()).content == PAGE
        assert paths(server) == ["/robots.txt", "/anything"]


def test_a_500_robots_txt_disallows_the_whole_host_for_the_run() -> None:
    with serve({"/robots.txt": text("oops", 500), "/a": page, "/b": page}) as server:
        for path in ("/a", "/b"):
            with pytest.raises(SourceError) as caught:
                fetch_page(server.url(path), config())
            reason = str(caught.value)
            assert reason.startswith(f"{server.url(path)}: disallowed: ")
            assert f"{server.url('/robots.txt')} could not be fetched (HTTP 500" in reason
            assert "every page of the host counts as disallowed this run" in reason
        assert paths(server) == ["/robots.txt"]  # asked once, no page fetched


def test_an_unreachable_host_is_disallowed_saying_why() -> None:
    with serve({}) as server:
        gone = server.url("/a")
    with pytest.raises(SourceError, match=r"could not be fetched \(connection refused\)"):
        fetch_page(gone, config())


def test_robots_txt_redirects_are_followed() -> None:
    moved = Reply(301, b"", {"Location": "/elsewhere/robots.txt"})
    routes = {
        "/robots.txt": lambda _h: moved,
        "/elsewhere/robots.txt": text("User-agent: *\nDisallow: /x\n"),
    }
    with serve(routes) as server:
        with pytest.raises(SourceError, match=r"disallowed by robots\.txt"):
            fetch_page(server.url("/x"), config())
        assert paths(server) == ["/robots.txt", "/elsewhere/robots.txt"]


def test_robots_off_skips_robots_txt() -> None:
    with serve({"/robots.txt": text("User-agent: *\nDisallow: /\n"), "/a": page}) as server:
        assert fetch_page(server.url("/a"), config(**{"http.robots": "false"})).content == PAGE
        assert paths(server) == ["/a"]


def test_fetch_source_is_polite_only_when_asked() -> None:
    with serve({"/robots.txt": text("User-agent: *\nDisallow: /\n"), "/a": page}) as server:
        location = server.url("/a")
        assert fetch_source(Source("html", location), config()).content == PAGE
        with pytest.raises(SourceError) as caught:
            fetch_source(Source("html", location), config(), polite=True)
        assert paths(server) == ["/a", "/robots.txt"]
    assert (
        str(caught.value)
        == f"html:{location}: disallowed by robots.txt ({robots_url(host_key(location))})"
    )


# robots.txt parsing (RFC 9309)


def rules(robots: str, token: str = "ingest") -> Callable[[str], bool]:
    parsed = RobotsFile.parse("http://example.com/robots.txt", robots.encode())
    return parsed.rules_for(token).allows


def test_the_longest_match_decides_and_allow_wins_a_tie() -> None:
    allows = rules(
        "User-agent: *\nDisallow: /news/\nAllow: /news/public\nAllow: /x\nDisallow: /x\n"
    )
    assert not allows("/news/secret")
    assert allows("/news/public/1")
    assert allows("/x")
    assert allows("/other")


def test_wildcards_and_end_anchors() -> None:
    allows = rules("User-agent: *\nDisallow: /*.pdf$\nDisallow: /*?session=\n")
    assert not allows("/files/report.pdf")
    assert allows("/files/report.pdf.html")
    assert not allows("/a?session=1")
    assert allows("/a?page=2")


def test_groups_merge_and_empty_disallow_allows() -> None:
    robots = "User-agent: a\nUser-agent: ingest\nDisallow: /one\n\nUser-agent: ingest\nDisallow:\n"
    allows = rules(robots + "Disallow: /two\n# comment\nSitemap: /s.xml\n")
    assert not allows("/one")
    assert not allows("/two")
    assert allows("/three")


def test_percent_encoding_is_compared_normalized() -> None:
    allows = rules("User-agent: *\nDisallow: /caf%C3%A9\nDisallow: /%7Euser\n")
    assert not allows(request_target("http://example.com/café/menu"))
    assert not allows(request_target("http://example.com/~user/page"))


def test_crawl_delay_is_read_and_capped() -> None:
    robots = "User-agent: *\nCrawl-delay: 2.5\n\nUser-agent: slowbot\nCrawl-delay: 3600\n"
    parsed = RobotsFile.parse("http://example.com/robots.txt", robots.encode())
    assert parsed.rules_for("ingest").crawl_delay == 2.5
    assert parsed.rules_for("slowbot").crawl_delay == 30.0
    nonsense = RobotsFile.parse("http://example.com/robots.txt", b"User-agent: *\nCrawl-delay: x")
    assert nonsense.rules_for("ingest").crawl_delay is None


def test_many_wildcards_stay_fast_to_match() -> None:
    allows = rules("User-agent: *\nDisallow: /" + "*a" * 40 + "b\n")
    assert allows("/" + "a" * 2000)  # no match: a backtracking regex would never return


# Pace


def test_the_pacer_spaces_request_starts_and_waits_only_for_what_is_left() -> None:
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    pacer = HostPacer(sleep)
    key = ("http", "example.com", 80)
    starts = []
    for _ in range(3):
        with pacer.slot(key, interval=0.2, concurrency=2):
            starts.append(time.monotonic())
    assert all(later - earlier >= 0.2 for earlier, later in itertools.pairwise(starts))
    assert len(waits) == 2  # the first request does not wait
    time.sleep(0.25)
    with pacer.slot(key, interval=0.2, concurrency=2):
        pass
    assert len(waits) == 2  # the interval had passed: no sleep at all


def arrivals(server_paths: list[str]) -> tuple[dict[str, Route], list[float]]:
    """Routes for ``server_paths`` that note when each request arrived."""
    seen: list[float] = []

    def noted(handler: BaseHTTPRequestHandler) -> Reply:
        seen.append(time.monotonic())
        return page(handler)

    return dict.fromkeys(server_paths, noted), seen


def gaps(times: list[float]) -> list[float]:
    return [later - earlier for earlier, later in itertools.pairwise(times)]


def test_the_host_delay_separates_page_requests() -> None:
    routes, seen = arrivals(["/1", "/2", "/3"])
    with serve(routes) as server:  # 404 robots.txt
        for path in ("/1", "/2", "/3"):
            fetch_page(server.url(path), config(**{"http.host_delay": 0.3}))
    assert len(seen) == 3
    assert all(gap >= 0.3 - JITTER for gap in gaps(seen))


def test_crawl_delay_is_respected_when_longer_than_the_host_delay() -> None:
    routes, seen = arrivals(["/1", "/2", "/3"])
    routes["/robots.txt"] = text("User-agent: ingest\nCrawl-delay: 0.4\n")
    with serve(routes) as server:
        for path in ("/1", "/2", "/3"):
            fetch_page(server.url(path), config(**{"http.host_delay": 0.05}))
    assert all(gap >= 0.4 - JITTER for gap in gaps(seen))


class Gauge:
    """Counts the requests a route is serving at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.active = self.most = 0

    def route(self, handler: BaseHTTPRequestHandler) -> Reply:
        with self.lock:
            self.active += 1
            self.most = max(self.most, self.active)
        time.sleep(0.3)
        with self.lock:
            self.active -= 1
        return page(handler)


def fetch_in_threads(server: Server, settings: Config, count: int = 6) -> list[Any]:
    results: list[Any] = []

    def one(i: int) -> None:
        try:
            results.append(fetch_page(server.url(f"/p/{i}"), settings))
        except SourceError as exc:
            results.append(exc)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize(
    ("limit", "within"), [(2, lambda most: most == 2), (6, lambda most: most > 2)]
)
def test_the_per_host_concurrency_limit_holds_under_threads(
    limit: int, within: Callable[[int], bool]
) -> None:
    gauge = Gauge()
    routes: dict[str, Route] = {f"/p/{i}": gauge.route for i in range(6)}
    routes["/robots.txt"] = text("User-agent: *\nAllow: /\n")
    with serve(routes) as server:
        results = fetch_in_threads(server, config(**{"http.host_concurrency": limit}))
        assert paths(server).count("/robots.txt") == 1  # six threads, one robots.txt
    assert [r.content for r in results] == [PAGE] * 6
    assert gauge.most <= limit
    assert within(gauge.most)  # the gauge does see more when more are let through


# ingest run --ignore-robots


class PagePlugin:
    """Source kind ``polite``: a URL fetched with ``fetch_source(..., polite=True)``."""

    @hookimpl
    def ingest_source_kinds(self) -> list[SourceKind]:
        return [SourceKind("polite", "a page fetched politely")]

    @hookimpl
    def ingest_fetch(self, source: Source, config: Config) -> Iterator[Article]:
        response = fetch_source(source, config, polite=True)
        yield Article(
            source=ArticleSource("polite", location=source.location),
            url=response.url,
            text=response.content.decode(),
        )


def cli(*blocked: str) -> pluggy.PluginManager:
    modules = ["ingest_plugins.exporters.jsonl"]
    if "http" not in blocked:
        modules.append("ingest_plugins.sources.http")
    pm = get_plugin_manager(modules, blocked, entry_points_group=None)
    pm.register(PagePlugin(), name="polite-page")
    return pm


def test_ignore_robots_fetches_what_robots_txt_disallows_and_warns() -> None:
    with serve({"/robots.txt": text("User-agent: *\nDisallow: /\n"), "/a": page}) as server:
        location = "polite:" + server.url("/a")
        args = ["run", "--set", "http.host_delay=0", location]
        refused = CliRunner().invoke(build_app(cli()), args)
        ignored = CliRunner().invoke(build_app(cli()), [*args[:1], "--ignore-robots", *args[1:]])
    assert refused.exit_code == EXIT_FAILED
    assert "disallowed by robots.txt" in refused.stderr
    assert "robots.txt ignored" not in refused.stderr
    assert ignored.exit_code == EXIT_OK, ignored.stderr
    warnings = [line for line in ignored.stderr.splitlines() if "robots.txt ignored: " in line]
    assert len(warnings) == 1
    assert "Approved." in ignored.stdout


def test_ignore_robots_with_the_http_plugin_disabled_is_a_usage_error() -> None:
    result = CliRunner().invoke(
        build_app(cli("http")), ["run", "--ignore-robots", "polite:http://x/"]
    )
    assert result.exit_code == EXIT_USAGE
    assert "--ignore-robots sets http.robots" in result.stderr
