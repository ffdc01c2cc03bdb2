"""The shared rules about people's names (issue 11, item 6): one list of titles, particles
and speech verbs for the ``entities`` and ``quotes`` plugins, and the name checks."""

from __future__ import annotations

import re

import pytest

from ingest_plugins.tags import entities, keywords, quotes
from ingest_plugins.tags.people import (
    PARTICLES,
    SPEECH_VERBS,
    TITLES,
    any_case,
    group_noun,
    headlines,
    inside,
    is_title,
    speaker_words,
)


@pytest.mark.parametrize(
    ("word", "title"),
    [
        ("President", True),
        ("spokesperson", True),
        ("Secretary-General", True),
        ("Dr.", True),
        ("Sen.", True),  # abbreviated titles with their period
        ("Sen", False),  # "Hun Sen" is a name
        ("Gen", False),  # "Gen Z"
        ("lawyer", True),  # was a title for quotes only
        ("PM", True),  # was a title for entities only
        ("Prime", False),  # a title only before one: "Prime Minister"
        ("Halvorsen", False),
    ],
)
def test_is_title(word: str, title: bool) -> None:
    assert is_title(word) is title


def test_both_plugins_read_the_same_lists() -> None:
    assert vars(keywords)["TITLES"] is TITLES  # one list, imported where it is used
    assert all(quotes._SPEECH.fullmatch(verb) for verb in SPEECH_VERBS)
    assert entities._SPEECH_AFTER.match(" warned")  # was a speech verb for quotes only
    assert {"den", "bint", "della"} <= PARTICLES  # the union of both plugins' particles


@pytest.mark.parametrize(
    ("words", "kept"),
    [
        (["Several", "Iranians"], []),
        (["Protesters"], []),
        (["Someone"], []),
        (["What", "Trump"], ["Trump"]),
        (["Even", "Sheikh", "Hasina"], ["Sheikh", "Hasina"]),
        (["Richard", "Leon", "Thursday"], ["Richard", "Leon"]),
        (["US"], ["US"]),  # an acronym, not the pronoun
        (["United", "States"], ["United", "States"]),  # a plural that names no people
        (["Reuters"], ["Reuters"]),
        (["the", "spokesperson"], ["the", "spokesperson"]),
    ],
)
def test_speaker_words(words: list[str], kept: list[str]) -> None:
    assert speaker_words(words) == kept


def test_group_nouns() -> None:
    assert group_noun("iranians")
    assert group_noun("managers")
    assert group_noun("protesters")
    assert group_noun("hotels")
    assert group_noun("people")
    assert not group_noun("reuters")
    assert not group_noun("waters")


def test_headline_lines() -> None:
    text = "Senators Rebuke Harbour Lawmaker Over Remarks\nThe senators said so on Monday."
    spans = headlines(text)
    assert spans == [(0, text.index("\n"))]
    assert inside(spans, 0)
    assert inside(spans, 10)
    assert not inside(spans, text.index("\n") + 2)
    assert inside([(5, 9), (20, 30)], 20)
    assert not inside([(5, 9), (20, 30)], 9)


def test_any_case_takes_each_letter_as_ignorecase_does() -> None:
    # Every character of planes 0 and 1, where all cased ones are.
    characters = "".join(map(chr, range(0x20000)))
    for letter in "abcdefghijklmnopqrstuvwxyz":
        ours = set(re.findall(any_case(letter), characters))
        assert ours == set(re.findall(letter, characters, re.IGNORECASE)), letter
    assert re.fullmatch(any_case("according to"), "ACCORDİNG To")
    assert not re.fullmatch(any_case("according to"), "according  to")
