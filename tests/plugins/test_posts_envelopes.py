"""Response envelopes of the public APIs and their archives (issue 10): v1.1 search pages,
v2 stream lines, Activity Streams (Gnip, enterprise search), Mastodon's outbox.json and
Bluesky's repo.car. Every input here is written by hand in the shape the platforms use."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import libipld

from ingest.identity import origin_article_id
from ingest.schema import article_errors
from ingest.testing import CliResult, run_cli
from ingest_plugins.sources.posts.plugin import ingest_detect_kind

#: Tag plugins off: these tests are about reading, and the taggers cost most of the time.
NO_TAGS = [f"--no-plugin={name}" for name in ("entities", "keywords", "language", "quotes")]


def run(*args: str) -> CliResult:
    result = run_cli([*NO_TAGS, "run", *args])
    assert "Traceback" not in result.stderr
    assert all(article_errors(a) == [] for a in result.articles)
    return result


def origins(result: CliResult) -> list[str]:
    return [a["source"]["origin_id"] for a in result.articles]


def ref(origin: str) -> str:
    return origin_article_id("tweets", origin)


def v1(tweet_id: int, text: str, handle: str, **extra: Any) -> dict[str, Any]:
    return {
        "created_at": "Wed Oct 10 20:19:24 +0000 2018",
        "id": tweet_id,
        "id_str": str(tweet_id),
        "text": text,
        "user": {"screen_name": handle, "name": handle.title()},
        **extra,
    }


def activity(tweet_id: int, body: str, handle: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"tag:search.twitter.com,2005:{tweet_id}",
        "objectType": "activity",
        "verb": "post",
        "postedTime": "2017-01-01T10:00:00.000Z",
        "body": body,
        "link": f"http://twitter.com/{handle}/statuses/{tweet_id}",
        "actor": {"objectType": "person", "preferredUsername": handle, "displayName": handle},
        "object": {"objectType": "note", "id": f"object:search.twitter.com,2005:{tweet_id}"},
        "twitter_entities": {"hashtags": [{"text": "tag"}], "urls": [], "user_mentions": []},
        **extra,
    }


def search_page() -> dict[str, Any]:
    retweet = v1(102, "RT @bob: original", "carol", retweeted_status=v1(100, "original", "bob"))
    return {
        "statuses": [v1(101, "hello", "alice"), retweet],
        "search_metadata": {"count": 2, "next_results": "?max_id=100&q=x"},
    }


def test_v1_search_page_streamed_and_as_a_line(tmp_path: Path) -> None:
    pretty = tmp_path / "search.json"
    pretty.write_text(json.dumps(search_page(), indent=2))
    lines = tmp_path / "pages.jsonl"
    lines.write_text(json.dumps(search_page()) + "\n")
    for path in (pretty, lines):
        result = run(str(path))  # sniffed
        assert result.exit_code == 0, result.stderr
        assert origins(result) == ["twitter:101", "twitter:102", "twitter:100"]
        (rel,) = result.articles[1]["relations"]
        assert rel == {"kind": "repost_of", "id": ref("twitter:100")}


def test_a_streamed_envelope_is_not_held_whole(tmp_path: Path) -> None:
    """A page far larger than the record limit is read post by post."""
    page = {"statuses": [v1(1000 + n, "x" * 500, "alice") for n in range(200)]}
    path = tmp_path / "big.json"
    path.write_text(json.dumps(page, indent=1))
    assert path.stat().st_size > 100_000
    result = run(str(path), "-s", "tweets.max_record_bytes=4096")
    assert result.exit_code == 0, result.stderr
    assert len(result.articles) == 200


def test_v2_stream_line_with_matching_rules(tmp_path: Path) -> None:
    line = {
        "data": {
            "id": "301",
            "text": "streamed",
            "author_id": "9",
            "created_at": "2022-01-01T00:00:00.000Z",
        },
        "includes": {"users": [{"id": "9", "username": "dave", "name": "Dave"}]},
        "matching_rules": [{"id": "1", "tag": "news"}],
    }
    path = tmp_path / "stream.jsonl"
    path.write_text(
        json.dumps(line) + "\n" + json.dumps(line | {"data": line["data"] | {"id": "302"}}) + "\n"
    )
    assert ingest_detect_kind(str(path), path.read_bytes()[:4096]) == "tweets"
    result = run(str(path))
    assert origins(result) == ["twitter:301", "twitter:302"]
    assert result.articles[0]["authors"][0]["handle"] == "dave"


def test_gnip_activity_streams_post_retweet_quote_and_system_messages(tmp_path: Path) -> None:
    original = activity(201, "first https://t.co/a", "alice")
    original["twitter_entities"]["urls"] = [
        {"url": "https://t.co/a", "expanded_url": "https://example.org/a"}
    ]
    share = activity(202, "RT @alice: first", "bob", verb="share", object=original)
    quote = activity(203, "look", "carol", twitter_quoted_status=activity(204, "q", "dan"))
    records = [
        original | {"retweetCount": 3, "favoritesCount": 4, "twitter_lang": "en"},
        share,
        quote,
        {"verb": "delete", "actor": {"id": "id:twitter.com:1"}, "object": {"id": "x"}},
        {"info": {"message": "Replay Request Completed", "activity_count": 3}},
    ]
    path = tmp_path / "powertrack.json"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    assert ingest_detect_kind(str(path), path.read_bytes()[:4096]) == "tweets"
    result = run(str(path))
    assert result.exit_code == 0, result.stderr
    posts = {a["source"]["origin_id"]: a for a in result.articles}
    assert list(posts) == ["twitter:201", "twitter:202", "twitter:203", "twitter:204"]
    first = posts["twitter:201"]
    assert first["text"] == "first https://example.org/a"
    assert first["published"] == "2017-01-01T10:00:00Z"
    assert first["authors"][0]["handle"] == "alice"
    assert first["extra"]["tweets"]["reposts"] == 3
    assert {"kind": "hashtag", "value": "tag"}.items() <= first["tags"][0].items()
    assert posts["twitter:202"]["relations"] == [{"kind": "repost_of", "id": ref("twitter:201")}]
    assert posts["twitter:203"]["relations"] == [{"kind": "quote_of", "id": ref("twitter:204")}]


def test_enterprise_search_results_in_both_formats(tmp_path: Path) -> None:
    native = {"results": [v1(401, "native", "erin")], "next": "abc", "requestParameters": {}}
    streams = {"results": [activity(402, "activity", "erin")], "next": "def"}
    for name, page, origin in (("native", native, "twitter:401"), ("as", streams, "twitter:402")):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(page, indent=2))
        assert ingest_detect_kind(str(path), path.read_bytes()[:4096]) == "tweets", name
        result = run(str(path))
        assert (result.exit_code, origins(result)) == (0, [origin]), result.stderr


OUTBOX = {
    "@context": "https://www.w3.org/ns/activitystreams",
    "id": "outbox.json",
    "type": "OrderedCollection",
    "totalItems": 2,
    "orderedItems": [
        {
            "id": "https://social.example/users/ann/statuses/1/activity",
            "type": "Create",
            "actor": "https://social.example/users/ann",
            "published": "2023-05-01T12:00:00Z",
            "object": {
                "id": "https://social.example/users/ann/statuses/1",
                "type": "Note",
                "summary": None,
                "inReplyTo": "https://other.example/users/bo/statuses/7",
                "published": "2023-05-01T12:00:00Z",
                "url": "https://social.example/@ann/1",
                "attributedTo": "https://social.example/users/ann",
                "content": "<p>Hello <a href='https://other.example/@bo'>@bo</a> #news</p>",
                "contentMap": {"en": "<p>Hello</p>"},
                "attachment": [
                    {"type": "Document", "mediaType": "image/png", "url": "/media/1.png"},
                    {
                        "type": "Document",
                        "mediaType": "image/jpeg",
                        "url": "https://cdn.example/2.jpg",
                        "name": "a cat",
                    },
                ],
                "tag": [
                    {
                        "type": "Hashtag",
                        "href": "https://social.example/tags/news",
                        "name": "#news",
                    },
                    {
                        "type": "Mention",
                        "href": "https://other.example/users/bo",
                        "name": "@bo@other.example",
                    },
                ],
            },
        },
        {
            "id": "https://social.example/users/ann/statuses/2/activity",
            "type": "Announce",
            "actor": "https://social.example/users/ann",
            "published": "2023-05-02T12:00:00Z",
            "object": "https://other.example/users/bo/statuses/8",
        },
    ],
}


def test_mastodon_outbox_creates_and_announces(tmp_path: Path) -> None:
    path = tmp_path / "outbox.json"
    path.write_text(json.dumps(OUTBOX, indent=2))
    assert ingest_detect_kind(str(path), path.read_bytes()[:4096]) == "tweets"
    result = run(str(path))
    assert result.exit_code == 0, result.stderr
    note, boost = result.articles
    assert note["source"]["origin_id"] == "mastodon:https://social.example/users/ann/statuses/1"
    assert note["text"].startswith("Hello @bo")
    assert note["language"] == "en"
    assert note["authors"][0]["handle"] == "ann@social.example"
    assert [m["url"] for m in note["media"]] == ["https://cdn.example/2.jpg"]
    tags = {(t["kind"], t["value"]) for t in note["tags"]}
    assert {("hashtag", "news"), ("mention", "bo@other.example")} <= tags
    assert note["relations"] == [
        {"kind": "reply_to", "id": ref("mastodon:https://other.example/users/bo/statuses/7")}
    ]
    assert boost["text"] == ""
    assert boost["published"] == "2023-05-02T12:00:00Z"
    assert boost["relations"] == [
        {"kind": "repost_of", "id": ref("mastodon:https://other.example/users/bo/statuses/8")}
    ]


# -- Bluesky repository CAR -----------------------------------------------------------


def _cid(block: bytes) -> bytes:
    return b"\x01\x71\x12\x20" + hashlib.sha256(block).digest()


def _varint(number: int) -> bytes:
    out = b""
    while True:
        low, number = number & 0x7F, number >> 7
        if not number:
            return out + bytes([low])
        out += bytes([low | 0x80])


class Car:
    """A CAR v1 file built block by block, links as CID bytes (libipld encodes them as
    DAG-CBOR tag 42)."""

    def __init__(self) -> None:
        self.blocks: list[tuple[bytes, bytes]] = []

    def add(self, value: Any) -> bytes:
        data = libipld.encode_dag_cbor(value)
        self.blocks.append((_cid(data), data))
        return self.blocks[-1][0]

    def bytes(self, root: bytes) -> bytes:
        header = libipld.encode_dag_cbor({"roots": [root], "version": 1})
        out = _varint(len(header)) + header
        for cid, data in self.blocks:
            out += _varint(len(cid) + len(data)) + cid + data
        return out


def _post(text: str) -> dict[str, Any]:
    return {
        "$type": "app.bsky.feed.post",
        "text": text,
        "createdAt": "2024-03-01T10:00:00Z",
        "langs": ["en"],
    }


def make_repo(did: str = "did:plc:abc123") -> bytes:
    """A repository with three posts and a like, in a two-level tree: the left subtree
    holds the first post, the root node a like (another collection) and two posts that
    share a key prefix (``p``)."""
    car = Car()
    first = car.add(_post("first post"))
    like = car.add({"$type": "app.bsky.feed.like", "createdAt": "2024-03-01T10:00:00Z"})
    second, third = car.add(_post("second")), car.add(_post("third"))
    left = car.add(
        {"l": None, "e": [{"p": 0, "k": b"app.bsky.feed.like/3aaa", "v": like, "t": None}]}
    )
    inner = car.add(
        {"l": None, "e": [{"p": 0, "k": b"app.bsky.feed.post/3kaa", "v": first, "t": None}]}
    )
    root = car.add(
        {
            "l": left,
            "e": [
                {"p": 0, "k": b"app.bsky.feed.post/3kab", "v": second, "t": inner},
                {"p": 22, "k": b"c", "v": third, "t": None},
            ],
        }
    )
    commit = car.add(
        {"did": did, "version": 3, "data": root, "rev": "3kzz", "prev": None, "sig": b"\x00" * 64}
    )
    return car.bytes(commit)


def test_bluesky_repo_car_posts_in_tree_order(tmp_path: Path) -> None:
    path = tmp_path / "repo.car"
    path.write_bytes(make_repo())
    assert ingest_detect_kind(str(path), path.read_bytes()[:4096]) == "tweets"
    assert ingest_detect_kind(str(tmp_path / "repo.json"), path.read_bytes()[:4096]) is None
    assert ingest_detect_kind(str(path), b'{"not": "a car"}') is None
    result = run(str(path))  # sniffed
    assert result.exit_code == 0, result.stderr
    uri = "at://did:plc:abc123/app.bsky.feed.post/"
    assert origins(result) == [f"bluesky:{uri}3kab", f"bluesky:{uri}3kaa", f"bluesky:{uri}3kac"]
    assert [a["text"] for a in result.articles] == ["second", "first post", "third"]
    assert result.articles[0]["url"] == "https://bsky.app/profile/did:plc:abc123/post/3kab"
    assert result.articles[0]["published"] == "2024-03-01T10:00:00Z"


def test_bluesky_repo_car_missing_block_and_bad_file(tmp_path: Path) -> None:
    data = make_repo()
    car = Car()
    missing = _cid(b"not in the file")
    root = car.add(
        {"l": None, "e": [{"p": 0, "k": b"app.bsky.feed.post/3kaa", "v": missing, "t": None}]}
    )
    broken = tmp_path / "broken.car"
    broken.write_bytes(car.bytes(car.add({"did": "did:plc:x", "data": root})))
    good = tmp_path / "repo.car"
    good.write_bytes(data)
    garbage = tmp_path / "garbage.car"
    garbage.write_bytes(data[:40] + b"\xff" * 20)
    result = run("--kind", "tweets", str(broken), str(good), str(garbage))
    assert result.exit_code == 1
    assert len(result.articles) == 3  # the good file still read
    assert len(result.error_lines) == 2, result.stderr
    assert "at://did:plc:x/app.bsky.feed.post/3kaa" in result.error_lines[0]
    assert "block is missing" in result.error_lines[0]
    assert result.error_lines[1].startswith(f"error: tweets:{garbage}: ")


def test_car_size_cap(tmp_path: Path) -> None:
    path = tmp_path / "repo.car"
    path.write_bytes(make_repo())
    result = run(str(path), "-s", "tweets.max_car_bytes=100")
    assert result.exit_code == 1
    assert result.articles == []
    (line,) = result.error_lines
    assert line.startswith(f"error: tweets:{path}: ")
