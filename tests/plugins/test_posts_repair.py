"""What fuzzing found in post payloads (issue 10): lone surrogates, integers beyond 64 bits
and unreadable dates are that post's warning (or that record's error), never the end of the
source. The taggers stay on here: they used to fail on a lone surrogate in post text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ingest.schema import article_errors
from ingest.testing import CliResult, run_cli

LONE = "\\ud800"  # as written in the JSON: an escape json decodes to a lone surrogate
SURROGATE_WARNING = "lone surrogate"


def run(*args: str, stdin: bytes = b"") -> CliResult:
    result = run_cli(["run", *args], stdin)
    assert "Traceback" not in result.stderr
    assert all(article_errors(a) == [] for a in result.articles)
    return result


def tweet(tweet_id: int, text: str, **extra: Any) -> str:
    """A v1.1 tweet as JSON text; ``text`` is pasted raw so it can hold escapes."""
    fields = {
        "created_at": "Wed Oct 10 20:19:24 +0000 2018",
        "id_str": str(tweet_id),
        "user": {"screen_name": "alice", "name": "Alice"},
        **extra,
    }
    return json.dumps(fields)[:-1] + f', "text": "{text}"}}'


@pytest.mark.parametrize("layout", ["lines", "array"])
def test_lone_surrogate_in_post_text_is_repaired(tmp_path: Path, layout: str) -> None:
    records = [tweet(1, "fine words here"), tweet(2, f"broken {LONE} words"), tweet(3, "after")]
    path = tmp_path / "posts.json"
    body = "\n".join(records) if layout == "lines" else "[\n" + ",\n".join(records) + "\n]"
    path.write_text(body + "\n")
    result = run(str(path))
    assert result.exit_code == 0, result.stderr
    assert [a["source"]["origin_id"] for a in result.articles] == [
        "twitter:1",
        "twitter:2",
        "twitter:3",
    ]
    broken = result.articles[1]
    assert broken["text"] == "broken \ufffd words"
    assert any(SURROGATE_WARNING in w for w in broken["warnings"])
    assert not any(SURROGATE_WARNING in w for w in result.articles[0]["warnings"])


def test_lone_surrogate_in_a_mastodon_mention(tmp_path: Path) -> None:
    status = {
        "id": "1",
        "uri": "https://social.example/users/ann/statuses/1",
        "created_at": "2023-05-01T12:00:00Z",
        "content": "<p>hi</p>",
        "account": {"acct": "ann", "url": "https://social.example/@ann", "display_name": "Ann"},
        "mentions": [{"acct": "PLACEHOLDER", "url": "https://x.example/@b"}],
    }
    raw = json.dumps(status).replace("PLACEHOLDER", f"b{LONE}@x.example")
    event = json.dumps({"event": "update", "payload": raw.replace("/1", "/2")})
    path = tmp_path / "statuses.jsonl"
    path.write_text(raw + "\n" + event + "\n")
    result = run(str(path))
    assert result.exit_code == 0, result.stderr
    assert len(result.articles) == 2
    for article in result.articles:  # the second one's surrogate was inside the payload text
        assert ("mention", "b\ufffd@x.example") in {
            (t["kind"], t["value"]) for t in article["tags"]
        }
        assert any(SURROGATE_WARNING in w for w in article["warnings"])


def test_lone_surrogate_in_a_record_that_is_not_a_post(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text(f'{{"odd{LONE}": "x{LONE}"}}\n' + tweet(5, "still read") + "\n")
    result = run("--kind", "tweets", str(path))
    assert result.exit_code == 1
    assert [a["source"]["origin_id"] for a in result.articles] == ["twitter:5"]
    (line,) = result.error_lines
    assert line.startswith(f"error: tweets:{path}:1: ")
    assert "not a post" in line


@pytest.mark.parametrize("layout", ["lines", "array"])
def test_count_beyond_64_bits_is_dropped(tmp_path: Path, layout: str) -> None:
    records = [
        tweet(1, "before"),
        tweet(2, "huge", retweet_count=10**30, favorite_count=7),
        tweet(3, "after"),
    ]
    path = tmp_path / "posts.json"
    body = "\n".join(records) if layout == "lines" else "[\n" + ",\n".join(records) + "\n]"
    path.write_text(body + "\n")
    result = run(str(path))
    assert result.exit_code == 0, result.stderr
    assert len(result.articles) == 3
    huge = result.articles[1]
    assert "reposts" not in huge["extra"]["tweets"]
    assert huge["extra"]["tweets"]["likes"] == 7
    assert any("beyond 64 bits" in w for w in huge["warnings"])


def test_a_bad_date_is_a_missing_date_and_the_source_goes_on(tmp_path: Path) -> None:
    bad = tweet(2, "bad date", created_at="Wed Oct 10 20:" + "1" * 30 + ":24 +0000 2018")
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join([tweet(1, "first"), bad, tweet(3, "third")]) + "\n")
    result = run(str(path))
    assert result.exit_code == 0, result.stderr
    assert [a["source"]["origin_id"] for a in result.articles] == [
        "twitter:1",
        "twitter:2",
        "twitter:3",
    ]
    assert result.articles[1]["published"] is None
    assert any("date" in w for w in result.articles[1]["warnings"])
    assert result.articles[2]["published"] == "2018-10-10T20:19:24Z"


def test_stdin_array_with_a_surrogate_is_read() -> None:
    body = "[\n" + ",\n".join([tweet(1, "ok"), tweet(2, f"x{LONE}")]) + "\n]\n"
    result = run("--kind", "tweets", "-", stdin=body.encode())
    assert "Traceback" not in result.stderr
    # run_cli's stdin is seekable, so this is read again with the slower parser
    assert [a["source"]["origin_id"] for a in result.articles] == ["twitter:1", "twitter:2"]
    assert result.articles[1]["text"] == "x\ufffd"  # yajl alone made it "x?", silently
    assert any(SURROGATE_WARNING in w for w in result.articles[1]["warnings"])
