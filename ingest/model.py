"""The article record and the small records that travel with it.

Every record that crosses a hook boundary is a dataclass; :func:`to_json` and
:func:`from_json` map an :class:`Article` to and from the JSON object that ``ingest schema``
describes (:mod:`ingest.schema`), key for key and in that order. Datetimes are timezone-aware
and serialized as RFC 3339 UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

SCHEMA_VERSION = 1

#: Tag kinds the schema knows. A plugin that needs a kind of its own names it ``x-NAME``
#: (:data:`CUSTOM_TAG_KIND`: ``x-length``, ``x-reading-level``); any other kind is refused
#: when the tag is made, so a run never writes a record that ``ingest validate`` rejects.
TAG_KINDS = (
    "person",
    "place",
    "organization",
    "keyword",
    "category",
    "hashtag",
    "mention",
    "topic",
)
#: The pattern of plugin-defined tag kinds, shared with the JSON Schema.
CUSTOM_TAG_KIND = r"^x-[a-z0-9]+(?:[-_][a-z0-9]+)*$"
_CUSTOM_TAG_KIND_RE = re.compile(CUSTOM_TAG_KIND)
_TAG_KIND_SET = frozenset(TAG_KINDS)
RELATION_KINDS = ("reply_to", "quote_of", "repost_of", "update_of")
ID_BASES = ("origin", "url", "content")


@dataclass(frozen=True, slots=True)
class Author:
    """A person or organization credited with an article or post."""

    #: Display name, e.g. ``"Jane Roe"``; None when only a handle is known.
    name: str | None
    #: Social handle without the leading ``@``, e.g. ``"ZelenskyyUa"``.
    handle: str | None = None
    #: Profile or author page URL.
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Tag:
    """Something an article is about, found by a tag plugin or given by the source."""

    #: One of :data:`TAG_KINDS`.
    kind: str
    #: The tag's canonical text, e.g. ``"Xi Jinping"``.
    value: str
    #: Confidence in [0, 1], or None when the plugin has no measure.
    score: float | None = None
    #: Name of the plugin (or source) that produced it.
    by: str | None = None
    #: How often the article mentions it, however written, when the plugin counts.
    count: int | None = None

    def __post_init__(self) -> None:
        # What the schema requires, checked where the tag is made: the error names the
        # plugin that made it (the pipeline wraps it), not a record rejected later.
        if self.kind not in _TAG_KIND_SET and not _CUSTOM_TAG_KIND_RE.match(self.kind):
            raise ValueError(
                f"tag kind {self.kind!r} is not one of the schema's ({', '.join(TAG_KINDS)}); "
                f"name a kind of your own x-{_slug(self.kind)}"
            )
        if not self.value:
            raise ValueError(f"{self.kind} tag with an empty value")
        if self.score is not None and not 0 <= self.score <= 1:
            raise ValueError(f"{self.kind} tag {self.value!r}: score {self.score} not in [0, 1]")
        if self.count is not None and self.count < 1:
            raise ValueError(f"{self.kind} tag {self.value!r}: count {self.count} below 1")


@dataclass(frozen=True, slots=True)
class Quote:
    """A direct quotation and, when it can be told, who said it."""

    text: str
    speaker: str | None = None


@dataclass(frozen=True, slots=True)
class Embed:
    """A post or other item embedded in an article (a tweet block, a toot)."""

    #: ``"tweet"``, ``"post"``, ``"video"``...
    kind: str
    #: The embedded item's own URL, when known.
    url: str | None = None
    author: Author | None = None
    text: str | None = None
    #: RFC 3339 date-time, or a plain ``YYYY-MM-DD`` date when that is all the source shows.
    published: str | None = None


@dataclass(frozen=True, slots=True)
class Media:
    """An image, video or audio attachment."""

    #: ``"image"``, ``"video"``, ``"audio"`` or ``"file"``.
    kind: str
    url: str
    caption: str | None = None
    mime: str | None = None


@dataclass(frozen=True, slots=True)
class Relation:
    """A link from this article to another one, by article id."""

    #: One of :data:`RELATION_KINDS`.
    kind: str
    id: str


@dataclass(frozen=True, slots=True)
class ArticleSource:
    """Where an article came from."""

    #: The source kind that read it (``text``, ``rss``...).
    kind: str
    #: Human name of the source (feed title, account), when known.
    name: str | None = None
    #: The file, URL or ``-`` it was read from.
    location: str | None = None
    #: The item's own id at its origin (feed guid, tweet id): the preferred identity basis.
    origin_id: str | None = None


@dataclass(slots=True)
class Markup:
    """HTML that a clean plugin (``markup``) still has to turn into text. Never exported.

    A fetch plugin that reads HTML (feed content, a page, a toot) leaves it here rather than
    converting it itself, so one HTML-to-text step serves every source kind.
    """

    #: HTML of the body; becomes ``article.text`` (and ``embeds``, ``links``, ``media``).
    body: str | None = None
    #: HTML of the summary; becomes ``article.summary`` as plain text.
    summary: str | None = None
    #: URL that relative links in the HTML resolve against (xml:base, entry or page URL).
    base_url: str | None = None


@dataclass(slots=True)
class Provenance:
    """Which software produced an article, stage by stage."""

    ingest: str = ""
    fetch: str = ""
    clean: list[str] = field(default_factory=list)
    tag: list[str] = field(default_factory=list)
    #: The plugins that completed the article from elsewhere (the page behind a feed entry).
    enrich: list[str] = field(default_factory=list)
    #: The character encoding the input was decoded from, when the source had to decide.
    encoding: str | None = None
    #: Where each field came from, for sources that choose among several statements of it
    #: (a page: ``{"title": "json-ld", "published": "opengraph"...}``).
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Article:
    """One normalized news item. Fetch plugins create it; clean and tag plugins refine it.

    ``id``, ``id_basis``, ``content_hash`` and ``metrics`` are filled in by the pipeline after
    the clean stage; a fetch plugin sets ``source.origin_id`` or ``url`` so that the id is
    stable across runs.
    """

    source: ArticleSource
    text: str = ""
    title: str | None = None
    summary: str | None = None
    url: str | None = None
    authors: list[Author] = field(default_factory=list)
    published: datetime | None = None
    updated: datetime | None = None
    fetched: datetime | None = None
    language: str | None = None
    tags: list[Tag] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    embeds: list[Embed] = field(default_factory=list)
    media: list[Media] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    metrics: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    provenance: Provenance = field(default_factory=Provenance)
    #: Plugin-namespaced extras: ``{"tweets": {"retweets": 12}}``.
    extra: dict[str, Any] = field(default_factory=dict)
    #: HTML awaiting conversion by the clean stage; not part of the record.
    markup: Markup | None = None
    #: False when ``url`` is shared by several items (feeds whose entries all link to one
    #: page), so it cannot be their identity; not part of the record.
    url_is_identity: bool = True
    id: str = ""
    id_basis: str = ""
    content_hash: str = ""
    #: The content hash of the item as its source stated it, set when an enrich plugin then
    #: completed it (the page behind a feed entry): what runs remember it by, so the page is
    #: fetched again only when the entry changes. Not part of the record.
    stated_hash: str = ""
    #: 1, then one more each time the article comes back with a new content hash.
    version: int = 1
    schema_version: int = SCHEMA_VERSION

    @property
    def remembered_hash(self) -> str:
        """The hash runs compare to tell a changed item: the stated one, when there is one."""
        return self.stated_hash or self.content_hash

    def describe(self) -> str:
        """A short label for messages: the source location plus the origin id or url."""
        where = f"{self.source.kind}:{self.source.location or '-'}"
        detail = self.source.origin_id or self.url
        return f"{where}#{detail}" if detail else where


def _slug(kind: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", kind.lower()).strip("-") or "kind"
