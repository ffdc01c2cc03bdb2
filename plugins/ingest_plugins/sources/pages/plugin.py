"""Web article pages as a source (kind ``html``): one page, one article.

A page is read from a file (``.html``, ``.htm``, ``.xhtml``, ``.html.gz``), stdin or a URL;
decoded (:mod:`.decode`), parsed once with lxml, its metadata read (:mod:`.metadata`) and
its main text, figures and embedded posts extracted (:mod:`.body`). The text is set here,
not left in ``article.markup``: the page's boilerplate must go before any HTML-to-text
step, and the extractor's result is already paragraphs.

A file of embedded tweets (``blockquote.twitter-tweet`` in its first 4 KiB and no sign of
an article there: :func:`is_tweets_page`) is the ``tweets`` kind's, one article per post;
this plugin leaves it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import lxml.html
from lxml import etree

from ingest import (
    Article,
    ArticleSource,
    Author,
    Config,
    Media,
    Settings,
    Source,
    SourceError,
    SourceKind,
    Tag,
    hookimpl,
)
from ingest.helpers import fetch_source, read_bytes, resolve_url, sniff_text
from ingest_plugins.clean.markup import html_to_text
from ingest_plugins.sources.pages.body import extract_body
from ingest_plugins.sources.pages.decode import NotAPage, decode_page, gunzip
from ingest_plugins.sources.pages.metadata import PageMetadata, read_metadata
from ingest_plugins.sources.text import is_html_document as looks_like_html

KIND = "html"
_SUFFIXES = (".html", ".htm", ".xhtml", ".html.gz")
_MEDIA_TYPES = ("text/html", "application/xhtml+xml")
_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
#: What the ``tweets`` kind reads in an HTML file: a page of embedded tweets is its.
TWEETS_MARKER = b"twitter-tweet"
#: What tells an article page that embeds a tweet from a page of embedded tweets.
_ARTICLE_MARKERS = (b"newsarticle", b"<article", b'og:type" content="article')
_XML_DECLARATION_RE = re.compile(r"\A\ufeff?\s*<\?xml[^>]*\?>")
# huge_tree lifts libxml2's nesting limit from 256 levels to 2,048; deeper is cut off, which
# the error log tells (and the article's warnings then say).
_PARSER = lxml.html.HTMLParser(
    remove_comments=True, remove_pis=True, no_network=True, huge_tree=True
)
_DEEP = 2048


@hookimpl
def ingest_add_settings(settings: Settings) -> None:
    """Declare ``html.max_bytes``: the largest page, once a ``.html.gz`` is decompressed (a
    URL's body is also capped by ``http.max_bytes`` as it arrives)."""
    settings.add(
        "html.max_bytes",
        DEFAULT_MAX_BYTES,
        "Refuse pages larger than this (a .html.gz file: once decompressed).",
    )


@hookimpl
def ingest_source_kinds() -> list[SourceKind]:
    """Declare ``html``: its file endings and the media types pages are served as."""
    return [SourceKind(KIND, "web article pages: one article per page", _SUFFIXES, _MEDIA_TYPES)]


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


def is_html_document(head: bytes) -> bool:
    """True when ``head`` starts like an HTML document (the rule the text plugin refuses
    HTML by: a doctype, ``<html>``, ``<head>``, ``<body>``, ``<meta>`` or ``<title>``)."""
    return looks_like_html(sniff_text(head))


@hookimpl
def ingest_fetch(source: Source, config: Config) -> Iterator[Article]:
    """Read one page from a file, stdin or URL: one article."""
    return _read(source, config)


def _read(source: Source, config: Config) -> Iterator[Article]:
    limit = int(config.get("html.max_bytes"))
    charset, url = None, None
    if source.is_url:
        response = fetch_source(source, config, accept=_ACCEPT)
        if response.not_modified:  # a conditional GET answered 304: nothing new
            return
        data, charset, url = response.content, response.charset, response.url
    else:
        data = read_bytes(source, limit)
    try:
        yield page_article(gunzip(data, limit), url, source.location, charset)
    except NotAPage as exc:
        raise SourceError(source.label(), str(exc)) from None


def page_article(
    data: bytes, url: str | None, location: str, http_charset: str | None = None
) -> Article:
    """The article of one page's bytes (already decompressed).

    :param url: where the page was fetched from (relative links resolve against it).
    :param location: the source location, for ``article.source``.
    :raises NotAPage: empty, binary or undecodable bytes, or a page with no text.
    """
    if not data.strip():
        raise NotAPage("empty file")
    decoded = decode_page(data, http_charset)
    root, deep = _parse(decoded.text)
    # Relative links resolve against the document (its <base href>, or where it was fetched
    # from), not its canonical URL: an AMP or syndicated copy lives elsewhere. A saved page
    # read from a file has only its canonical URL to go by.
    base = _document_base(root, url)
    meta = read_metadata(root, base)
    body = extract_body(root, base or meta.canonical_url)
    paragraphs = list(body.paragraphs)
    if paragraphs and meta.title and paragraphs[0] == meta.title:
        del paragraphs[0]  # the headline is the title, not the text's first paragraph
    warnings = list(decoded.warnings)
    if deep:
        warnings.append(f"the page nests deeper than {_DEEP:,} levels; what lies deeper is cut")
    if not paragraphs and meta.body:
        # A JavaScript shell renders nothing; its JSON-LD may carry the text (as HTML, too).
        stated = html_to_text(meta.body).text if "<" in meta.body else meta.body
        paragraphs = [" ".join(p.split()) for p in stated.splitlines() if p.strip()]
        warnings.append("the page renders no body: text from its JSON-LD articleBody")
    elif body.warnings:
        warnings.extend(body.warnings)
    if not paragraphs and not body.embeds:
        reason = "no article text found (only scripts or markup, or a page built by JavaScript)"
        if deep:
            reason = f"no article text above {_DEEP:,} levels of nesting, where parsing stops"
        raise NotAPage(reason)
    article = Article(
        source=ArticleSource(KIND, meta.site_name, location, meta.canonical_url),
        url=meta.canonical_url or url,
        title=meta.title,
        summary=meta.description,
        text="\n\n".join(paragraphs),
        authors=[Author(name) for name in meta.authors],
        published=meta.published,
        updated=meta.modified,
        language=meta.language,
        tags=_tags(meta),
        embeds=list(body.embeds),
        media=_media(meta, body.media),
        warnings=warnings,
    )
    article.provenance.encoding = decoded.encoding
    return article


def _parse(text: str) -> tuple[lxml.html.HtmlElement, bool]:
    """The page's tree, and whether it was nested too deep to be read whole."""
    # lxml refuses a str that carries an XML encoding declaration (XHTML pages do).
    text = _XML_DECLARATION_RE.sub("", text, count=1).replace("\x00", "")
    try:
        root = lxml.html.document_fromstring(text, parser=_PARSER)
    except (etree.ParserError, ValueError):
        raise NotAPage("no HTML document in the file") from None
    # Only a page with thousands of tags can be that deep: only then read the error log.
    deep = text.count("<") >= _DEEP and any(
        e.type_name == "ERR_RESOURCE_LIMIT" for e in _PARSER.error_log
    )
    return root, deep


def _document_base(root: lxml.html.HtmlElement, url: str | None) -> str | None:
    """What relative links resolve against: the page's ``<base href>`` (itself resolved
    against the URL it came from), else that URL."""
    base = root.find(".//base[@href]")
    href = (base.get("href") or "").strip() if base is not None else ""
    if not href:
        return url
    return resolve_url(url, href) if url else (href if "://" in href else None)


def _tags(meta: PageMetadata) -> list[Tag]:
    tags = [Tag("category", meta.section, None, KIND)] if meta.section else []
    return tags + [Tag("keyword", k, None, KIND) for k in meta.keywords]


def _media(meta: PageMetadata, found: tuple[Media, ...]) -> list[Media]:
    """The lead image the metadata names, then the body's figures (each URL once)."""
    media = list(found)
    if meta.image and meta.image not in {m.url for m in media}:
        media.insert(0, Media("image", meta.image))
    return media
