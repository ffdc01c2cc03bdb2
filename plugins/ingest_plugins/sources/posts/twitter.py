"""Twitter/X posts: API v1.1 tweet objects, API v2 response pages (what twarc writes),
account-archive ``tweet`` objects, and oEmbed responses."""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from ingest import Author, Media, quoted
from ingest.helpers import jsonvalues as jv
from ingest_plugins.clean.markup import html_to_text
from ingest_plugins.sources.posts import NotAPost, Post, dated, relation

PLATFORM = "twitter"
# Stream control messages: expected in captures of the streaming API, and not posts.
_CONTROL = frozenset(
    {"delete", "limit", "scrub_geo", "status_withheld", "user_withheld", "disconnect", "warning"}
    | {"info"}  # Gnip PowerTrack and Historical PowerTrack system messages
)
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
_V2_RELATIONS = {"retweeted": "repost_of", "quoted": "quote_of", "replied_to": "reply_to"}
_COUNTS = {
    "retweet_count": "reposts", "favorite_count": "likes", "like_count": "likes",
    "reply_count": "replies", "quote_count": "quotes", "impression_count": "views",
    "bookmark_count": "bookmarks",
}  # fmt: skip


def _counts(*sources: Mapping[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for source in sources:
        for key, name in _COUNTS.items():
            value = source.get(key)
            if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
                counts[name] = int(value)  # archives write counts as strings
    return counts


def _language(value: Any) -> str | None:
    lang = jv.text(value)
    # "und" and Twitter's private q-codes (qme: media only, qht: hashtags only...) say nothing.
    return None if not lang or lang == "und" or (len(lang) == 3 and lang[0] == "q") else lang


def status_url(post_id: str, handle: str | None) -> str:
    """The canonical URL of a tweet (``/i/web/status/ID`` when the author is unknown)."""
    return f"https://twitter.com/{handle or 'i/web'}/status/{post_id}"


def _author(user: Mapping[str, Any], handle_key: str) -> Author | None:
    handle = jv.text(user.get(handle_key))
    name = jv.text(user.get("name"))
    if not handle and not name:
        return None
    return Author(name, handle, f"https://twitter.com/{handle}" if handle else None)


def _ctime(value: Any, post: Post) -> datetime | None:
    text = jv.text(value)
    if text is None:
        return None
    try:  # v1.1's own format: "Wed Oct 10 20:19:24 +0000 2018"; strptime is 20x slower
        _, month, day, clock, zone, year = text.split()
        hour, minute, second = clock.split(":")
        offset = (int(zone[1:3]) * 60 + int(zone[3:5])) * (-1 if zone[0] == "-" else 1)
        return datetime(
            int(year), _MONTHS[month], int(day), int(hour), int(minute), int(second),
            tzinfo=timezone(timedelta(minutes=offset)),
        )  # fmt: skip
    except (ValueError, KeyError, IndexError, OverflowError):  # a 30-digit minute overflows
        return dated(text, post)


def _entity_texts(entities: Mapping[str, Any], group: str, field: str) -> list[str]:
    """``[e[field] for e in entities[group]]``, for the entity lists of v1.1 and v2."""
    return [jv.text(jv.obj(item).get(field)) or "" for item in jv.array(entities.get(group))]


def _expand(text: str, urls: list[Any]) -> tuple[str, list[str]]:
    """t.co links replaced by where they lead; the expanded links."""
    links = []
    for entity in urls:
        short, long = (
            jv.text(jv.obj(entity).get("url")),
            jv.text(jv.obj(entity).get("expanded_url")),
        )
        if short and long:
            text = text.replace(short, long)
            links.append(long)
    return text, links


# -- classification -------------------------------------------------------------------


def is_v1(record: Mapping[str, Any]) -> bool:
    """A v1.1 tweet object (also inside streaming captures)."""
    has_text = "text" in record or "full_text" in record or "extended_tweet" in record
    # Either half is enough to call it a tweet: a tweet missing the other is a broken tweet.
    return has_text or "id_str" in record or ("id" in record and "user" in record)


def is_v2(record: Mapping[str, Any]) -> bool:
    """A v2 response page ``{"data": ..., "includes": ...}``."""
    return "data" in record and isinstance(record["data"], (list, Mapping))


def is_archive(record: Mapping[str, Any]) -> bool:
    """An account-archive entry ``{"tweet": {...}}``."""
    return isinstance(record.get("tweet"), Mapping) and len(record) == 1


def is_oembed(record: Mapping[str, Any]) -> bool:
    """An oEmbed response whose HTML is a tweet blockquote."""
    return isinstance(record.get("html"), str) and "twitter-tweet" in record["html"]


def is_control(record: Mapping[str, Any]) -> bool:
    """A streaming control message (delete, limit...): stream bookkeeping, not a post."""
    return bool(_CONTROL & record.keys())


def is_twitter(record: Mapping[str, Any]) -> bool:
    """Any Twitter record shape this module reads (or a v2 error object)."""
    return (
        is_v2(record)
        or is_archive(record)
        or is_oembed(record)
        or is_v1(record)
        or "errors" in record
    )


def tweets(record: Mapping[str, Any]) -> Iterator[Post]:
    """The posts in one Twitter record of any supported shape."""
    if is_v2(record):
        yield from _v2_page(record)
    elif "errors" in record:
        first = jv.obj(next(iter(jv.array(record["errors"])), None))
        detail = (
            jv.text(first.get("detail"))
            or jv.text(first.get("title"))
            or jv.text(first.get("message"))
        )
        raise NotAPost(f"an API error object, not a post: {detail or 'no detail'}")
    elif is_archive(record):
        yield from _v1(record["tweet"])
    elif is_oembed(record):
        yield from embedded_tweets(record["html"])
    elif is_v1(record):
        yield from _v1(record)
    else:
        raise NotAPost("a Twitter object that is not a tweet")


# -- API v1.1 and archives ------------------------------------------------------------


def _v1(tweet: Mapping[str, Any]) -> Iterator[Post]:
    post_id = jv.ident(tweet.get("id_str")) or jv.ident(tweet.get("id"))
    extended = jv.obj(tweet.get("extended_tweet"))
    text = (
        jv.text(extended.get("full_text"))
        or jv.text(tweet.get("full_text"))
        or jv.text(tweet.get("text"))
    )
    if not post_id:
        raise NotAPost("a tweet without an id")
    if not post_id.isdigit():  # snowflake ids: anything else is not Twitter's
        raise NotAPost(f"a tweet whose id {quoted(post_id)} is not a number")
    if text is None:
        raise NotAPost(f"tweet {post_id} has no text")
    entities = jv.obj(extended.get("entities")) or jv.obj(tweet.get("entities"))
    media = jv.array(
        jv.obj(extended.get("extended_entities") or tweet.get("extended_entities")).get("media")
    )
    text, links = _expand(text, jv.array(entities.get("urls")) + media)
    user = jv.obj(tweet.get("user"))
    author = _author(user, "screen_name")
    post = Post(PLATFORM, post_id, text=html.unescape(text), author=author)
    post.url = status_url(post_id, author.handle if author else None)
    post.published = _ctime(tweet.get("created_at"), post)
    post.language = _language(tweet.get("lang"))
    post.links = [link for link in links if "/photo/" not in link and "/video/" not in link]
    post.hashtags = _entity_texts(entities, "hashtags", "text")
    post.mentions = _entity_texts(entities, "user_mentions", "screen_name")
    post.cashtags = _entity_texts(entities, "symbols", "text")
    post.media = [m for m in map(_v1_media, media) if m]
    post.counts = _counts(tweet)
    yield from _v1_relations(tweet, post)


def _v1_relations(tweet: Mapping[str, Any], post: Post) -> Iterator[Post]:
    """Relations to the retweeted, quoted and replied-to tweets; the first two are emitted."""
    nested = []
    for key, kind in (("retweeted_status", "repost_of"), ("quoted_status", "quote_of")):
        inner = jv.obj(tweet.get(key))
        inner_id = jv.ident(inner.get("id_str")) or jv.ident(inner.get("id"))
        if key == "quoted_status":
            inner_id = inner_id or jv.ident(tweet.get("quoted_status_id_str"))
        if inner_id:
            post.relations.append(relation(kind, PLATFORM, inner_id))
        if inner:
            nested.append(inner)
    reply = jv.ident(tweet.get("in_reply_to_status_id_str"))
    reply = reply or jv.ident(tweet.get("in_reply_to_status_id"))
    if reply:
        post.relations.append(relation("reply_to", PLATFORM, reply))
    yield post
    for inner in nested:
        yield from _v1(inner)


def _v1_media(entity: Any) -> Media | None:
    item = jv.obj(entity)
    kind = jv.text(item.get("type"))
    if kind in ("video", "animated_gif"):
        variants = [jv.obj(v) for v in jv.array(jv.obj(item.get("video_info")).get("variants"))]
        mp4 = [
            v for v in variants if v.get("content_type") == "video/mp4" and jv.text(v.get("url"))
        ]
        best = max(mp4, key=lambda v: v.get("bitrate") or 0, default=None)
        if best is not None:
            return Media("video", str(best["url"]), jv.text(item.get("ext_alt_text")), "video/mp4")
    url = jv.text(item.get("media_url_https")) or jv.text(item.get("media_url"))
    return Media("image", url, jv.text(item.get("ext_alt_text"))) if url else None


# -- API v2 ---------------------------------------------------------------------------


def _v2_page(page: Mapping[str, Any]) -> Iterator[Post]:
    includes = jv.obj(page.get("includes"))
    users = {jv.ident(jv.obj(u).get("id")): jv.obj(u) for u in jv.array(includes.get("users"))}
    media = {
        jv.ident(jv.obj(m).get("media_key")): jv.obj(m) for m in jv.array(includes.get("media"))
    }
    data = page["data"]
    for tweet in [data] if isinstance(data, Mapping) else data:
        yield _v2(jv.obj(tweet), users, media)
    for tweet in jv.array(includes.get("tweets")):  # the referenced tweets are posts too
        yield _v2(jv.obj(tweet), users, media)


def _v2(
    tweet: Mapping[str, Any],
    users: Mapping[str | None, Mapping[str, Any]],
    media: Mapping[str | None, Mapping[str, Any]],
) -> Post:
    post_id = jv.ident(tweet.get("id"))
    text = jv.text(jv.obj(tweet.get("note_tweet")).get("text")) or jv.text(tweet.get("text"))
    if not post_id:
        raise NotAPost("a v2 tweet without an id")
    if text is None:
        raise NotAPost(f"tweet {post_id} has no text")
    entities = jv.obj(jv.obj(tweet.get("note_tweet")).get("entities")) or jv.obj(
        tweet.get("entities")
    )
    text, links = _expand(text, jv.array(entities.get("urls")))
    user = jv.obj(tweet.get("author")) or users.get(jv.ident(tweet.get("author_id")), {})
    author = _author(user, "username")
    post = Post(PLATFORM, post_id, text=html.unescape(text), author=author)
    post.url = status_url(post_id, author.handle if author else None)
    post.published = dated(jv.text(tweet.get("created_at")), post)
    post.language = _language(tweet.get("lang"))
    post.links = [link for link in links if "/photo/" not in link and "/video/" not in link]
    post.hashtags = _entity_texts(entities, "hashtags", "tag")
    post.mentions = _entity_texts(entities, "mentions", "username")
    post.cashtags = _entity_texts(entities, "cashtags", "tag")
    keys = jv.array(jv.obj(tweet.get("attachments")).get("media_keys"))
    post.media = [m for m in (_v2_media(media.get(jv.ident(k), {})) for k in keys) if m]
    post.counts = _counts(jv.obj(tweet.get("public_metrics")))
    for ref in map(jv.obj, jv.array(tweet.get("referenced_tweets"))):
        kind, ref_id = _V2_RELATIONS.get(jv.text(ref.get("type")) or ""), jv.ident(ref.get("id"))
        if kind and ref_id:
            post.relations.append(relation(kind, PLATFORM, ref_id))
    return post


def _v2_media(item: Mapping[str, Any]) -> Media | None:
    kind = jv.text(item.get("type"))
    variants = [
        jv.obj(v)
        for v in jv.array(item.get("variants"))
        if jv.obj(v).get("content_type") == "video/mp4"
    ]
    if kind in ("video", "animated_gif") and variants:
        best = max(variants, key=lambda v: v.get("bit_rate") or 0)
        return Media("video", str(best.get("url")), jv.text(item.get("alt_text")), "video/mp4")
    url = jv.text(item.get("url")) or jv.text(item.get("preview_image_url"))
    return Media("image", url, jv.text(item.get("alt_text"))) if url else None


# -- embedded tweets (oEmbed, HTML pages) ---------------------------------------------


def embedded_tweets(markup: str) -> Iterator[Post]:
    """Posts for the ``<blockquote class="twitter-tweet">`` embeds in an HTML fragment."""
    found = False
    for embed in html_to_text(markup).embeds:
        if embed.kind != "tweet" or not embed.url:
            continue
        post_id = embed.url.rstrip("/").rsplit("/", 1)[-1]
        handle = embed.author.handle if embed.author else None
        post = Post(PLATFORM, post_id, text=embed.text or "", author=embed.author)
        if embed.author and handle:
            post.author = Author(embed.author.name, handle, f"https://twitter.com/{handle}")
        post.url = status_url(post_id, handle)
        post.published = dated(embed.published, post)
        found = True
        yield post
    if not found:
        raise NotAPost("HTML without an embedded tweet that has a status link")
