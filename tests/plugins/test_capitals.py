"""The runs of capitalized words and their tokens (``capitals``): what the quotes plugin
reads instead of every token of a text, so they must be exactly the whole text's tokens."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest_plugins.tags import capitals
from ingest_plugins.tags.capitals import TOKEN, Stretch, capital_runs

# Pieces that stress the token rules: particles, initials and abbreviated titles (a token
# with their period only before a space), possessives, joiners and underscores (skipped
# between tokens), symbols that are capitals, and capitals outside plane 0.
PIECES = [
    "Kirby", "John", "de", "la", "von", "der", "Gaulle", "Dr.", "Dr", "Sen.", "U.S.", "M.",
    "K.", "Russia’s", "Kirby’", "-Kirby", "a-Kirby", "x_Kirby", "_", "__", "Ⓐ", "xⒶ", "iPhone",
    "5-Kirby", "Smith.Jones", "É", "Élysée", "ǅ", "𝐀bc", "😀", "🅐", "said", "the", "The", ",",
    ".", ":", "(", "“", "”", "\n", "\n\n", "\u00a0", "\t", "İstanbul", "2024",
]  # fmt: skip
TEXTS = st.lists(
    st.tuples(st.sampled_from(PIECES), st.sampled_from([" ", " ", "", "\n", "  ", "_", ", "])),
    max_size=30,
).map(lambda parts: "".join(piece + gap for piece, gap in parts))


def _never(word: str) -> bool:
    return False


def groups(text: str) -> list[str]:
    return [group for _, _, group in capital_runs(text, _never)]


def test_a_run_joins_capitalized_words_and_the_particles_between_them() -> None:
    text = "Yesterday Ursula von der Leyen met the mayor, Ana Lindqvist, in de Gaulle Square."
    assert groups(text) == ["Yesterday Ursula von der Leyen", "Ana Lindqvist", "Gaulle Square."]


def test_a_particle_before_a_run_is_its_first_token_and_the_words_before_are_read_back() -> None:
    text = "the mayor, Ana Lindqvist, in de Gaulle Square."
    start, _, group = capital_runs(text, _never)[-1]
    stretch = Stretch(text, start, group)
    at = text.index("Gaulle")
    assert stretch.tokens == [(-1, "de"), (at, "Gaulle"), (at + 7, "Square"), (at + 13, ".")]
    assert [stretch.word(-1), stretch.word(-2), stretch.word(-3)] == ["in", ",", "Lindqvist"]
    assert stretch.word(len(stretch.tokens)) is None  # the text ends


def test_a_capital_starts_a_run_only_where_it_starts_a_token() -> None:
    assert groups("iPhone a-Kirby 5-Kirby x_Kirby") == []
    assert groups("(-Smith) xⒶ Jones") == ["Smith", "Ⓐ Jones"]


def test_an_abbreviated_title_keeps_its_period_before_a_space() -> None:
    text = "said Dr. Kirby, U.S. envoy"
    start, _, group = capital_runs(text, _never)[0]
    stretch = Stretch(text, start, group)
    assert stretch.tokens == [(5, "Dr."), (9, "Kirby")]
    assert (stretch.word(-1), stretch.word(2)) == ("said", ",")


def test_a_quiet_word_alone_is_left_out() -> None:
    def quiet(word: str) -> bool:
        return word == "The"

    text = "The cat saw Kirby, then The Times"
    assert [group for _, _, group in capital_runs(text, quiet)] == ["Kirby", "The Times"]


@settings(max_examples=300)
@given(TEXTS)
def test_the_tokens_of_each_run_are_those_of_the_whole_text(text: str) -> None:
    whole = [(match.start(), match.group()) for match in TOKEN.finditer(text)]
    for start, end, group in capital_runs(text, _never):
        assert text[start:end] == group
        stretch = Stretch(text, start, group)
        particles = [word for at, word in stretch.tokens if at < 0]
        own = [token for token in stretch.tokens if token[0] >= 0]
        first = next(n for n, (at, _) in enumerate(whole) if at >= start)
        after = next((n for n, (at, _) in enumerate(whole) if at >= end), len(whole))
        assert own == whole[first:after]
        lead = first - len(particles)
        assert particles == [word for _, word in whole[lead:first]]
        for back in range(1, 7):
            expected = whole[lead - back][1] if lead - back >= 0 else None
            assert stretch.word(-back) == expected
        assert stretch.word(len(stretch.tokens)) == (
            whole[after][1] if after < len(whole) else None
        )


def test_the_saved_uppercase_classes_are_those_of_this_pythons_unicode() -> None:
    # The table is read instead of asking every character of plane 0 at first use; a table
    # made for another Unicode version is not read.
    saved = json.loads((Path(capitals.__file__).parent / "data" / "uppercase.json").read_text())
    assert saved["unicode"] == unicodedata.unidata_version
    letters, symbols = capitals.uppercase_classes()
    assert (saved["letters"], saved["symbols"]) == (letters, symbols)
    assert capitals._uppercase() == (letters + capitals._PLANE1, symbols)
    upper = re.compile(f"[{letters}]")
    assert all(bool(upper.fullmatch(c)) == (c.isupper() and c.isalnum()) for c in "AÉǅΣЖaé1Ⓐ")
