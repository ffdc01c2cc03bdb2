"""Metadata of an article page: title, authors, dates, language, site, canonical URL...

Read from the page's structured data first and its prose last, in this order of trust:
JSON-LD (an ``Article`` or kin, also inside ``@graph`` and lists, authors resolved through
``@id`` references), OpenGraph and ``article:`` meta, other meta tags (``author``,
``parsely-*``, ``sailthru.*``, ``dc.*``...), ``<time datetime>``, and visible bylines.
:func:`read_metadata` never raises: broken JSON-LD (trailing commas, HTML comments, CDATA)
is repaired where it can be and skipped where it cannot.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import lxml.html

from ingest import canonical_url
from ingest.helpers import bcp47, jsonvalues, parse_date, resolve_url
from ingest_plugins.sources.pages.jsonld import JsonLd, json_ld, name_of, texts, url_of
from ingest_plugins.sources.pages.names import (
    Candidates,
    Site,
    clean,
    names_of,
    site_of,
    title_of,
)

_TIME_RE = re.compile(r"\d{1,2}[:h.]\d{2}")


@dataclass(frozen=True, slots=True)
class PageMetadata:
    """What a page says about itself; None (or empty) where it says nothing readable.

    ``sources`` maps each field found to where it came from: ``json-ld``, ``opengraph``,
    ``meta``, ``microdata``, ``time``, ``byline``, ``title-tag``, ``html``.
    """

    title: str | None = None
    authors: tuple[str, ...] = ()
    published: datetime | None = None
    modified: datetime | None = None
    language: str | None = None
    site_name: str | None = None
    canonical_url: str | None = None
    image: str | None = None
    description: str | None = None
    section: str | None = None
    keywords: tuple[str, ...] = ()
    body: str | None = None
    sources: Mapping[str, str] = field(default_factory=dict)


# --- JSON-LD --------------------------------------------------------------------------


def _meta(root: lxml.html.HtmlElement) -> dict[str, list[str]]:
    """``<meta>`` contents by lowercased name, property or itemprop, in page order."""
    found: dict[str, list[str]] = {}
    for meta in root.iter("meta"):
        content = meta.get("content")
        if content is None or not content.strip():
            continue
        for key in ("property", "name", "itemprop", "http-equiv"):
            name = meta.get(key)
            if name:
                found.setdefault(name.strip().lower(), []).append(html.unescape(content.strip()))
    return found


def _first(meta: Mapping[str, list[str]], *names: str) -> str | None:
    for name in names:
        if meta.get(name):
            return meta[name][0]
    return None


# --- values ------------------------------------------------------------------------------


def _date(value: str | None) -> tuple[datetime | None, bool]:
    """(the instant, whether the text states a time of day)."""
    parsed = parse_date(value).value if value else None
    return parsed, parsed is not None and bool(_TIME_RE.search(value or ""))


def _pick_date(candidates: list[tuple[str, str | None]]) -> tuple[datetime | None, str]:
    """The first readable date; a day alone gives way to a later source stating a time
    on that same day (a JSON-LD ``2024-05-03`` beside ``article:published_time``)."""
    dated = [(source, raw, *_date(raw)) for source, raw in candidates if raw]
    readable = [(s, raw, d, timed) for s, raw, d, timed in dated if d is not None]
    if not readable:
        return None, ""
    source, raw, best, timed = readable[0]
    if not timed:
        day = raw.strip()[:10]
        for other, other_raw, value, other_timed in readable[1:]:
            if other_timed and other_raw.strip()[:10] == day:
                return value, other
    return best, source


# --- the page's prose ----------------------------------------------------------------------


def _classes(element: lxml.html.HtmlElement) -> str:
    return f"{element.get('class') or ''} {element.get('id') or ''}".lower()


def _bylines(root: lxml.html.HtmlElement) -> list[str]:
    """Texts of visible bylines: ``rel=author`` links, ``itemprop=author`` and elements
    whose class says byline or author (the first such block only: sidebars list others)."""
    found = [a.text_content() for a in root.iter("a") if "author" in (a.get("rel") or "")]
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag in ("meta", "link", "script"):
            continue
        if element.get("itemprop") == "author":
            names = [n.text_content() for n in element.iter() if n.get("itemprop") == "name"]
            found.extend(names or [element.text_content()])
    if found:
        return found
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag in ("meta", "link", "script", "body"):
            continue
        classes = _classes(element)
        if "byline" in classes or re.search(r"\bauthor(?:s|-name|name)?\b", classes):
            text = clean(element.text_content())
            if text and len(text) <= 200:
                return [text]
    return []


_AUTHOR_PATH_RE = re.compile(r"/(?:authors?|autor(?:en|in)?|auteurs?|autores?)/[^/?#]", re.I)


def _author_links(root: lxml.html.HtmlElement) -> list[str]:
    """The first link to an author's page after the headline (LTO's ``von <a
    href="/autoren/name/max-kolter">``): a byline with no markup but its link."""
    seen_heading = False
    for element in root.iter("h1", "a"):
        if element.tag == "h1":
            seen_heading = True
        elif seen_heading and _AUTHOR_PATH_RE.search(element.get("href") or ""):
            text = clean(element.text_content())
            if text:
                return [text]
    return []


def _time_elements(root: lxml.html.HtmlElement) -> list[tuple[str, str | None]]:
    """``<time datetime>`` values, the ones marked as the publication date first."""
    marked: Candidates = []
    other: Candidates = []
    for element in root.iter("time"):
        value = element.get("datetime")
        if not value:
            continue
        hint = f"{_classes(element)} {element.get('itemprop') or ''}".lower()
        pubdate = element.get("pubdate") is not None or "publish" in hint
        (marked if pubdate else other).append(("time", value))
    return marked + other[:1]


# --- the record ------------------------------------------------------------------------------

_PUBLISHED_META = (
    "parsely-pub-date", "sailthru.date", "dc.date", "dc.date.issued", "dcterms.created",
    "dcterms.date", "date", "pubdate", "publishdate", "publish-date", "publish_date",
    "datepublished", "article.published", "og:published_time", "published_time",
    "cxenseparse:recs:publishtime", "date.available",
)  # fmt: skip
_AUTHOR_META = (
    "author", "parsely-author", "sailthru.author", "dc.creator", "dcterms.creator", "byl",
    "citation_author",
)  # fmt: skip


def _first_of(candidates: Candidates, sources: dict[str, str], name: str) -> str | None:
    for source, value in candidates:
        text = clean(value)
        if text:
            sources[name] = source
            return text
    return None


def _metas(meta: Mapping[str, list[str]], names: tuple[str, ...]) -> Candidates:
    return [("meta", value) for name in names for value in meta.get(name, ())]


def _authors(
    root: lxml.html.HtmlElement, ld: JsonLd, meta: Mapping[str, list[str]], site: Site
) -> tuple[tuple[str, ...], str]:
    """Authors from the first source that names a person: JSON-LD, article:author, other
    meta, visible bylines. A page that credits no one but the site itself (a JSON-LD
    ``author`` that is the publisher) gets the site, as the first source names it."""
    article = ld.article or {}
    opengraph = [a for a in meta.get("article:author", ()) if not a.startswith("http")]
    tiers: list[tuple[str, list[str] | None]] = [
        ("json-ld", name_of(article.get("author") or article.get("creator"), ld.ids)),
        ("opengraph", opengraph),
        ("meta", next((meta[n] for n in _AUTHOR_META if meta.get(n)), [])),
    ]
    only_site: tuple[tuple[str, ...], str] = ((), "")
    lazy = {"byline": _bylines, "author-link": _author_links}
    for source, given in [*tiers, ("byline", None), ("author-link", None)]:
        values = lazy[source](root) if given is None else given
        names = names_of(values, site)
        if names:
            return names, source
        if not only_site[0]:
            only_site = names_of(values, site, keep_site=True), source
    return only_site if only_site[0] else ((), "")


def _dates(
    root: lxml.html.HtmlElement, ld: JsonLd, meta: Mapping[str, list[str]]
) -> tuple[tuple[datetime | None, str], tuple[datetime | None, str]]:
    article, page = ld.article or {}, ld.page or {}
    published: Candidates = [
        ("json-ld", jsonvalues.text(article.get("datePublished"))),
        ("json-ld", jsonvalues.text(article.get("dateCreated"))),
        ("json-ld", jsonvalues.text(page.get("datePublished"))),
        (
            "opengraph",
            _first(
                meta,
                "article:published_time",
                "og:article:published_time",
                "article:published:time",
            ),
        ),
        *_metas(meta, _PUBLISHED_META),
        *_time_elements(root),
    ]
    modified: Candidates = [
        ("json-ld", jsonvalues.text(article.get("dateModified"))),
        ("json-ld", jsonvalues.text(page.get("dateModified"))),
        (
            "opengraph",
            _first(meta, "article:modified_time", "article:modified:time", "og:updated_time"),
        ),
        *_metas(meta, ("dcterms.modified", "last-modified", "datemodified")),
    ]
    return _pick_date(published), _pick_date(modified)


def _keywords(article: Mapping[str, Any], meta: Mapping[str, list[str]]) -> tuple[str, ...]:
    tiers = [
        texts(article.get("keywords")),
        meta.get("article:tag", []),
        next((meta[n] for n in ("news_keywords", "keywords", "parsely-tags") if n in meta), []),
    ]
    for values in tiers:
        words = [w.strip() for v in values for w in v.split(",")]
        unique = list(dict.fromkeys(w for w in words if w))
        if unique:
            return tuple(unique)
    return ()


def _link(root: lxml.html.HtmlElement, rel: str) -> str | None:
    for link in root.iter("link"):
        href = link.get("href")
        if rel in (link.get("rel") or "").lower().split() and isinstance(href, str) and href:
            return href
    return None


def _absolute(value: str | None, url: str | None) -> str | None:
    if not value or value.startswith("data:"):
        return None
    return canonical_url(resolve_url(url, value.strip()))


def _site_name(ld: JsonLd, meta: Mapping[str, list[str]], sources: dict[str, str]) -> str | None:
    publishers = name_of((ld.article or {}).get("publisher"), ld.ids)
    candidates: Candidates = [
        ("opengraph", _first(meta, "og:site_name")),
        ("json-ld", publishers[0] if publishers else None),
        ("json-ld", next(iter(name_of(ld.website, ld.ids)), None)),
        ("meta", _first(meta, "application-name", "apple-mobile-web-app-title")),
    ]
    return _first_of(candidates, sources, "site_name")


def _language(
    root: lxml.html.HtmlElement, article: Mapping[str, Any], meta: Mapping[str, list[str]]
) -> Candidates:
    declared = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    return [
        ("html", bcp47(declared)),
        ("opengraph", bcp47(_first(meta, "og:locale"))),
        ("json-ld", bcp47(jsonvalues.text(article.get("inLanguage")))),
        ("meta", bcp47(_first(meta, "content-language", "dc.language", "language"))),
    ]


def _links(
    root: lxml.html.HtmlElement,
    article: Mapping[str, Any],
    meta: Mapping[str, list[str]],
    url: str | None,
) -> tuple[Candidates, Candidates]:
    """Candidates for the canonical URL and the lead image, absolute and canonical."""
    canonical: Candidates = [
        ("link", _absolute(_link(root, "canonical"), url)),
        ("opengraph", _absolute(_first(meta, "og:url"), url)),
        ("json-ld", _absolute(url_of(article.get("url")), url)),
    ]
    image: Candidates = [
        ("json-ld", _absolute(url_of(article.get("image")), url)),
        ("opengraph", _absolute(_first(meta, "og:image", "og:image:url"), url)),
        ("meta", _absolute(_first(meta, "twitter:image", "twitter:image:src"), url)),
    ]
    return canonical, image


def read_metadata(root: lxml.html.HtmlElement, url: str | None) -> PageMetadata:
    """The metadata ``root`` (a parsed page, fetched from ``url`` if known) states.

    Each field comes from the most trusted source that gives it (see the module's
    docstring); ``sources`` says which. Dates are timezone-aware UTC; URLs absolute and
    canonical (tracking parameters dropped). Never raises.
    """
    ld, meta = json_ld(root), _meta(root)
    sources: dict[str, str] = {}
    article = ld.article or {}
    site_name = _site_name(ld, meta, sources)
    publishers = name_of(article.get("publisher"), ld.ids)
    site = site_of(url, [site_name, *publishers, *meta.get("og:site_name", [])])
    section = _first_of(
        [
            ("json-ld", next(iter(texts(article.get("articleSection"))), None)),
            ("opengraph", _first(meta, "article:section")),
            ("meta", _first(meta, "parsely-section", "section", "sailthru.section")),
        ],
        sources,
        "section",
    )
    title_tag = next(root.iter("title"), None)
    title, sources["title"] = title_of(
        root,
        [
            ("json-ld", jsonvalues.text(article.get("headline"))),
            ("opengraph", _first(meta, "og:title")),
            ("meta", _first(meta, "twitter:title", "parsely-title", "sailthru.title", "dc.title")),
            ("title-tag", title_tag.text_content() if title_tag is not None else None),
        ],
        site,
        section,
    )
    authors, sources["authors"] = _authors(root, ld, meta, site)
    (published, sources["published"]), (modified, sources["modified"]) = _dates(root, ld, meta)
    canonical, image = _links(root, article, meta, url)
    description: Candidates = [
        ("json-ld", jsonvalues.text(article.get("description"))),
        ("opengraph", _first(meta, "og:description")),
        ("meta", _first(meta, "description", "twitter:description", "dc.description")),
    ]
    keywords = _keywords(article, meta)
    if keywords:
        sources["keywords"] = "json-ld" if texts(article.get("keywords")) else "meta"
    body = _clean_body(jsonvalues.text(article.get("articleBody")), sources)
    return PageMetadata(
        title=title,
        authors=authors,
        published=published,
        modified=modified,
        language=_first_of(_language(root, article, meta), sources, "language"),
        site_name=site_name,
        canonical_url=_first_of(canonical, sources, "canonical_url"),
        image=_first_of(image, sources, "image"),
        description=_first_of(description, sources, "description"),
        section=section,
        keywords=keywords,
        body=body,
        sources={k: v for k, v in sources.items() if v},
    )


def _clean_body(text: str | None, sources: dict[str, str]) -> str | None:
    """JSON-LD ``articleBody``, stripped; None when empty."""
    if not text or not text.strip():
        return None
    sources["body"] = "json-ld"
    return text.strip()
