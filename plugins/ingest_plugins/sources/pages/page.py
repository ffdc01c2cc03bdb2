"""One page's bytes to one article: decoded (:mod:`.decode`), parsed once with lxml, its
metadata read (:mod:`.metadata`) and its main text, figures and embedded posts extracted
(:mod:`.body`). The text is set here, not left in ``article.markup``: the page's boilerplate
must go before any HTML-to-text step, and the extractor's result is already paragraphs.

Every reader of pages goes through :func:`page_article`: the ``html`` kind's files and URLs,
the pages behind feed entries (:mod:`.fulltext`), sitemaps and web archives.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from ingest import Article, ArticleSource, Author, Media, Tag
from ingest.helpers import resolve_url, sniff_text
from ingest_plugins.clean.markup import html_to_text
from ingest_plugins.sources.pages.body import extract_body
from ingest_plugins.sources.pages.decode import NotAPage, decode_page
from ingest_plugins.sources.pages.metadata import PageMetadata, read_metadata
from ingest_plugins.sources.text import is_html_document as looks_like_html

KIND = "html"
#: The media types pages are served as.
MEDIA_TYPES = ("text/html", "application/xhtml+xml")
_XML_DECLARATION_RE = re.compile(r"\A\ufeff?\s*<\?xml[^>]*\?>")
# huge_tree lifts libxml2's nesting limit from 256 levels to 2,048; deeper is cut off, which
# the error log tells (and the article's warnings then say).
_PARSER = lxml.html.HTMLParser(
    remove_comments=True, remove_pis=True, no_network=True, huge_tree=True
)
_DEEP = 2048


def is_html_document(head: bytes) -> bool:
    """True when ``head`` starts like an HTML document (the rule the text plugin refuses
    HTML by: a doctype, ``<html>``, ``<head>``, ``<body>``, ``<meta>`` or ``<title>``)."""
    return looks_like_html(sniff_text(head))


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
    if meta.paywall:
        warnings.append(f"paywall: {meta.paywall}; the text may be only what non-subscribers see")
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
        links=list(body.links),
        media=_media(meta, body.media),
        warnings=warnings,
    )
    article.provenance.encoding = decoded.encoding
    article.provenance.fields = _fields(
        meta, text_from_json_ld=bool(paragraphs) and not body.paragraphs
    )
    article.provenance.fields["encoding"] = decoded.basis
    return article


def _fields(meta: PageMetadata, *, text_from_json_ld: bool) -> dict[str, str]:
    """Where each field came from, named as the record names the fields."""
    renamed = {"modified": "updated", "description": "summary", "canonical_url": "url"}
    fields = {renamed.get(k, k): v for k, v in meta.sources.items() if k != "body" and v}
    fields["text"] = "json-ld" if text_from_json_ld else "extracted"
    return fields


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
