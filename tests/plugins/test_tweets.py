"""Social posts: every corpus file, each format's mapping, our samples, and bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ingest.identity import origin_article_id
from ingest.schema import article_errors
from ingest.testing import CliResult, run_cli
from tests.conftest import SAMPLES

POSTS = SAMPLES / "posts"
#: Corpus files that are expected to contain records that are not posts, and why.
EXPECTED_ERRORS = {
    "mastodonpy__entity_statusedit.json": "a Mastodon status edit (history entry) has no status id",
    "twarc-csv__streaming_output_with_error.jsonl": "not valid JSON",
}


def ref(platform: str, post_id: str) -> str:
    return origin_article_id("tweets", f"{platform}:{post_id}")


def run(*args: str) -> CliResult:
    result = run_cli(["run", *args])
    assert "Traceback" not in result.stderr
    assert all(article_errors(a) == [] for a in result.articles)
    return result


def by_origin(result: CliResult) -> dict[str, dict[str, Any]]:
    return {a["source"]["origin_id"]: a for a in result.articles}


@pytest.fixture
def tweets_dir(corpus: Path) -> Path:
    return corpus / "tweets"


def test_every_corpus_file_gives_posts_or_clear_errors(tweets_dir: Path) -> None:
    files = sorted(p for p in tweets_dir.iterdir() if p.name != "MANIFEST.tsv")
    assert len(files) == 45
    for path in files:
        result = run(str(path))  # sniffed: no --kind
        assert all(a["source"]["kind"] == "tweets" for a in result.articles), path.name
        if path.name in EXPECTED_ERRORS:
            assert result.exit_code == 1, path.name
            assert all(EXPECTED_ERRORS[path.name] in line for line in result.error_lines)
            assert all(line.startswith(f"error: tweets:{path}:") for line in result.error_lines)
        else:
            assert (result.exit_code, result.error_lines) == (0, []), path.name
            assert result.articles, path.name
        for article in result.articles:
            assert article["title"] is None
            assert article["source"]["origin_id"].split(":", 1)[0] in (
                "twitter",
                "mastodon",
                "bluesky",
            )


def test_v1_extended_tweet_prefers_full_text(tweets_dir: Path) -> None:
    (post,) = run(
        str(tweets_dir / "python-twitter__3.2_extended_tweet_in_compat_mode.json")
    ).articles
    assert not post["text"].endswith("…")
    assert "https://t.co/" not in post["text"]
    assert post["url"].startswith("https://twitter.com/")
    assert "/status/" in post["url"]
    assert post["authors"][0]["handle"]
    assert post["authors"][0]["url"] == f"https://twitter.com/{post['authors'][0]['handle']}"


def test_v1_tco_links_are_expanded(tweets_dir: Path) -> None:
    (post,) = run(str(tweets_dir / "tweepy__v1_statuses_show.json")).articles
    assert "https://engineering.twitter.com/" in post["text"]
    assert any(link.startswith("https://engineering.twitter.com/") for link in post["links"])
    assert post["published"].startswith("2012-11-0")


def test_v1_retweets_and_quotes_become_relations_and_posts(tweets_dir: Path) -> None:
    result = run(str(tweets_dir / "python-twitter__get_home_timeline.json"))
    posts = by_origin(result)
    reposts = [a for a in result.articles if any(r["kind"] == "repost_of" for r in a["relations"])]
    assert reposts
    for repost in reposts:
        (rel,) = [r for r in repost["relations"] if r["kind"] == "repost_of"]
        assert rel["id"] in {a["id"] for a in result.articles}  # the original was emitted too
    ids = [
        a["id"]
        for a in result.articles
        if not any(r["kind"] == "update_of" for r in a["relations"])
    ]
    assert len(ids) == len(set(ids))  # each once
    quoted = run(str(tweets_dir / "python-twitter__models_status_quoted_tweet.json")).articles
    quote = next(a for a in quoted if any(r["kind"] == "quote_of" for r in a["relations"]))
    assert next(r["id"] for r in quote["relations"] if r["kind"] == "quote_of") in {
        a["id"] for a in quoted
    }
    assert posts


def test_v1_video_media_picks_the_best_mp4(tweets_dir: Path) -> None:
    (post,) = run(str(tweets_dir / "python-twitter__get_status_promoted_video_tweet.json")).articles
    videos = [m for m in post["media"] if m["kind"] == "video"]
    assert videos
    assert videos[0]["mime"] == "video/mp4"


def test_v1_media_alt_text(tweets_dir: Path) -> None:
    (post,) = run(str(tweets_dir / "python-twitter__get_status_ext_alt.json")).articles
    assert any(m["caption"] for m in post["media"])


def test_v2_pages_take_authors_from_includes(tweets_dir: Path) -> None:
    result = run(str(tweets_dir / "twarc-csv__brexit.jsonl"))
    assert len(result.articles) == 155
    assert all(a["authors"] and a["authors"][0]["handle"] for a in result.articles)
    related = [r for a in result.articles for r in a["relations"]]
    assert {r["kind"] for r in related} >= {"repost_of", "quote_of", "reply_to"}


def test_v2_cashtags_hashtags_mentions_and_counts(tweets_dir: Path) -> None:
    (post, *_) = run(str(tweets_dir / "twarc-csv__cashtags.jsonl")).articles
    assert any(t["kind"] == "hashtag" and t["value"].startswith("$") for t in post["tags"])
    assert set(post["extra"]["tweets"]) >= {"platform", "reposts", "likes", "replies", "quotes"}


def test_v2_without_expansions_has_no_authors_and_i_web_urls(tweets_dir: Path) -> None:
    result = run(str(tweets_dir / "tweepy__v2_home_timeline.json"))
    assert all(a["authors"] == [] for a in result.articles)  # not asked for: never invented
    assert all(a["url"].startswith("https://twitter.com/i/web/status/") for a in result.articles)


def test_v2_language_und_is_null(tweets_dir: Path) -> None:
    posts = run(str(tweets_dir / "twarc-csv__two_tweets.jsonl")).articles
    assert posts[0]["language"] is None  # "und"


def test_archive_counts_are_numbers_and_dates_utc(tweets_dir: Path) -> None:
    result = run(str(tweets_dir / "archive__tweets.js"))
    assert len(result.articles) > 2000
    first = result.articles[0]
    assert isinstance(first["extra"]["tweets"]["likes"], int)
    assert first["published"].endswith("Z")
    assert first["url"].startswith("https://twitter.com/i/web/status/")


def test_oembed_response(tweets_dir: Path) -> None:
    (post,) = run(str(tweets_dir / "tweepy__oembed_response.json")).articles
    assert post["source"]["origin_id"] == "twitter:266367358078169089"
    assert post["authors"][0]["handle"] == "Twitter"
    assert post["text"].startswith("RT @TwitterEng: Bolstering our infrastructure.")


def test_a_post_in_several_inputs_comes_out_once(tweets_dir: Path) -> None:
    once = run(str(tweets_dir / "python-twitter__models_status_quoted_tweet.json"))
    twice = run(
        str(tweets_dir / "python-twitter__models_status_quoted_tweet.json"),
        str(tweets_dir / "python-twitter__models_status_quoted_tweet.json"),
    )
    assert len(twice.articles) == len(once.articles)


def test_samples() -> None:
    result = run(str(POSTS))
    assert result.exit_code == 0
    posts = by_origin(result)
    original = posts["twitter:1767100000000000001"]
    assert original["links"] == ["https://news.example.org/2024/03/ferry-timetable"]
    assert "https://news.example.org/2024/03/ferry-timetable?utm_source=twitter" in original["text"]
    assert [t["value"] for t in original["tags"] if t["by"] == "tweets"] == ["Eastport"]
    assert original["extra"]["tweets"] == {
        "platform": "twitter",
        "reposts": 12,
        "likes": 40,
        "replies": 3,
        "quotes": 1,
    }
    retweet = posts["twitter:1767108000000000002"]
    assert retweet["relations"] == [
        {"kind": "repost_of", "id": ref("twitter", "1767100000000000001")}
    ]
    quote = posts["twitter:1767126000000000003"]
    assert {
        "kind": "hashtag",
        "value": "$FERRY",
        "score": None,
        "by": "tweets",
        "count": None,
    } in quote["tags"]
    assert quote["media"] == [
        {
            "kind": "image",
            "url": "https://pbs.example.com/media/ferry.jpg",
            "caption": "The morning ferry at the quay",
            "mime": None,
        }
    ]
    reply = posts["twitter:1767137000000000004"]
    assert reply["relations"] == [{"kind": "reply_to", "id": ref("twitter", "1767126000000000003")}]
    assert reply["published"] == "2024-03-11T10:00:00Z"
    v2 = posts["twitter:1767200000000000010"]
    assert (v2["language"], v2["authors"][0]["name"]) == ("de", "Stadtrat Westmoor")
    assert v2["extra"]["tweets"]["views"] == 2300
    embedded = posts["twitter:1787000000000000020"]
    assert embedded["authors"][0]["handle"] == "EastportPort"
    assert embedded["published"] == "2024-05-06T00:00:00Z"
    assert any("midnight" in w for w in embedded["warnings"])
    assert {a["source"]["name"] for a in result.articles} == {"twitter", "mastodon", "bluesky"}


# -- bad input -----------------------------------------------------------------------

GOOD = b'{"id_str": "1", "text": "hello there", "user": {"screen_name": "a", "name": "A"}}\n'


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "truncated.json",
            b'[{"id_str": "7", "text": "kept", "user": {"screen_name": "b"}}, {"id_str": "8", "te',
            ": not valid JSON after 1 records",
        ),
        (
            "deep.json",
            b"[" * 100_000 + b"]" * 100_000,
            ": not valid JSON after 0 records: JSON nested deeper than 256 levels",
        ),
        (
            "notpost.jsonl",
            GOOD + b'{"weather": "sunny"}\n' + GOOD.replace(b'"1"', b'"2"'),
            ":2: a JSON object that is not a post of any known kind (keys: weather)",
        ),
        ("scalar.jsonl", GOOD + b"42\n", ":2: a JSON int, not a post"),
        (
            "noid.jsonl",
            b'{"text": "no id", "user": {"screen_name": "c"}}\n' + GOOD,
            ":1: a tweet without an id",
        ),
        (
            "notext.jsonl",
            GOOD + b'{"id_str": "9", "user": {"screen_name": "c"}}\n',
            ":2: tweet 9 has no text",
        ),
        (
            "broken.jsonl",
            GOOD + b'{"id_str": "3", "text": \n' + GOOD.replace(b'"1"', b'"4"'),
            ":2: not valid JSON",
        ),
    ],
)
def test_bad_records_are_one_line_each_and_the_rest_is_exported(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    bad = tmp_path / name
    bad.write_bytes(content)
    result = run(f"tweets:{bad}")
    assert result.exit_code == 1
    (line,) = result.error_lines
    assert line.startswith(f"error: tweets:{bad}"), line
    assert message in line, line
    if name == "truncated.json":
        assert [a["text"] for a in result.articles] == ["kept"]
    elif name != "deep.json":
        assert result.articles  # the good posts around the bad one


def test_overlong_line_is_skipped_in_bounded_reads(tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    with big.open("wb") as out:
        out.write(GOOD)
        out.write(b'{"id_str": "5", "text": "' + b"x" * 5_000_000 + b'"}\n')
        out.write(GOOD.replace(b'"1"', b'"6"'))
    result = run(f"tweets:{big}", "-s", "tweets.max_record_bytes=100000")
    assert [a["source"]["origin_id"] for a in result.articles] == ["twitter:1", "twitter:6"]
    assert result.error_lines == [f"error: tweets:{big}:2: line longer than 100,000 bytes"]


def test_stdin_json_lines() -> None:
    result = run_cli(["run", "--kind", "tweets", "-"], stdin=GOOD)
    assert [a["text"] for a in result.articles] == ["hello there"]


def test_json_lines_of_v1_and_v2_are_sniffed(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    v2 = {
        "data": [{"id": "20", "text": "v2 post", "author_id": "u"}],
        "includes": {"users": [{"id": "u", "username": "vee", "name": "V"}]},
    }
    path.write_text(GOOD.decode() + json.dumps(v2) + "\n", encoding="utf-8")
    result = run(str(path))
    assert [a["authors"][0]["handle"] for a in result.articles] == ["a", "vee"]


@pytest.mark.parametrize(
    ("created_at", "published"),
    [
        ("Wed Oct 10 20:19:24 +0000 2018", "2018-10-10T20:19:24Z"),
        ("Wed Oct 10 15:19:24 -0500 2018", "2018-10-10T20:19:24Z"),
        ("Thu Oct 11 01:49:24 +0530 2018", "2018-10-10T20:19:24Z"),
        ("2018-10-10T20:19:24.000Z", "2018-10-10T20:19:24Z"),
    ],
)
def test_v1_dates(tmp_path: Path, created_at: str, published: str) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps({"id_str": "1", "text": "x", "created_at": created_at}) + "\n")
    assert run(f"tweets:{path}").articles[0]["published"] == published
