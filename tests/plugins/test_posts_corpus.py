"""Acceptance (issue 10): every payload of the shared tweets corpus, file by file, gives an
article for every post it holds. The posts are counted here independently, format by
format, in the plainest way: a v1.1 tweet and the tweets it embeds (retweeted, quoted), a
v2 page's ``data`` and ``includes.tweets``, a Mastodon status and its reblog and quote, a
context's ancestors and descendants, and so on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ingest.testing import run_cli
from tests.conftest import CORPUS

TWEETS = CORPUS / "tweets"
FILES = (
    sorted(p.name for p in TWEETS.iterdir() if p.name != "MANIFEST.tsv") if TWEETS.is_dir() else []
)
NO_TAGS = [f"--no-plugin={name}" for name in ("entities", "keywords", "language", "quotes")]
#: Files with records that are not posts, and what their error says.
EXPECTED_ERRORS = {
    # StatusEdit entries: versions of a status that carry no id of their own.
    "mastodonpy__entity_statusedit.json": "has no status id",
    # Line 8 is cut short in the file itself.
    "twarc-csv__streaming_output_with_error.jsonl": "not valid JSON",
}
#: Keys of v1.1 stream messages that are not posts.
CONTROL = {"delete", "limit", "scrub_geo", "status_withheld", "user_withheld", "disconnect"}


def records(path: Path) -> list[Any]:
    """The JSON values of a file: an archive's array, a document, or its valid lines."""
    text = path.read_text(encoding="utf-8")
    if text.startswith("window."):
        return list(json.loads(text.split("=", 1)[1]))
    try:
        value = json.loads(text)
    except ValueError:
        values = []
        for line in text.splitlines():
            try:
                values.append(json.loads(line))
            except ValueError:
                continue  # a broken line: its error is checked separately
        return values
    return value if isinstance(value, list) else [value]


def v1_ids(tweet: dict[str, Any]) -> set[str]:
    ids = {f"twitter:{tweet['id_str']}"}
    for key in ("retweeted_status", "quoted_status"):
        if isinstance(tweet.get(key), dict):
            ids |= v1_ids(tweet[key])
    return ids


def mastodon_ids(status: dict[str, Any]) -> set[str]:
    if "uri" not in status:
        return set()  # a status edit: no id of its own
    ids = {f"mastodon:{status['uri']}"}
    quote = status.get("quote")
    if isinstance(quote, dict) and "quoted_status" in quote:
        quote = quote["quoted_status"]
    for nested in (status.get("reblog"), quote):
        if isinstance(nested, dict):
            ids |= mastodon_ids(nested)
    return ids


def expected(record: Any) -> set[str]:
    """The origin ids of the posts in one record; ``bluesky:*`` for a bare record."""
    if isinstance(record, list):
        return set().union(*map(expected, record))
    if CONTROL & record.keys():
        return set()
    if "tweet" in record:
        return v1_ids(record["tweet"])
    if "data" in record:
        data = record["data"] if isinstance(record["data"], list) else [record["data"]]
        tweets = data + record.get("includes", {}).get("tweets", [])
        return {f"twitter:{tweet['id']}" for tweet in tweets}
    if "html" in record:  # oEmbed
        return {f"twitter:{record['url'].rstrip('/').rsplit('/', 1)[-1]}"}
    if "ancestors" in record:
        return expected(record["ancestors"] + record["descendants"])
    if "event" in record:
        return mastodon_ids(json.loads(record["payload"]))
    if "account" in record or "quoted_status" in record:
        return mastodon_ids(record.get("quoted_status", record))
    if str(record.get("uri", "")).startswith("at://"):  # getRecord: {uri, cid, value}
        return {f"bluesky:{record['uri']}"}
    if record.get("$type") == "app.bsky.feed.post":
        return {"bluesky:*"}
    return v1_ids(record)


def test_the_corpus_is_all_here() -> None:
    if not TWEETS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS} (expected beside the repository)")
    assert len(FILES) == 45


@pytest.mark.parametrize("name", FILES)
def test_every_post_of_the_file_is_read(name: str) -> None:
    path = TWEETS / name
    want = expected(records(path))
    result = run_cli([*NO_TAGS, "run", str(path)])  # sniffed, as a user would run it
    assert "Traceback" not in result.stderr
    got = {a["source"]["origin_id"] for a in result.articles}
    if "bluesky:*" in want:
        want.discard("bluesky:*")
        assert any(origin.startswith("bluesky:") for origin in got)
    assert want <= got, sorted(want - got)[:5]
    if name in EXPECTED_ERRORS:
        assert result.exit_code == 1
        assert result.error_lines
        assert all(EXPECTED_ERRORS[name] in line for line in result.error_lines), result.stderr
    else:
        assert (result.exit_code, result.error_lines) == (0, []), result.stderr
    if result.exit_code == 0:
        assert result.articles, "exit 0 with no article from a file of posts"
