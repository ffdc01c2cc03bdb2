"""The article record and the small records that travel with it.

Every record that crosses a hook boundary is a dataclass; :func:`to_json` and
:func:`from_json` map an :class:`Article` to and from the JSON object that ``ingest schema``
describes (:mod:`ingest.schema`), key for key and in that order. Datetimes are timezone-aware
and serialized as RFC 3339 UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from ingest.jsonvalues import repaired

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


def format_datetime(value: datetime | None) -> str | None:
    """RFC 3339 in UTC with a ``Z`` suffix and whole seconds, or None."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: ingest stores only timezone-aware times")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datetime(value: str | None) -> datetime | None:
    """Parse an RFC 3339 date-time as written by :func:`format_datetime`."""
    if value is None:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"date-time without a timezone: {value!r}")
    return parsed.astimezone(UTC)


def _author_json(author: Author) -> dict[str, Any]:
    return {"name": author.name, "handle": author.handle, "url": author.url}


def to_json(article: Article) -> dict[str, Any]:
    """The article as a JSON-ready dict, keys in schema order."""
    src, prov = article.source, article.provenance
    provenance: dict[str, Any] = {
        "ingest": prov.ingest,
        "fetch": prov.fetch,
        "clean": list(prov.clean),
        "tag": list(prov.tag),
    }
    if prov.enrich:
        provenance["enrich"] = list(prov.enrich)
    if prov.encoding is not None:
        provenance["encoding"] = prov.encoding
    if prov.fields:
        provenance["fields"] = dict(prov.fields)
    return {
        "schema_version": article.schema_version,
        "id": article.id,
        "id_basis": article.id_basis,
        "url": article.url,
        "source": {
            "kind": src.kind,
            "name": src.name,
            "location": src.location,
            "origin_id": src.origin_id,
        },
        "title": article.title,
        "summary": article.summary,
        "text": article.text,
        "authors": [_author_json(a) for a in article.authors],
        "published": format_datetime(article.published),
        "updated": format_datetime(article.updated),
        "fetched": format_datetime(article.fetched),
        "language": article.language,
        "tags": [
            {"kind": t.kind, "value": t.value, "score": t.score, "by": t.by, "count": t.count}
            for t in article.tags
        ],
        "quotes": [{"text": q.text, "speaker": q.speaker} for q in article.quotes],
        "embeds": [
            {
                "kind": e.kind,
                "url": e.url,
                "author": _author_json(e.author) if e.author else None,
                "text": e.text,
                "published": e.published,
            }
            for e in article.embeds
        ],
        "media": [
            {"kind": m.kind, "url": m.url, "caption": m.caption, "mime": m.mime}
            for m in article.media
        ],
        "links": list(article.links),
        "relations": [{"kind": r.kind, "id": r.id} for r in article.relations],
        "metrics": dict(article.metrics),
        "content_hash": article.content_hash,
        "version": article.version,
        "warnings": list(article.warnings),
        "provenance": provenance,
        "extra": article.extra,
    }


def _author(data: dict[str, Any] | None) -> Author | None:
    if data is None:
        return None
    return Author(name=data.get("name"), handle=data.get("handle"), url=data.get("url"))


def from_json(data: dict[str, Any]) -> Article:
    """Rebuild an :class:`Article` from :func:`to_json` output (or a validated JSON line)."""
    src, prov = data["source"], data.get("provenance") or {}
    return Article(
        schema_version=data.get("schema_version", SCHEMA_VERSION),
        id=data.get("id", ""),
        id_basis=data.get("id_basis", ""),
        url=data.get("url"),
        source=ArticleSource(
            kind=src["kind"],
            name=src.get("name"),
            location=src.get("location"),
            origin_id=src.get("origin_id"),
        ),
        title=data.get("title"),
        summary=data.get("summary"),
        text=data.get("text", ""),
        authors=[a for a in map(_author, data.get("authors", [])) if a is not None],
        published=parse_datetime(data.get("published")),
        updated=parse_datetime(data.get("updated")),
        fetched=parse_datetime(data.get("fetched")),
        language=data.get("language"),
        tags=[
            Tag(t["kind"], t["value"], t.get("score"), t.get("by"), t.get("count"))
            for t in data.get("tags", [])
        ],
        quotes=[Quote(q["text"], q.get("speaker")) for q in data.get("quotes", [])],
        embeds=[
            Embed(
                e["kind"], e.get("url"), _author(e.get("author")), e.get("text"), e.get("published")
            )
            for e in data.get("embeds", [])
        ],
        media=[
            Media(m["kind"], m["url"], m.get("caption"), m.get("mime"))
            for m in data.get("media", [])
        ],
        links=list(data.get("links", [])),
        relations=[Relation(r["kind"], r["id"]) for r in data.get("relations", [])],
        metrics=dict(data.get("metrics", {})),
        content_hash=data.get("content_hash", ""),
        version=data.get("version", 1),
        warnings=list(data.get("warnings", [])),
        provenance=Provenance(
            ingest=prov.get("ingest", ""),
            fetch=prov.get("fetch", ""),
            clean=list(prov.get("clean", [])),
            tag=list(prov.get("tag", [])),
            enrich=list(prov.get("enrich", [])),
            encoding=prov.get("encoding"),
            fields=dict(prov.get("fields", {})),
        ),
        extra=dict(data.get("extra", {})),
    )


def dumps_bytes(article: Article) -> bytes:
    """One compact JSON line in UTF-8, no trailing newline.

    orjson, not the standard library: five times faster on the export path, and it refuses
    what JSON cannot hold (lone surrogates, integers beyond 64 bits) instead of writing it.
    Such a value is a fault of this article, never of the target: it is repaired in place
    (see :func:`make_encodable`), with a warning, and the article is written.
    """
    try:
        return orjson.dumps(to_json(article))
    except orjson.JSONEncodeError:
        make_encodable(article)
        return orjson.dumps(to_json(article))


def make_encodable(article: Article) -> None:
    """Repair, in place, every value of ``article`` that JSON in UTF-8 cannot carry: a lone
    surrogate becomes U+FFFD, an integer beyond 64 bits or a value of no JSON type is
    dropped (null); each kind of repair adds a warning."""
    record, problems = repaired(to_json(article))
    fixed = from_json(record)
    for name in _RECORD_FIELDS:
        setattr(article, name, getattr(fixed, name))
    article.warnings.extend(f"at export: {problem}" for problem in problems)


# What from_json gives back as it was; datetimes keep their whole precision.
_NOT_COPIED = ("markup", "url_is_identity", "fetched", "published", "updated")
_RECORD_FIELDS = tuple(name for name in Article.__dataclass_fields__ if name not in _NOT_COPIED)


def dumps(article: Article) -> str:
    """One compact JSON line (no trailing newline), non-ASCII text kept as is."""
    return dumps_bytes(article).decode("utf-8")
