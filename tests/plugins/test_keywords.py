"""The words the keywords plugin counts (``keywords``): ASCII text read the quick way gives
the words the general way does."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ingest_plugins.tags.keywords import _SEPARATORS, _words, keywords


def _words_the_general_way(text: str) -> list[bytes]:
    return text.lower().encode("utf-8", "replace").translate(_SEPARATORS).split()


ASCII = st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=300)


@given(ASCII)
def test_ascii_words_are_those_of_the_general_way(text: str) -> None:
    assert _words(text) == _words_the_general_way(text)


def test_typographic_marks_separate_words_in_other_text() -> None:
    assert _words("Ukraine’s “Grain” — Deal…Talks") == [
        b"ukraine", b"s", b"grain", b"deal", b"talks"
    ]  # fmt: skip


def test_ascii_and_non_ascii_texts_rank_alike() -> None:
    text = "Grain exports rose. Grain prices fell; exports grew, and prices held. " * 2
    assert keywords(text) == keywords(text + " café")
    assert [word for word, _ in keywords(text)] == ["grain", "exports", "prices", "rose", "fell"]
