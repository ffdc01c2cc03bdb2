"""The capitalized runs of a text as the entities plugin classifies them (``entity_runs``):
cut at sentence ends and possessives, lone words counted, a royal title's name kept apart;
and the same as reading each capitalized word in turn, which the module only does faster."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest_plugins.tags.entity_runs import (
    CONTEXT,
    SEQUENCE,
    _after_royal_title,
    royal_before,
    scan,
    title_before,
)
from ingest_plugins.tags.entity_words import INITIAL, LEFT, clean, lone_word
from ingest_plugins.tags.people import TITLE_ABBREVIATIONS

Run = tuple[str, str, list[str], int]


def test_a_run_is_cut_where_a_sentence_ends_and_after_a_possessive() -> None:
    text = "It met in Marrakesh. Finance Minister Nadia Fettah spoke at Tom’s Hardware Expo"
    runs = [words for _, _, words, _ in scan(text).runs]
    assert runs == [
        ["Marrakesh"], ["Finance", "Minister", "Nadia", "Fettah"], ["Tom"], ["Hardware", "Expo"]
    ]  # fmt: skip


def test_initials_and_abbreviated_titles_end_no_sentence() -> None:
    found = scan("said U.S. envoy Dr. Jane Smith and M. K. Stalin")
    runs = [words for _, _, words, _ in found.runs]
    assert runs == [["Dr.", "Jane", "Smith"], ["M.", "K.", "Stalin"]]
    assert found.lone == Counter({"U.S.": 1})


def test_lone_words_are_counted_and_context_is_kept_around_runs() -> None:
    text = "Paris is big. Paris is old. The mayor of New York said so."
    found = scan(text)
    assert found.lone == Counter({"Paris": 2, "The": 1})
    ((before, after, words, at),) = found.runs
    assert (words, at) == (["New", "York"], text.index("New"))
    assert before == text[: text.index("New")][-CONTEXT:]
    assert after == " said so."


def test_a_name_after_a_royal_title_is_a_run_of_its_own() -> None:
    found = scan("British prince Harry spoke; the king, Charles, did not; Queen Camilla did.")
    runs = [words for _, _, words, _ in found.runs]
    assert runs == [["Harry"], ["Charles"], ["Queen", "Camilla"]]
    assert found.lone == Counter({"British": 1})


def _reference(text: str) -> tuple[list[Run], Counter[str]]:
    """The runs and lone words as found by reading every capitalized word in turn."""
    runs: list[Run] = []
    lone: Counter[str] = Counter()
    for match in SEQUENCE.finditer(text):
        group, (start, end) = match.group(), match.span()
        before = text[max(0, start - CONTEXT) : start]
        after = text[end : end + CONTEXT]
        if " " not in group and "\u00a0" not in group:
            word, kind = lone_word(group)
            if kind == LEFT and royal_before([], before) and title_before(before):
                runs.append((before, after, [word], start))
            else:
                lone[group] += 1
            continue
        piece: list[str] = []
        for word in group.split():
            piece.append(word)
            ends = (
                word.endswith(".")
                and word.count(".") == 1
                and not INITIAL.match(word)
                and word[:-1] not in TITLE_ABBREVIATIONS
            )
            if ends or word.endswith(("’s", "'s", "’", "'")):
                cleaned = [w if w.isalpha() else clean(w) for w in piece]
                runs.append((before, ". " if ends else "’s ", cleaned, start))
                piece, before = [], ""
        if piece:
            runs.append((before, after, [w if w.isalpha() else clean(w) for w in piece], start))
    return runs, lone


PIECES = [
    "King", "king", "Queen", "queen,", "prince", "Prince", "pope:", "Emperor.", "sultan;",
    "emir", "crown-prince", "KING", "\u212aing", "making", "Princess", "empress!", "x" * 45,
    "Harry", "Charles", "III", "Elizabeth", "Trump", "Police", "The", "Xi", "Jan", "Anne",
    "Smith", "Sen.", "Dr.", "U.S.", "M.", "O’Brien", "Tom’s", "Kyiv", "NATO", "Paris.",
    "de", "la", "von", "İstanbul", "said", "the", "a", ".", ",", ";", "“", "(", "-", "2024",
]  # fmt: skip
TEXTS = st.lists(
    st.tuples(
        st.sampled_from(PIECES), st.sampled_from([" ", " ", "  ", "\n", ", ", "\u00a0", "\t", ""])
    ),
    max_size=30,
).map(lambda parts: "".join(piece + gap for piece, gap in parts))


@settings(max_examples=400)
@given(TEXTS)
def test_the_runs_are_those_of_reading_every_word(text: str) -> None:
    found = scan(text)
    assert (found.runs, found.lone) == _reference(text)


@settings(max_examples=400)
@given(TEXTS)
def test_the_quick_look_for_a_royal_title_agrees_with_the_full_one(text: str) -> None:
    for match in SEQUENCE.finditer(text):
        start = match.start()
        before = text[max(0, start - CONTEXT) : start]
        full = royal_before([], before) and title_before(before)
        assert _after_royal_title(text, start) == full, (text, start)
