"""Social posts as a source (kind ``tweets``): Twitter/X API v1.1 and v2 (twarc output
included), account archives (``tweets.js``), oEmbed responses and HTML files of embedded
tweets, Mastodon statuses, and Bluesky posts. One article per post.

Files are read lazily, record by record (JSON Lines line by line, arrays element by
element), so a gigabyte capture never sits in memory. A record that is not a post is one
error line naming the file and line (or record number); the other records go on.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson

from ingest import Article, Config, Settings, Source, SourceError, hookimpl
from ingest.encoding import NotText, decode_text
from ingest.locations import read_bytes
from plugins.posts import KIND, NotAPost, Post, make_post
from plugins.posts.bluesky import bluesky_posts, is_bluesky
from plugins.posts.mastodon import is_mastodon, mastodon_posts
from plugins.posts.records import Record, read_records
from plugins.posts.twitter import embedded_tweets, is_control, is_twitter, tweets

_HTML_SUFFIXES = (".html", ".htm")
# Keys that only post payloads have; enough to sniff a file from its first 4 KiB.
_MARKERS = (
    b'"id_str"', b'"full_text"', b'"author_id"', b'"edit_history_tweet_ids"', b'"screen_name"',
    b"twitter-tweet", b"reblogs_count", b"favourites_count", b'"acct"', b"app.bsky.feed",
    b'"ancestors"', b'"in_reply_to_status_id', b'"retweet_count"',
)  # fmt: skip


@hookimpl
def ingest_add_settings(settings: Settings) -> None:
    """Declare ``tweets.max_record_bytes`` and ``tweets.max_html_bytes``."""
    settings.add(
        "tweets.max_record_bytes",
        64 * 1024 * 1024,
        "Refuse a single JSON line or object larger than this (arrays are streamed).",
    )
    settings.add("tweets.max_html_bytes", 16 * 1024 * 1024, "Refuse HTML files larger than this.")


@hookimpl
def ingest_detect_kind(location: str, head: bytes) -> str | None:
    """Claim archives, JSON with post-only keys, and HTML pages of embedded tweets."""
    if location.startswith(("http://", "https://")):
        return None
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"window.YTD."):
        return KIND
    if location.lower().endswith(_HTML_SUFFIXES):
        return KIND if b"twitter-tweet" in head else None
    if start[:1] in (b"{", b"[") and b"jsonfeed.org" not in head:
        return KIND if any(marker in head for marker in _MARKERS) else None
    return None


@hookimpl
def ingest_fetch(source: Source, config: Config) -> Iterator[Article | SourceError] | None:
    """Read every post of a file or stdin."""
    if source.kind != KIND:
        return None
    if source.is_url:
        raise SourceError(
            source.label(), "posts are read from files or stdin; save the API response first"
        )
    if source.location.lower().endswith(_HTML_SUFFIXES):
        return _html_posts(source, config)
    return _json_posts(source, config)


def _html_posts(source: Source, config: Config) -> Iterator[Article | SourceError]:
    data = read_bytes(source, config.get("tweets.max_html_bytes"))
    try:
        text, _ = decode_text(data)
    except NotText as exc:
        raise SourceError(source.label(), str(exc)) from None
    try:
        for post in embedded_tweets(text):
            yield make_post(post, source)
    except NotAPost as exc:
        raise SourceError(source.label(), str(exc)) from None


def _json_posts(source: Source, config: Config) -> Iterator[Article | SourceError]:
    label, limit = source.label(), config.get("tweets.max_record_bytes")
    try:
        stream = sys.stdin.buffer if source.is_stdin else Path(source.location).open("rb")  # noqa: SIM115
    except OSError as exc:
        raise SourceError(label, exc.strerror or str(exc)) from None
    with stream:
        number = 0
        for record in read_records(stream, label, limit):
            if isinstance(record, SourceError):
                yield record
                continue
            values = record.value if isinstance(record.value, list) else [record.value]
            for index, value in enumerate(values, start=1):
                number += 1
                yield from _posts(value, source, _where(label, record, number, index, len(values)))


def _where(label: str, record: Record, number: int, index: int, count: int) -> str:
    """``file:LINE`` for JSON Lines (``file:LINE#N`` in a one-line array), else ``file#N``."""
    if record.line is None:
        return f"{label}#{number}"
    return f"{label}:{record.line}#{index}" if count > 1 else f"{label}:{record.line}"


def _posts(value: Any, source: Source, where: str) -> Iterator[Article | SourceError]:
    """The articles of one record, or one error naming where it is."""
    try:
        for post in _classify(value):
            yield make_post(post, source)
    except NotAPost as exc:
        yield SourceError(where, str(exc), raw=_raw(value))


def _raw(value: Any) -> bytes:
    """The record as JSON, for the dead letter of a run on state."""
    try:
        return orjson.dumps(value)
    except TypeError:  # an integer wider than 64 bits
        return json.dumps(value, ensure_ascii=False).encode("utf-8")


def _classify(value: Any) -> Iterator[Post]:
    if not isinstance(value, Mapping):
        kind = "an array" if isinstance(value, list) else f"a JSON {type(value).__name__}"
        raise NotAPost(f"{kind}, not a post")
    if is_control(value):
        return iter(())  # stream bookkeeping: deletes, rate limits
    if is_mastodon(value):
        return mastodon_posts(value)
    if is_bluesky(value):
        return bluesky_posts(value)
    if is_twitter(value):
        return tweets(value)
    keys = ", ".join(sorted(map(str, value))[:5])
    raise NotAPost(f"a JSON object that is not a post of any known kind (keys: {keys})")
