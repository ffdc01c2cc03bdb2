"""Stable identity: canonical URLs, content hashes and article ids.

An id must not change when the same item is read again, from another file or in another run,
so it is derived, in order of preference, from the item's own id at its origin (a feed guid, a
tweet id), its canonical URL, or its normalized content.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

from ingest.model import Article

ID_HEX_CHARS = 32

# Parameters that only track the click; they never select content.
_TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid",
        "mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id",
        "vero_id", "wt_mc", "cmpid", "ocid", "ncid", "s_cid", "guce_referrer",
        "guce_referrer_sig", "ref_src", "ref_url",
    }
)  # fmt: skip
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Most URLs are canonical already; this recognizes them without parsing (canonical_url
# runs on every link of every article). Anything unusual takes the full path.
_PLAIN_URL_RE = re.compile(
    r"https?://[a-z0-9-]+(?:\.[a-z0-9-]+)*/[^?#\s]*(?:\?(?P<query>[^#\s%]+))?\Z"
)


_UNSAFE_URL_RE = re.compile(r"[\x00-\x20\x7f-\x9f]")
_TRACKING_QUERY_RE = re.compile(
    r"(?:^|&)(?:utm_|__twitter_impression|(?:" + "|".join(_TRACKING_PARAMS) + r")(?:[=&]|\Z))",
    re.IGNORECASE,
)


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith(("utm_", "__twitter_impression")) or lowered in _TRACKING_PARAMS


def canonical_url(url: str | None) -> str | None:
    """Canonical form of an http(s) URL, or None for anything that is not one.

    Lowercases scheme and host, drops default ports, the fragment, an empty query, and
    tracking parameters (``utm_*``, ``fbclid``, ``gclid``...); keeps the order of the other
    parameters, since some sites select content by them. Idempotent.
    """
    if not url:
        return None
    url = url.strip()
    if _UNSAFE_URL_RE.search(url):
        # Controls and spaces are never part of a URL: percent-encoded, not dropped as
        # urlsplit drops newlines (a crafted id must not smuggle text through a URL).
        url = _UNSAFE_URL_RE.sub(lambda m: quote(m.group(), safe=""), url)
    plain = _PLAIN_URL_RE.match(url)
    if plain and not (plain["query"] and _TRACKING_QUERY_RE.search(plain["query"])):
        return url
    return rebuild_url(url)


def resolve_url(base: str | None, url: str) -> str:
    """``url`` made absolute against ``base`` (cheaply when it is absolute already)."""
    if not base or url.startswith(("http://", "https://")):
        return url
    return urljoin(base, url)


def rebuild_url(url: str) -> str | None:
    """:func:`canonical_url` the long way, by parsing and rebuilding; for the tests that
    prove the shortcut agrees with it."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    query_pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in query_pairs if not _is_tracking(k)]
    query = parts.query if len(kept) == len(query_pairs) else urlencode(kept)
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def _digest(*parts: str) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part.encode("utf-8", "surrogatepass"))
        hasher.update(b"\x1f")  # unit separator: ("ab", "c") and ("a", "bc") differ
    return hasher.hexdigest()[:ID_HEX_CHARS]


def content_hash(title: str | None, text: str) -> str:
    """Hash of an article's normalized title and text, insensitive to whitespace layout.

    Used for deduplication and to tell an updated article from an unchanged one.
    """
    return _digest(" ".join((title or "").split()), " ".join(text.split()))


def stated_hash(article: Article) -> str:
    """Hash of an item as its source states it, before an enrich plugin completes it: its
    title, text and ``updated`` time (a sitemap entry has no text, but its ``lastmod``)."""
    updated = article.updated.isoformat() if article.updated else ""
    return _digest("stated", content_hash(article.title, article.text), updated)


def origin_article_id(kind: str, origin_id: str) -> str:
    """The id of the article of ``kind`` whose origin id is ``origin_id``, read or not:
    what relations (``reply_to``, ``quote_of``...) point to."""
    return _digest("origin", kind, origin_id)


def assign_identity(article: Article) -> None:
    """Set ``url`` to its canonical form and fill ``id``, ``id_basis`` and ``content_hash``."""
    article.url = canonical_url(article.url)
    article.content_hash = content_hash(article.title, article.text)
    kind = article.source.kind
    if article.source.origin_id:
        article.id_basis = "origin"
        article.id = origin_article_id(kind, article.source.origin_id)
    elif article.url and article.url_is_identity:
        article.id_basis = "url"
        article.id = _digest("url", article.url)
    else:
        article.id_basis = "content"
        article.id = _digest("content", kind, article.content_hash)
