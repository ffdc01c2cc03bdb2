"""Feed format readers used by the ``rss`` plugin (this package is not a plugin itself).

Each reader turns one feed document into a :class:`Feed` of :class:`FeedEntry` records, raw
but separated into fields; the ``rss`` plugin turns those into articles. Keeping the
formats apart from the article mapping lets the fast lxml reader, the JSON Feed reader and
the feedparser fallback share one mapping, and be compared with each other in tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest import Author, Media


@dataclass(slots=True)
class FeedEntry:
    """One item of a feed, its fields as the feed gave them."""

    origin_id: str | None = None
    link: str | None = None
    #: Title as HTML-escaped text (RSS titles often carry entities and the odd tag).
    title: str | None = None
    #: Summary or description, HTML.
    summary_html: str | None = None
    #: Full content, HTML (content:encoded, Atom content, content_html).
    content_html: str | None = None
    #: Full content given as plain text (Atom type="text", content_text).
    content_text: str | None = None
    authors: list[Author] = field(default_factory=list)
    published: str | None = None
    updated: str | None = None
    categories: list[str] = field(default_factory=list)
    media: list[Media] = field(default_factory=list)
    #: What relative links in this entry resolve against (xml:base, else the feed's base).
    base_url: str | None = None
    language: str | None = None


@dataclass(slots=True)
class Feed:
    """A parsed feed: its own metadata and its entries."""

    #: ``rss2.0``, ``rss1.0``, ``atom1.0``, ``atom0.3``, ``jsonfeed1.1``, ``rss-json``...
    format: str
    title: str | None = None
    link: str | None = None
    language: str | None = None
    entries: list[FeedEntry] = field(default_factory=list)
    #: Problems met while reading that did not stop it (a recovered XML error...).
    warnings: list[str] = field(default_factory=list)
    #: The entry the end of the document cut off (a truncated file or download), which was
    #: left out, as messages name it; None when the document ended where it should.
    truncated: str | None = None
