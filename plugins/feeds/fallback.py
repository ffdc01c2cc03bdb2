"""feedparser as the fallback reader: what lxml cannot recover, feedparser's loose parser
often can. It parses bytes we fetched; it never touches the network."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import feedparser

from ingest import Author, Media
from plugins.feeds import Feed, FeedEntry


def _str(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def parse_with_feedparser(
    data: bytes, location_url: str | None, headers: Mapping[str, str] | None
) -> Feed:
    """Parse with feedparser's forgiving parsers and map its result to a :class:`Feed`."""
    parsed = feedparser.parse(
        data,
        response_headers=dict(headers or {}),
        sanitize_html=False,  # the markup plugin drops scripts and styles itself
        resolve_relative_uris=False,  # and resolves links against the right base
    )
    meta = parsed.get("feed", {})
    feed = Feed(format=f"feedparser:{parsed.get('version') or 'unknown'}")
    feed.title = _str(meta.get("title"))
    feed.link = _str(meta.get("link"))
    feed.language = _str(meta.get("language"))
    if parsed.get("bozo"):
        feed.warnings.append(f"feed is not well-formed: {parsed.get('bozo_exception')}")
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
        updated=_str(e.get("updated")),
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
