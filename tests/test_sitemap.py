"""The sitemap source (issue 12, point 7): urlsets, indexes, gzip, Google News, robots.txt,
one article per page URL, in bounded memory and time whatever the sitemap."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pluggy
import pytest

from ingest import Pipeline, Source, SourceError
from ingest.testing import CliResult, run_cli
from ingest_plugins.sources.sitemap.parse import (
    Child,
    Entry,
    Invalid,
    SitemapError,
    is_sitemap_head,
    iter_sitemap,
    robots_sitemaps,
)
from ingest_plugins.sources.sitemap.walk import Listed, Walk
from tests.servers import Reply, Route, Server, serve

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
IMAGE_NS = "http://www.google.com/schemas/sitemap-image/1.1"
NO_DELAY = ["--set", "http.host_delay=0"]
XML = {"Content-Type": "application/xml"}
HTML = {"Content-Type": "text/html; charset=utf-8"}


# -- building sitemaps ---------------------------------------------------------------------


def url(loc: str, lastmod: str | None = None, news: dict[str, str] | None = None) -> str:
    """One ``<url>`` element, with a Google News block when ``news`` is given."""
    parts = [f"<loc>{loc}</loc>"]
    if lastmod:
        parts.append(f"<lastmod>{lastmod}</lastmod>")
    if news:
        parts.append(
            "<news:news><news:publication>"
            f"<news:name>{news['name']}</news:name><news:language>{news['language']}"
            "</news:language></news:publication>"
            f"<news:publication_date>{news['date']}</news:publication_date>"
            f"<news:title>{news['title']}</news:title></news:news>"
        )
    return f"<url>{''.join(parts)}</url>"


def urlset(*urls: str, namespaced: bool = True) -> bytes:
    """A ``<urlset>`` document (sitemaps, news and image namespaces declared)."""
    xmlns = (
        f' xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}" xmlns:image="{IMAGE_NS}"'
        if namespaced
        else ""
    )
    body = "\n".join(urls)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset{xmlns}>\n{body}\n</urlset>\n'.encode()


def index(*locs: str, lastmod: str | None = None) -> bytes:
    """A ``<sitemapindex>`` listing ``locs``."""
    stamp = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
    children = "".join(f"<sitemap><loc>{loc}</loc>{stamp}</sitemap>" for loc in locs)
    return f'<sitemapindex xmlns="{SITEMAP_NS}">{children}</sitemapindex>'.encode()


def read(data: bytes, **limits: int) -> tuple[list[Entry | Child | Invalid], str | None]:
    """What :func:`iter_sitemap` yields for ``data``, and the error that ended it, if any."""
    items: list[Entry | Child | Invalid] = []
    try:
        for item in iter_sitemap(io.BytesIO(data), **limits):
            items.append(item)
    except SitemapError as exc:
        return items, str(exc)
    return items, None


def page(n: int, title: str | None = None) -> bytes:
    """A small article page: a headline, a byline and four paragraphs."""
    headline = title or f"Page title {n}"
    paragraphs = "".join(
        f"<p>Paragraph {i} of story {n}: the harbour council met on Tuesday evening to weigh "
        "the plan for the new ferry terminal, its costs and the noise it would bring.</p>"
        for i in range(1, 5)
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{headline}</title><meta name='author' content='Jane Roe'></head><body>"
        f"<nav><a href='/'>Home</a></nav><article><h1>{headline}</h1>"
        f"{paragraphs}</article><footer>All rights reserved</footer></body></html>"
    ).encode()


def news_sitemap(server: Server, numbers: tuple[int, ...] = (1, 2, 3), day: int = 1) -> bytes:
    """A Google News sitemap of ``/story/N`` pages on ``server``."""
    return urlset(
        *(
            url(
                server.url(f"/story/{n}"),
                f"2024-05-{day:02d}T10:00:00Z",
                {
                    "name": "Harbour Times",
                    "language": "en",
                    "date": f"2024-05-0{n}T09:00:00+02:00",
                    "title": f"News title {n}",
                },
            )
            for n in numbers
        )
    )


def stories(server: Server, numbers: tuple[int, ...]) -> None:
    """Serve an article page at ``/story/N`` for each N."""
    for n in numbers:
        server.routes[f"/story/{n}"] = answer(page(n), HTML)


def answer(body: bytes, headers: dict[str, str]) -> Route:
    """A route that answers ``body`` with ``headers``."""
    return lambda _: Reply(200, body, headers)


def page_requests(server: Server) -> list[str]:
    return [path for path, _ in server.requests if path.startswith("/story/")]


def run(*args: str) -> CliResult:
    return run_cli(["run", *NO_DELAY, *args])


def walk(pm: pluggy.PluginManager, location: str, **values: Any) -> list[Listed | SourceError]:
    """What the sitemap source lists for ``location`` (no page is fetched)."""
    config = Pipeline(pm, values).config
    return list(Walk(Source("sitemap", location), config).pages())


def errors(found: list[Listed | SourceError]) -> list[str]:
    return [str(item) for item in found if isinstance(item, SourceError)]


def locs(found: list[Listed | SourceError]) -> list[str]:
    return [item.entry.loc for item in found if isinstance(item, Listed)]


# -- parsing -------------------------------------------------------------------------------


def test_news_sitemap_fields_are_read_as_metadata() -> None:
    data = urlset(
        url(
            "https://example.org/a",
            "2024-05-01T12:30:00+02:00",
            {"name": "The Wire", "language": "en-gb", "date": "2024-05-01", "title": "A &amp; B"},
        ).replace(
            "</url>",
            "<image:image><image:loc>https://example.org/i.jpg</image:loc></image:image></url>",
        ),
        url("https://example.org/b"),
    )
    items, error = read(data)
    assert error is None
    first, second = items
    assert isinstance(first, Entry)
    assert isinstance(second, Entry)
    assert first.loc == "https://example.org/a"  # not the image's <image:loc>
    assert first.lastmod is not None
    assert first.lastmod.isoformat() == "2024-05-01T10:30:00+00:00"
    assert first.news_title == "A & B"
    assert first.news_language == "en-GB"
    assert first.news_publication_name == "The Wire"
    assert first.news_published is not None
    assert first.news_published.tzinfo is not None
    assert first.news_published.isoformat() == "2024-05-01T00:00:00+00:00"
    assert first.warnings == (
        "sitemap news:publication_date: date '2024-05-01' has no time of day; midnight UTC assumed",
    )
    assert second == Entry("https://example.org/b")


def test_index_lists_children_with_their_lastmod() -> None:
    items, error = read(index("https://example.org/s1.xml", "s2.xml", lastmod="2024-01-02"))
    assert error is None
    assert [item.loc for item in items if isinstance(item, Child)] == [
        "https://example.org/s1.xml",
        "s2.xml",
    ]
    child = items[0]
    assert isinstance(child, Child)
    assert child.lastmod is not None
    assert child.lastmod.date().isoformat() == "2024-01-02"


def test_no_namespace_gzip_and_bom_read_the_same() -> None:
    entries = [url(f"https://example.org/{n}", "2024-05-01T00:00:00Z") for n in range(3)]
    plain, _ = read(urlset(*entries))
    assert len(plain) == 3
    assert read(urlset(*entries, namespaced=False)) == (plain, None)
    assert read(gzip.compress(urlset(*entries))) == (plain, None)
    assert read(b"\xef\xbb\xbf \n" + urlset(*entries)) == (plain, None)
    assert read(urlset(*entries).decode().encode("utf-16")) == (plain, None)


def test_plain_text_sitemap_one_url_a_line() -> None:
    items, error = read(b"https://example.org/1\r\n\nhttps://example.org/2\n")
    assert error is None
    assert items == [Entry("https://example.org/1"), Entry("https://example.org/2")]
    items, error = read(b"https://example.org/1\nnot a url\nhttps://example.org/3\n")
    assert items == [Entry("https://example.org/1")]
    assert error == 'line 2 is not a URL: "not a url"'
    assert read(b"\x00\x01binary junk")[1] == (
        'line 1 is neither XML nor a list of URLs: "\\u0000\\u0001binary junk"'
    )


def test_malformed_xml_keeps_the_complete_entries_before_it() -> None:
    data = urlset(*(url(f"https://example.org/{n}") for n in range(3)))
    cut = data[: data.index(b"https://example.org/2")]  # the third <url> is cut short
    items, error = read(cut + b"<oops")
    assert [item.loc for item in items if isinstance(item, Entry)] == [
        "https://example.org/0",
        "https://example.org/1",
    ]
    assert error is not None
    assert error.startswith("not well-formed XML: ")
    assert "\n" not in error


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"  \n", "empty file"),
        (
            b"<rss><channel><title>x</title></channel></rss>",
            "not a sitemap: its root element is <rss>",
        ),
        (
            b"<html><url><loc>https://e.org/</loc></url></html>",
            "not a sitemap: its root element is <html>",
        ),
        (gzip.compress(urlset(url("https://e.org/")))[:40], "corrupt gzip data"),
    ],
)
def test_what_is_not_a_sitemap_is_one_line(data: bytes, reason: str) -> None:
    items, error = read(data)
    assert items == []
    assert error is not None
    assert error.startswith(reason)


def test_entries_without_loc_are_invalid_items() -> None:
    items, error = read(urlset("<url><lastmod>2024-01-01</lastmod></url>", url("https://e.org/")))
    assert error is None
    assert items == [Invalid("a <url> without <loc>"), Entry("https://e.org/")]


def test_limits_on_urls_and_bytes() -> None:
    data = urlset(*(url(f"https://example.org/{n}") for n in range(10)))
    items, error = read(data, max_urls=3)
    assert len(items) == 3
    assert error == "more than 3 URLs: the rest is left out (sitemap.max_urls)"
    items, error = read(gzip.compress(data), max_bytes=300)
    assert error == "larger than the 300-byte limit (sitemap.max_bytes)"
    assert 0 < len(items) < 10


def write_gzip_sitemap(path: Path, count: int) -> None:
    """A gzipped sitemap of ``count`` URLs, written a thousand at a time."""
    with gzip.open(path, "wb", compresslevel=1) as out:
        out.write(f'<?xml version="1.0"?>\n<urlset xmlns="{SITEMAP_NS}">\n'.encode())
        for start in range(0, count, 1000):
            out.write(
                b"".join(
                    b"<url><loc>https://example.org/a/%d</loc>"
                    b"<lastmod>2024-05-01T10:%02d:%02dZ</lastmod></url>\n"
                    % (n, n % 60, n // 60 % 60)
                    for n in range(start, start + 1000)
                )
            )
        out.write(b"</urlset>\n")


def test_a_million_urls_stop_at_the_protocol_limit_in_bounded_memory(tmp_path: Path) -> None:
    big = tmp_path / "million.xml.gz"
    write_gzip_sitemap(big, 1_000_000)
    counted: list[int] = []

    def count_all() -> None:
        with big.open("rb") as stream:
            for n, _ in enumerate(iter_sitemap(stream), 1):
                counted[:] = [n]  # not the entries: holding them is what is measured

    tracemalloc.start()
    try:
        with pytest.raises(SitemapError) as error:
            count_all()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert counted == [50_000]
    assert str(error.value) == "more than 50,000 URLs: the rest is left out (sitemap.max_urls)"
    assert peak < 50 * 1024 * 1024, f"peak {peak:,} bytes"


_RSS_PROBE = """
import resource, sys
from ingest_plugins.sources.sitemap.parse import iter_sitemap
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
with open(sys.argv[1], "rb") as stream:
    count = sum(1 for _ in iter_sitemap(stream, max_urls=10**7))
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(count, grown)
"""


def test_parse_memory_stays_flat_however_many_urls(tmp_path: Path) -> None:
    """tracemalloc does not see libxml2's own memory: the process's peak does. Kept whole,
    100,000 <url> elements grow it by about 80 MB; cleared as they are read, by next to
    nothing."""
    big = tmp_path / "many.xml.gz"
    write_gzip_sitemap(big, 100_000)
    done = subprocess.run(
        [sys.executable, "-c", _RSS_PROBE, str(big)], capture_output=True, text=True, check=True
    )
    count, grown_kib = map(int, done.stdout.split())
    assert count == 100_000
    assert grown_kib < 20 * 1024, f"peak memory grew by {grown_kib:,} KiB"


def test_robots_txt_sitemap_lines() -> None:
    robots = (
        b"User-agent: *\nDisallow: /private\n\nSitemap: https://example.org/news.xml # news\n"
        b"sitemap:https://example.org/pages.xml.gz\nSITEMAP: https://example.org/news.xml\n"
        b"Allow: /sitemap: not this one\n"
    )
    assert robots_sitemaps(robots) == [
        "https://example.org/news.xml",
        "https://example.org/pages.xml.gz",
    ]
    assert robots_sitemaps(b"User-agent: *\nDisallow:\n") == []


def test_kind_is_told_by_content_and_by_sitemap_names(
    plugin_manager: pluggy.PluginManager,
) -> None:
    def detect(location: str, head: bytes = b"") -> str | None:
        kind: str | None = plugin_manager.hook.ingest_detect_kind(location=location, head=head)
        return kind

    sitemap = urlset(url("https://example.org/"))
    assert is_sitemap_head(sitemap)
    assert is_sitemap_head(gzip.compress(sitemap))
    assert detect("pages.xml", sitemap) == "sitemap"
    assert detect("pages.xml.gz", gzip.compress(index("https://e.org/s.xml"))) == "sitemap"
    assert detect("-", b"<!-- generated -->\n" + sitemap) == "sitemap"
    # Feeds are XML too: a bare .xml is never claimed by its name.
    assert detect("feed.xml", b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>') == "rss"
    assert detect("https://example.org/feed.xml") == "rss"
    assert detect("https://example.org/sitemap_index.xml") == "sitemap"
    assert detect("https://example.org/news-sitemap.xml.gz") == "sitemap"
    assert detect("https://example.org/robots.txt") == "sitemap"


# -- walking indexes -----------------------------------------------------------------------


def test_an_index_that_lists_itself_is_one_line_not_a_loop(
    plugin_manager: pluggy.PluginManager, tmp_path: Path
) -> None:
    (tmp_path / "index.xml").write_bytes(index("index.xml", "news.xml", "./news.xml"))
    (tmp_path / "news.xml").write_bytes(urlset(url("https://example.org/1")))
    found = walk(plugin_manager, str(tmp_path / "index.xml"))
    assert locs(found) == ["https://example.org/1"]
    assert errors(found) == [
        f'sitemap:{tmp_path}/index.xml: lists "{tmp_path}/index.xml", which this source '
        "read already: not again",
        f'sitemap:{tmp_path}/index.xml: lists "{tmp_path}/./news.xml", which this source '
        "read already: not again",
    ]


def test_a_cycle_between_two_indexes_ends(
    plugin_manager: pluggy.PluginManager, tmp_path: Path
) -> None:
    (tmp_path / "a.xml").write_bytes(index("b.xml"))
    (tmp_path / "b.xml").write_bytes(index("a.xml", "pages.xml"))
    (tmp_path / "pages.xml").write_bytes(urlset(url("https://example.org/1")))
    found = walk(plugin_manager, str(tmp_path / "a.xml"))
    assert locs(found) == ["https://example.org/1"]
    assert len(errors(found)) == 1
    assert "which this source read already" in errors(found)[0]


def test_indexes_are_followed_down_to_the_depth_limit(
    plugin_manager: pluggy.PluginManager, tmp_path: Path
) -> None:
    for level in range(5):  # level0.xml -> level1.xml -> ... -> level4.xml, each with a page
        children = [f"level{level + 1}.xml"] if level < 4 else []
        (tmp_path / f"level{level}.xml").write_bytes(
            index(*children) if children else urlset(url(f"https://example.org/{level}"))
        )
    deep = walk(plugin_manager, str(tmp_path / "level0.xml"), **{"sitemap.max_depth": 4})
    assert locs(deep) == ["https://example.org/4"]
    assert errors(deep) == []
    found = walk(plugin_manager, str(tmp_path / "level0.xml"))  # the default: 3
    assert locs(found) == []
    assert errors(found) == [
        f"sitemap:{tmp_path}/level3.xml: indexes nest deeper than 3 (sitemap.max_depth): "
        f'"{tmp_path}/level4.xml" not read'
    ]


def test_since_leaves_out_older_entries_and_unchanged_children(
    plugin_manager: pluggy.PluginManager, tmp_path: Path
) -> None:
    (tmp_path / "index.xml").write_bytes(
        f'<sitemapindex xmlns="{SITEMAP_NS}">'
        "<sitemap><loc>old.xml</loc><lastmod>2024-01-01T00:00:00Z</lastmod></sitemap>"
        "<sitemap><loc>new.xml</loc><lastmod>2024-06-01T00:00:00Z</lastmod></sitemap>"
        "</sitemapindex>".encode()
    )
    (tmp_path / "new.xml").write_bytes(
        urlset(
            url("https://example.org/old", "2024-04-30T23:59:59Z"),
            url("https://example.org/updated", "2024-05-03T00:00:00Z"),
            url("https://example.org/undated"),
            url(
                "https://example.org/published",
                None,
                {"name": "W", "language": "en", "date": "2024-05-02T08:00:00Z", "title": "T"},
            ),
        )
    )
    found = walk(plugin_manager, str(tmp_path / "index.xml"), **{"sitemap.since": "2024-05-01"})
    assert errors(found) == []  # old.xml does not exist: it was never opened
    assert locs(found) == [
        "https://example.org/updated",
        "https://example.org/undated",
        "https://example.org/published",
    ]


def test_trouble_in_one_child_is_one_line_and_the_rest_is_read(
    plugin_manager: pluggy.PluginManager, tmp_path: Path
) -> None:
    good = urlset(url("https://example.org/1"), url("https://example.org/2"))
    (tmp_path / "broken.xml").write_bytes(good[: good.index(b"https://example.org/2")])
    (tmp_path / "good.xml").write_bytes(urlset(url("https://example.org/3"), url("/relative")))
    (tmp_path / "index.xml").write_bytes(
        index("broken.xml", "missing.xml", "file:///etc/passwd", "good.xml")
    )
    found = walk(plugin_manager, str(tmp_path / "index.xml"))
    assert locs(found) == ["https://example.org/1", "https://example.org/3"]
    lines = errors(found)
    assert lines[0].startswith(f"sitemap:{tmp_path}/broken.xml: not well-formed XML")
    assert lines[1:] == [
        f"sitemap:{tmp_path}/missing.xml: no such file",
        f'sitemap:{tmp_path}/index.xml: "file:///etc/passwd" is not a sitemap it may list',
        f'sitemap:{tmp_path}/good.xml: "/relative" is not an http(s) URL',
    ]


# -- end to end: sitemaps and pages on a real server -----------------------------------------


@pytest.fixture
def site() -> Iterator[Server]:
    """A site with a sitemap index pointing at a news sitemap of three stories."""
    with serve({}) as server:
        sitemap = news_sitemap(server)
        listing = index(server.url("/news-sitemap.xml"))
        server.routes["/sitemap_index.xml"] = lambda _: Reply(200, listing, XML)
        server.routes["/news-sitemap.xml"] = lambda _: Reply(200, sitemap, XML)
        yield server


def test_an_index_of_a_news_sitemap_gives_one_article_per_page(site: Server) -> None:
    stories(site, (1, 2, 3))
    result = run(site.url("/sitemap_index.xml"))
    assert result.exit_code == 0, result.stderr
    articles = result.articles
    assert [a["url"] for a in articles] == [site.url(f"/story/{n}") for n in (1, 2, 3)]
    for n, article in enumerate(articles, 1):
        assert article["title"] == f"News title {n}"  # the sitemap's, not the page's
        assert article["published"] == f"2024-05-0{n}T07:00:00Z"
        assert article["updated"] == "2024-05-01T10:00:00Z"
        assert article["language"] == "en"
        assert article["source"]["kind"] == "sitemap"
        assert article["source"]["name"] == "Harbour Times"
        assert article["text"].startswith(f"Paragraph 1 of story {n}: the harbour council")
        assert "All rights reserved" not in article["text"]
        assert article["authors"] == [{"name": "Jane Roe", "handle": None, "url": None}]
        assert article["provenance"]["enrich"] == ["sitemap"]
        assert article["provenance"]["fields"]["title"] == "sitemap:news:title"
        assert article["extra"]["sitemap"] == {"listed_in": site.url("/news-sitemap.xml")}


def test_a_page_that_is_gone_fails_alone(site: Server) -> None:
    stories(site, (1, 3))
    result = run(site.url("/sitemap_index.xml"))
    assert result.exit_code == 1
    assert [a["url"] for a in result.articles] == [site.url("/story/1"), site.url("/story/3")]
    assert all(a["text"] for a in result.articles)
    assert result.error_lines == [f"error: {site.url('/story/2')}: HTTP 404 Not Found"]
    assert "Traceback" not in result.stderr


def test_a_site_root_reads_the_sitemaps_its_robots_txt_names(site: Server) -> None:
    stories(site, (1, 2, 3))
    robots = b"User-agent: *\nDisallow:\nSitemap: /sitemap_index.xml\nSitemap: /news.xml.gz\n"
    site.routes["/robots.txt"] = answer(robots, {"Content-Type": "text/plain"})
    # Gzipped as a file is (no Content-Encoding): told by its magic bytes.
    packed = gzip.compress(news_sitemap(site, (1, 4)))
    site.routes["/news.xml.gz"] = answer(packed, {"Content-Type": "application/gzip"})
    stories(site, (4,))
    result = run(f"sitemap:{site.url('/')}")
    assert result.exit_code == 0, result.stderr
    # Story 1, listed by both sitemaps, is one article.
    assert [a["url"] for a in result.articles] == [site.url(f"/story/{n}") for n in (1, 2, 3, 4)]
    assert page_requests(site) == ["/story/1", "/story/2", "/story/3", "/story/4"]
    assert "/sitemap.xml" not in [path for path, _ in site.requests]


def test_a_site_root_without_robots_sitemaps_tries_sitemap_xml() -> None:
    with serve({}) as server:
        sitemap = news_sitemap(server, (1,))
        stories(server, (1,))
        server.routes["/sitemap.xml"] = lambda _: Reply(200, sitemap, XML)
        found = run(f"sitemap:{server.url('')}")
    assert found.exit_code == 0, found.stderr
    assert [a["url"] for a in found.articles] == [server.url("/story/1")]
    with serve({}) as empty:
        missing = run(f"sitemap:{empty.url('/')}")
    assert missing.exit_code == 1
    assert missing.error_lines == [
        f"error: sitemap:{empty.url('/')}: robots.txt names no sitemap, and "
        f"{empty.url('/sitemap.xml')}: HTTP 404 Not Found"
    ]


def test_a_sitemap_that_lists_itself_over_http_is_read_once(site: Server) -> None:
    stories(site, (1, 2, 3))
    loop = index(site.url("/loop.xml"), site.url("/news-sitemap.xml"))
    site.routes["/loop.xml"] = lambda _: Reply(200, loop, XML)
    result = run(f"sitemap:{site.url('/loop.xml')}")  # a bare .xml URL is the rss kind's
    assert result.exit_code == 1
    assert len(result.articles) == 3
    assert result.error_lines == [
        f'error: sitemap:{site.url("/loop.xml")}: lists "{site.url("/loop.xml")}", which this '
        "source read already: not again"
    ]
    assert [path for path, _ in site.requests].count("/loop.xml") == 1


def test_over_max_urls_is_one_line_and_the_first_urls_are_kept(site: Server) -> None:
    stories(site, (1, 2, 3))
    result = run("--set", "sitemap.max_urls=2", site.url("/news-sitemap.xml"))
    assert result.exit_code == 1
    assert len(result.articles) == 2
    assert result.error_lines == [
        f"error: sitemap:{site.url('/news-sitemap.xml')}: more than 2 URLs: the rest is left "
        "out (sitemap.max_urls)"
    ]
    assert page_requests(site) == ["/story/1", "/story/2"]


def test_since_setting_and_its_check(site: Server) -> None:
    stories(site, (1, 2, 3))
    for since in (("--set", "sitemap.since=2024-05-02"), ("--since", "2024-05-02")):
        site.requests.clear()
        result = run(*since, site.url("/sitemap_index.xml"))
        assert result.exit_code == 0, result.stderr
        # lastmod is 2024-05-01 for all three; publication dates are May 1st to 3rd.
        assert [a["title"] for a in result.articles] == ["News title 2", "News title 3"]
        assert page_requests(site) == ["/story/2", "/story/3"]
    bad = run("--set", "sitemap.since=last tuesday-ish", site.url("/sitemap_index.xml"))
    assert bad.exit_code == 4
    assert "setting sitemap.since: expected a date such as 2024-05-01" in bad.stderr


def test_runs_on_state_fetch_only_new_pages_and_moved_lastmods(
    site: Server, tmp_path: Path
) -> None:
    stories(site, (1, 2, 3))
    out = tmp_path / "out.jsonl"
    args = ["--state", str(tmp_path / "state.sqlite"), "-o", str(out)]
    first = run(*args, site.url("/news-sitemap.xml"))
    assert first.exit_code == 0, first.stderr
    assert sorted(page_requests(site)) == ["/story/1", "/story/2", "/story/3"]
    site.requests.clear()
    again = run(*args, site.url("/news-sitemap.xml"))
    assert again.exit_code == 0, again.stderr
    assert page_requests(site) == []  # every URL held with the same lastmod: no page fetched
    moved = news_sitemap(site).replace(
        b"story/2</loc><lastmod>2024-05-01T10:00:00Z", b"story/2</loc><lastmod>2024-05-09T10:00:00Z"
    )
    site.routes["/news-sitemap.xml"] = lambda _: Reply(200, moved, XML)
    third = run(*args, site.url("/news-sitemap.xml"))
    assert third.exit_code == 0, third.stderr
    assert page_requests(site) == ["/story/2"]
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["url"] for line in lines][-1] == site.url("/story/2")
    assert lines[-1]["updated"] == "2024-05-09T10:00:00Z"
