from __future__ import annotations

from pathlib import Path

from ingest.schema import article_errors
from ingest.testing import run_cli
from plugins.text import parse_text
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
