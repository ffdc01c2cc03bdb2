"""Mastodon statuses as the Mastodon API serves them (https://docs.joinmastodon.org/entities/).

Shapes read: a Status, with the status it reblogs and the status it quotes (Mastodon 4.5
wraps the quoted status in a Quote, ``{"state", "quoted_status"}``; older servers and forks
put the status itself in ``quote``); a bare Quote; a Context (``ancestors`` and
``descendants``); and a streaming event whose ``payload`` is a status encoded as a string.

A status is identified by its ``uri``, the ActivityPub id that every server agrees on; its
``id`` is local to the server that answered, so it only resolves replies inside one Context.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from ingest import Author, Media
from ingest.helpers import jsonvalues as jv
from ingest_plugins.sources.posts import NotAPost, Post, dated, relation
from ingest_plugins.sources.posts.repair import loads

PLATFORM = "mastodon"
_MEDIA_KINDS = {"image": "image", "gifv": "video", "video": "video", "audio": "audio"}
_STATUS_EVENTS = ("update", "status.update")
_COUNTS = (
    ("replies", "replies_count"),
    ("reposts", "reblogs_count"),
    ("likes", "favourites_count"),
    ("quotes", "quotes_count"),
)
#: Statuses read from one status and what it nests. Real ones nest two or three deep (a
#: reblog of a quote); the cap only bounds the work on a crafted document.
_MAX_NESTED = 32


def _dict(value: Any) -> Mapping[str, Any] | None:
    return value if isinstance(value, Mapping) else None


def is_mastodon(record: Mapping[str, Any]) -> bool:
    """True when ``record`` has the keys of a Mastodon status, context, quote or streaming
    event: a cheap test of its shape, not a validation."""
    if isinstance(record.get("event"), str) and "payload" in record:
        return True
    if isinstance(record.get("ancestors"), list) and isinstance(record.get("descendants"), list):
        return True
    if "state" in record and "quoted_status" in record:
        return True
    return "account" in record and ("content" in record or "reblog" in record)


def mastodon_posts(record: Mapping[str, Any]) -> Iterator[Post]:
    """The posts of a Mastodon record: a status and the statuses it reblogs or quotes, every
    status of a context, or the status of a streaming update.

    :raises NotAPost: a record of this family that holds no readable status.
    """
    if isinstance(record.get("event"), str) and "payload" in record:
        status, warnings = _event_status(record)
        for post in _status_posts(status, {}):
            post.warnings += warnings
            yield post
    elif isinstance(record.get("ancestors"), list) and isinstance(record.get("descendants"), list):
        yield from _context_posts(record)
    elif "state" in record and "quoted_status" in record and "account" not in record:
        quoted = _dict(record.get("quoted_status"))
        if quoted is None:
            state = str(record.get("state"))[:40]
            raise NotAPost(f"a Mastodon quote in state {state!r} shows no quoted status")
        yield from _status_posts(quoted, {})
    else:
        yield from _status_posts(record, {})


def _event_status(event: Mapping[str, Any]) -> tuple[Mapping[str, Any], list[str]]:
    name = str(event.get("event"))[:40]
    if name not in _STATUS_EVENTS:
        raise NotAPost(f"a Mastodon streaming {name!r} event carries no status")
    payload, warnings = event.get("payload"), list[str]()
    if isinstance(payload, str):  # the streaming API sends the status JSON-encoded, as text
        try:
            payload, warnings = loads(payload)
        except ValueError:
            raise NotAPost(
                f"a Mastodon streaming {name!r} event whose payload is not JSON"
            ) from None
    status = _dict(payload)
    if status is None:
        raise NotAPost(f"a Mastodon streaming {name!r} event whose payload is not a status")
    return status, warnings


def _context_posts(context: Mapping[str, Any]) -> list[Post]:
    """Every readable status of a context; unreadable ones are skipped unless all are."""
    statuses = jv.objects(context.get("ancestors")) + jv.objects(context.get("descendants"))
    known: dict[str, str] = {}
    for status in statuses:
        local, uri = jv.text(status.get("id")), _status_id(status)
        if local and uri:
            known[local] = uri
    posts: list[Post] = []
    reasons: list[str] = []
    for status in statuses:
        try:
            posts += _status_posts(status, known)
        except NotAPost as exc:
            reasons.append(str(exc))
    if reasons and not posts:
        raise NotAPost(f"a Mastodon context without a readable status: {reasons[0]}")
    return posts


def _status_posts(status: Mapping[str, Any], known: Mapping[str, str]) -> list[Post]:
    """The post of ``status`` and of the statuses it reblogs or quotes, outermost first.

    :param known: the URIs of the statuses in the same record, by their local id.
    """
    posts: list[Post] = []
    pending: list[tuple[Mapping[str, Any], Post | None]] = [(status, None)]
    while pending and len(posts) < _MAX_NESTED:
        current, outer = pending.pop()
        try:
            post = _post(current, known)
        except NotAPost as exc:
            if outer is None:
                raise
            outer.warnings.append(f"a status it reblogs or quotes was skipped: {exc}")
            continue
        posts.append(post)
        for kind, nested in _nested(current):
            nested_id = _status_id(nested)
            if nested_id:
                post.relations.append(relation(kind, PLATFORM, nested_id))
            pending.append((nested, post))
    return posts


def _nested(status: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    found: list[tuple[str, Mapping[str, Any]]] = []
    reblog = _dict(status.get("reblog"))
    if reblog is not None:
        found.append(("repost_of", reblog))
    quote = _dict(status.get("quote"))
    if quote is not None and ("state" in quote or "quoted_status" in quote):
        # Mastodon 4.5: a Quote; a shallow one has only a local quoted_status_id.
        quote = _dict(quote.get("quoted_status"))
    if quote is not None:
        found.append(("quote_of", quote))
    return found


def _status_id(status: Mapping[str, Any]) -> str | None:
    return jv.text(status.get("uri")) or jv.text(status.get("url"))


def _checked_id(status: Mapping[str, Any]) -> str:
    """The id of a status that can be a post, or why it cannot."""
    post_id = _status_id(status)
    if post_id is None:
        if "id" not in status and "content" in status:
            raise NotAPost("a Mastodon status edit (history entry) has no status id")
        raise NotAPost("a Mastodon status without uri or url")
    if not isinstance(status.get("content"), str) and _dict(status.get("reblog")) is None:
        raise NotAPost(f"a Mastodon status without content or reblog: {post_id}")
    return post_id


def _post(status: Mapping[str, Any], known: Mapping[str, str]) -> Post:
    post_id = _checked_id(status)
    content = status.get("content")
    card_url = jv.text((_dict(status.get("card")) or {}).get("url"))
    post = Post(
        PLATFORM,
        post_id,
        html=content if isinstance(content, str) and content else None,
        url=jv.text(status.get("url")) or post_id,
        author=_author(_dict(status.get("account"))),
        language=jv.text(status.get("language")),
        summary=jv.text(status.get("spoiler_text")),
        hashtags=[name for t in jv.objects(status.get("tags")) if (name := jv.text(t.get("name")))],
        mentions=[acct for m in jv.objects(status.get("mentions")) if (acct := _handle(m))],
        links=[card_url] if card_url else [],
        media=_media(status.get("media_attachments")),
        counts=_counts(status),
    )
    _add_dates(post, status)
    parent = known.get(jv.text(status.get("in_reply_to_id")) or "")
    if parent:
        post.relations.append(relation("reply_to", PLATFORM, parent))
    return post


def _handle(account: Mapping[str, Any]) -> str | None:
    """``acct`` with the instance host: local accounts have none in their ``acct``."""
    acct = (jv.text(account.get("acct")) or "").lstrip("@") or None
    if acct is None or "@" in acct:
        return acct
    try:
        host = urlsplit(jv.text(account.get("url")) or "").hostname
    except ValueError:
        host = None
    return f"{acct}@{host}" if host else acct


def _author(account: Mapping[str, Any] | None) -> Author | None:
    if account is None:
        return None
    handle = _handle(account)
    name = jv.text(account.get("display_name")) or jv.text(account.get("username")) or handle
    url = jv.text(account.get("url"))
    return Author(name, handle, url) if name or url else None


def _media(attachments: Any) -> list[Media]:
    media: list[Media] = []
    for attachment in jv.objects(attachments):
        url = jv.text(attachment.get("url")) or jv.text(attachment.get("remote_url"))
        if url:
            kind = _MEDIA_KINDS.get(str(attachment.get("type")), "file")
            media.append(Media(kind, url, jv.text(attachment.get("description"))))
    return media


def _counts(status: Mapping[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name, key in _COUNTS:
        value = status.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            counts[name] = value
    if jv.text(status.get("edited_at")):
        counts["edited"] = 1
    return counts


def _add_dates(post: Post, status: Mapping[str, Any]) -> None:
    created = jv.text(status.get("created_at"))
    post.published = dated(created, post)
    post.updated = dated(jv.text(status.get("edited_at")), post)
    if created is None:
        post.warnings.append("a Mastodon status without created_at: no publication date")
