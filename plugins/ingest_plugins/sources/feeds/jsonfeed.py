"""JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1), which feedparser does not read,
and the RSS-in-JSON serialization some tools export (an RSS 2.0 tree as JSON)."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from ingest import Author, Media
from ingest.helpers import jsonvalues as jv
from ingest.helpers import resolve_url
from ingest_plugins.sources.feeds import Feed, FeedEntry
from ingest_plugins.sources.feeds.rss_atom import NotAFeed

# Version 1 feeds in the wild also say http://.
_JSONFEED_RE = re.compile(r"^https?://jsonfeed\.org/version/(?P<version>[0-9.]+)")


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
    feed = Feed(format=f"jsonfeed{version}", title=jv.text(document.get("title")))
    feed.link = jv.text(document.get("home_page_url"))
    feed.language = jv.text(document.get("language"))
    base = feed.link or jv.text(document.get("feed_url")) or location_url
    feed_authors = _authors(document)
    items = [item for item in jv.one_or_many(document.get("items")) if isinstance(item, dict)]
    feed.entries = [_item(item, base, feed_authors, feed.language) for item in items]
    if len(items) != len(jv.one_or_many(document.get("items"))):
        feed.warnings.append("some items are not JSON objects and were skipped")
    return feed


def _authors(owner: dict[str, Any]) -> list[Author]:
    # 1.1 has "authors"; 1.0 had a single "author".
    people = jv.one_or_many(owner.get("authors")) or jv.one_or_many(owner.get("author"))
    authors = []
    for person in people:
        if isinstance(person, dict) and (jv.text(person.get("name")) or jv.text(person.get("url"))):
            authors.append(Author(jv.text(person.get("name")), None, jv.text(person.get("url"))))
    return authors


def _item(
    item: dict[str, Any], base: str | None, feed_authors: list[Author], language: str | None
) -> FeedEntry:
    link = jv.text(item.get("url")) or jv.text(item.get("external_url"))
    entry = FeedEntry(
        origin_id=jv.ident(item.get("id")),
        link=resolve_url(base, link) if link else None,
        title=html.escape(jv.text(item.get("title")) or "", quote=False) or None,
        summary_html=html.escape(jv.text(item.get("summary")) or "", quote=False) or None,
        content_html=jv.text(item.get("content_html")),
        content_text=jv.text(item.get("content_text")),
        authors=_authors(item) or list(feed_authors),
        published=jv.text(item.get("date_published")),
        updated=jv.text(item.get("date_modified")),
        categories=[
            t.strip() for t in jv.one_or_many(item.get("tags")) if isinstance(t, str) and t.strip()
        ],
        language=jv.text(item.get("language")) or language,
    )
    entry.base_url = entry.link or base
    image = jv.text(item.get("image")) or jv.text(item.get("banner_image"))
    if image:
        entry.media.append(Media("image", image))
    for attachment in jv.one_or_many(item.get("attachments")):
        if isinstance(attachment, dict) and jv.text(attachment.get("url")):
            mime = jv.text(attachment.get("mime_type"))
            major = (mime or "").split("/", 1)[0]
            kind = major if major in ("image", "video", "audio") else "file"
            entry.media.append(
                Media(kind, str(attachment["url"]).strip(), jv.text(attachment.get("title")), mime)
            )
    return entry


def _rss_json(rss: dict[str, Any], location_url: str | None) -> Feed:
    channel = rss.get("channel")
    if not isinstance(channel, dict):
        raise NotAFeed("RSS-in-JSON without a channel object")
    feed = Feed(
        format="rss-json", title=jv.text(channel.get("title")), link=jv.text(channel.get("link"))
    )
    feed.language = jv.text(channel.get("language"))
    base = feed.link or location_url
    for item in jv.one_or_many(channel.get("item")):
        if not isinstance(item, dict):
            continue
        guid = item.get("guid")
        origin = (
            jv.text(guid.get("#value") or guid.get("value"))
            if isinstance(guid, dict)
            else jv.text(guid)
        )
        link = jv.text(item.get("link")) or origin
        entry = FeedEntry(
            origin_id=origin,
            link=resolve_url(base, link) if link else None,
            title=jv.text(item.get("title")),
            summary_html=jv.text(item.get("description")),
            content_html=jv.text(item.get("content:encoded")),
            published=jv.text(item.get("pubDate")),
            categories=[c for c in map(jv.text, jv.one_or_many(item.get("category"))) if c],
            language=feed.language,
        )
        author = jv.text(item.get("author")) or jv.text(item.get("dc:creator"))
        entry.authors = [Author(author)] if author and "@" not in author else []
        entry.base_url = entry.link or base
        feed.entries.append(entry)
    return feed
