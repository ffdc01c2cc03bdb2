"""What the words of a capitalized run say wherever it stands (``entity_words``)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest_plugins.tags.entity_words import (
    LEFT,
    NOTHING,
    ORGANIZATION,
    PLACE,
    clean,
    known_name,
    lone_word,
    named_within,
    org_name,
    person_name,
)


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        ("Kyiv", ("Kyiv", PLACE)),
        ("Kiev.", ("Kiev", PLACE)),
        ("NATO", ("NATO", ORGANIZATION)),
        ("Thursday", ("Thursday", NOTHING)),
        ("The", ("The", NOTHING)),
        ("Kirby’s", ("Kirby", LEFT)),
        ("U.S.", ("U.S.", PLACE)),
        ("Sen.", ("Sen.", LEFT)),
    ],
)
def test_a_lone_word_is_cleaned_and_told_what_it_is(group: str, expected: tuple[str, str]) -> None:
    assert lone_word(group) == expected


def test_cleaning_keeps_the_periods_of_initials_and_titles() -> None:
    assert [clean(w) for w in ("U.S.", "M.", "Dr.", "Paris.", "Kirby’s", "Jones'")] == [
        "U.S.", "M.", "Dr.", "Paris", "Kirby", "Jones"
    ]  # fmt: skip


def test_an_organization_is_known_before_a_place_of_the_same_name() -> None:
    assert known_name("Congress") == ("organization", "Congress")
    assert known_name("Kiev") == ("place", "Kyiv")
    assert known_name("Giant Bombcast") is None


def test_the_names_within_a_run() -> None:
    assert named_within(["European", "Central", "Bank"]) == (
        [("organization", "European Central Bank")],
        [],
    )
    assert named_within(["Paris", "Police", "Met", "New", "York", "Officials"]) == (
        [("place", "Paris"), ("place", "New York")],
        ["Police", "Met", "Officials"],
    )
    words = ["Giant", "Bombcast"]
    tags, rest = named_within(words)
    assert tags == []
    assert rest is words  # nothing named: the run's own words are left


@pytest.mark.parametrize(
    "words", [["The", "Times"], ["Times"], ["The", "Global", "Times"], ["Several", "Banks"]]
)
def test_the_last_word_tells_an_organization_as_org_name_does(words: list[str]) -> None:
    tags, _ = named_within(words)
    expected = org_name(words)
    assert (tags[:1] == [("organization", expected)]) == (expected is not None)


NAME_WORDS = st.lists(
    st.sampled_from(
        ["Ana", "Lindqvist", "Charles", "III", "Harry", "Jan", "Paris", "Hotel", "President",
         "Several", "NASA", "McDonald", "Iranians", "de", "X"]
    ),
    min_size=1,
    max_size=6,
)  # fmt: skip


@given(NAME_WORDS)
def test_a_royal_title_only_makes_more_words_a_name(words: list[str]) -> None:
    plain = person_name(words, royal=False)
    if plain is not None:
        assert person_name(words, royal=True) == plain
