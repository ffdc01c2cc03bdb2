"""Mastodon posts as ActivityPub: the activities of an account export's ``outbox.json``
(an OrderedCollection whose ``orderedItems`` the record reader streams one by one), or a
bare Note.

A ``Create`` activity holds its ``Note`` (``id`` is the status URI, the same id the Mastodon
API calls ``uri``, so posts read either way are one article). An ``Announce`` (a boost)
names the boosted status by URI only: it becomes a post without text that is a repost of
that URI, as a reblog read from the API is.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from ingest import Author, Media
from ingest.helpers import jsonvalues as jv
from ingest_plugins.sources.posts import NotAPost, Post, dated, relation
from ingest_plugins.sources.posts.mastodon import PLATFORM

_ACTIVITIES = frozenset({"Create", "Announce"})
_OBJECTS = frozenset({"Note", "Question", "Article", "Page"})
_MEDIA_KINDS = {"image": "image", "video": "video", "audio": "audio"}


def is_activitypub(record: Mapping[str, Any]) -> bool:
    """An ActivityPub Create or Announce activity, or a bare Note with its author."""
    kind = record.get("type")
    if kind in _ACTIVITIES:
        return "object" in record and "actor" in record
    return kind in _OBJECTS and "attributedTo" in record


def activitypub_posts(record: Mapping[str, Any]) -> Iterator[Post]:
    """The post of a Create (its Note), an Announce (a repost), or a bare Note.

    :raises NotAPost: an activity whose object is not a readable post.
    """
    kind = record.get("type")
    if kind == "Announce":
        yield _announce(record)
        return
    note = record.get("object") if kind == "Create" else record
    if not isinstance(note, Mapping):
        raise NotAPost("an ActivityPub Create whose object is only a link, not a post")
    if note.get("type") not in _OBJECTS:
        raise NotAPost(f"an ActivityPub Create of a {str(note.get('type'))[:40]}, not a post")
    yield _note(note, record)


def _actor(value: Any) -> Author | None:
    """The author an actor URI (``https://host/users/name``) names: ``name@host``."""
    uri = jv.text(value) or jv.text(jv.path(value, "id"))
    if uri is None:
        return None
    try:
        host = urlsplit(uri).hostname
    except ValueError:
        host = None
    name = uri.rstrip("/").rsplit("/", 1)[-1].lstrip("@")
    handle = f"{name}@{host}" if host and name else None
    return Author(None, handle, uri)


def _announce(activity: Mapping[str, Any]) -> Post:
    post_id = jv.text(activity.get("id"))
    target = jv.text(activity.get("object")) or jv.text(jv.path(activity, "object", "id"))
    if post_id is None or target is None:
        raise NotAPost("an ActivityPub Announce without id or object")
    post = Post(PLATFORM, post_id, author=_actor(activity.get("actor")))
    post.published = dated(jv.text(activity.get("published")), post)
    post.relations.append(relation("repost_of", PLATFORM, target))
    return post


def _note(note: Mapping[str, Any], activity: Mapping[str, Any]) -> Post:
    post_id = jv.text(note.get("id"))
    if post_id is None:
        raise NotAPost("an ActivityPub Note without id")
    content_map = jv.obj(note.get("contentMap"))
    content = jv.text(note.get("content")) or next(
        (text for text in map(jv.text, content_map.values()) if text), None
    )
    url = note.get("url")
    post = Post(
        PLATFORM,
        post_id,
        html=content,
        url=jv.text(url) or jv.text(jv.path(url, "href")) or post_id,
        author=_actor(note.get("attributedTo") or activity.get("actor")),
        language=next(iter(content_map), None),
        summary=jv.text(note.get("summary")),
        media=_media(note.get("attachment")),
    )
    for tag in jv.objects(note.get("tag")):
        name = jv.text(tag.get("name"))
        if name and tag.get("type") == "Hashtag":
            post.hashtags.append(name.lstrip("#"))
        elif name and tag.get("type") == "Mention":
            post.mentions.append(name.lstrip("@"))
    post.published = dated(jv.text(note.get("published")), post)
    post.updated = dated(jv.text(note.get("updated")), post)
    targets = (("reply_to", note.get("inReplyTo")), ("quote_of", note.get("quoteUri")))
    for kind, target in targets:
        if uri := jv.text(target) or jv.text(jv.path(target, "id")):
            post.relations.append(relation(kind, PLATFORM, uri))
    return post


def _media(attachments: Any) -> list[Media]:
    """Attachments with an absolute URL (an export's own files are relative paths)."""
    media = []
    for item in jv.objects(jv.one_or_many(attachments)):
        url = jv.text(item.get("url")) or jv.text(jv.path(item, "url", "href"))
        if url and url.startswith(("https://", "http://")):
            mime = jv.text(item.get("mediaType")) or ""
            kind = _MEDIA_KINDS.get(mime.split("/", 1)[0], "file")
            media.append(Media(kind, url, jv.text(item.get("name")), mime or None))
    return media
