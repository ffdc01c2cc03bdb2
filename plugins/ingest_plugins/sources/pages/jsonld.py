"""JSON-LD in article pages: the ``Article`` nodes (and kin) of every ``ld+json`` script,
inside ``@graph``, lists and ``mainEntity`` too, with ``@id`` references resolved. Broken
scripts (HTML comments, CDATA wrappers, trailing commas) are repaired where they can be and
skipped where they cannot; nothing here raises."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import lxml.html

from ingest.helpers import jsonvalues

# schema.org's Article and its subtypes (https://schema.org/Article), as pages use them.
ARTICLE_TYPES = frozenset(
    {
        "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle",
        "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle",
        "askpublicnewsarticle", "blogposting", "liveblogposting", "socialmediaposting",
        "satiricalarticle", "advertisercontentarticle", "report", "techarticle",
        "scholarlyarticle", "medicalscholarlyarticle", "discussionforumposting", "review",
        "claimreview",
    }
)  # fmt: skip
_PAGE_TYPES = frozenset({"webpage", "itempage", "collectionpage", "medicalwebpage"})
_COMMENT_RE = re.compile(r"<!--|-->|//\s*<!\[CDATA\[|//\s*\]\]>|<!\[CDATA\[|\]\]>")
_TRAILING_COMMA_RE = re.compile(r",\s*([}\]])")


def _loads(text: str) -> list[Any]:
    """The JSON values of one script, repaired when broken; [] when beyond repair."""
    text = _COMMENT_RE.sub("", text).strip()
    if not text:
        return []
    for attempt in (text, _TRAILING_COMMA_RE.sub(r"\1", text)):
        try:
            return [json.loads(attempt, strict=False)]
        except (ValueError, RecursionError):
            pass
        # Several values one after another in one script.
        decoder, values, at = json.JSONDecoder(strict=False), [], 0
        try:
            while at < len(attempt):
                value, at = decoder.raw_decode(attempt, at)
                values.append(value)
                while at < len(attempt) and attempt[at] in " \t\r\n;,":
                    at += 1
        except (ValueError, RecursionError):
            pass
        if values:
            return values
    return []


def _nodes(value: Any, depth: int = 0) -> Iterator[Mapping[str, Any]]:
    """Every object of a JSON-LD value: lists, ``@graph`` and nested objects flattened."""
    if depth > 8:
        return
    if isinstance(value, list):
        for item in value:
            yield from _nodes(item, depth + 1)
    elif isinstance(value, dict):
        yield value
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement"):
            if key in value:
                yield from _nodes(value[key], depth + 1)


def _types(node: Mapping[str, Any]) -> set[str]:
    return {t.rsplit("/", 1)[-1].lower() for t in jsonvalues.one_or_many(node.get("@type"))
            if isinstance(t, str)}  # fmt: skip


@dataclass(slots=True)
class JsonLd:
    """What a page's JSON-LD says: its article (the one with most to say), web page and
    web site nodes, every node with an ``@id``, and its breadcrumb trail's names."""

    article: Mapping[str, Any] | None
    page: Mapping[str, Any] | None
    website: Mapping[str, Any] | None
    ids: dict[str, Mapping[str, Any]]
    crumbs: tuple[str, ...] = ()


def json_ld(root: lxml.html.HtmlElement) -> JsonLd:
    """The JSON-LD of the page ``root``; empty (all None) when it has none readable."""
    nodes: list[Mapping[str, Any]] = []
    for script in root.iter("script"):
        kind = (script.get("type") or "").lower()
        if "ld+json" in kind:
            for value in _loads(script.text_content() or ""):
                nodes.extend(_nodes(value))
    ids = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str) and len(n) > 1}
    articles = [n for n in nodes if _types(n) & ARTICLE_TYPES]
    # The article with the most to say: pages list related articles beside their own.
    article = max(articles, key=lambda n: ("headline" in n, "author" in n, len(n)), default=None)
    page = next((n for n in nodes if _types(n) & _PAGE_TYPES), None)
    website = next((n for n in nodes if "website" in _types(n)), None)
    return JsonLd(article, page, website, ids, _crumbs(nodes))


def _crumbs(nodes: list[Mapping[str, Any]]) -> tuple[str, ...]:
    """The names of a ``BreadcrumbList``'s items (``{"name"}`` or ``{"item": {"name"}}``)."""
    names: list[str] = []
    for trail in (n for n in nodes if "breadcrumblist" in _types(n)):
        for element in jsonvalues.one_or_many(trail.get("itemListElement")):
            if not isinstance(element, dict):
                continue
            item = element.get("item")
            name = element.get("name") or (item.get("name") if isinstance(item, dict) else None)
            if isinstance(name, str) and name.strip():
                names.append(name.strip())
    return tuple(names)


def name_of(value: Any, ids: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Names of a JSON-LD person or organization: a string, an object, an @id, a list."""
    names: list[str] = []
    for item in jsonvalues.one_or_many(value):
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict):
            node: Mapping[str, Any] = item
            if set(item) <= {"@id", "@type"} and isinstance(item.get("@id"), str):
                node = ids.get(item["@id"], item)
            name = node.get("name")
            if isinstance(name, list):
                name = " ".join(n for n in name if isinstance(n, str))
            if not isinstance(name, str) and isinstance(node.get("givenName"), str):
                name = f"{node['givenName']} {node.get('familyName') or ''}"
            if isinstance(name, str):
                names.append(name)
    return names


def url_of(value: Any) -> str | None:
    """The URL of a JSON-LD image or page: a string, an object with ``url``, a list."""
    for item in jsonvalues.one_or_many(value):
        if isinstance(item, str) and item.strip():
            return item.strip()
        if isinstance(item, dict):
            found = url_of(item.get("url") or item.get("contentUrl") or item.get("@id"))
            if found:
                return found
    return None


def texts(value: Any) -> list[str]:
    """Strings of a JSON-LD value that is a string or a list of strings."""
    return [v.strip() for v in jsonvalues.one_or_many(value) if isinstance(v, str) and v.strip()]
