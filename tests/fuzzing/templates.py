"""Small valid inputs we write ourselves, one per reader, with slots the sweep plants every
nasty token of :mod:`tests.fuzzing.tokens` into (each token once, in a spot where it bites).

Random mutation finds the unexpected; the sweep makes sure the shapes issue 10 names are
tried on every run, however brief.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from tests.fuzzing import tokens as T
from tests.fuzzing.mutate import Case
from tests.fuzzing.seeds import Group

_DECL = b'<?xml version="1.0" encoding="utf-8"?>'
_DATE = b"Mon, 04 Mar 2024 09:00:00 GMT"
RSS = (
    b'{DECL}{DTD}<rss version="2.0"><channel><title>Sweep feed</title>'
    b"<link>https://sweep.example.org/</link>\n"
    b"<item><title>First {TEXT}</title><link>https://sweep.example.org/1</link>"
    b"<guid>sweep-1{ID}</guid><pubDate>{DATE}</pubDate>"
    b"<description>Body one.</description></item>\n"
    b"<item><title>Second</title><link>https://sweep.example.org/2</link><guid>sweep-2</guid>"
    b"<pubDate>Mon, 04 Mar 2024 10:00:00 GMT</pubDate>"
    b"<description>Body two.</description></item>\n"
    b"</channel></rss>\n"
)
ATOM = (
    b'{DECL}{DTD}<feed xmlns="http://www.w3.org/2005/Atom"><title>Sweep atom</title>'
    b"<id>urn:sweep:feed</id><updated>2024-03-04T09:00:00Z</updated>\n"
    b"<entry><title>First {TEXT}</title><id>urn:sweep:1{ID}</id><updated>{DATE}</updated>"
    b'<link href="https://sweep.example.org/a1"/><summary>Body one.</summary></entry>\n'
    b"<entry><title>Second</title><id>urn:sweep:2</id><updated>2024-03-04T10:00:00Z</updated>"
    b'<link href="https://sweep.example.org/a2"/><summary>Body two.</summary></entry>\n'
    b"</feed>\n"
)
TEXT = b"Harbour news {TEXT}update\n\nThe ferry {ID}runs every twenty minutes from Monday.\n"

_USER = {"id_str": "9001", "name": "Ana Lind", "screen_name": "ana_lind"}
TWEET_V1: dict[str, Any] = {
    "created_at": "Mon Mar 11 08:02:10 +0000 2024",
    "id": 1767108000000000002,
    "id_str": "1767108000000000002",
    "full_text": "Ferry timetable changes from Monday",
    "entities": {"hashtags": [], "urls": [], "user_mentions": []},
    "user": _USER,
    "retweet_count": 3,
    "favorite_count": 5,
    "lang": "en",
}
TWEET_V2: dict[str, Any] = {
    "data": [
        {
            "id": "1767200000000000010",
            "text": "Council approves the budget",
            "author_id": "8001",
            "created_at": "2024-11-05T18:40:00.000Z",
            "lang": "en",
            "public_metrics": {"retweet_count": 4, "reply_count": 1, "like_count": 9},
        }
    ],
    "includes": {"users": [{"id": "8001", "name": "Council", "username": "council"}]},
}
MASTODON: dict[str, Any] = {
    "id": "112771830040153344",
    "created_at": "2024-07-11T06:42:10.000Z",
    "content": "<p>The ferry runs every twenty minutes.</p>",
    "url": "https://social.example/@harbour/112771830040153344",
    "uri": "https://social.example/users/harbour/statuses/112771830040153344",
    "language": "en",
    "spoiler_text": "",
    "visibility": "public",
    "replies_count": 4,
    "reblogs_count": 31,
    "favourites_count": 57,
    "reblog": None,
    "media_attachments": [],
    "mentions": [],
    "tags": [],
    "account": {
        "id": "1",
        "username": "harbour",
        "acct": "harbour",
        "display_name": "Harbour",
        "url": "https://social.example/@harbour",
    },
}
BLUESKY: dict[str, Any] = {
    "feed": [
        {
            "post": {
                "uri": "at://did:plc:sweep/app.bsky.feed.post/3kxq2sweep",
                "cid": "bafyreisweep",
                "author": {"did": "did:plc:sweep", "handle": "sweep.example", "displayName": "S"},
                "record": {
                    "$type": "app.bsky.feed.post",
                    "text": "The ferry runs every twenty minutes",
                    "createdAt": "2024-07-11T06:42:10.512Z",
                    "langs": ["en"],
                },
                "indexedAt": "2024-07-11T06:42:11.000Z",
                "likeCount": 3,
            }
        }
    ]
}
JSON_FEED: dict[str, Any] = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "Sweep JSON feed",
    "home_page_url": "https://sweep.example.org/",
    "items": [
        {
            "id": "sweep-json-1",
            "url": "https://sweep.example.org/j1",
            "title": "Opening hours extended",
            "content_html": "<p>The library opens later.</p>",
            "date_published": "2024-03-04T09:00:00Z",
        }
    ],
}


class JsonTemplate(NamedTuple):
    """A JSON template, the reader group it is for, and where tokens go (dotted paths)."""

    group: str
    tree: dict[str, Any]
    suffix: str
    strings: list[str]
    values: list[str]
    date: str


JSON_TEMPLATES = (
    JsonTemplate(
        "tweets-v1", TWEET_V1, ".json",
        ["id_str", "full_text", "user.name"], ["id", "retweet_count", "user"], "created_at",
    ),
    JsonTemplate(
        "tweets-v2", TWEET_V2, ".json",
        ["data.0.id", "data.0.text", "includes.users.0.username"],
        ["data.0.public_metrics.like_count", "data.0.id", "data.0.author_id"],
        "data.0.created_at",
    ),
    JsonTemplate(
        "mastodon", MASTODON, ".json",
        ["id", "content", "account.acct", "url"], ["favourites_count", "reblog", "account"],
        "created_at",
    ),
    JsonTemplate(
        "bluesky", BLUESKY, ".json",
        ["feed.0.post.uri", "feed.0.post.record.text", "feed.0.post.author.handle"],
        ["feed.0.post.likeCount", "feed.0.post.record", "feed.0.post.author.did"],
        "feed.0.post.record.createdAt",
    ),
    JsonTemplate(
        "jsonfeed", JSON_FEED, ".json",
        ["items.0.id", "items.0.title", "items.0.url"], ["items.0.id", "items", "version"],
        "items.0.date_published",
    ),
)  # fmt: skip
_MARK = "SWEEPSLOT"


def set_path(tree: Any, path: str, value: Any, *, prefix: bool) -> Any:
    """A copy of ``tree`` with the value at dotted ``path`` replaced (or prefixed)."""
    copy = json.loads(json.dumps(tree))
    *parents, last = path.split(".")
    node = copy
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    slot: Any = int(last) if isinstance(node, list) else last
    node[slot] = value + str(node[slot]) if prefix else value
    return copy


def _json_inputs() -> Iterator[tuple[str, str, bytes, str]]:
    """(group, suffix, bytes, what) for every JSON token, templates taken in turn."""
    plans = [(tok, "string") for tok in T.JSON_STRING] + [(tok, "value") for tok in T.JSON_VALUE]
    plans += [(tok, "date") for tok in T.DATES]
    for number, (token, where) in enumerate(plans):
        template = JSON_TEMPLATES[number % len(JSON_TEMPLATES)]
        paths = {"string": template.strings, "value": template.values, "date": [template.date]}
        path_at = paths[where][number % len(paths[where])]
        planted = set_path(template.tree, path_at, _MARK, prefix=where == "string")
        data = json.dumps(planted, indent=1).encode()
        mark = f'"{_MARK}"'.encode() if where == "value" else _MARK.encode()
        what = f"{where} {path_at} = {token[:60]!r}"
        yield template.group, template.suffix, data.replace(mark, token, 1), what


def _xml_fill(template: bytes, **slots: bytes) -> bytes:
    values = {"DECL": _DECL, "DTD": b"", "TEXT": b"", "ID": b"", "DATE": _DATE, **slots}
    for name, value in values.items():
        template = template.replace(b"{" + name.encode() + b"}", value)
    return template


def _prolog_slots(token: bytes) -> dict[str, bytes]:
    if token.startswith(b"<?xml"):
        return {"DECL": token}
    if token.startswith(b"<!DOCTYPE"):
        uses = [use for use in T.XML_ENTITY_USES if use[1:-1] + b" " in token]
        return {"DTD": token, "TEXT": uses[0] if uses else b""}
    if token.startswith(b"<"):
        return {"ROOT": token}
    return {"DECL": token + _DECL}


def _xml_inputs() -> Iterator[tuple[str, str, bytes, str]]:
    """(group, suffix, bytes, what) for every XML token, RSS and Atom in turn."""
    plans = [(tok, "text") for tok in T.XML_TEXT] + [(tok, "date") for tok in T.DATES]
    plans += [(tok, "prolog") for tok in T.XML_PROLOG]
    for number, (token, where) in enumerate(plans):
        template, suffix = (RSS, ".rss") if number % 2 == 0 else (ATOM, ".atom")
        if where == "text":
            slots = {("TEXT" if number % 4 < 2 else "ID"): token}
        elif where == "date":
            slots = {"DATE": token}
        else:
            slots = _prolog_slots(token)
        root = slots.pop("ROOT", None)
        data = _xml_fill(template, **slots)
        if root is not None:  # a root element with a default namespace of its own
            old = (
                b'<rss version="2.0">'
                if template is RSS
                else b'<feed xmlns="http://www.w3.org/2005/Atom">'
            )
            data = data.replace(old, root, 1)
        yield "feeds-xml", suffix, data, f"{where} = {token[:60]!r}"


def _text_inputs() -> Iterator[tuple[str, str, bytes, str]]:
    for number, token in enumerate(T.TEXT):
        slot = "TEXT" if number % 2 == 0 else "ID"
        data = TEXT.replace(b"{" + slot.encode() + b"}", token)
        data = data.replace(b"{TEXT}", b"").replace(b"{ID}", b"")
        yield "text", ".txt", data, f"text {slot} = {token[:60]!r}"


_SYNTAX = {"feeds-xml": ("rss", "xml"), "jsonfeed": ("rss", "json"), "text": ("text", "text")}


def sweep_cases(start: int = 0) -> list[Case]:
    """One case per nasty token, numbered from ``start``, always named ``KIND:PATH``."""
    cases = []
    inputs = [*_xml_inputs(), *_json_inputs(), *_text_inputs()]
    for index, (group_name, suffix, data, what) in enumerate(inputs, start):
        kind, syntax = _SYNTAX.get(group_name, ("tweets", "json"))
        group = Group(group_name, kind, syntax, ())
        name = f"f{index:05d}-sweep-{group_name}{suffix}"
        cases.append(Case(index, group, Path("template"), name, data, (what,), True))
    return cases
