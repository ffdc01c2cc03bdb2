"""Whether a page marks its text as not free to read, and why, in words.

The signals are the ones publishers give search engines and social networks so that a
paywalled page is not taken for cloaking: schema.org's ``isAccessibleForFree`` (JSON-LD, on
the article, its web page or a part of it, the part's ``cssSelector`` naming the hidden
text; or microdata), Facebook's ``article:content_tier`` (``locked``, ``metered``), and
the Dow Jones ``article.access`` (``paid``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ingest.helpers import jsonvalues

_FALSE = frozenset({"false", "no", "0"})
_TIERS = {
    "locked": "the page marks its text as locked for subscribers (article:content_tier: locked)",
    "metered": (
        "the page marks its text as metered: free up to a limit of articles, then for "
        "subscribers (article:content_tier: metered)"
    ),
}


def _not_free(value: Any) -> bool:
    """Whether an ``isAccessibleForFree`` value says no (``false``, ``"False"``)."""
    if isinstance(value, bool):
        return not value
    return isinstance(value, str) and value.strip().casefold() in _FALSE


def _parts(node: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    return (p for p in jsonvalues.one_or_many(node.get("hasPart")) if isinstance(p, dict))


def _json_ld(nodes: Iterable[Mapping[str, Any] | None]) -> str | None:
    for node in nodes:
        if node is None:
            continue
        if _not_free(node.get("isAccessibleForFree")):
            return "the page marks its text as for subscribers (isAccessibleForFree: false)"
        for part in _parts(node):
            if _not_free(part.get("isAccessibleForFree")):
                selector = jsonvalues.text(part.get("cssSelector"))
                where = f" on its part {selector}" if selector else " on a part"
                return (
                    "the page marks its text as for subscribers "
                    f"(isAccessibleForFree: false{where})"
                )
    return None


def paywall(
    article: Mapping[str, Any] | None,
    page: Mapping[str, Any] | None,
    meta: Mapping[str, list[str]],
) -> str | None:
    """Why the page is not free to read (its JSON-LD ``article`` and ``page`` nodes, its
    ``meta`` contents by lowercased name), or None when it says nothing of the kind."""
    found = _json_ld((article, page))
    if found:
        return found
    if any(_not_free(v) for v in meta.get("isaccessibleforfree", ())):
        return "the page marks its text as for subscribers (isAccessibleForFree: false)"
    for tier in meta.get("article:content_tier", ()):
        reason = _TIERS.get(tier.strip().casefold())
        if reason:
            return reason
    if any(v.strip().casefold() == "paid" for v in meta.get("article.access", ())):
        return "the page marks its text as paid content (article.access: paid)"
    return None
