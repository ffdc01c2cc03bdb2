from __future__ import annotations

import codecs
import re
from pathlib import Path

import pytest

from ingest.locations import read_head
from ingest.schema import article_errors
from ingest.testing import run_cli
from ingest_plugins.sources.text import ingest_detect_kind, is_html_document, parse_text
from tests.conftest import SAMPLES


def test_headline_and_byline_are_taken_out_of_the_text() -> None:
    parsed = parse_text(
        "Bridge reopens\n\nBy Ana Lindqvist and Tomas Berg\n\nThe bridge reopened.\n"
    )
    assert parsed.title == "Bridge reopens"
    assert [a.name for a in parsed.authors] == ["Ana Lindqvist", "Tomas Berg"]
    assert parsed.paragraphs == ["The bridge reopened."]


def test_a_sentence_is_not_a_headline() -> None:
    parsed = parse_text("The council met on Tuesday.\nIt approved the budget.\n")
    assert parsed.title is None
    assert parsed.paragraphs == ["The council met on Tuesday.", "It approved the budget."]


def test_a_lone_line_is_text_not_a_title() -> None:
    assert parse_text("Breaking news without more\n").title is None


def test_markdown_and_underlined_headings_are_titles() -> None:
    assert parse_text("# Storm hits coast.\n\nWaves rose.").title == "Storm hits coast."
    assert parse_text("Storm hits coast\n================\nWaves rose.").title == "Storm hits coast"


def test_hard_wrapped_lines_are_joined_into_paragraphs() -> None:
    text = (
        "Fishermen gathered outside the ministry on\nFriday to protest against the new\n"
        "catch quotas.\n\nTalks are planned for\nnext week.\n"
    )
    parsed = parse_text(text)
    assert parsed.title is None  # the first line starts a wrapped paragraph
    assert parsed.paragraphs == [
        "Fishermen gathered outside the ministry on Friday to protest against the new "
        "catch quotas.",
        "Talks are planned for next week.",
    ]


def test_crlf_and_cr_line_endings() -> None:
    assert parse_text("One.\r\nTwo.\rThree.").paragraphs == ["One.", "Two.", "Three."]


def test_embedded_post_signature_becomes_an_embed() -> None:
    parsed = parse_text(
        "Intro paragraph.\nFaster trains, cleaner air. 🚆\n"
        "— Elena Marchetti (@elena_marchetti) March 14, 2024\nAfter the post.\n"
    )
    assert parsed.paragraphs == ["Intro paragraph.", "After the post."]
    (embed,) = parsed.embeds
    assert embed.kind == "tweet"
    assert embed.author is not None
    assert (embed.author.name, embed.author.handle) == ("Elena Marchetti", "elena_marchetti")
    assert embed.text == "Faster trains, cleaner air. 🚆"
    assert embed.published == "2024-03-14"


def test_fediverse_signature_is_a_post_and_previous_block_is_its_text() -> None:
    parsed = parse_text(
        "Before.\n\nA toot here\n\n— Ann (@ann@example.social) Jan 5, 2024\n\nAfter."
    )
    (embed,) = parsed.embeds
    assert (embed.kind, embed.text, embed.published) == ("post", "A toot here", "2024-01-05")
    assert parsed.paragraphs == ["Before.", "After."]


def test_seed_article(seed: Path) -> None:
    result = run_cli(["run", str(seed)])
    assert result.exit_code == 0, result.stderr
    (article,) = result.articles
    assert article_errors(article) == []
    assert article["title"] is None
    assert article["text"].startswith("Chinese President Xi Jinping")
    assert "  " not in article["text"]
    assert "\u00a0" not in article["text"]
    assert "(@ZelenskyyUa)" not in article["text"]
    assert "I had a long and meaningful phone call" not in article["text"]
    (embed,) = article["embeds"]
    assert embed["kind"] == "tweet"
    assert embed["author"] == {"name": "Володимир Зеленський", "handle": "ZelenskyyUa", "url": None}
    assert embed["published"] == "2023-04-26"
    assert embed["text"].startswith(
        "I had a long and meaningful phone call with 🇨🇳 President Xi Jinping."
    )
    # Quoted speech and paragraphs survive: one paragraph per input line.
    assert (
        "“That’s a good thing,” US national security spokesperson John Kirby said"
        in article["text"]
    )
    assert len(article["text"].split("\n\n")) == 20  # 22 lines less the tweet and its signature
    assert article["provenance"]["encoding"] == "utf-8"
    assert article["metrics"]["words"] > 600


def test_seed_article_id_is_stable_across_runs(seed: Path) -> None:
    first = run_cli(["run", str(seed)]).articles[0]
    second = run_cli(["run", str(seed)]).articles[0]
    assert first["id"] == second["id"]
    assert first["content_hash"] == second["content_hash"]


def test_samples_cover_each_shape() -> None:
    result = run_cli(["run", str(SAMPLES / "text")])
    assert result.exit_code == 0, result.stderr
    by_name = {Path(a["source"]["location"]).name: a for a in result.articles}
    assert (
        by_name["harbour-bridge-reopens.txt"]["title"]
        == "Harbour bridge reopens after six months of repairs"
    )
    assert by_name["council-budget-vote.txt"]["title"] is None
    assert (
        by_name["minister-post-embedded.txt"]["embeds"][0]["author"]["handle"] == "elena_marchetti"
    )
    cp1252 = by_name["fishermen-protest-cp1252.txt"]
    assert cp1252["provenance"]["encoding"] == "cp1252"
    assert "“We cannot live on these numbers,” said José Almeida" in cp1252["text"]
    assert by_name["library-hours-utf16.txt"]["provenance"]["encoding"] == "utf-16"
    assert all(article_errors(a) == [] for a in result.articles)


# -- HTML is not plain text (issue 10) -------------------------------------------------

PAGE = (
    '<!DOCTYPE html>\n<html lang="en"><head><title>Harbour news</title></head>\n'
    "<body><p>The bridge <b>reopened</b> today.</p></body></html>\n"
)
HTML_DOCUMENTS = [
    PAGE,
    "\ufeff  <html><body><p>Hi</p></body></html>",
    "<!-- saved from url=(0041)https://example.com/ -->\n<HTML>\n<BODY>Hi</BODY></HTML>",
    '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0'
    ' Strict//EN" "x">\n<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
    "<head>\n<meta charset=utf-8>\n<title>T</title></head><p>Hi",
    "<meta charset='utf-8'><title>No html or head tag</title><p>Hi",
]
PROSE_WITH_TAGS = [
    "Use the <b> tag for bold text.\n\nIt is an inline element.",
    "Why <html> pages need a doctype\n\nBrowsers guess otherwise.",
    "<3 to everyone who came to the harbour festival.",
    "<bodyguards> was the codename, said the report.",
]


@pytest.mark.parametrize("text", HTML_DOCUMENTS)
def test_html_documents_are_told_apart(text: str) -> None:
    assert is_html_document(text)


@pytest.mark.parametrize("text", PROSE_WITH_TAGS)
def test_prose_that_mentions_tags_is_text(text: str) -> None:
    assert not is_html_document(text)


def test_html_read_as_text_is_refused_in_one_line(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    result = run_cli(["run", f"text:{page}"])
    assert result.exit_code == 1
    assert result.articles == []
    assert result.error_lines == [
        f"error: text:{page}: an HTML document, not plain text: read it with the html kind"
    ]


def test_utf16_html_is_refused_too(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_bytes(codecs.BOM_UTF16_LE + PAGE.encode("utf-16-le"))
    result = run_cli(["run", f"text:{page}"])
    assert result.articles == []
    assert "an HTML document, not plain text" in result.stderr


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("page.html", PAGE.encode()),
        ("page.htm", b"Plain words in a file named .htm\n"),
        ("page.txt", PAGE.encode()),
        ("page.txt", codecs.BOM_UTF16_LE + PAGE.encode("utf-16-le")),
        ("-", PAGE.encode()),
        ("-", codecs.BOM_UTF16_LE + PAGE.encode("utf-16-le")),
        ("-", b"  <!-- comment -->\n<html></html>"),
    ],
)
def test_html_is_never_claimed_as_text(name: str, data: bytes) -> None:
    assert ingest_detect_kind(name, data) is None


def test_text_that_mentions_tags_is_still_claimed() -> None:
    for text in PROSE_WITH_TAGS[:2]:
        assert ingest_detect_kind("notes.txt", text.encode()) == "text"
        assert ingest_detect_kind("-", text.encode()) == "text"


def test_embedded_tweets_page_stays_with_the_tweets_plugin() -> None:
    path = SAMPLES / "posts" / "embedded-tweets.html"
    assert ingest_detect_kind(str(path), read_head(path)) is None
    result = run_cli(["run", str(path)])
    assert result.exit_code == 0, result.stderr
    assert result.articles
    assert {a["source"]["kind"] for a in result.articles} == {"tweets"}


# -- text.encoding names a text encoding (issue 10) --------------------------------------


@pytest.mark.parametrize(
    "name", ["hex", "base64", "rot13", "zlib", "undefined", "utf-7", "klingon"]
)
def test_a_codec_that_is_not_a_text_encoding_is_a_usage_error(tmp_path: Path, name: str) -> None:
    path = tmp_path / "note.txt"
    path.write_bytes(b"+2AA- 48656c6c6f\n")
    result = run_cli(["run", "--set", f"text.encoding={name}", str(path)])
    assert result.exit_code == 4
    assert result.articles == []
    (line,) = result.error_lines
    assert line == (
        "error: setting text.encoding: expected a text encoding such as utf-8 or cp1252,"
        f" got '{name}'"
    )


def test_a_text_encoding_setting_still_decodes(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_bytes("Ωmega rises.\n".encode("cp1253"))
    result = run_cli(["run", "--set", "text.encoding=Windows-1253", str(path)])
    assert result.exit_code == 0, result.stderr
    (article,) = result.articles
    assert article["text"] == "Ωmega rises."
    assert article["provenance"]["encoding"] == "cp1253"


_SURROGATE = re.compile("[\ud800-\udfff]")


@pytest.mark.parametrize(
    "data",
    [
        b"caf\xed\xa0\x80 au lait\n",  # a surrogate encoded as UTF-8, which strict UTF-8 refuses
        b"\xff\xfe\x00\xd8a\x00\n\x00",  # UTF-16 with a lone high surrogate
        b"\xff\xfe\x00\x00\x00\xd8\x00\x00",  # UTF-32 with one
        b"caf\\ud800 au lait\n",  # an escape, as text
    ],
)
def test_text_never_has_a_lone_surrogate(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "note.txt"
    path.write_bytes(data)
    result = run_cli(["run", str(path)])
    for article in result.articles:
        assert not _SURROGATE.search(article["text"])
    assert "lone surrogate" not in result.stderr
