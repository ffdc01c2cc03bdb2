"""Sitemaps as a source (kind ``sitemap``): one article per page URL a sitemap lists.

Reads ``<urlset>`` and ``<sitemapindex>`` files (gzipped too), plain-text sitemaps, and a
site's sitemaps as its robots.txt lists them (``sitemap:https://example.org/``). The fetch
stage yields each page as a stub: its URL (the article's identity), ``lastmod`` as
``updated``, and Google News' title, publication date, language and publication name. The
page itself is fetched in the enrich stage (:func:`ingest_enrich`), which the core calls only
for pages a run will deliver: in runs on state, a URL already held with the same ``lastmod``
is not fetched again. ``sitemap.since`` leaves out entries dated before a day.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import urlsplit

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
from ingest.helpers import parse_date
from ingest_plugins.sources.pages.fulltext import fetch_page_article, merge_page
from ingest_plugins.sources.sitemap.parse import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_URLS,
    is_sitemap_head,
)
from ingest_plugins.sources.sitemap.walk import KIND, MAX_DEPTH, Listed, Walk, is_robots

DEFAULT_MAX_DEPTH = 3
_NAME_ENDINGS = (".xml", ".xml.gz", ".txt", ".gz")


class Since(str):
    """A ``sitemap.since`` value: empty (no limit) or a date ``parse_date`` reads, checked
    when the setting is read, so a typo is a usage error, not an empty run."""

    def __new__(cls, value: str) -> Since:
        if value.strip() and parse_date(value).value is None:
            raise ValueError(value)
        return super().__new__(cls, value)


# Config's usage error reads "setting sitemap.since: expected {type.__name__}, got 'x'".
Since.__name__ = "a date such as 2024-05-01 or 2024-05-01T06:00:00Z"


@hookimpl
def ingest_add_settings(settings: Settings) -> None:
    """Declare ``sitemap.max_urls``, ``sitemap.max_bytes``, ``sitemap.max_depth`` and
    ``sitemap.since``."""
    settings.add(
        "sitemap.max_urls",
        DEFAULT_MAX_URLS,
        "Read at most this many URLs of one sitemap file (the protocol's limit: 50,000).",
    )
    settings.add(
        "sitemap.max_bytes",
        DEFAULT_MAX_BYTES,
        "Read at most this many bytes of one sitemap file, decompressed.",
    )
    settings.add(
        "sitemap.max_depth",
        DEFAULT_MAX_DEPTH,
        f"Follow sitemap indexes this many levels deep, up to {MAX_DEPTH} (0: only the one named).",
    )
    settings.add(
        "sitemap.since",
        "",
        "Leave out pages whose lastmod and publication date are before this date.",
        Since,
    )


@hookimpl
def ingest_source_kinds() -> list[SourceKind]:
    """Declare ``sitemap`` (told by content or name, never by a bare ``.xml`` suffix: feeds
    are XML too)."""
    return [
        SourceKind(
            KIND,
            "sitemaps (XML, gzip, text, indexes, Google News; a site root: its robots.txt's "
            "Sitemap: lines): one article per page URL, its page fetched",
            in_workers=False,  # every page is fetched: the run's process does it, politely
        )
    ]


@hookimpl
def ingest_detect_kind(location: str, head: bytes) -> str | None:
    """Claim files and responses whose root element is ``<urlset>`` or ``<sitemapindex>``
    (gzipped too), and URLs named like a sitemap (``/sitemap.xml``, ``/news-sitemap.xml.gz``)
    or a robots.txt."""
    if head:
        return KIND if is_sitemap_head(head) else None
    if location.startswith(("http://", "https://")):
        name = urlsplit(location).path.rsplit("/", 1)[-1].lower()
        if is_robots(name) or ("sitemap" in name and name.endswith(_NAME_ENDINGS)):
            return KIND
    return None


@hookimpl
def ingest_fetch(source: Source, config: Config) -> Iterator[Article | SourceError]:
    """Read a sitemap (file, stdin, URL, or a site root): one stub article per page URL, and
    one error line per sitemap in trouble."""
    return _articles(source, config)


def _articles(source: Source, config: Config) -> Iterator[Article | SourceError]:
    for found in Walk(source, config).pages():
        yield found if isinstance(found, SourceError) else stub_article(found, source)


def stub_article(listed: Listed, source: Source) -> Article:
    """The article of one listed page before its page is read: what the sitemap states."""
    entry = listed.entry
    article = Article(
        source=ArticleSource(
            KIND, entry.news_publication_name or source.name, source.location, None
        ),
        url=entry.loc,
        title=entry.news_title,
        published=entry.news_published,
        updated=entry.lastmod,
        language=entry.news_language,
        warnings=list(entry.warnings),
        extra={KIND: {"listed_in": listed.sitemap}},
    )
    stated = (
        ("title", entry.news_title, "news:title"),
        ("published", entry.news_published, "news:publication_date"),
        ("updated", entry.lastmod, "lastmod"),
        ("language", entry.news_language, "news:language"),
    )
    article.provenance.fields.update(
        {name: f"{KIND}:{where}" for name, value, where in stated if value is not None}
    )
    return article


@hookimpl
def ingest_enrich(article: Article, config: Config) -> bool | None:
    """Complete a sitemap's page from the page itself (text, authors, media, links, and the
    title, dates and language the sitemap does not state); None for other kinds.

    :raises SourceError: the page cannot be had or holds no article: the item fails with one
        line naming its URL.
    """
    if article.source.kind != KIND:
        return None
    if not article.url:
        return False
    page = fetch_page_article(article.url, config)
    merge_page(article, page)
    if article.source.name is None and page.source.name:
        article.source = replace(article.source, name=page.source.name)
    return True
