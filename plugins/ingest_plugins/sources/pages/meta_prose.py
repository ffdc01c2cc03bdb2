"""What a page's visible text says about its authors and date, where its markup says
nothing: bylines (``rel=author`` links, ``itemprop=author``, elements classed ``byline``
or ``author``), a link to an author's page after the headline, labelled fields
(``<strong>Author</strong> Jane Doe``, ``<dt>Date</dt><dd>28.04.2023</dd>``),
``<time datetime>`` and a date in the page's URL (``/2025/04/01/``)."""

from __future__ import annotations

import re

import lxml.html

from ingest_plugins.sources.pages.names import Candidates, clean

_SKIPPED = frozenset({"meta", "link", "script", "style", "body", "html", "head"})
_AUTHOR_CLASS_RE = re.compile(r"\bauthor(?:s|-name|name)?\b")
_AUTHOR_PATH_RE = re.compile(r"/(?:authors?|autor(?:en|in)?|auteurs?|autores?)/[^/?#]", re.I)
# The words pages label an author's name or the publication date with, casefolded; a
# label may join two ("Autorin/Autor").
AUTHOR_LABELS = frozenset(
    {
        "author", "authors", "written by", "autor", "autorin", "autoren", "auteur",
        "auteurs", "autore", "autori", "autores", "forfatter", "författare", "reporter",
    }
)  # fmt: skip
DATE_LABELS = frozenset(
    {
        "date", "published", "published on", "datum", "veröffentlicht", "veröffentlicht am",
        "erschienen", "erschienen am", "publié", "publié le", "publicado", "pubblicato",
        "publisert", "publicerad", "dato",
    }
)  # fmt: skip
_LABEL_TAGS = ("strong", "b", "dt", "th", "span", "label", "em", "h4", "h5", "h6")
_MAX_LABELLED = 100
# /2025/04/01/ or /2025-04-01/ in a URL's path: the day the page was filed under.
_URL_DAY_RE = re.compile(
    r"/((?:19|20)\d\d)[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:[/-]|$)"
)


def _classes(element: lxml.html.HtmlElement) -> str:
    return f"{element.get('class') or ''} {element.get('id') or ''}".lower()


def bylines(root: lxml.html.HtmlElement) -> list[str]:
    """Texts of visible bylines: ``rel=author`` links, ``itemprop=author`` and elements
    whose class says byline or author (the first such block only: sidebars list others)."""
    found = [a.text_content() for a in root.iter("a") if "author" in (a.get("rel") or "")]
    classed: list[str] = []
    for element in root.iter():  # one pass: pages have thousands of elements
        if not isinstance(element.tag, str) or element.tag in _SKIPPED:
            continue
        if element.get("itemprop") == "author":
            names = [n.text_content() for n in element.iter() if n.get("itemprop") == "name"]
            found.extend(names or [element.text_content()])
        elif not classed and _classed_byline(element):
            text = clean(element.text_content())
            if text and len(text) <= 200:
                classed.append(text)
    return found or classed


def _classed_byline(element: lxml.html.HtmlElement) -> bool:
    classes = _classes(element)
    return "byline" in classes or bool(_AUTHOR_CLASS_RE.search(classes))


def author_links(root: lxml.html.HtmlElement) -> list[str]:
    """The first link to an author's page after the headline (``von <a
    href="/autoren/name/max-muster">``): a byline with no markup but its link."""
    seen_heading = False
    for element in root.iter("h1", "a"):
        if element.tag == "h1":
            seen_heading = True
        elif seen_heading and _AUTHOR_PATH_RE.search(element.get("href") or ""):
            text = clean(element.text_content())
            if text:
                return [text]
    return []


def _label(text: str) -> tuple[str, ...]:
    """The words of a label, casefolded: ``"Autorin/Autor:"`` -> ``("autorin", "autor")``."""
    words = " ".join(text.split()).rstrip(": ").casefold()
    return tuple(part.strip() for part in words.split("/"))


def labelled(root: lxml.html.HtmlElement, labels: frozenset[str]) -> list[str]:
    """Values the page gives under one of ``labels``: the text after a label element
    (``<strong>Datum</strong> 28.04.2023``) or in the element after it (``<dt>Author</dt>
    <dd>Jane Doe</dd>``)."""
    found: list[str] = []
    for element in root.iter(*_LABEL_TAGS):
        text = element.text_content()
        if len(text) > 40 or not all(part in labels for part in _label(text)):
            continue
        value = clean(element.tail)
        if not value:
            following = element.getnext()
            value = clean(following.text_content()) if following is not None else None
        if value and len(value) <= _MAX_LABELLED:
            found.append(value)
    return found


def time_elements(root: lxml.html.HtmlElement) -> Candidates:
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


def url_day(*urls: str | None) -> str | None:
    """The day a page's URL files it under (``/2025/04/01/slug``), as ``YYYY-MM-DD``."""
    for url in urls:
        path = re.sub(r"^[a-z]+://[^/]*", "", url or "", flags=re.I).split("?")[0]
        match = _URL_DAY_RE.search(path)
        if match:
            year, month, day = (int(g) for g in match.groups())
            return f"{year:04d}-{month:02d}-{day:02d}"
    return None
