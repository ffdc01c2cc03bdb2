"""Articles to and from their JSON record: dicts (:func:`to_json`, :func:`from_json`) and
the bytes and lines exporters write (:func:`dumps`, :func:`dumps_bytes`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from ingest.jsonvalues import repaired
from ingest.model import (
    SCHEMA_VERSION,
    Article,
    ArticleSource,
    Author,
    Embed,
    Media,
    Provenance,
    Quote,
    Relation,
    Tag,
)


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
