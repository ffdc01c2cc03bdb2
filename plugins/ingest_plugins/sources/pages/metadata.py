"""Metadata of an article page: title, authors, dates, language, site, canonical URL,
and whether the page says its text is not free to read.

Read from the page's structured data first and its prose last, in this order of trust:
JSON-LD (an ``Article`` or kin, also inside ``@graph`` and lists, authors resolved through
``@id`` references), OpenGraph and ``article:`` meta, other meta tags (``author``,
``parsely-*``, ``sailthru.*``, ``dc.*``...), ``<time datetime>``, and visible bylines
and labelled fields (:mod:`.meta_prose`); dates in :mod:`.meta_dates`, the paywall in
:mod:`.meta_paywall`. :func:`read_metadata` never raises: broken JSON-LD (trailing
commas, HTML comments, CDATA) is repaired where it can be and skipped where it cannot.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import lxml.html

from ingest import canonical_url
from ingest.helpers import bcp47, jsonvalues, resolve_url
from ingest_plugins.sources.pages.jsonld import JsonLd, json_ld, name_of, texts, url_of
from ingest_plugins.sources.pages.meta_dates import dates
from ingest_plugins.sources.pages.meta_paywall import paywall
from ingest_plugins.sources.pages.meta_prose import (
    AUTHOR_LABELS,
    author_links,
    bylines,
    labelled,
)
from ingest_plugins.sources.pages.names import (
    Candidates,
    Site,
    clean,
    names_of,
    site_of,
    squash,
    title_of,
)


@dataclass(frozen=True, slots=True)
class PageMetadata:
    """What a page says about itself; None (or empty) where it says nothing readable.

    ``sources`` maps each field found to where it came from: ``json-ld``, ``opengraph``,
    ``meta``, ``time``, ``byline``, ``author-link``, ``label``, ``url``, ``title-tag``,
    ``h1``, ``html``, ``link``. ``paywall`` is why the page is not free to read, in words
    (``the page marks its text as for subscribers (isAccessibleForFree: false)``), or None.
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
    paywall: str | None = None
    sources: Mapping[str, str] = field(default_factory=dict)


# --- meta tags ------------------------------------------------------------------------


def _meta(root: lxml.html.HtmlElement) -> dict[str, list[str]]:
    """``<meta>`` contents by lowercased name, property or itemprop (each of several), in
    page order."""
    found: dict[str, list[str]] = {}
    for meta in root.iter("meta"):
        content = meta.get("content")
        if content is None or not content.strip():
            continue
        value = html.unescape(content.strip())
        for key in ("property", "name", "itemprop", "http-equiv"):
            # Microdata and RDFa name several properties at once: "datePublished dateCreated".
            for name in (meta.get(key) or "").lower().split():
                found.setdefault(name, []).append(value)
    return found


def _first(meta: Mapping[str, list[str]], *names: str) -> str | None:
    for name in names:
        if meta.get(name):
            return meta[name][0]
    return None


# --- the record ------------------------------------------------------------------------------

# Longer is a headline in a breadcrumb trail, not a section's name.
_MAX_SECTION = 40
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


def _authors(
    root: lxml.html.HtmlElement, ld: JsonLd, meta: Mapping[str, list[str]], site: Site
) -> tuple[tuple[str, ...], str]:
    """Authors from the first source that names a person: JSON-LD, article:author, other
    meta, visible bylines, labelled names, a link to an author's page. A page that credits
    no one but the site itself (a JSON-LD ``author`` that is the publisher) gets the site,
    as the first source names it."""
    article = ld.article or {}
    opengraph = [a for a in meta.get("article:author", ()) if not a.startswith("http")]
    tiers: list[tuple[str, list[str] | None]] = [
        ("json-ld", name_of(article.get("author") or article.get("creator"), ld.ids)),
        ("opengraph", opengraph),
        ("meta", next((meta[n] for n in _AUTHOR_META if meta.get(n)), [])),
    ]
    only_site: tuple[tuple[str, ...], str] = ((), "")
    lazy: dict[str, Callable[[lxml.html.HtmlElement], list[str]]] = {
        "byline": bylines,
        "label": lambda page: labelled(page, AUTHOR_LABELS)[:1],  # later ones: teasers
        "author-link": author_links,
    }
    for source, given in [*tiers, *((name, None) for name in lazy)]:
        values = lazy[source](root) if given is None else given
        names = names_of(values, site)
        if names:
            return names, source
        if not only_site[0]:
            only_site = names_of(values, site, keep_site=True), source
    return only_site if only_site[0] else ((), "")


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


def _title(
    root: lxml.html.HtmlElement,
    ld: JsonLd,
    meta: Mapping[str, list[str]],
    site: Site,
    section: str | None,
) -> tuple[str | None, str]:
    """The headline and its source; the site's name and the page's sections (its stated
    section, its breadcrumb trail's names) are cut off the candidates' ends."""
    article = ld.article or {}
    title_tag = next(root.iter("title"), None)
    crumbs = [c for c in (section, *ld.crumbs) if c and len(c) <= _MAX_SECTION]
    return title_of(
        root,
        [
            ("json-ld", jsonvalues.text(article.get("headline"))),
            ("opengraph", _first(meta, "og:title")),
            ("meta", _first(meta, "twitter:title", "parsely-title", "sailthru.title", "dc.title")),
            ("title-tag", title_tag.text_content() if title_tag is not None else None),
        ],
        site,
        frozenset(squash(c) for c in crumbs) - {""},
    )


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
    title, sources["title"] = _title(root, ld, meta, site, section)
    authors, sources["authors"] = _authors(root, ld, meta, site)
    canonical, image = _links(root, article, meta, url)
    canonical_url = _first_of(canonical, sources, "canonical_url")
    (published, sources["published"]), (modified, sources["modified"]) = dates(
        root, ld, meta, (url, canonical_url)
    )
    description: Candidates = [
        ("json-ld", jsonvalues.text(article.get("description"))),
        ("opengraph", _first(meta, "og:description")),
        ("meta", _first(meta, "description", "twitter:description", "dc.description")),
    ]
    keywords = _keywords(article, meta)
    if keywords:
        sources["keywords"] = "json-ld" if texts(article.get("keywords")) else "meta"
    return PageMetadata(
        title=title,
        authors=authors,
        published=published,
        modified=modified,
        language=_first_of(_language(root, article, meta), sources, "language"),
        site_name=site_name,
        canonical_url=canonical_url,
        image=_first_of(image, sources, "image"),
        description=_first_of(description, sources, "description"),
        section=section,
        keywords=keywords,
        body=_clean_body(jsonvalues.text(article.get("articleBody")), sources),
        paywall=paywall(ld.article, ld.page, meta),
        sources={k: v for k, v in sources.items() if v},
    )


def _clean_body(text: str | None, sources: dict[str, str]) -> str | None:
    """JSON-LD ``articleBody``, stripped; None when empty."""
    if not text or not text.strip():
        return None
    sources["body"] = "json-ld"
    return text.strip()
