"""Bluesky posts: the AT Protocol record ``app.bsky.feed.post`` and the AppView's views of it
(lexicons ``app.bsky.feed.*``): a bare record, a getRecord response (``uri``, ``value``), a
post view, a feed view item (``post``, ``reply``, ``reason``), and the getAuthorFeed and
getTimeline (``feed``), searchPosts (``posts``) and getPostThread (``thread``) responses. The
posts a view carries (quoted, replied to, a thread's parents and replies) are read too.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from typing import Any

from ingest import Author, Media, Relation
from ingest.helpers import jsonvalues as jv
from ingest_plugins.sources.posts import NotAPost, Post, dated, relation

PLATFORM = "bluesky"
POST_TYPE = "app.bsky.feed.post"
_FACET = "app.bsky.richtext.facet#"
_PROFILE = "https://bsky.app/profile/"
#: What the AppView shows for an account whose handle no longer verifies: not a handle.
_INVALID_HANDLE = "handle.invalid"
_COUNTS = (
    ("replies", "replyCount"),
    ("reposts", "repostCount"),
    ("likes", "likeCount"),
    ("quotes", "quoteCount"),
)
#: Where a quote's post is, by the type of the record's embed and of the view's embed.
_QUOTED_URI = {
    "app.bsky.embed.record": ("record", "uri"),
    "app.bsky.embed.recordWithMedia": ("record", "record", "uri"),
}
_QUOTED_VIEW = {
    "app.bsky.embed.record#view": ("record",),
    "app.bsky.embed.recordWithMedia#view": ("record", "record"),
}
#: Views read from one record. A thread or feed page holds at most a few hundred; the cap
#: only bounds the work on a crafted document.
_MAX_NODES = 100_000


def _type(value: Any) -> str | None:
    return jv.text(jv.path(value, "$type"))


def _uri_parts(uri: str | None) -> tuple[str, str, str] | None:
    """``(authority, collection, rkey)`` of an ``at://`` record URI."""
    parts = uri[len("at://") :].split("/") if uri and uri.startswith("at://") else []
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 and all(parts) else None


def _post_uri(value: Any) -> str | None:
    """``value`` when it is the at:// URI of a post record."""
    uri = jv.text(value)
    parts = _uri_parts(uri)
    return uri if parts and parts[1] == POST_TYPE else None


def is_bluesky(record: Mapping[str, Any]) -> bool:
    """True when ``record`` has the keys of a Bluesky record, view or API response: a cheap
    test of its shape, not a validation. An empty ``feed`` or ``posts`` page counts."""
    uris = (
        record.get("uri"),
        jv.path(record, "post", "uri"),
        jv.path(record, "thread", "post", "uri"),
    )
    typed = (record, record.get("reason"), record.get("thread"))
    if any(map(_is_at_uri, uris)) or any((_type(v) or "").startswith("app.bsky.") for v in typed):
        return True
    for key in ("feed", "posts"):
        page = record.get(key)
        if isinstance(page, list) and (
            not page or jv.path(page[0], "post") is not None or _is_at_uri(jv.path(page[0], "uri"))
        ):
            return True
    return False


def _is_at_uri(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("at://")


def bluesky_posts(record: Mapping[str, Any]) -> Iterator[Post]:
    """The posts of a Bluesky record: the post itself, or every post of a feed page, search
    result or thread, and the posts they quote or answer.

    :raises NotAPost: a record of this family that holds no readable post.
    """
    if _type(record) == POST_TYPE and "uri" not in record:
        post = _record_post(None, record, None)
        post.warnings.append("post record without a URI: its id comes from its content")
        yield post
        return
    main = _main_view(record)
    seen: set[str | None] = set()
    if main is not None:
        post = _view_post(main)
        seen.add(post.post_id)
        yield post
    for post in _walk(record, main):
        if post.post_id not in seen:
            seen.add(post.post_id)
            yield post


def _main_view(record: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The post view a single-post record is about; None for a page of posts."""
    if "thread" in record:
        post = jv.path(record, "thread", "post")
        if not isinstance(post, Mapping):
            kind = _type(record.get("thread")) or "no $type"
            raise NotAPost(f"a Bluesky thread without a post ({kind})")
        return post
    if isinstance(record.get("feed"), list) or isinstance(record.get("posts"), list):
        return None
    if "post" in record or "reason" in record:
        post = record.get("post")
        if not isinstance(post, Mapping):
            raise NotAPost("a Bluesky feed item without a post")
        return post
    if "uri" in record:
        return record
    raise NotAPost(f"a Bluesky {_type(record) or 'object'} record is not a post")


def _walk(record: Mapping[str, Any], main: Mapping[str, Any] | None) -> list[Post]:
    """The posts of every view in ``record`` but ``main``, breadth first, skipping views
    that are not posts (a quoted feed generator, a deleted parent) unless all are."""
    posts: list[Post] = []
    reasons: list[str] = []
    pending = deque([record])
    for _ in range(_MAX_NODES):
        if not pending:
            break
        node = pending.popleft()
        if "uri" not in node:  # a feed item, a thread node or a response: its posts within
            pending.extend(_children(node))
            continue
        pending.extend(_quoted_views(node))
        if node is not main:
            try:
                posts.append(_view_post(node))
            except NotAPost as exc:
                reasons.append(str(exc))
    if main is None and reasons and not posts:
        raise NotAPost(f"no readable Bluesky post in this page: {reasons[0]}")
    return posts


def _children(node: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = [node.get(key) for key in ("post", "thread", "parent")]
    found += [jv.path(node, "reply", "parent"), jv.path(node, "reply", "root")]
    found += [
        *jv.array(node.get("replies")),
        *jv.array(node.get("feed")),
        *jv.array(node.get("posts")),
    ]
    return [child for child in found if isinstance(child, Mapping)]


def _embeds(view: Mapping[str, Any]) -> list[Any]:
    """The embed views of a post view (``embed``) or of a quoted record view (``embeds``)."""
    return [view.get("embed"), *jv.array(view.get("embeds"))]


def _quoted_views(view: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    paths = [(embed, _QUOTED_VIEW.get(_type(embed) or "")) for embed in _embeds(view)]
    found = [jv.path(embed, *path) for embed, path in paths if path]
    return [quoted for quoted in found if isinstance(quoted, Mapping)]


def _view_post(view: Mapping[str, Any]) -> Post:
    """A post view, a quoted record view or a getRecord response as a post."""
    uri = jv.text(view.get("uri"))
    record = view.get("record") if "record" in view else view.get("value")
    if uri is None or not uri.startswith("at://"):
        raise NotAPost("a Bluesky post view without an at:// URI")
    if not isinstance(record, Mapping) or _type(record) not in (POST_TYPE, None):
        kind = _type(record) or "record-less"
        raise NotAPost(f"a Bluesky {kind} view is not a post: {uri}")
    post = _record_post(uri, record, jv.path(view, "author"))
    post.counts = {
        name: value
        for name, key in _COUNTS
        if isinstance(value := view.get(key), int) and not isinstance(value, bool)
    }
    post.media = _media(view)
    return post


def _record_post(uri: str | None, record: Mapping[str, Any], profile: Any) -> Post:
    text = record.get("text")
    langs = [lang for lang in map(jv.text, jv.array(record.get("langs"))) if lang]
    author, handle = _author(uri, profile)
    post = Post(
        PLATFORM,
        uri,
        text=text if isinstance(text, str) else "",
        url=_web_url(uri, handle),
        author=author,
        language=langs[0] if langs else None,
        hashtags=[tag for tag in map(jv.text, jv.array(record.get("tags"))) if tag],
        relations=_relations(record),
    )
    _add_facets(post, record.get("facets"))
    embed = record.get("embed")
    external = jv.text(jv.path(embed, "external", "uri")) or jv.text(
        jv.path(embed, "media", "external", "uri")
    )
    if external:
        post.links.append(external)
    created = jv.text(record.get("createdAt"))
    post.published = dated(created, post)
    if created is None:
        post.warnings.append("a Bluesky post without createdAt: no date")
    return post


def _web_url(uri: str | None, handle: str | None) -> str | None:
    """The post's page on bsky.app, by handle when known (readable), else by DID."""
    parts = _uri_parts(uri)
    if parts is None or parts[1] != POST_TYPE:
        return None
    return f"{_PROFILE}{handle or parts[0]}/post/{parts[2]}"


def _author(uri: str | None, profile: Any) -> tuple[Author | None, str | None]:
    """The author and their handle, from the profile the view shows, else the URI's DID."""
    handle = jv.text(jv.path(profile, "handle"))
    handle = None if handle == _INVALID_HANDLE else handle
    parts = _uri_parts(uri)
    profile_id = handle or (parts[0] if parts else None)
    name = jv.text(jv.path(profile, "displayName")) or handle
    return (Author(name, handle, _PROFILE + profile_id) if profile_id else None), handle


def _relations(record: Mapping[str, Any]) -> list[Relation]:
    embed = record.get("embed")
    path = _QUOTED_URI.get(_type(embed) or "")
    targets = {
        "reply_to": _post_uri(jv.path(record, "reply", "parent", "uri")),
        "quote_of": _post_uri(jv.path(embed, *path)) if path else None,
    }
    return [relation(kind, PLATFORM, uri) for kind, uri in targets.items() if uri]


def _add_facets(post: Post, facets: Any) -> None:
    encoded = post.text.encode("utf-8")
    for facet in jv.objects(facets):
        for feature in jv.objects(facet.get("features")):
            kind = _type(feature)
            if kind == _FACET + "link" and (uri := jv.text(feature.get("uri"))):
                post.links.append(uri)
            elif kind == _FACET + "tag" and (tag := jv.text(feature.get("tag"))):
                post.hashtags.append(tag)
            elif kind == _FACET + "mention" and (
                mention := _mention(encoded, facet.get("index")) or jv.text(feature.get("did"))
            ):
                post.mentions.append(mention)


def _mention(encoded: bytes, index: Any) -> str | None:
    """The handle a mention facet covers; its byte range indexes the UTF-8 encoded text."""
    start, end = jv.path(index, "byteStart"), jv.path(index, "byteEnd")
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(encoded)):
        return None
    try:
        label = encoded[start:end].decode("utf-8")
    except UnicodeDecodeError:  # a range that cuts a character: not the mention it claims
        return None
    return label[1:].strip() or None if label.startswith("@") else None


def _media(view: Mapping[str, Any]) -> list[Media]:
    media = []
    for embed in _embeds(view):
        # A recordWithMedia view carries its images under "media".
        for part in (embed, jv.path(embed, "media")):
            kind = _type(part)
            if kind == "app.bsky.embed.images#view":
                images = jv.objects(jv.path(part, "images"))
                pairs = [
                    (jv.text(image.get("fullsize")), jv.text(image.get("alt"))) for image in images
                ]
                media += [Media("image", url, alt) for url, alt in pairs if url]
            elif kind == "app.bsky.embed.video#view" and (
                url := jv.text(jv.path(part, "playlist"))
            ):
                media.append(Media("video", url, jv.text(jv.path(part, "alt"))))
    return media
