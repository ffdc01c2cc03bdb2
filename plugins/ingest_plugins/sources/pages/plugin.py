"""Web article pages as a source (kind ``html``): one page, one article.

A page is read from a file (``.html``, ``.htm``, ``.xhtml``, ``.html.gz``), stdin or a URL,
and made an article by :func:`.page.page_article`. With ``html.full_text`` on, the page
behind each feed entry completes the entry (:mod:`.fulltext`, in the enrich stage).

A file of embedded tweets (``blockquote.twitter-tweet`` in its first 4 KiB and no sign of
an article there: :func:`is_tweets_page`) is the ``tweets`` kind's, one article per post;
this plugin leaves it.
"""

from __future__ import annotations

from collections.abc import Iterator

from ingest import Article, Config, Settings, Source, SourceError, SourceKind, hookimpl
from ingest.helpers import fetch_source, read_bytes
from ingest_plugins.sources.pages import fulltext
from ingest_plugins.sources.pages.decode import NotAPage, gunzip
from ingest_plugins.sources.pages.page import KIND, MEDIA_TYPES, is_html_document, page_article

__all__ = ["KIND", "MEDIA_TYPES", "is_html_document", "is_tweets_page", "page_article"]

_SUFFIXES = (".html", ".htm", ".xhtml", ".html.gz")
_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
#: What the ``tweets`` kind reads in an HTML file: a page of embedded tweets is its.
TWEETS_MARKER = b"twitter-tweet"
#: What tells an article page that embeds a tweet from a page of embedded tweets.
_ARTICLE_MARKERS = (b"newsarticle", b"<article", b'og:type" content="article')


@hookimpl
def ingest_add_settings(settings: Settings) -> None:
    """Declare ``html.max_bytes``, the largest page once a ``.html.gz`` is decompressed (a
    URL's body is also capped by ``http.max_bytes`` as it arrives), and ``html.full_text``."""
    settings.add(
        "html.max_bytes",
        DEFAULT_MAX_BYTES,
        "Refuse pages larger than this (a .html.gz file: once decompressed).",
    )
    settings.add(
        "html.full_text",
        False,
        "Complete each feed entry from the page it links to (--full-text): its text, and "
        "what the feed lacks.",
    )


@hookimpl
def ingest_source_kinds() -> list[SourceKind]:
    """Declare ``html``: its file endings and the media types pages are served as."""
    return [SourceKind(KIND, "web article pages: one article per page", _SUFFIXES, MEDIA_TYPES)]


@hookimpl
def ingest_detect_kind(location: str, head: bytes) -> str | None:
    """Claim pages: URLs and files named ``.html``/``.htm``/``.xhtml``/``.html.gz`` and
    anything that starts like an HTML document, except files of embedded tweets."""
    lowered = location.lower()
    if lowered.startswith(("http://", "https://")):
        path = lowered.split("?", 1)[0].split("#", 1)[0]
        if not head:  # asked by name only; the core asks again with the response's bytes
            return KIND if path.endswith(_SUFFIXES) else None
        return KIND if is_html_document(head) else None
    if lowered.endswith(".html.gz"):
        return KIND
    if is_tweets_page(head):
        return None  # the tweets kind's: one article per embedded post
    if lowered.endswith(_SUFFIXES) or is_html_document(head):
        return KIND
    return None


def is_tweets_page(head: bytes) -> bool:
    """True when ``head`` is the start of a page of embedded tweets (the ``tweets`` kind's):
    it holds a tweet embed and no sign of being an article (``<article>``, a JSON-LD
    ``NewsArticle``, ``og:type`` article) before it."""
    if TWEETS_MARKER not in head:
        return False
    lowered = head.lower()
    return not any(marker in lowered for marker in _ARTICLE_MARKERS)


@hookimpl
def ingest_fetch(source: Source, config: Config) -> Iterator[Article]:
    """Read one page from a file, stdin or URL: one article."""
    return _read(source, config)


def _read(source: Source, config: Config) -> Iterator[Article]:
    limit = int(config.get("html.max_bytes"))
    charset, url = None, None
    if source.is_url:
        response = fetch_source(source, config, accept=_ACCEPT, polite=True)
        if response.not_modified:  # a conditional GET answered 304: nothing new
            return
        data, charset, url = response.content, response.charset, response.url
    else:
        data = read_bytes(source, limit)
    try:
        yield page_article(gunzip(data, limit), url, source.location, charset)
    except NotAPage as exc:
        raise SourceError(source.label(), str(exc)) from None


@hookimpl
def ingest_enrich(article: Article, config: Config) -> bool | None:
    """With ``html.full_text`` on, complete a feed entry from the page its URL names."""
    return fulltext.complete_entry(article, config)
