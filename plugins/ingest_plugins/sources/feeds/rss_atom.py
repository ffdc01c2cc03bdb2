"""RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 read with lxml: the fast path.

Elements are matched by local name within a namespace *family* rather than by exact
namespace URI, because real feeds get URIs wrong (``https://purl.org/dc/...``, Atom 0.3's
URI, RSS 0.90's RDF namespace) and feedparser forgives that. Parsing itself, and what it
refuses, is :mod:`ingest_plugins.sources.feeds.tree`'s.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from collections.abc import Iterator

from lxml import etree

from ingest import Author, Media, inert
from ingest.helpers import resolve_url
from ingest_plugins.sources.feeds import Feed, FeedEntry
from ingest_plugins.sources.feeds.prepare import prepare_xml
from ingest_plugins.sources.feeds.tree import parse_tree

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_FAMILIES: dict[str, str] = {}
_RSS_NAMESPACES = (
    "http://purl.org/rss/1.0/",
    "http://my.netscape.com/rdf/simple/0.9/",
    "http://backend.userland.com/rss2",
    "http://backend.userland.com/rss",
)
_EMAIL_NAME_RE = re.compile(r"^\s*\S+@\S+\s*\((?P<name>[^)]+)\)\s*$")


class NotAFeed(ValueError):
    """The document parsed, but it is not a feed."""


def _family(namespace: str) -> str:
    family = _FAMILIES.get(namespace)
    if family is None:
        if not namespace or namespace in _RSS_NAMESPACES:
            family = ""
        elif "rss/1.0/modules/content" in namespace:
            family = "content"
        elif "purl.org/dc/" in namespace:
            family = "dc"
        elif "search.yahoo.com/mrss" in namespace:
            family = "media"
        elif namespace.endswith(("2005/Atom", "purl.org/atom/ns#")):
            family = "atom"
        elif "itunes" in namespace:
            family = "itunes"
        elif "www.w3.org/1999/02/22-rdf-syntax-ns" in namespace:
            family = "rdf"
        else:
            family = "other"
        _FAMILIES[namespace] = family
    return family


def _children(element: etree._Element) -> Iterator[tuple[str, str, etree._Element]]:
    """``(family, local name, child)`` for each child element, comments skipped."""
    for child in element.iterchildren(etree.Element):  # elements only: no comments, no PIs
        tag = child.tag
        if tag[0] == "{":
            namespace, _, local = tag[1:].partition("}")
            yield _family(namespace), local, child
        else:
            yield "", tag, child


def _local(element: etree._Element) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _text(element: etree._Element) -> str | None:
    text = element.text
    return text.strip() or None if text else None


def _inner_markup(element: etree._Element) -> str | None:
    """Text and serialized child elements: for content given as unescaped (X)HTML."""
    if len(element) == 0:
        return _text(element)
    parts = [html.escape(element.text or "", quote=False)]
    parts.extend(etree.tostring(child, encoding="unicode", with_tail=True) for child in element)
    return "".join(parts).strip() or None


def _http(url: str | None) -> str | None:
    return url if url and url.startswith(("http://", "https://")) else None


def parse_xml_feed(data: bytes, location_url: str | None, http_charset: str | None = None) -> Feed:
    """Parse RSS or Atom bytes into a :class:`Feed`.

    :param location_url: the feed's URL, when it came from the web: the last-resort base for
        relative links.
    :raises NotAFeed: well-formed XML (or HTML) that is not a feed.
    :raises ValueError: nothing readable (the message says why, in one line).
    """
    prepared = prepare_xml(data, http_charset)
    tree = parse_tree(prepared.data, location_url)
    root = tree.root
    name = _local(root)
    if name == "rss":
        feed = _rss(root, location_url, tree.cut)
    elif name == "RDF":
        feed = _rdf(root, location_url, tree.cut)
    elif name == "feed":
        feed = _atom(root, location_url, tree.cut)
    elif name.lower() == "html":
        raise NotAFeed("an HTML page, not a feed")
    else:
        raise NotAFeed(f"an XML document with root <{inert(name, 40)}>, not a feed")
    feed.truncated = tree.cut_label
    feed.warnings = prepared.warnings + tree.warnings + feed.warnings
    return feed


def _entries(parent: etree._Element, cut: etree._Element | None) -> list[etree._Element]:
    """The core-namespace ``item`` (or Atom ``entry``) children of ``parent``, and those
    nested inside them: Feedburner has served items inside one another (issue 10), and
    recovery nests every item an unclosed one is followed by. The cut-off one is left out."""
    found: list[etree._Element] = []
    pending = [iter(_children(parent))]  # a stack, not recursion: nesting can run deep
    while pending:
        for family, local, child in pending[-1]:
            if local in ("item", "entry") and family in ("", "atom"):
                if child is not cut:
                    found.append(child)
                pending.append(iter(_children(child)))
                break
        else:
            pending.pop()
    return found


# -- RSS ------------------------------------------------------------------------------


def _channel_fields(channel: etree._Element, feed: Feed) -> None:
    for family, local, child in _children(channel):
        if family == "" and local == "title" and feed.title is None:
            feed.title = _text(child)
        elif family == "" and local == "link" and feed.link is None:
            feed.link = _text(child)
        elif local == "language" and family in ("", "dc"):
            feed.language = _text(child)
    feed.language = feed.language or channel.get(_XML_LANG)


def _rss(root: etree._Element, location_url: str | None, cut: etree._Element | None) -> Feed:
    version = root.get("version", "")
    feed = Feed(format=f"rss{version}" if version else "rss")
    channel = next((c for f, n, c in _children(root) if n == "channel"), None)
    if channel is None:
        raise NotAFeed("an <rss> document without a <channel>")
    _channel_fields(channel, feed)
    feed.language = feed.language or root.get(_XML_LANG)
    # Some RSS 0.9x/2.0 feeds put items beside the channel instead of inside it.
    items = _entries(channel, cut) + _entries(root, cut)
    base = _http(feed.link) or location_url
    feed.entries = [_rss_item(item, base, feed.language) for item in items]
    return feed


def _rdf(root: etree._Element, location_url: str | None, cut: etree._Element | None) -> Feed:
    channel = next((c for f, n, c in _children(root) if n == "channel"), None)
    namespace = root.nsmap.get(None, "")
    feed = Feed(format="rss0.90" if "netscape" in namespace else "rss1.0")
    if channel is not None:
        _channel_fields(channel, feed)
    base = _http(feed.link) or location_url
    items = _entries(root, cut)
    feed.entries = [_rss_item(item, base, feed.language) for item in items]
    return feed


def _rss_item(item: etree._Element, channel_base: str | None, language: str | None) -> FeedEntry:
    entry = FeedEntry(language=item.get(_XML_LANG) or language)
    base = _http(item.get(_XML_BASE)) or channel_base
    entry.origin_id = item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
    permalink: str | None = None
    for family, local, child in _children(item):
        if family == "":
            permalink = _rss_core(entry, local, child) or permalink
        elif family == "content" and local == "encoded":
            entry.content_html = _inner_markup(child)
        elif family == "dc":
            _dublin_core(entry, local, child)
        elif family == "media":
            _media(entry, local, child)
        elif family == "atom":
            _atom_field(entry, local, child)
        elif family == "itunes" and local == "author" and not entry.authors:
            name = _text(child)
            entry.authors.append(Author(name)) if name else None
    entry.link = entry.link or permalink
    if entry.link and base:
        entry.link = resolve_url(base, entry.link)
    entry.base_url = _http(entry.link) or base
    return entry


def _rss_core(entry: FeedEntry, local: str, child: etree._Element) -> str | None:
    """Apply one core RSS element; return the guid when it is a permalink."""
    if local == "title":
        entry.title = _inner_markup(child)
    elif local == "link":
        entry.link = entry.link or _text(child)
    elif local == "description":
        entry.summary_html = _inner_markup(child)
    elif local == "guid":
        entry.origin_id = _text(child) or entry.origin_id
        if child.get("isPermaLink", "true").lower() == "true":
            return _http(entry.origin_id)
    elif local == "pubDate":
        entry.published = _text(child)
    elif local == "author":
        _rss_author(entry, _text(child))
    elif local == "category":
        value = _text(child)
        entry.categories.append(value) if value else None
    elif local == "enclosure":
        _add_media(entry, child.get("url"), child.get("type"), None)
    return None


def _rss_author(entry: FeedEntry, value: str | None) -> None:
    if not value:
        return
    match = _EMAIL_NAME_RE.match(value)
    if match:
        entry.authors.append(Author(match["name"].strip()))
    elif "@" not in value:  # a bare e-mail address is no one's name
        entry.authors.append(Author(value))


def _dublin_core(entry: FeedEntry, local: str, child: etree._Element) -> None:
    value = _text(child)
    if not value:
        return
    if local == "creator":
        entry.authors.extend(Author(name.strip()) for name in value.split(";") if name.strip())
    elif local == "date":
        entry.published = entry.published or value
    elif local == "modified":
        entry.updated = value
    elif local == "subject":
        entry.categories.append(value)
    elif local == "language":
        entry.language = value


# -- Atom -----------------------------------------------------------------------------


def _atom(root: etree._Element, location_url: str | None, cut: etree._Element | None) -> Feed:
    namespace = root.nsmap.get(None, "") or etree.QName(root).namespace or ""
    feed = Feed(format="atom0.3" if "purl.org/atom" in namespace else "atom1.0")
    feed.language = root.get(_XML_LANG)
    entries = _entries(root, cut)
    for _, local, child in _children(root):
        if local == "title" and feed.title is None:
            feed.title = _text(child)
        elif local == "link" and child.get("rel", "alternate") == "alternate" and feed.link is None:
            feed.link = child.get("href")
    base = _http(root.base) or location_url
    feed.link = resolve_url(base, feed.link) if feed.link else None
    feed.entries = [_atom_entry(entry, location_url, feed.language) for entry in entries]
    return feed


def _atom_entry(
    element: etree._Element, location_url: str | None, language: str | None
) -> FeedEntry:
    entry = FeedEntry(language=element.get(_XML_LANG) or language)
    base = _http(element.base) or location_url
    for family, local, child in _children(element):
        if family in ("atom", ""):
            _atom_field(entry, local, child)
        elif family == "media":
            _media(entry, local, child)
        elif family == "dc":
            _dublin_core(entry, local, child)
    if entry.link and base:
        entry.link = resolve_url(base, entry.link)
    # <content xml:base="..."> beats the entry's base for links inside the content.
    entry.base_url = entry.base_url or base or _http(entry.link)
    return entry


def _atom_field(entry: FeedEntry, local: str, child: etree._Element) -> None:
    if local == "id":
        entry.origin_id = _text(child)
    elif local == "title":
        entry.title = _atom_html(child)
    elif local == "link":
        if child.get("rel", "alternate") == "alternate" and not entry.link:
            entry.link = child.get("href")
        elif child.get("rel") == "enclosure":
            _add_media(entry, child.get("href"), child.get("type"), child.get("title"))
    elif local in ("published", "issued", "created"):
        entry.published = entry.published or _text(child)
    elif local in ("updated", "modified"):
        entry.updated = _text(child)
    elif local in ("author", "contributor") and (local == "author" or not entry.authors):
        _atom_person(entry, child)
    elif local == "category":
        value = child.get("label") or child.get("term")
        entry.categories.append(value.strip()) if value and value.strip() else None
    elif local == "summary":
        entry.summary_html = _atom_html(child)
    elif local == "content":
        _atom_content(entry, child)


def _atom_html(element: etree._Element) -> str | None:
    """An Atom text construct as HTML, whatever its type (text, html, xhtml)."""
    kind = (element.get("type") or "text").lower()
    if kind in ("xhtml", "application/xhtml+xml") or element.get("mode") == "xml":
        return _inner_markup(element)
    if kind in ("html", "text/html") or element.get("mode") == "escaped":
        return _text(element)
    text = _text(element)
    return html.escape(text, quote=False) if text else None


def _atom_content(entry: FeedEntry, element: etree._Element) -> None:
    if element.get(_XML_BASE):
        entry.base_url = _http(element.base)
    kind = (element.get("type") or "text").lower()
    if element.get("mode") == "base64":
        try:
            entry.content_html = base64.b64decode(element.text or "").decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            return
    elif kind in ("text", "text/plain"):
        entry.content_text = _text(element)
    else:
        entry.content_html = _atom_html(element)


def _atom_person(entry: FeedEntry, element: etree._Element) -> None:
    fields = {local: _text(child) for _, local, child in _children(element)}
    name, uri = fields.get("name"), _http(fields.get("uri"))
    if name or uri:
        entry.authors.append(Author(name, None, uri))


# -- Media RSS and enclosures ---------------------------------------------------------


def _media(entry: FeedEntry, local: str, child: etree._Element) -> None:
    if local == "content":
        caption = next(
            (_text(c) for _, n, c in _children(child) if n in ("description", "title")), None
        )
        _add_media(entry, child.get("url"), child.get("type"), caption, child.get("medium"))
    elif local == "thumbnail":
        _add_media(entry, child.get("url"), "image/*", None, "image")
    elif local == "group":
        for _, name, grandchild in _children(child):
            _media(entry, name, grandchild)


def _add_media(
    entry: FeedEntry,
    url: str | None,
    mime: str | None,
    caption: str | None,
    medium: str | None = None,
) -> None:
    if not url or url.startswith("data:"):
        return
    major = (medium or (mime or "").split("/", 1)[0]).lower()
    kind = major if major in ("image", "video", "audio") else "file"
    exact_mime = mime if mime and "*" not in mime else None
    if not any(m.url == url for m in entry.media):
        entry.media.append(Media(kind, url.strip(), caption, exact_mime))
