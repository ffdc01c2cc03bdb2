"""Raw items for dead letters: an article as it was fetched, before any clean plugin, to
JSON bytes (markup included) and back."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import orjson

from ingest.articlejson import from_json, to_json
from ingest.model import Article, Markup
from ingest.seen import SeenItems


def snapshot(article: Article) -> Article:
    """A copy of a raw article that the clean and tag stages will not change: its lists and
    dicts are copied (plugins change those in place)."""
    return replace(
        article,
        authors=list(article.authors),
        tags=list(article.tags),
        quotes=list(article.quotes),
        embeds=list(article.embeds),
        media=list(article.media),
        links=list(article.links),
        relations=list(article.relations),
        metrics=dict(article.metrics),
        warnings=list(article.warnings),
        provenance=replace(article.provenance, clean=[], tag=[]),
        extra={k: dict(v) if isinstance(v, dict) else v for k, v in article.extra.items()},
        markup=replace(article.markup) if article.markup else None,
    )


def raw_article(article: Article) -> bytes:
    """A raw (not yet cleaned) article as JSON, markup included: a dead letter's item."""
    markup = article.markup
    return orjson.dumps(
        {
            "article": to_json(article),
            "markup": None
            if markup is None
            else {"body": markup.body, "summary": markup.summary, "base_url": markup.base_url},
            "url_is_identity": article.url_is_identity,
        }
    )


def article_from_raw(raw: bytes) -> Article:
    """The inverse of :func:`raw_article`."""
    data = orjson.loads(raw)
    article = from_json(data["article"])
    if data.get("markup"):
        article.markup = Markup(**data["markup"])
    article.url_is_identity = bool(data.get("url_is_identity", True))
    return article


def fetched_again(article: Article, fetched_before: SeenItems) -> bool:
    """True for a raw item fetched before in this run with everything its id and content
    hash are made from (a feed repeating an entry, one file given twice): cleaning and
    tagging it again would only make a duplicate to drop."""
    source, markup = article.source, article.markup
    parts = [
        source.kind,
        source.origin_id or "",
        article.url or "",
        "1" if article.url_is_identity else "0",
        article.title or "",
        article.summary or "",
        article.text,
    ]
    if markup is not None:
        parts += (markup.body or "", markup.summary or "", markup.base_url or "")
    # The unit separator keeps ("ab", "c") and ("a", "bc") apart.
    raw = "\x1f".join(parts).encode("utf-8", "surrogatepass")
    key = hashlib.blake2b(raw, digest_size=16).digest()
    if fetched_before.get(key) is not None:
        return True
    fetched_before.put(key, b"")
    return False
