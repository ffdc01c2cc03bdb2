from __future__ import annotations

from collections.abc import Callable

from hypothesis import given
from hypothesis import strategies as st

from ingest import Article, Author, Embed, Pipeline, Quote
from ingest_plugins.clean.normalize import normalize_line, normalize_text


def test_nfc_and_invisibles() -> None:
    assert normalize_text("Cafe\u0301\u200b and\u00ad so\ufeff on") == "Café and so on"


def test_spaces_are_collapsed_and_paragraphs_kept() -> None:
    raw = "  secured \u00a0a  surprise\t deal \n\n\n\nSecond\u2003para.\r\nline two  "
    assert normalize_text(raw) == "secured a surprise deal\n\nSecond para.\nline two"


def test_typographic_quotes_and_emoji_sequences_are_kept() -> None:
    text = "“That’s a good thing,” he said. 👩\u200d💻 🇨🇳"
    assert normalize_text(text) == text


def test_control_characters_are_removed() -> None:
    assert normalize_text("bell\x07 and\x1b esc\x85 next") == "bell and esc next"


def test_line_fields_become_single_lines() -> None:
    assert normalize_line("  Two\nlines  ") == "Two lines"
    assert normalize_line(" \u200b ") is None


@given(st.text())
def test_normalize_text_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert "  " not in once
    assert "\n\n\n" not in once


def test_clean_hook_normalizes_every_human_field(
    plugin_manager: object, make_article: Callable[..., Article]
) -> None:
    article = make_article(
        text="a  b",
        title=" Title\u00a0 here ",
        summary="  ",
        authors=[Author(" Jane\u00a0Roe "), Author(" ")],
        embeds=[Embed("tweet", None, Author("Ann  Lee", "ann"), "post  text")],
        quotes=[Quote("said  this", "X"), Quote("   ", None)],
    )
    Pipeline(plugin_manager).clean(article)  # type: ignore[arg-type]
    assert (article.title, article.summary, article.text) == ("Title here", None, "a b")
    assert [a.name for a in article.authors] == ["Jane Roe"]
    assert article.embeds[0].text == "post text"
    assert article.embeds[0].author is not None
    assert article.embeds[0].author.name == "Ann Lee"
    assert [q.text for q in article.quotes] == ["said this"]
    assert article.provenance.clean == ["normalize"]
