from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.articlejson import format_datetime, from_json, parse_datetime, to_json
from ingest.identity import assign_identity
from ingest.model import (
    Article,
    ArticleSource,
    Author,
    Embed,
    Media,
    Quote,
    Relation,
    Tag,
)
from ingest.schema import ARTICLE_SCHEMA, article_errors
from ingest.words import word_count


def full_article() -> Article:
    article = Article(
        source=ArticleSource("rss", "Example Wire", "https://example.com/feed.xml", "guid-42"),
        title="A title",
        summary="A summary.",
        text="First paragraph.\n\nSecond paragraph.",
        url="https://Example.com/a/1?utm_source=x#top",
        authors=[Author("Jane Roe", None, None)],
        published=datetime(2023, 4, 26, 18, 2, 11, tzinfo=timezone(timedelta(hours=2))),
        fetched=datetime(2026, 11, 29, 8, 0, tzinfo=UTC),
        language="en",
        tags=[Tag("person", "Xi Jinping", 0.98, "entities")],
        quotes=[Quote("That’s a good thing", "John Kirby")],
        embeds=[
            Embed(
                "tweet", None, Author("Володимир Зеленський", "ZelenskyyUa"), "I had…", "2023-04-26"
            )
        ],
        media=[Media("image", "https://example.com/a.jpg", None, "image/jpeg")],
        links=["https://example.com/b"],
        relations=[Relation("quote_of", "0" * 32)],
        warnings=["a warning"],
        extra={"tweets": {"retweets": 12000}},
    )
    article.provenance.ingest = "0.1.0"
    article.provenance.fetch = "rss"
    article.metrics["words"] = word_count(article.text)
    assign_identity(article)
    return article


def test_json_keys_follow_the_design_order() -> None:
    keys = list(to_json(full_article()))
    assert keys == list(ARTICLE_SCHEMA["properties"])
    assert keys[:4] == ["schema_version", "id", "id_basis", "url"]


def test_round_trip_is_lossless() -> None:
    article = full_article()
    assert to_json(from_json(to_json(article))) == to_json(article)


def test_full_article_is_valid_and_dates_are_utc() -> None:
    data = to_json(full_article())
    assert article_errors(data) == []
    assert data["published"] == "2023-04-26T16:02:11Z"
    assert data["url"] == "https://example.com/a/1"


def test_schema_rejects_what_the_design_forbids() -> None:
    data = to_json(full_article())
    data["published"] = "2023-04-26 16:02"
    data["tags"][0]["kind"] = "mood"
    data["surprise"] = 1
    errors = "\n".join(article_errors(data))
    assert "published" in errors
    assert "tags/0/kind" in errors
    assert "surprise" in errors


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        format_datetime(datetime(2023, 1, 1))
    with pytest.raises(ValueError, match="timezone"):
        parse_datetime("2023-01-01T00:00:00")


@pytest.mark.parametrize(
    ("text", "words"),
    [("Hello, world!", 2), ("It’s a full-scale war.", 4), ("中国 said", 3), ("", 0)],
)
def test_word_count(text: str, words: int) -> None:
    assert word_count(text) == words


@settings(max_examples=2000)
@given(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=200)
    | st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=200)
)
def test_word_count_fast_paths_agree_with_the_definition(text: str) -> None:
    from ingest.words import _CJK_RE, count_tokens_with_alnum

    if not _CJK_RE.search(text):
        assert word_count(text) == count_tokens_with_alnum(text)


def test_word_count_of_typographic_english() -> None:
    assert word_count("“Ukraine’s peace—plan,” he said — and left…") == 6


# -- tag kinds: what a run writes, the schema accepts ---------------------------------------


def test_a_custom_tag_kind_is_x_prefixed_and_valid_in_the_schema() -> None:
    article = Article(source=ArticleSource("text"), text="A story.")
    article.tags.append(Tag("x-length", "short", by="hello"))
    record = to_json(article)
    record.update(id="0" * 32, id_basis="content", content_hash="0" * 32)
    assert [e for e in article_errors(record) if e.startswith("tags")] == []
    record["tags"][0]["kind"] = "length"
    assert any(e.startswith("tags/0/kind") for e in article_errors(record))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "length", "value": "short"}, "name a kind of your own x-length"),
        ({"kind": "Reading Level", "value": "easy"}, "x-reading-level"),
        ({"kind": "person", "value": ""}, "empty value"),
        ({"kind": "keyword", "value": "k", "score": 1.5}, "not in [0, 1]"),
        ({"kind": "keyword", "value": "k", "count": 0}, "count 0 below 1"),
    ],
)
def test_a_tag_the_schema_would_reject_cannot_be_made(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        Tag(**fields)


def test_a_plugin_making_an_unknown_tag_kind_is_named_and_the_run_stays_valid(
    tmp_path: Path,
) -> None:
    (tmp_path / "lengths.py").write_text(
        "from ingest import Tag, hookimpl\n\n@hookimpl\ndef ingest_tag(article):\n"
        "    return [Tag('length', 'short')]\n",
        encoding="utf-8",
    )
    story = tmp_path / "story.txt"
    story.write_text("Harbour reopens\n\nThe harbour reopened on Monday.\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "ingest", "-p", "lengths", "run", str(story)],
        capture_output=True, text=True, check=False, timeout=120,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stdout == ""  # nothing that `ingest validate` would reject
    [line] = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert "plugin 'lengths' failed in tag" in line
    assert "x-length" in line
