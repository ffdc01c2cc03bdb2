"""feedparser as the fallback reader: what lxml cannot recover, feedparser's loose parser
often can. It parses bytes we fetched; it never touches the network.

feedparser is pure Python, slow (some 100 µs a tag) and has quadratic paths (its SAX
handler looks attributes up one by one: 50,000 attributes on one element took 37 s; its
loose parser took a minute over a million unclosed tags, issue 10), and it cannot be
stopped once started. So the document is measured first, and the fallback is skipped,
saying why, for input past the bounds below: each keeps one parse within a few seconds.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any, cast

from ingest import Author, Media, inert
from ingest_plugins.sources.feeds import Feed, FeedEntry
from ingest_plugins.sources.feeds.prepare import fix_char_refs

#: Bounds on what the fallback parses; see the module docstring.
MAX_BYTES = 4 * 1024 * 1024
MAX_TAGS = 40_000  # some 40 µs each on the loose parser
MAX_ATTRIBUTES_TOTAL = 40_000  # some 30 µs each
MAX_ATTRIBUTES = 1_000  # on one element: the lookup is quadratic in them
# Tags long enough to carry many attributes; "<" is excluded so each scan stops at the next.
_LONG_TAG_RE = re.compile(rb"<[A-Za-z_][^<>]{2000,}>")


class FallbackSkipped(ValueError):
    """The document is past a bound of the fallback parser (the message says which)."""


def check_bounds(data: bytes) -> None:
    """Raise :class:`FallbackSkipped` when feedparser would take too long over ``data``."""
    if len(data) > MAX_BYTES:
        raise FallbackSkipped(f"{len(data):,} bytes, over its {MAX_BYTES:,}-byte bound")
    tags = data.count(b"<")
    if tags > MAX_TAGS:
        raise FallbackSkipped(f"{tags:,} tags, over its {MAX_TAGS:,}-tag bound")
    for match in _LONG_TAG_RE.finditer(data):
        attributes = match[0].count(b"=")
        if attributes > MAX_ATTRIBUTES:
            raise FallbackSkipped(
                f"an element with {attributes:,} attributes, over its {MAX_ATTRIBUTES:,} bound"
            )
    attributes = data.count(b'="') + data.count(b"='")
    if attributes > MAX_ATTRIBUTES_TOTAL:
        raise FallbackSkipped(
            f"{attributes:,} attributes, over its {MAX_ATTRIBUTES_TOTAL:,}-attribute bound"
        )


def _str(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def parse_with_feedparser(
    data: bytes, location_url: str | None, headers: Mapping[str, str] | None
) -> Feed:
    """Parse with feedparser's forgiving parsers and map its result to a :class:`Feed`.

    :raises FallbackSkipped: ``data`` is past the bounds (:func:`check_bounds`).
    :raises ValueError: feedparser itself failed on the document.
    """
    check_bounds(data)
    import feedparser  # noqa: PLC0415 - 40 ms to import, and most feeds never need it

    try:
        # Forbidden character references crash it (chr() out of range, a surrogate).
        parsed = feedparser.parse(
            fix_char_refs(data),
            response_headers=dict(headers or {}),
            sanitize_html=False,  # the markup plugin drops scripts and styles itself
            resolve_relative_uris=False,  # and resolves links against the right base
        )
    except Exception as exc:  # its own bugs on hostile input (a stray </width>)
        raise ValueError(f"the fallback parser failed ({inert(str(exc), 100)})") from exc
    meta = parsed.get("feed", {})
    feed = Feed(format=f"feedparser:{parsed.get('version') or 'unknown'}")
    feed.title = _str(meta.get("title"))
    feed.link = _str(meta.get("link"))
    feed.language = _str(meta.get("language"))
    if parsed.get("bozo"):
        problem = inert(str(parsed.get("bozo_exception")), 160)
        feed.warnings.append(f"feed is not well-formed: {problem}")
    feed.entries = [_entry(e, feed, location_url) for e in parsed.get("entries", [])]
    return feed


def _html(detail: Any) -> str | None:
    """A feedparser text construct as HTML."""
    if not isinstance(detail, Mapping):
        return None
    value = _str(detail.get("value"))
    if value and detail.get("type") == "text/plain":
        return html.escape(value, quote=False)
    return value


def _entry(e: Mapping[str, Any], feed: Feed, location_url: str | None) -> FeedEntry:
    content = e.get("content") or []
    entry = FeedEntry(
        origin_id=_str(e.get("id")),
        link=_str(e.get("link")),
        title=_html(e.get("title_detail")),
        summary_html=_html(e.get("summary_detail")),
        content_html=_html(content[0]) if content else None,
        published=_str(e.get("published")),
        # dict.get: FeedParserDict maps a missing "updated" to "published", with a warning.
        updated=_str(dict.get(cast("dict[str, Any]", e), "updated")),
        categories=[c for t in e.get("tags") or [] if (c := _str(t.get("label") or t.get("term")))],
        language=feed.language,
    )
    for person in e.get("authors") or []:
        name, url = _str(person.get("name")), _str(person.get("href"))
        if name or url:
            entry.authors.append(Author(name, None, url))
    detail = e.get("title_detail") or {}
    entry.base_url = _str(detail.get("base")) or entry.link or location_url
    for enclosure in e.get("enclosures") or []:
        _add(entry, enclosure.get("href"), enclosure.get("type"))
    for item in e.get("media_content") or []:
        _add(entry, item.get("url"), item.get("type"), item.get("medium"))
    for item in e.get("media_thumbnail") or []:
        _add(entry, item.get("url"), None, "image")
    return entry


def _add(entry: FeedEntry, url: Any, mime: Any, medium: Any = None) -> None:
    if not isinstance(url, str) or not url.strip() or url.startswith("data:"):
        return
    major = (medium or (mime or "").split("/", 1)[0] or "").lower()
    kind = major if major in ("image", "video", "audio") else "file"
    if not any(m.url == url for m in entry.media):
        entry.media.append(Media(kind, url.strip(), None, mime if isinstance(mime, str) else None))
