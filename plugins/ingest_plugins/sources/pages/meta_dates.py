"""The publication and modification dates of an article page, from the most trusted
source that states one: JSON-LD, OpenGraph ``article:`` meta, other meta tags, ``<time
datetime>``, a labelled date in the text (``Datum 28.04.2023``) and, last, the day in the
page's URL (``/2025/04/01/``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

import lxml.html

from ingest.helpers import jsonvalues, parse_date
from ingest_plugins.sources.pages.jsonld import JsonLd
from ingest_plugins.sources.pages.meta_prose import DATE_LABELS, labelled, time_elements, url_day
from ingest_plugins.sources.pages.names import Candidates

_TIME_RE = re.compile(r"\d{1,2}[:h.]\d{2}")
# "01.04.2025", "1.4.2025, 15:25 Uhr", "01.04.2025 um 15:25": dots put the day first.
_DOTTED_RE = re.compile(
    r"^(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})(?:,?\s*(?:um\s+)?(\d{1,2}[:.]\d{2})(?:\s*Uhr)?)?$",
    re.I,
)
_PUBLISHED_META = (
    "parsely-pub-date", "sailthru.date", "dc.date", "dc.date.issued", "dcterms.created",
    "dcterms.date", "date", "pubdate", "publishdate", "publish-date", "publish_date",
    "datepublished", "article.published", "og:published_time", "published_time",
    "cxenseparse:recs:publishtime", "date.available",
)  # fmt: skip
_OPENGRAPH_PUBLISHED = (
    "article:published_time", "og:article:published_time", "article:published:time",
    "article:published",
)  # fmt: skip
_OPENGRAPH_MODIFIED = (
    "article:modified_time", "article:modified:time", "og:updated_time", "article:modified",
)  # fmt: skip
_MODIFIED_META = ("dcterms.modified", "last-modified", "datemodified")

#: (the instant, the source it came from: "json-ld", "opengraph", "meta", "time"...).
Dated = tuple[datetime | None, str]


def _date(value: str | None) -> tuple[datetime | None, bool]:
    """(the instant, whether the text states a time of day)."""
    dotted = _DOTTED_RE.match(value.strip()) if value else None
    if dotted:
        # Dots put the day first wherever they are written ("01.04.2025" is 1 April);
        # the parser underneath would read that as January 4th.
        day, month, year, clock = dotted.groups()
        value = f"{year}-{int(month):02d}-{int(day):02d}"
        value += f" {clock.replace('.', ':')}" if clock else ""
    parsed = parse_date(value).value if value else None
    return parsed, parsed is not None and bool(_TIME_RE.search(value or ""))


def pick_date(candidates: Candidates) -> Dated:
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
            # The same day as written (ISO), or as read ("01.04.2025 15:25").
            same = other_raw.strip()[:10] == day or value.date() == best.date()
            if other_timed and same:
                return value, other
    return best, source


def _first(meta: Mapping[str, list[str]], names: tuple[str, ...]) -> str | None:
    return next((meta[n][0] for n in names if meta.get(n)), None)


def _metas(meta: Mapping[str, list[str]], names: tuple[str, ...]) -> Candidates:
    return [("meta", value) for name in names for value in meta.get(name, ())]


def dates(
    root: lxml.html.HtmlElement,
    ld: JsonLd,
    meta: Mapping[str, list[str]],
    urls: tuple[str | None, ...],
) -> tuple[Dated, Dated]:
    """(published, modified) of the page ``root`` with JSON-LD ``ld`` and ``meta``
    contents by lowercased name; ``urls`` (where it was fetched from, its canonical URL)
    are read last, for the day they file the page under."""
    article, page = ld.article or {}, ld.page or {}
    published: Candidates = [
        ("json-ld", jsonvalues.text(article.get("datePublished"))),
        ("json-ld", jsonvalues.text(article.get("dateCreated"))),
        ("json-ld", jsonvalues.text(page.get("datePublished"))),
        ("opengraph", _first(meta, _OPENGRAPH_PUBLISHED)),
        *_metas(meta, _PUBLISHED_META),
        *time_elements(root),
    ]
    found = pick_date(published)
    if found[0] is None:
        # The URL's day first: a labelled date may be any table's; one on that same day
        # still gives its time of day.
        stated = [("label", value) for value in labelled(root, DATE_LABELS)]
        found = pick_date([("url", url_day(*urls)), *stated])
    modified: Candidates = [
        ("json-ld", jsonvalues.text(article.get("dateModified"))),
        ("json-ld", jsonvalues.text(page.get("dateModified"))),
        ("opengraph", _first(meta, _OPENGRAPH_MODIFIED)),
        *_metas(meta, _MODIFIED_META),
    ]
    return found, pick_date(modified)
