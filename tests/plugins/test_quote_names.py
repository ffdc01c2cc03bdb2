"""The names a text mentions, as the quotes plugin asks for them (``quote_names``): read
only where a question needs them, with the answers that reading all of them gives."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest_plugins.tags.quote_names import Names

TEXT = (
    "Chinese President Xi Jinping met Ukrainian President Volodymyr Zelenskyy in Kyiv.\n\n"
    "Xi said the talks went well. Later the Chinese president left.\n\n"
    "John Kirby, a spokesman, said nothing. Kirby added more."
)


def test_a_name_is_its_fullest_form_and_a_title_makes_it_a_person() -> None:
    names = Names(TEXT)
    at = TEXT.index("Xi said")
    assert names.lookup("Xi", at) == ("Xi Jinping", True)
    assert names.lookup("Kyiv", at) == ("Kyiv", False)
    assert names.lookup("Kirby", len(TEXT)) == ("John Kirby", False)  # no title before it


def test_a_role_names_its_last_holder() -> None:
    names = Names(TEXT)
    assert names.holder("president", ["Chinese"], TEXT.index("Later")) == "Xi Jinping"
    assert names.holder("president", ["Ukrainian"], len(TEXT)) == "Volodymyr Zelenskyy"
    assert names.holder("spokesman", [], len(TEXT)) is None
    assert names.holder("president", ["Chinese"], 0) is None  # not held yet


def test_the_names_of_a_stretch_and_the_only_person_in_it() -> None:
    names = Names(TEXT)
    first = TEXT.index("\n")
    assert names.mentions(0, first) == [
        (18, "Xi Jinping"),
        (53, "Volodymyr Zelenskyy"),
        (76, "Kyiv"),
    ]
    assert names.mentions(-100, 10) == []  # before the text's start
    assert names.only(0, first) is None  # two persons
    assert names.only(TEXT.index("Xi said"), TEXT.index("Later")) == "Xi Jinping"


def test_a_name_in_a_title_case_line_is_not_read() -> None:
    text = "Newsom Tells World Leaders About Climate\n\nGavin Newsom said more."
    names = Names(text)
    assert names.mentions(0, len(text)) == [(text.index("Gavin"), "Gavin Newsom")]
    assert names.lookup("Tells", len(text)) == ("Tells", False)


def test_what_is_read_first_changes_no_answer() -> None:
    # The late "Ana Lindqvist" is read first (for a stretch of text there); her name and her
    # role still date from her first mention, before "Erik Lindqvist".
    filler = "It rained. " * 10
    text = (
        f"President Ana Lindqvist spoke first. {filler}President Erik Lindqvist spoke next. "
        f"{filler}President Ana Lindqvist spoke last."
    )
    early, late = text.index("spoke first"), text.rindex("President")
    names = Names(text)
    assert names.mentions(late, len(text)) == [(late + 10, "Ana Lindqvist")]
    assert names.lookup("Lindqvist", early) == ("Ana Lindqvist", True)
    assert names.holder("president", [], early) == "Ana Lindqvist"
    assert names.holder("president", [], late - 1) == "Erik Lindqvist"
    # Named before any full name: the one mentioned first, whatever was read first.
    text = f"Lindqvist spoke. {filler}Ana Lindqvist came. {filler}Erik Lindqvist came."
    names = Names(text)
    assert names.mentions(text.index("Erik"), len(text)) == [(text.index("Erik"), "Erik Lindqvist")]
    assert names.lookup("Lindqvist", 0) == ("Ana Lindqvist", False)


PIECES = [
    "President", "the president", "Chinese", "spokesman", "the spokeswoman", "Xi Jinping",
    "Xi", "John Kirby", "Kirby", "Ana Lindqvist", "Lindqvist", "Lula da Silva", "Lula",
    "Secretary of State", "ambassador to France", "France", "said", "he", ",", ".", "\n\n",
    "Newsom Tells World Leaders", "Dr.", "Mr. Kirby’s",
]  # fmt: skip


@settings(max_examples=150)
@given(st.lists(st.sampled_from(PIECES), max_size=40), st.randoms(use_true_random=False))
def test_answers_do_not_depend_on_what_was_asked_before(
    pieces: list[str], rng: random.Random
) -> None:
    text = " ".join(pieces)
    questions: list[tuple[str, tuple[object, ...]]] = []
    for word in {w for w in text.replace(",", " ").split() if w[:1].isupper()}:
        questions.append(("lookup", (word, rng.randrange(len(text) + 1))))
    for role in ("president", "spokesman", "secretary", "ambassador"):
        questions.append(("holder", (role, [], rng.randrange(len(text) + 1))))
    for _ in range(5):
        lo = rng.randrange(-10, len(text) + 1)
        questions.append(("only", (lo, lo + rng.randrange(200))))
        questions.append(("mentions", (lo, lo + rng.randrange(200))))
    shuffled = rng.sample(questions, len(questions))
    first, second = Names(text), Names(text)
    answers = {q: getattr(first, q[0])(*q[1]) for q in map(_key, questions)}
    again = {q: getattr(second, q[0])(*q[1]) for q in map(_key, shuffled)}
    assert answers == again


def _key(question: tuple[str, tuple[object, ...]]) -> tuple[str, tuple[object, ...]]:
    name, args = question
    return name, tuple(tuple(a) if isinstance(a, list) else a for a in args)


def _only_by_definition(
    names: Names, lo: int, hi: int, also: str | None, *, full: bool
) -> str | None:
    """The only person of ``lo:hi``, every name mentioned there looked up first."""
    found = dict(names.lookup(name, pos) for pos, name in names.mentions(lo, hi))
    found |= {also: True} if also else {}
    named = [name for name, person in found.items() if person or (full and " " in name)]
    return named[0] if len(named) == 1 and found[named[0]] else None


@settings(max_examples=150)
@given(
    st.lists(st.sampled_from(PIECES), max_size=40),
    st.randoms(use_true_random=False),
    st.sampled_from([None, "Xi Jinping", "Kirby", "John Kirby"]),
    st.booleans(),
)
def test_the_only_person_is_told_without_looking_up_every_name(
    pieces: list[str], rng: random.Random, also: str | None, full: bool
) -> None:
    # Two long names in the stretch, or one besides ``also``: no one is the only one, and
    # the names after them are not looked up.
    text = " ".join(pieces)
    lo = rng.randrange(-10, len(text) + 1)
    hi = lo + rng.randrange(300)
    expected = _only_by_definition(Names(text), lo, hi, also, full=full)
    assert Names(text).only(lo, hi, also, full=full) == expected
