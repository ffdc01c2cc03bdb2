"""Tweets in Activity Streams format: what Gnip PowerTrack, Historical PowerTrack, and
premium and enterprise search (``"format": "activity_streams"``) deliver.

An activity is ``{"id": "tag:search.twitter.com,2005:ID", "verb": "post" | "share",
"postedTime", "body", "actor": {"preferredUsername", "displayName", ...}, "object", "link",
"twitter_entities", "long_object", "twitter_quoted_status", "inReplyTo", ...}``. A retweet
has verb ``share`` and the original activity in ``object``; a quote carries the quoted
activity in ``twitter_quoted_status``. Compliance activities (verb ``delete``...) and stream
system messages (``{"info": ...}``) are bookkeeping, not posts.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping
from typing import Any

from ingest import Author
from ingest.helpers import jsonvalues as jv
from ingest_plugins.sources.posts import NotAPost, Post, dated, relation
from ingest_plugins.sources.posts.twitter import (
    PLATFORM,
    _entity_texts,
    _expand,
    _language,
    _v1_media,
)

_POST_VERBS = frozenset({"post", "share"})
#: Retweets nest their original; a quote nests the quoted one. The cap bounds the work on a
#: crafted document.
_MAX_NESTED = 16


def is_activity(record: Mapping[str, Any]) -> bool:
    """A Twitter activity in Activity Streams format (or a compliance activity)."""
    return isinstance(record.get("verb"), str) and isinstance(record.get("actor"), Mapping)


def is_post_activity(record: Mapping[str, Any]) -> bool:
    """An activity that is a post or a retweet, not a compliance event such as a delete."""
    return record.get("verb") in _POST_VERBS


def activity_posts(record: Mapping[str, Any]) -> Iterator[Post]:
    """The post of an activity, then those it retweets or quotes.

    :raises NotAPost: an activity without an id or text.
    """
    pending: list[Mapping[str, Any]] = [record]
    for _ in range(_MAX_NESTED):
        if not pending:
            return
        activity = pending.pop(0)
        yield _post(activity)
        original = jv.obj(activity.get("object"))
        if activity.get("verb") == "share" and is_activity(original):
            pending.append(original)
        quoted = jv.obj(activity.get("twitter_quoted_status"))
        if is_activity(quoted):
            pending.append(quoted)


def _tweet_id(value: Any) -> str | None:
    """``123`` of ``tag:search.twitter.com,2005:123`` or of a status link."""
    text = jv.text(value)
    if not text:
        return None
    last = text.rstrip("/").rsplit(":" if text.startswith("tag:") else "/", 1)[-1]
    return last if last.isdigit() else None


def _post(activity: Mapping[str, Any]) -> Post:
    post_id = _tweet_id(activity.get("id"))
    if not post_id:
        raise NotAPost("an Activity Streams tweet without a tag:…:ID id")
    long = jv.obj(activity.get("long_object"))
    text = jv.text(long.get("body")) or jv.text(activity.get("body"))
    if text is None:
        raise NotAPost(f"tweet {post_id} has no body")
    entities = jv.obj(long.get("twitter_entities")) or jv.obj(activity.get("twitter_entities"))
    extended = jv.obj(long.get("twitter_extended_entities")) or jv.obj(
        activity.get("twitter_extended_entities")
    )
    media = jv.array(extended.get("media"))
    text, links = _expand(text, jv.array(entities.get("urls")) + media)
    actor = jv.obj(activity.get("actor"))
    handle = jv.text(actor.get("preferredUsername"))
    name = jv.text(actor.get("displayName"))
    author = Author(name, handle, f"https://twitter.com/{handle}" if handle else None)
    post = Post(PLATFORM, post_id, text=html.unescape(text), author=author)
    post.url = f"https://twitter.com/{handle or 'i/web'}/status/{post_id}"
    post.published = dated(jv.text(activity.get("postedTime")), post)
    post.language = _language(activity.get("twitter_lang")) or _language(
        jv.path(activity, "gnip", "language", "value")
    )
    post.links = [link for link in links if "/photo/" not in link and "/video/" not in link]
    post.hashtags = _entity_texts(entities, "hashtags", "text")
    post.mentions = _entity_texts(entities, "user_mentions", "screen_name")
    post.cashtags = _entity_texts(entities, "symbols", "text")
    post.media = [m for m in map(_v1_media, media) if m]
    post.counts = {
        name: value
        for name, key in (("reposts", "retweetCount"), ("likes", "favoritesCount"))
        if isinstance(value := activity.get(key), int) and not isinstance(value, bool)
    }
    targets = (
        ("repost_of", jv.obj(activity.get("object")).get("id"), activity.get("verb") == "share"),
        ("quote_of", jv.obj(activity.get("twitter_quoted_status")).get("id"), True),
        ("reply_to", jv.path(activity, "inReplyTo", "link"), True),
    )
    for kind, target, applies in targets:
        target_id = _tweet_id(target) if applies else None
        if target_id:
            post.relations.append(relation(kind, PLATFORM, target_id))
    return post
