"""JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1), which feedparser does not read,
and the RSS-in-JSON serialization some tools export (an RSS 2.0 tree as JSON)."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from ingest import Author, Media
from ingest.identity import resolve_url
from plugins.feeds import Feed, FeedEntry
from plugins.feeds.xml import NotAFeed

# Version 1 feeds in the wild also say http://.
_JSONFEED_RE = re.compile(r"^https?://jsonfeed\.org/version/(?P<version>[0-9.]+)")


def _str(value: Any) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value.strip() or None if isinstance(value, str) else None


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def parse_json_feed(data: bytes, location_url: str | None) -> Feed:
    """Parse JSON Feed or RSS-in-JSON bytes.

    :raises NotAFeed: valid JSON that is neither.
    :raises ValueError: not JSON at all (the message says where it broke).
    """
    try:
        document = json.loads(data)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"not valid JSON: {exc}") from None
    if isinstance(document, dict) and _JSONFEED_RE.match(str(document.get("version", ""))):
        return _jsonfeed(document, location_url)
    if isinstance(document, dict) and isinstance(document.get("rss"), dict):
        return _rss_json(document["rss"], location_url)
    raise NotAFeed("JSON that is not a feed (no JSON Feed version, no rss object)")


def _jsonfeed(document: dict[str, Any], location_url: str | None) -> Feed:
    match = _JSONFEED_RE.match(str(document["version"]))
    version = match["version"] if match else "?"
    feed = Feed(format=f"jsonfeed{version}", title=_str(document.get("title")))
    feed.link = _str(document.get("home_page_url"))
    feed.language = _str(document.get("language"))
    base = feed.link or _str(document.get("feed_url")) or location_url
    feed_authors = _authors(document)
    items = [item for item in _list(document.get("items")) if isinstance(item, dict)]
    feed.entries = [_item(item, base, feed_authors, feed.language) for item in items]
    if len(items) != len(_list(document.get("items"))):
        feed.warnings.append("some items are not JSON objects and were skipped")
    return feed


def _authors(owner: dict[str, Any]) -> list[Author]:
    # 1.1 has "authors"; 1.0 had a single "author".
    people = _list(owner.get("authors")) or _list(owner.get("author"))
    authors = []
    for person in people:
        if isinstance(person, dict) and (_str(person.get("name")) or _str(person.get("url"))):
            authors.append(Author(_str(person.get("name")), None, _str(person.get("url"))))
    return authors


def _item(
    item: dict[str, Any], base: str | None, feed_authors: list[Author], language: str | None
) -> FeedEntry:
    link = _str(item.get("url")) or _str(item.get("external_url"))
    entry = FeedEntry(
        origin_id=_str(item.get("id")),
        link=resolve_url(base, link) if link else None,
        title=html.escape(_str(item.get("title")) or "", quote=False) or None,
        summary_html=html.escape(_str(item.get("summary")) or "", quote=False) or None,
        content_html=_str(item.get("content_html")),
        content_text=_str(item.get("content_text")),
        authors=_authors(item) or list(feed_authors),
        published=_str(item.get("date_published")),
        updated=_str(item.get("date_modified")),
        categories=[t.strip() for t in _list(item.get("tags")) if isinstance(t, str) and t.strip()],
        language=_str(item.get("language")) or language,
    )
    entry.base_url = entry.link or base
    image = _str(item.get("image")) or _str(item.get("banner_image"))
    if image:
        entry.media.append(Media("image", image))
    for attachment in _list(item.get("attachments")):
        if isinstance(attachment, dict) and _str(attachment.get("url")):
            mime = _str(attachment.get("mime_type"))
            major = (mime or "").split("/", 1)[0]
            kind = major if major in ("image", "video", "audio") else "file"
            entry.media.append(
                Media(kind, str(attachment["url"]).strip(), _str(attachment.get("title")), mime)
            )
    return entry


def _rss_json(rss: dict[str, Any], location_url: str | None) -> Feed:
    channel = rss.get("channel")
    if not isinstance(channel, dict):
        raise NotAFeed("RSS-in-JSON without a channel object")
    feed = Feed(format="rss-json", title=_str(channel.get("title")), link=_str(channel.get("link")))
    feed.language = _str(channel.get("language"))
    base = feed.link or location_url
    for item in _list(channel.get("item")):
        if not isinstance(item, dict):
            continue
        guid = item.get("guid")
        origin = (
            _str(guid.get("#value") or guid.get("value")) if isinstance(guid, dict) else _str(guid)
        )
        link = _str(item.get("link")) or origin
        entry = FeedEntry(
            origin_id=origin,
            link=resolve_url(base, link) if link else None,
            title=_str(item.get("title")),
            summary_html=_str(item.get("description")),
            content_html=_str(item.get("content:encoded")),
            published=_str(item.get("pubDate")),
            categories=[c for c in map(_str, _list(item.get("category"))) if c],
            language=feed.language,
        )
        author = _str(item.get("author")) or _str(item.get("dc:creator"))
        entry.authors = [Author(author)] if author and "@" not in author else []
        entry.base_url = entry.link or base
        feed.entries.append(entry)
    return feed
