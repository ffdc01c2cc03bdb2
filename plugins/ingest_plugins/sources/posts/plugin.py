"""Social posts as a source (kind ``tweets``): Twitter/X API v1.1 (single tweets, timelines,
search pages ``{"statuses": [...]}``, stream lines) and v2 (pages, stream lines, twarc
output), Activity Streams (Gnip PowerTrack, Historical PowerTrack, premium and enterprise
search, whose ``{"results": [...]}`` pages hold either format), account archives
(``tweets.js``), oEmbed responses and HTML files of embedded tweets, Mastodon statuses and
account exports (``outbox.json``), and Bluesky posts and repository exports (``repo.car``).
One article per post.

JSON files are read lazily, record by record (JSON Lines line by line, arrays and envelope
arrays element by element), so a gigabyte capture never sits in memory. A record that is
not a post is one error line naming the file and line (or record number); the other
records go on. A CAR file is read whole, up to ``tweets.max_car_bytes``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson

from ingest import Article, Config, Settings, Source, SourceError, SourceKind, hookimpl
from ingest.helpers import NotText, decode_text, read_bytes
from ingest_plugins.sources.pages.plugin import is_tweets_page
from ingest_plugins.sources.posts import KIND, NotAPost, Post, make_post
from ingest_plugins.sources.posts.activitypub import activitypub_posts, is_activitypub
from ingest_plugins.sources.posts.bluesky import bluesky_posts, is_bluesky
from ingest_plugins.sources.posts.car import NotARepo, looks_like_car, repo_posts
from ingest_plugins.sources.posts.gnip import activity_posts, is_activity, is_post_activity
from ingest_plugins.sources.posts.mastodon import is_mastodon, mastodon_posts
from ingest_plugins.sources.posts.records import Record, read_records
from ingest_plugins.sources.posts.twitter import embedded_tweets, is_control, is_twitter, tweets

_HTML_SUFFIXES = (".html", ".htm")
_CAR_SUFFIX = ".car"
#: Members of a response whose array elements are posts (or activities): v1.1 search
#: (``statuses``), premium and enterprise search (``results``), an ActivityPub collection
#: (``orderedItems``). The reader streams them from a file; a JSON Lines line is read whole.
_ENVELOPES = ("statuses", "results", "orderedItems")
#: Errors of a record whose data breaks a reader's assumptions: that record's error, the
#: source goes on (issue 10).
_RECORD_ERRORS = (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError)
# Keys that only post payloads have; enough to sniff a file from its first 4 KiB.
_MARKERS = (
    b'"id_str"', b'"full_text"', b'"author_id"', b'"edit_history_tweet_ids"', b'"screen_name"',
    b"twitter-tweet", b"reblogs_count", b"favourites_count", b'"acct"', b"app.bsky.feed",
    b'"ancestors"', b'"in_reply_to_status_id', b'"retweet_count"', b'"search_metadata"',
    b'"matching_rules"', b'"postedTime"', b"tag:search.twitter.com", b'"attributedTo"',
    b'"orderedItems"',
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
    settings.add(
        "tweets.max_car_bytes",
        512 * 1024 * 1024,
        "Refuse Bluesky repository exports (.car, read whole) larger than this.",
    )


@hookimpl
def ingest_source_kinds() -> list[SourceKind]:
    """Declare ``tweets``: files of posts (read from files and stdin, not URLs)."""
    return [
        SourceKind(
            KIND,
            "social posts: Twitter/X API v1.1 and v2, archives, Activity Streams, oEmbed, "
            "Mastodon, Bluesky (files of them)",
            (".json", ".jsonl", ".ndjson", ".js", ".car", *_HTML_SUFFIXES),
        )
    ]


@hookimpl
def ingest_detect_kind(location: str, head: bytes) -> str | None:
    """Claim archives, JSON with post-only keys, HTML pages of embedded tweets, and
    ``.car`` files that start with a CAR header."""
    if location.startswith(("http://", "https://")):
        return None
    if location.lower().endswith(_CAR_SUFFIX):
        return KIND if looks_like_car(head) else None
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"window.YTD."):
        return KIND
    if location.lower().endswith(_HTML_SUFFIXES):
        return KIND if is_tweets_page(head) else None  # not an article page with an embed
    if start[:1] in (b"{", b"[") and b"jsonfeed.org" not in head:
        return KIND if any(marker in head for marker in _MARKERS) else None
    return None


@hookimpl
def ingest_fetch(source: Source, config: Config) -> Iterator[Article | SourceError]:
    """Read every post of a file or stdin."""
    if source.is_url:
        raise SourceError(
            source.label(), "posts are read from files or stdin; save the API response first"
        )
    if source.location.lower().endswith(_HTML_SUFFIXES):
        return _html_posts(source, config)
    if source.location.lower().endswith(_CAR_SUFFIX):
        return _car_posts(source, config)
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


def _car_posts(source: Source, config: Config) -> Iterator[Article | SourceError]:
    label = source.label()
    data = read_bytes(source, config.get("tweets.max_car_bytes"))
    try:
        for uri, record in repo_posts(data):
            where = f"{label}#{uri}"
            if isinstance(record, str):
                yield SourceError(where, f"post {uri}: {record}")
            else:
                yield from _posts({"uri": uri, "value": record}, source, where, ())
    except NotARepo as exc:
        raise SourceError(label, str(exc)) from None
    except RecursionError:
        raise SourceError(label, "a CAR file nested too deeply") from None


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
            values = _values(record.value)
            for index, value in enumerate(values, start=1):
                number += 1
                where = _where(label, record, number, index, len(values))
                yield from _posts(value, source, where, record.warnings)


def _values(value: Any) -> list[Any]:
    """The records in one decoded value: an array's elements, a response envelope's posts."""
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping):
        for key in _ENVELOPES:
            if isinstance(value.get(key), list):
                return list(value[key])
    return [value]


def _where(label: str, record: Record, number: int, index: int, count: int) -> str:
    """``file:LINE`` for JSON Lines (``file:LINE#N`` in a one-line array), else ``file#N``."""
    if record.line is None:
        return f"{label}#{number}"
    return f"{label}:{record.line}#{index}" if count > 1 else f"{label}:{record.line}"


def _posts(
    value: Any, source: Source, where: str, warnings: tuple[str, ...]
) -> Iterator[Article | SourceError]:
    """The articles of one record, or one error naming where it is.

    :param warnings: what was repaired in the record, for each of its articles.
    """
    try:
        for post in _classify(value):
            post.warnings += warnings
            yield make_post(post, source)
    except NotAPost as exc:
        yield SourceError(where, str(exc), raw=_raw(value))
    except _RECORD_ERRORS as exc:
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        yield SourceError(where, f"a post that could not be read: {reason}", raw=_raw(value))


def _raw(value: Any) -> bytes | None:
    """The record as JSON, for the dead letter of a run on state (records are repaired as
    they are decoded, so orjson takes them)."""
    try:
        return orjson.dumps(value)
    except (TypeError, orjson.JSONEncodeError):
        return None


def _classify(value: Any) -> Iterator[Post]:
    if not isinstance(value, Mapping):
        kind = "an array" if isinstance(value, list) else f"a JSON {type(value).__name__}"
        raise NotAPost(f"{kind}, not a post")
    if is_control(value) or (is_activity(value) and not is_post_activity(value)):
        return iter(())  # stream bookkeeping: deletes, rate limits, compliance activities
    if is_activity(value):
        return activity_posts(value)
    if is_activitypub(value):
        return activitypub_posts(value)
    if is_mastodon(value):
        return mastodon_posts(value)
    if is_bluesky(value):
        return bluesky_posts(value)
    if is_twitter(value):
        return tweets(value)
    keys = ", ".join(sorted(map(str, value))[:5])
    raise NotAPost(f"a JSON object that is not a post of any known kind (keys: {keys})")
