"""Feeds as a source: RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed 1.0/1.1 (kind ``rss``).

Every entry becomes one article. Feeds are parsed by lxml directly (the fast path); a feed
that lxml cannot read, or reads only in part, goes to feedparser too, and the reading that
recovers more entries wins. HTML in entries is left in ``article.markup`` for the
``markup`` clean plugin, so feeds, pages and posts share one HTML-to-text step.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from ingest import (
    Article,
    ArticleSource,
    Config,
    Markup,
    Media,
    Settings,
    Source,
    SourceError,
    SourceKind,
    Tag,
    hookimpl,
)
from ingest.helpers import bcp47, fetch_source, parse_date, read_bytes, resolve_url
from ingest_plugins.clean.markup import html_to_line
from ingest_plugins.sources.feeds import Feed, FeedEntry
from ingest_plugins.sources.feeds.fallback import FallbackSkipped, parse_with_feedparser
from ingest_plugins.sources.feeds.jsonfeed import parse_json_feed
from ingest_plugins.sources.feeds.prepare import Refused
from ingest_plugins.sources.feeds.rss_atom import NotAFeed, parse_xml_feed
from ingest_plugins.sources.feeds.tree import scan_entry_tags

KIND = "rss"
_FEED_SUFFIXES = (".rss", ".atom", ".rdf", ".feed")
_URL_HINTS = re.compile(
    r"(\.(xml|rss|atom|rdf)|/(feed|rss|atom)(\.json)?/?|feed\.json)$", re.IGNORECASE
)
_XML_MARKERS = (b"<rss", b"<feed", b"<rdf:rdf", b"<rdf ", b"<channel")
_HTML_RE = re.compile(
    rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>])", re.IGNORECASE | re.DOTALL
)
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, */*;q=0.5"
)
#: What only feeds are served as; generic XML and JSON are told apart by their bytes.
_MEDIA_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/feed+json",
)
_GLOBAL_ID_RE = re.compile(r"^(https?://|tag:|urn:|[0-9a-f]{8}-[0-9a-f]{4}-)", re.IGNORECASE)


@hookimpl
def ingest_add_settings(settings: Settings) -> None:
    """Declare ``rss.max_bytes`` (the cap for local feed files; URLs use ``http.max_bytes``)."""
    settings.add("rss.max_bytes", 64 * 1024 * 1024, "Refuse local feed files larger than this.")


def _ascii_head(head: bytes) -> bytes:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", "ignore").encode("ascii", "ignore")
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()


def _is_binary(head: bytes) -> bool:
    return b"\x00" in head[:1024] and not head.startswith((b"\xff\xfe", b"\xfe\xff"))


@hookimpl
def ingest_source_kinds() -> list[SourceKind]:
    """Declare ``rss``: its file endings, and the media types only feeds are served as."""
    return [
        SourceKind(
            KIND,
            "feeds: RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed 1.0/1.1, RSS-in-JSON",
            _FEED_SUFFIXES,
            _MEDIA_TYPES,
        )
    ]


@hookimpl
def ingest_detect_kind(location: str, head: bytes) -> str | None:
    """Claim feed URLs by their path, and files, stdin or fetched URLs whose first bytes
    are a feed (a JSON Feed served as ``application/json`` included)."""
    if location.startswith(("http://", "https://")):
        if _URL_HINTS.search(location.split("?", 1)[0]):
            return KIND
        if not head:  # asked by name only; the core asks again with the response's bytes
            return None
    lowered = _ascii_head(head)
    if lowered.startswith(b"<"):
        return KIND if any(marker in lowered for marker in _XML_MARKERS) else None
    if lowered.startswith(b"{"):
        return KIND if b"jsonfeed.org/version" in lowered or lowered.startswith(b'{"rss"') else None
    # A file named like a feed that is binary junk is still ours: we say clearly what it is.
    if location.lower().endswith((*_FEED_SUFFIXES, ".xml")) and (not lowered or _is_binary(head)):
        return KIND
    return None


@hookimpl
def ingest_fetch(source: Source, config: Config) -> Iterator[Article]:
    """Read a feed file, stdin or URL, one article per entry."""
    return _articles(source, config)


@dataclass(frozen=True, slots=True)
class _Loaded:
    data: bytes
    url: str | None
    headers: Mapping[str, str]
    charset: str | None
    not_modified: bool = False


def _load(source: Source, config: Config) -> _Loaded:
    if not source.is_url:
        return _Loaded(read_bytes(source, config.get("rss.max_bytes")), None, {}, None)
    response = fetch_source(source, config, accept=_ACCEPT)
    return _Loaded(
        response.content, response.url, response.headers, response.charset, response.not_modified
    )


def _parse(loaded: _Loaded, label: str) -> Feed:
    data = loaded.data
    if not data.strip():
        raise SourceError(label, "empty file")
    if _is_binary(data[:1024]):
        raise SourceError(label, "not a feed: binary data")
    if _HTML_RE.match(data[:4096]):
        kind = loaded.headers.get("content-type", "").split(";")[0] or "HTML"
        raise SourceError(label, f"expected a feed, got an HTML page ({kind})")
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"[")):
        try:
            return parse_json_feed(data, loaded.url)
        except (NotAFeed, ValueError) as exc:
            raise SourceError(label, f"not a feed: {exc}") from None
    return _parse_xml(loaded, label)


def _parse_xml(loaded: _Loaded, label: str) -> Feed:
    try:
        feed: Feed | None = parse_xml_feed(loaded.data, loaded.url, loaded.charset)
    except Refused as exc:
        raise SourceError(label, str(exc)) from None
    except NotAFeed as exc:
        raise SourceError(label, f"not a feed: {exc}") from None
    except ValueError as exc:
        feed, problem = None, str(exc)
    expected, _ = scan_entry_tags(loaded.data)
    # Well-formed or not, fewer entries than item tags means lxml's reading missed some
    # (entries nested in one another, a namespace it did not know, recovery that stopped
    # early): see whether feedparser gets more, and keep the better reading.
    if feed is not None and len(feed.entries) + (feed.truncated is not None) >= expected:
        return _checked(feed, expected, label)
    try:
        fallback = parse_with_feedparser(loaded.data, loaded.url, loaded.headers)
    except ValueError as exc:  # FallbackSkipped included
        note = str(exc)
        if isinstance(exc, FallbackSkipped):
            note = f"the fallback parser was skipped, for {exc}"
        if feed is None:
            raise SourceError(label, f"not a feed: {problem}; {note}") from None
        feed.warnings.append(f"{expected} item tags, {len(feed.entries)} entries read: {note}")
        return _checked(feed, expected, label)
    if feed is not None and len(fallback.entries) - (feed.truncated is not None) <= len(
        feed.entries
    ):
        return _checked(feed, expected, label)
    if feed is not None and feed.truncated is not None:
        del fallback.entries[-1:]  # the same cut-off entry, as feedparser read it
        fallback.truncated = feed.truncated
    if not fallback.entries and feed is None:
        raise SourceError(label, f"not a feed: {problem}")
    return _checked(fallback, expected, label)


def _checked(feed: Feed, expected: int, label: str) -> Feed:
    """``feed``, unless it read nothing from a document that holds entries."""
    if not feed.entries and expected:
        reason = f" ({feed.warnings[0]})" if feed.warnings else ""
        raise SourceError(
            label, f"no entries could be read from its {expected} item or entry tags{reason}"
        )
    if feed.truncated is not None:
        feed.warnings.append(f"the document is truncated: {feed.truncated} was left out")
    return feed


def _articles(source: Source, config: Config) -> Iterator[Article]:
    label = source.label()
    loaded = _load(source, config)
    if loaded.not_modified:  # a conditional GET answered 304: nothing new since last time
        return
    feed = _parse(loaded, label)
    if not feed.entries and feed.warnings:
        raise SourceError(label, f"no entries could be read ({feed.warnings[0]})")
    name = html_to_line(feed.title) if feed.title else None
    # A link several entries share (a newsletter whose items all point to its index page)
    # identifies none of them.
    links = Counter(entry.link for entry in feed.entries if entry.link)
    for entry in feed.entries:
        article = _article(entry, feed, source, name)
        article.url_is_identity = not entry.link or links[entry.link] < 2
        yield article
    if feed.truncated is not None:
        # The entries before the cut are exported; the source still fails, so that a run on
        # state retries it and the cut-off entry is read once the document is whole.
        raise SourceError(
            label,
            f"truncated: the document ends inside {feed.truncated}, which was left out "
            f"({len(feed.entries)} complete entries read)",
        )


def _origin_id(entry: FeedEntry, feed: Feed, source: Source) -> str | None:
    """The entry's guid, scoped to its feed unless it is globally unique already."""
    if not entry.origin_id:
        return None
    if _GLOBAL_ID_RE.match(entry.origin_id):
        return entry.origin_id
    return f"{feed.link or source.location}#{entry.origin_id}"


def _date(value: str | None, warnings: list[str]) -> datetime | None:
    parsed = parse_date(value)
    if parsed.warning:
        warnings.append(parsed.warning)
    return parsed.value


def _article(entry: FeedEntry, feed: Feed, source: Source, name: str | None) -> Article:
    warnings = list(feed.warnings)
    published, updated = _date(entry.published, warnings), _date(entry.updated, warnings)
    if entry.published is None and entry.updated is None:
        warnings.append("entry has no date")
    base = entry.base_url
    categories = list(dict.fromkeys(c for c in map(html_to_line, entry.categories) if c))
    return Article(
        source=ArticleSource(KIND, name, source.location, _origin_id(entry, feed, source)),
        url=entry.link,
        title=html_to_line(entry.title) if entry.title else None,
        text=entry.content_text or "",
        markup=Markup(
            body=entry.content_html or (None if entry.content_text else entry.summary_html),
            summary=entry.summary_html,
            base_url=base,
        ),
        authors=entry.authors,
        published=published,
        updated=updated,
        language=bcp47(entry.language),
        tags=[Tag("category", c, None, KIND) for c in categories],
        media=[Media(m.kind, resolve_url(base, m.url), m.caption, m.mime) for m in entry.media],
        warnings=warnings,
    )
