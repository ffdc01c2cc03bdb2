"""Mastodon and Bluesky readers: every shape and mapping rule on hand-written records, the
real API documents of the shared corpus, the samples, and hostile input."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ingest import Author, Media, Source
from ingest.articlejson import to_json
from ingest.identity import assign_identity
from ingest.schema import article_errors
from ingest.words import word_count
from ingest_plugins.sources.posts import NotAPost, Post, make_post, post_origin, relation
from ingest_plugins.sources.posts.bluesky import bluesky_posts, is_bluesky
from ingest_plugins.sources.posts.mastodon import is_mastodon, mastodon_posts
from tests.conftest import SAMPLES

SOURCE = Source("tweets", "x")
HOST = "https://social.example"


def account(username: str = "ana", acct: str | None = None, host: str = HOST) -> dict[str, Any]:
    return {
        "id": "7",
        "username": username,
        "acct": acct or username,
        "display_name": username.title(),
        "url": f"{host}/@{username}",
    }


def status(number: int = 1, **fields: Any) -> dict[str, Any]:
    """A minimal Mastodon status, with ``fields`` replacing its defaults."""
    base: dict[str, Any] = {
        "id": str(number),
        "uri": f"{HOST}/users/ana/statuses/{number}",
        "url": f"{HOST}/@ana/{number}",
        "created_at": "2024-07-11T06:42:10.000Z",
        "edited_at": None,
        "content": f"<p>status {number}</p>",
        "spoiler_text": "",
        "language": "en",
        "account": account(),
        "reblog": None,
        "in_reply_to_id": None,
        "media_attachments": [],
        "mentions": [],
        "tags": [],
        "card": None,
    }
    return base | fields


def toots(record: Mapping[str, Any]) -> list[Post]:
    assert is_mastodon(record)
    return list(mastodon_posts(record))


def mastodon_ids(posts: list[Post]) -> list[str | None]:
    return [post.post_id for post in posts]


# --- Mastodon -------------------------------------------------------------------------------


def test_status_fields() -> None:
    record = status(
        content='<p>Ferry <a href="x">#<span>Eastport</span></a> :ferry:</p>',
        spoiler_text="Timetable",
        edited_at="2024-07-11T07:00:00Z",
        language="sv",
        tags=[{"name": "eastport"}, {"name": 5}],
        mentions=[
            {"acct": "tomas", "url": f"{HOST}/@tomas"},
            {"acct": "bo@other.example", "url": "https://other.example/@bo"},
        ],
        media_attachments=[
            {"type": "image", "url": f"{HOST}/a.jpg", "description": "A ferry."},
            {"type": "gifv", "url": f"{HOST}/b.mp4", "description": None},
            {"type": "video", "url": f"{HOST}/c.mp4"},
            {"type": "audio", "url": f"{HOST}/d.mp3"},
            {"type": "unknown", "url": None, "remote_url": "https://other.example/e.bin"},
            {"type": "image"},
        ],
        card={"url": "https://news.example.org/ferry", "title": "Ferry"},
        replies_count=1,
        reblogs_count=2,
        favourites_count=3,
        quotes_count=4,
    )
    [post] = toots(record)
    assert post.platform == "mastodon"
    assert post.post_id == f"{HOST}/users/ana/statuses/1"
    assert post.url == f"{HOST}/@ana/1"
    assert post.html == record["content"]  # converted later by the markup plugin
    assert post.text == ""
    assert post.summary == "Timetable"
    assert post.author == Author("Ana", "ana@social.example", f"{HOST}/@ana")
    assert post.published == datetime(2024, 7, 11, 6, 42, 10, tzinfo=UTC)
    assert post.updated == datetime(2024, 7, 11, 7, 0, tzinfo=UTC)
    assert post.language == "sv"
    assert post.hashtags == ["eastport"]
    assert post.mentions == ["tomas@social.example", "bo@other.example"]
    assert post.links == ["https://news.example.org/ferry"]
    assert post.media == [
        Media("image", f"{HOST}/a.jpg", "A ferry."),
        Media("video", f"{HOST}/b.mp4"),
        Media("video", f"{HOST}/c.mp4"),
        Media("audio", f"{HOST}/d.mp3"),
        Media("file", "https://other.example/e.bin"),
    ]
    assert dict(post.counts) == {"replies": 1, "reposts": 2, "likes": 3, "quotes": 4, "edited": 1}
    assert post.relations == []
    assert post.warnings == []


def test_status_ids_fall_back_from_uri_to_url() -> None:
    [post] = toots(status(uri=None))
    assert post.post_id == post.url == f"{HOST}/@ana/1"
    [post] = toots(status(url=None))
    assert post.post_id == post.url == f"{HOST}/users/ana/statuses/1"
    with pytest.raises(NotAPost, match="without uri or url"):
        toots(status(uri=None, url=""))


def test_author_name_and_handle_fall_back() -> None:
    [post] = toots(status(account={"username": "bo", "acct": "bo@x.example", "display_name": ""}))
    assert post.author == Author("bo", "bo@x.example", None)
    [post] = toots(status(account={"acct": "bo", "url": "not a url"}))
    assert post.author == Author("bo", "bo", "not a url")
    [post] = toots(status(account={}))
    assert post.author is None


def test_a_reblog_reposts_the_status_it_carries() -> None:
    inner = status(2, account=account("bo", "bo@other.example", "https://other.example"))
    inner["uri"] = "https://other.example/users/bo/statuses/99"
    outer = status(1, content="", reblog=inner, uri=f"{HOST}/users/ana/statuses/1/activity")
    wrapper, reblogged = toots(outer)
    assert wrapper.relations == [
        relation("repost_of", "mastodon", "https://other.example/users/bo/statuses/99")
    ]
    assert wrapper.html is None
    assert reblogged.post_id == "https://other.example/users/bo/statuses/99"
    assert reblogged.author == Author("Bo", "bo@other.example", "https://other.example/@bo")


def test_a_reblog_without_content_is_still_a_post() -> None:
    outer = status(1, reblog=status(2))
    del outer["content"]
    assert mastodon_ids(toots(outer)) == [f"{HOST}/users/ana/statuses/{n}" for n in (1, 2)]


def test_quotes_old_and_new_style() -> None:
    quoted = status(2)
    quoted_id = quoted["uri"]
    for quote in ({"state": "accepted", "quoted_status": quoted}, quoted):
        post, nested = toots(status(1, quote=quote))
        assert post.relations == [relation("quote_of", "mastodon", quoted_id)]
        assert nested.post_id == quoted_id
    # A shallow quote names a local id only; a revoked one shows nothing.
    for quote in ({"state": "accepted", "quoted_status_id": "2"}, {"state": "revoked"}):
        [post] = toots(status(1, quote=quote))
        assert post.relations == []


def test_a_reblogged_quote_yields_all_three() -> None:
    posts = toots(
        status(1, reblog=status(2, quote={"state": "accepted", "quoted_status": status(3)}))
    )
    assert sorted(post.post_id or "" for post in posts) == [
        f"{HOST}/users/ana/statuses/{n}" for n in (1, 2, 3)
    ]
    by_id = {post.post_id: post for post in posts}
    assert by_id[f"{HOST}/users/ana/statuses/2"].relations == [
        relation("quote_of", "mastodon", f"{HOST}/users/ana/statuses/3")
    ]


def test_an_unreadable_nested_status_is_a_warning_on_its_reblog() -> None:
    [post] = toots(status(1, reblog={"id": "2", "content": "<p>x</p>", "account": {}}))
    assert post.warnings == [
        "a status it reblogs or quotes was skipped: a Mastodon status without uri or url"
    ]


def test_a_bare_quote_entity_yields_its_quoted_status() -> None:
    [post] = toots({"state": "accepted", "quoted_status": status(5)})
    assert post.post_id == f"{HOST}/users/ana/statuses/5"
    with pytest.raises(NotAPost, match="quote in state 'deleted' shows no quoted status"):
        toots({"state": "deleted", "quoted_status": None})


def test_a_context_resolves_replies_by_local_id() -> None:
    context = {
        "ancestors": [status(1), status(2, in_reply_to_id="1")],
        "descendants": [status(4, in_reply_to_id="3"), status(5, in_reply_to_id="4")],
    }
    posts = toots(context)
    assert mastodon_ids(posts) == [f"{HOST}/users/ana/statuses/{n}" for n in (1, 2, 4, 5)]
    first, second, fourth, fifth = posts
    assert first.relations == []
    assert second.relations == [relation("reply_to", "mastodon", f"{HOST}/users/ana/statuses/1")]
    assert fourth.relations == []  # 3 is the focused status, which a context leaves out
    assert fifth.relations == [relation("reply_to", "mastodon", f"{HOST}/users/ana/statuses/4")]


def test_a_bare_in_reply_to_id_is_not_a_relation() -> None:
    [post] = toots(status(2, in_reply_to_id="1"))
    assert post.relations == []


def test_a_context_skips_unreadable_statuses_unless_all_are() -> None:
    edit = {"content": "<p>old</p>", "account": account(), "created_at": "2024-07-11T06:42:10Z"}
    assert len(toots({"ancestors": [edit, status(1), "junk"], "descendants": []})) == 1
    assert toots({"ancestors": [], "descendants": []}) == []
    with pytest.raises(NotAPost, match=r"context without a readable status: .* edit"):
        toots({"ancestors": [edit], "descendants": []})


def test_streaming_updates_carry_a_status_as_a_string() -> None:
    for event in ("update", "status.update"):
        record = {"stream": ["public"], "event": event, "payload": json.dumps(status(3))}
        [post] = toots(record)
        assert post.post_id == f"{HOST}/users/ana/statuses/3"
    [post] = toots({"event": "update", "payload": status(4)})  # already decoded
    assert post.post_id == f"{HOST}/users/ana/statuses/4"


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"event": "delete", "payload": "109"}, "streaming 'delete' event carries no status"),
        ({"event": "update", "payload": "{oops"}, "'update' event whose payload is not JSON"),
        ({"event": "update", "payload": "[1]"}, "'update' event whose payload is not a status"),
        ({"event": "update", "payload": "[" * 100_000}, "payload is not JSON"),
    ],
)
def test_streaming_events_without_a_status(record: dict[str, Any], reason: str) -> None:
    with pytest.raises(NotAPost, match=reason):
        toots(record)


def test_an_edit_history_entry_has_no_status_id() -> None:
    entry = {"content": "<p>v1</p>", "created_at": "2024-07-11T06:42:10Z", "account": account()}
    with pytest.raises(NotAPost) as raised:
        toots(entry)
    assert str(raised.value) == "a Mastodon status edit (history entry) has no status id"


def test_a_status_needs_content_or_a_reblog() -> None:
    record = status()
    del record["content"]
    with pytest.raises(NotAPost, match="without content or reblog"):
        toots(record)
    [post] = toots(status(content="", media_attachments=[{"type": "image", "url": "u"}]))
    assert post.html is None
    assert post.media == [Media("image", "u")]


def test_mastodon_dates_and_their_warnings() -> None:
    [post] = toots(status(created_at="2024-07-11T06:42:10"))
    assert post.warnings == ["date '2024-07-11T06:42:10' has no time zone; taken as UTC"]
    [post] = toots(status(created_at="yesterday-ish", edited_at=17))
    assert post.published is None
    assert post.updated is None
    assert post.warnings == ["unreadable date 'yesterday-ish'"]
    [post] = toots(status(created_at=None))
    assert post.warnings == ["a Mastodon status without created_at: no publication date"]


def test_mastodon_fields_of_the_wrong_type_are_ignored() -> None:
    record = status(
        account="ana",
        tags={"name": "x"},
        mentions=["ana"],
        media_attachments=[None, {"type": ["image"], "url": "u"}],
        card="https://x.example",
        language=3,
        spoiler_text=["cw"],
        replies_count="4",
        reblogs_count=True,
    )
    [post] = toots(record)
    assert (post.author, post.hashtags, post.mentions, post.links) == (None, [], [], [])
    assert post.media == [Media("file", "u")]
    assert (post.language, post.summary, dict(post.counts)) == (None, None, {})


def test_a_deep_chain_of_reblogs_is_cut_off_not_followed() -> None:
    record = status(0)
    for number in range(1, 5000):
        record = status(number, reblog=record)
    assert len(toots(record)) == 32


def test_is_mastodon_tells_mastodon_from_other_posts() -> None:
    assert not is_mastodon({"id_str": "1", "full_text": "x", "user": {"screen_name": "a"}})
    assert not is_mastodon({"uri": "at://did:plc:a/app.bsky.feed.post/1", "record": {}})
    assert not is_mastodon({"$type": "app.bsky.feed.post", "text": "x"})
    assert not is_mastodon({"event": 1, "payload": "x"})
    assert is_mastodon({"account": {}, "reblog": None})


# --- Bluesky --------------------------------------------------------------------------------

DID = "did:plc:abc123"
URI = f"at://{DID}/app.bsky.feed.post/3kxq2ferry22a"
PARENT = "at://did:plc:parent/app.bsky.feed.post/3parent"
QUOTED = "at://did:plc:quoted/app.bsky.feed.post/3quoted"


def post_record(text: Any = "Ferry news", **fields: Any) -> dict[str, Any]:
    base = {"$type": "app.bsky.feed.post", "text": text, "createdAt": "2024-07-11T06:42:10.512Z"}
    return base | fields


def post_view(
    uri: str = URI, handle: str | None = "ana.bsky.social", **fields: Any
) -> dict[str, Any]:
    author: dict[str, Any] = {"did": uri.split("/")[2], "displayName": "Ana Lindqvist"}
    if handle:
        author["handle"] = handle
    base = {"uri": uri, "cid": "bafy", "author": author, "record": post_record(), "likeCount": 5}
    return base | fields


def skeets(record: Mapping[str, Any]) -> list[Post]:
    assert is_bluesky(record)
    return list(bluesky_posts(record))


def test_a_bare_post_record_gets_its_id_from_content() -> None:
    record = post_record(
        " two  spaces kept ", createdAt="2023-07-21T01:33:51.481951", langs=["sv", "en"]
    )
    [post] = skeets(record)
    assert (post.platform, post.post_id, post.url, post.author) == ("bluesky", None, None, None)
    assert post.text == " two  spaces kept "
    assert post.language == "sv"
    assert post.published == datetime(2023, 7, 21, 1, 33, 51, 481951, tzinfo=UTC)
    assert post.warnings == [
        "date '2023-07-21T01:33:51.481951' has no time zone; taken as UTC",
        "post record without a URI: its id comes from its content",
    ]
    article = make_post(post, SOURCE)
    assert article.source.origin_id is None
    assert article.text == " two  spaces kept "


def facet(text: str, covered: str, feature: dict[str, Any]) -> dict[str, Any]:
    start = text.encode("utf-8").index(covered.encode("utf-8"))
    end = start + len(covered.encode("utf-8"))
    return {"index": {"byteStart": start, "byteEnd": end}, "features": [feature]}


def test_facets_index_utf8_bytes() -> None:
    text = "Ёлка 🎄 på Östhamn with @bo.example.com, see example.org/x #Färja"
    facets = [
        facet(text, "@bo.example.com", {"$type": "app.bsky.richtext.facet#mention", "did": "d:1"}),
        facet(
            text,
            "example.org/x",
            {"$type": "app.bsky.richtext.facet#link", "uri": "https://example.org/x"},
        ),
        facet(text, "#Färja", {"$type": "app.bsky.richtext.facet#tag", "tag": "Färja"}),
    ]
    assert text.index("@") != facets[0]["index"]["byteStart"]  # characters are not bytes
    [post] = skeets(post_record(text, facets=facets, tags=["ferries"]))
    assert post.mentions == ["bo.example.com"]
    assert post.links == ["https://example.org/x"]
    assert post.hashtags == ["ferries", "Färja"]


@pytest.mark.parametrize(
    "index",
    [
        {"byteStart": 0, "byteEnd": 4},  # covers text that is not a mention
        {"byteStart": 1, "byteEnd": 3},  # cuts the two-byte Ё in half
        {"byteStart": 20, "byteEnd": 999},  # past the end
        {"byteStart": "0", "byteEnd": 4},
        None,
    ],
)
def test_a_mention_facet_with_a_bad_range_falls_back_to_the_did(index: Any) -> None:
    feature = {"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:bo"}
    [post] = skeets(post_record("Ёлка @bo", facets=[{"index": index, "features": [feature]}]))
    assert post.mentions == ["did:plc:bo"]


def test_a_get_record_response_takes_its_author_from_the_uri() -> None:
    [post] = skeets({"uri": URI, "cid": "bafy", "value": post_record()})
    assert post.post_id == URI
    assert post.url == f"https://bsky.app/profile/{DID}/post/3kxq2ferry22a"
    assert post.author == Author(None, None, f"https://bsky.app/profile/{DID}")
    assert post.warnings == []


def test_a_post_view() -> None:
    record = post_record(
        reply={"root": {"uri": PARENT, "cid": "a"}, "parent": {"uri": PARENT, "cid": "a"}},
        embed={"$type": "app.bsky.embed.record", "record": {"uri": QUOTED, "cid": "b"}},
    )
    images = [
        {"thumb": "t1", "fullsize": "https://cdn.example/1.jpg", "alt": "A ferry."},
        {"thumb": "t2", "fullsize": "https://cdn.example/2.jpg", "alt": ""},
        {"thumb": "t3"},
    ]
    view = post_view(
        record=record,
        embed={"$type": "app.bsky.embed.images#view", "images": images},
        replyCount=1,
        repostCount=2,
        likeCount=3,
        quoteCount=4,
    )
    [post] = skeets(view)
    assert post.url == "https://bsky.app/profile/ana.bsky.social/post/3kxq2ferry22a"
    assert post.author == Author(
        "Ana Lindqvist", "ana.bsky.social", "https://bsky.app/profile/ana.bsky.social"
    )
    assert post.relations == [
        relation("reply_to", "bluesky", PARENT),
        relation("quote_of", "bluesky", QUOTED),
    ]
    assert post.media == [
        Media("image", "https://cdn.example/1.jpg", "A ferry."),
        Media("image", "https://cdn.example/2.jpg"),
    ]
    assert dict(post.counts) == {"replies": 1, "reposts": 2, "likes": 3, "quotes": 4}


def test_an_author_without_a_valid_handle_goes_by_did() -> None:
    for handle in (None, "handle.invalid"):
        [post] = skeets(post_view(handle=handle))
        assert post.author == Author("Ana Lindqvist", None, f"https://bsky.app/profile/{DID}")
        assert post.url == f"https://bsky.app/profile/{DID}/post/3kxq2ferry22a"


def test_a_quote_with_media_and_the_quoted_view() -> None:
    quoted_view = post_view(QUOTED, "bo.example.com", likeCount=9)
    quoted_view["value"] = quoted_view.pop("record")
    record = post_record(
        embed={
            "$type": "app.bsky.embed.recordWithMedia",
            "record": {"$type": "app.bsky.embed.record", "record": {"uri": QUOTED, "cid": "b"}},
            "media": {
                "$type": "app.bsky.embed.external",
                "external": {"uri": "https://news.example.org/a", "title": "A"},
            },
        }
    )
    embed = {
        "$type": "app.bsky.embed.recordWithMedia#view",
        "record": {"$type": "app.bsky.embed.record#view", "record": quoted_view},
        "media": {"$type": "app.bsky.embed.video#view", "playlist": "https://v.example/p.m3u8"},
    }
    post, quoted = skeets(post_view(record=record, embed=embed))
    assert post.relations == [relation("quote_of", "bluesky", QUOTED)]
    assert post.links == ["https://news.example.org/a"]
    assert post.media == [Media("video", "https://v.example/p.m3u8")]
    assert quoted.post_id == QUOTED
    assert quoted.author is not None
    assert quoted.author.handle == "bo.example.com"
    assert dict(quoted.counts) == {"likes": 9}


def test_quoting_something_that_is_not_a_post_is_no_relation() -> None:
    generator = "at://did:plc:x/app.bsky.feed.generator/news"
    record = post_record(embed={"$type": "app.bsky.embed.record", "record": {"uri": generator}})
    embed = {
        "$type": "app.bsky.embed.record#view",
        "record": {"$type": "app.bsky.feed.defs#generatorView", "uri": generator, "did": "d"},
    }
    [post] = skeets(post_view(record=record, embed=embed))
    assert post.relations == []


def test_a_feed_item_yields_its_post_and_the_posts_it_answers() -> None:
    item = {
        "post": post_view(record=post_record(reply={"parent": {"uri": PARENT}})),
        "reply": {
            "root": post_view(PARENT),
            "parent": post_view(PARENT),
            "grandparentAuthor": {"did": "did:plc:g"},
        },
        "reason": {"$type": "app.bsky.feed.defs#reasonRepost", "by": {"did": "d"}},
    }
    post, parent = skeets(item)
    assert (post.post_id, parent.post_id) == (URI, PARENT)
    assert post.relations == [relation("reply_to", "bluesky", PARENT)]


def test_a_feed_item_needs_a_post() -> None:
    reason = {"$type": "app.bsky.feed.defs#reasonRepost", "by": {"did": "d"}}
    for item in ({"reason": reason}, {"post": None, "reason": reason}):
        with pytest.raises(NotAPost) as raised:
            skeets(item)
        assert str(raised.value) == "a Bluesky feed item without a post"


def test_pages_of_posts() -> None:
    other = "at://did:plc:bo/app.bsky.feed.post/3other"
    feed = {"feed": [{"post": post_view()}, {"post": post_view(other)}, "junk"], "cursor": "c"}
    assert [p.post_id for p in skeets(feed)] == [URI, other]
    assert [p.post_id for p in skeets({"posts": [post_view(other)], "hitsTotal": 1})] == [other]
    assert skeets({"feed": [], "cursor": None}) == []
    with pytest.raises(NotAPost, match="no readable Bluesky post in this page"):
        skeets({"posts": [{"uri": URI}]})


def test_a_thread_is_walked_up_and_down() -> None:
    def node(uri: str, **fields: Any) -> dict[str, Any]:
        return {"$type": "app.bsky.feed.defs#threadViewPost", "post": post_view(uri), **fields}

    uris = [f"at://did:plc:x/app.bsky.feed.post/{n}" for n in range(6)]
    missing = {"$type": "app.bsky.feed.defs#notFoundPost", "uri": uris[5], "notFound": True}
    thread = node(
        uris[2],
        parent=node(uris[1], parent=node(uris[0])),
        replies=[node(uris[3], replies=[node(uris[4])]), missing],
    )
    posts = skeets({"thread": thread})
    assert posts[0].post_id == uris[2]
    assert sorted(p.post_id or "" for p in posts) == uris[:5]
    with pytest.raises(
        NotAPost, match=r"thread without a post \(app.bsky.feed.defs#notFoundPost\)"
    ):
        skeets({"thread": missing})


def test_a_very_deep_thread_does_not_recurse() -> None:
    thread: dict[str, Any] = {"post": post_view("at://did:plc:x/app.bsky.feed.post/0")}
    for number in range(1, 20_000):
        uri = f"at://did:plc:x/app.bsky.feed.post/{number}"
        thread = {"post": post_view(uri), "parent": thread}
    assert len(skeets({"thread": thread})) == 20_000


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"$type": "app.bsky.feed.like", "subject": {"uri": URI}}, "app.bsky.feed.like record"),
        ({"uri": URI, "value": {"$type": "app.bsky.feed.repost"}}, "app.bsky.feed.repost view"),
        ({"uri": URI}, "record-less view is not a post"),
        ({"uri": "at://did:plc:x", "record": "text"}, "record-less view"),
    ],
)
def test_bluesky_records_that_are_not_posts(record: dict[str, Any], reason: str) -> None:
    with pytest.raises(NotAPost, match=reason):
        skeets(record)


def test_bluesky_fields_of_the_wrong_type_are_ignored() -> None:
    record = post_record(
        text=["x"],
        createdAt=1690000000,
        langs="en",
        facets={"features": []},
        reply={"parent": "at://x"},
        embed=[],
        tags=[1, "ok"],
    )
    view = post_view(record=record, author="ana", embed={"images": "x"}, likeCount="5")
    [post] = skeets(view)
    assert (post.text, post.language, post.relations, post.media) == ("", None, [], [])
    assert post.hashtags == ["ok"]
    assert post.author == Author(None, None, f"https://bsky.app/profile/{DID}")
    assert post.published is None
    assert post.warnings == ["a Bluesky post without createdAt: no date"]
    assert dict(post.counts) == {}


def test_is_bluesky_tells_bluesky_from_other_posts() -> None:
    assert not is_bluesky(status())
    assert not is_bluesky({"id_str": "1", "full_text": "x", "user": {}})
    assert not is_bluesky({"uri": "https://x.example/1", "text": "x"})
    assert not is_bluesky({"feed": [{"id": 1}]})
    assert is_bluesky({"feed": []})


# --- make_post ------------------------------------------------------------------------------


def test_articles_from_mastodon_and_bluesky_posts() -> None:
    quoted = status(2)
    record = status(
        1,
        tags=[{"name": "Eastport"}],
        mentions=[{"acct": "bo@other.example"}],
        quote={"state": "accepted", "quoted_status": quoted},
        reblogs_count=3,
    )
    article = make_post(toots(record)[0], SOURCE)
    assert article.source.origin_id == post_origin("mastodon", record["uri"])
    assert article.url == record["url"]
    assert article.markup is not None
    assert article.markup.body == record["content"]
    assert [(t.kind, t.value) for t in article.tags] == [
        ("hashtag", "Eastport"),
        ("mention", "bo@other.example"),
    ]
    assert [r.id for r in article.relations] == [relation("quote_of", "mastodon", quoted["uri"]).id]
    assert article.extra == {"tweets": {"platform": "mastodon", "reposts": 3}}
    [post] = skeets(post_view(likeCount=7))
    article = make_post(post, SOURCE)
    assert article.source.origin_id == f"bluesky:{URI}"
    assert article.text == "Ferry news"
    assert article.extra == {"tweets": {"platform": "bluesky", "likes": 7}}


# --- the shared corpus and the samples ------------------------------------------------------


def records(path: Path) -> Iterator[Mapping[str, Any]]:
    document = json.loads(path.read_text(encoding="utf-8"))
    for record in document if isinstance(document, list) else [document]:
        assert isinstance(record, dict), path.name
        yield record


def check_posts(posts: list[Post]) -> None:
    for post in posts:
        assert post.post_id, post
        assert post.author is not None
        assert post.author.url
        assert post.published is not None
        article = make_post(post, SOURCE)
        assert article.source.origin_id == post_origin(post.platform, post.post_id)
        assign_identity(article)
        article.metrics["words"] = word_count(article.text)  # the pipeline's part
        assert article_errors(to_json(article)) == []


#: What each corpus file holds: posts by id, or the reason it is not a post.
CORPUS_POSTS = {
    "mastodonpy__entity_context.json": [
        "https://mastodon.social/users/halcy/statuses/110446983178245440",
        "https://mastodon.social/users/halcy/statuses/110446984249325790",
    ],
    "mastodonpy__entity_status.json": [
        "https://icosahedron.website/users/halcy/statuses/110446222386355655"
    ],
    "mastodonpy__entity_statusedit.json": NotAPost(
        "a Mastodon status edit (history entry) has no status id"
    ),
    "tootsdk__post_edited.json": [
        "https://example.com/users/technicat/statuses/112300188527054704"
    ],
    "tootsdk__post_no_emojis.json": [
        "https://iosdev.space/users/tootsdk/statuses/109526243546860722"
    ],
    "tootsdk__post_wordle_linebreaks.json": [
        "https://iosdev.space/users/tootsdk/statuses/109526243546860722"
    ],
    "tootsdk__quote.json": ["https://example.com/users/testperson/statuses/103270115826048975"],
    "tootsdk__streaming_update.json": [
        "https://example.com/users/testperson/statuses/108913983628474640"
    ],
    "atproto__extended_post_record.json": [
        "at://did:plc:kvwvcn5iqfooopmyzvb4qzba/app.bsky.feed.post/3k2yinh52ne2x"
    ],
}


def read_posts(path: Path) -> Iterator[list[Post] | NotAPost]:
    bluesky = path.name.startswith("atproto__")
    for record in records(path):
        assert (is_bluesky if bluesky else is_mastodon)(record), path.name
        assert not (is_mastodon if bluesky else is_bluesky)(record), path.name
        try:
            yield list((bluesky_posts if bluesky else mastodon_posts)(record))
        except NotAPost as exc:
            yield exc


def test_corpus_files_yield_posts_or_say_why_not(corpus: Path) -> None:
    paths = [
        path
        for prefix in ("mastodonpy__", "tootsdk__", "atproto__")
        for path in sorted((corpus / "tweets").glob(f"{prefix}*"))
    ]
    assert {path.name for path in paths} >= set(CORPUS_POSTS)
    for path in paths:
        results = list(read_posts(path))
        for result in results:
            if isinstance(result, NotAPost):
                assert str(result)
                assert "\n" not in str(result)
            else:
                assert result, path.name
                check_posts(result)
        expected = CORPUS_POSTS.get(path.name)
        if isinstance(expected, NotAPost):
            assert len(results) > 1  # every entry of the edit history, each refused
            assert all(str(r) == str(expected) for r in results), path.name
        elif expected is not None:
            assert [p.post_id for r in results if isinstance(r, list) for p in r] == expected


def test_corpus_mastodon_status_in_detail(corpus: Path) -> None:
    [record] = records(corpus / "tweets" / "mastodonpy__entity_status.json")
    [post] = mastodon_posts(record)
    article = make_post(post, SOURCE)
    assert article.url == "https://icosahedron.website/@halcy/110446222386355655"
    assert article.summary == "test post for mastodon.py stuff"
    assert article.authors == [
        Author(
            "halcy\u200b :icosahedron:",
            "halcy@icosahedron.website",
            "https://icosahedron.website/@halcy",
        )
    ]
    assert [(t.kind, t.value) for t in article.tags] == [
        ("hashtag", "thisisahashtag"),
        ("mention", "halcy@icosahedron.website"),
    ]
    assert [(m.kind, m.caption) for m in article.media] == [("video", "a furry cube breakdancing")]
    assert article.updated == datetime(2023, 5, 28, 12, 9, 44, tzinfo=UTC)
    assert article.extra["tweets"] == {
        "platform": "mastodon",
        "replies": 0,
        "reposts": 0,
        "likes": 1,
        "quotes": 0,
        "edited": 1,
    }


def test_corpus_bluesky_record_in_detail(corpus: Path) -> None:
    [record] = records(corpus / "tweets" / "atproto__extended_post_record.json")
    [post] = bluesky_posts(record)
    article = make_post(post, SOURCE)
    did = "did:plc:kvwvcn5iqfooopmyzvb4qzba"
    assert article.source.origin_id == f"bluesky:at://{did}/app.bsky.feed.post/3k2yinh52ne2x"
    assert article.url == f"https://bsky.app/profile/{did}/post/3k2yinh52ne2x"
    assert (article.text, article.language) == ("regress test", "en")
    assert article.warnings == ["date '2023-07-21T01:33:51.481951' has no time zone; taken as UTC"]


def test_the_mastodon_sample() -> None:
    posts = [
        post
        for record in records(SAMPLES / "posts" / "eastport-mastodon-timeline.json")
        for post in toots(record)
    ]
    check_posts(posts)
    ferry, reblog, reblogged, quote, quoted = posts
    assert ferry.post_id == quoted.post_id
    assert reblog.relations == [relation("repost_of", "mastodon", reblogged.post_id or "")]
    assert quote.relations == [relation("quote_of", "mastodon", ferry.post_id or "")]
    assert ferry.mentions == ["ana@mastodon.example.net"]
    assert reblogged.summary == "Roadworks, long delays"
    assert quote.author is not None
    assert quote.author.name == "Tomas Berg :ferry:"


def test_the_bluesky_sample() -> None:
    [page] = records(SAMPLES / "posts" / "eastport-bluesky-feed.json")
    posts = skeets(page)
    check_posts(posts)
    ferry, answer, question, quote = posts
    assert ferry.mentions == ["ana.bsky.social"]
    assert ferry.hashtags == ["Eastport"]
    assert ferry.links == ["https://news.example.org/2024/03/ferry-timetable"]
    assert ferry.language == "sv"
    assert answer.relations == [relation("reply_to", "bluesky", question.post_id or "")]
    assert question.relations == [relation("reply_to", "bluesky", ferry.post_id or "")]
    assert quote.relations == [relation("quote_of", "bluesky", ferry.post_id or "")]
    assert [m.caption for m in quote.media] == ["A crowded ferry deck."]
