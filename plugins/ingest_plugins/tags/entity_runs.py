"""The capitalized runs of a text, as the ``entities`` plugin classifies them.

One regular expression finds every run of capitalized words (particles allowed inside:
"Ursula von der Leyen"); a run is cut where a sentence ends inside it and after a
possessive ("Tom’s Hardware"). A news text has a few lone capitalized words for every run
of several, most of them sentence starts: they are only counted here, each looked at once
however often the text repeats it (:func:`~ingest_plugins.tags.entity_words.lone_word`).
The one thing about a lone word that depends on where it stands is whether a royal title
is right before it ("prince Harry", "the king, Charles"): the few characters before it
settle that for most words, and the title rules read the words before the rest.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from ingest_plugins.tags.entity_words import INITIAL, LEFT, clean, lone_word
from ingest_plugins.tags.gazetteer import NOT_ENTITIES
from ingest_plugins.tags.people import (
    PARTICLES,
    ROYAL_TITLES,
    TITLE_ABBREVIATIONS,
    TitleCaseLines,
    is_title,
)

_PARTICLES = rf"(?:(?:{'|'.join(sorted(PARTICLES))})\s+){{0,2}}"
_WORD = r"[A-Z][\w’'.-]*"
# A run of capitalized words (particles allowed inside names: "Ursula von der Leyen"). It
# starts a token: not inside "bgColor-themeDark" or ".ms-Fabric" (CSS leaking from markup).
# The capital comes first and the look-behind over it: the regex engine then skips from
# capital to capital in C. Its group holds the words after the first, if any.
SEQUENCE = re.compile(rf"[A-Z](?<![\w.#@&/:-].)[\w’'.-]*((?:[ \u00a0]+{_PARTICLES}{_WORD})+)?")
_POSSESSIVE_ENDS = ("’s", "'s", "’", "'")  # a possessive, which ends a run
_TITLE_ABBREVIATIONS = frozenset(f"{title.lower()}." for title in TITLE_ABBREVIATIONS)
#: The last four letters of each royal title: a word before a name that ends otherwise is
#: none of them.
_ROYAL_ENDINGS = frozenset(title[-4:] for title in ROYAL_TITLES)
# What ends a word that title_before() takes for the end of a sentence, not a title.
_SENTENCE_ENDS = frozenset('.!?;:”"')
#: Characters of context kept on either side of a run.
CONTEXT = 40


#: A capitalized run to classify: :data:`CONTEXT` characters before and after it, its words,
#: and where the run it was cut from starts in the text (-1: not in the text).
Run = tuple[str, str, list[str], int]


@dataclass(slots=True)
class Scan:
    """What :func:`scan` found in a text: the runs to classify, in order; the other lone
    capitalized words, as found, with how often each occurs (in the order of their first
    occurrence); the text's title-case lines."""

    runs: list[Run] = field(default_factory=list)
    lone: Counter[str] = field(default_factory=Counter)
    lines: TitleCaseLines = field(default_factory=TitleCaseLines)


def title_before(before: str) -> bool:
    """Whether the word right before a name is a title ("spokesperson", "Dr.") and not the
    end of the previous sentence ("… the new director. Police said")."""
    stripped = before.rstrip()
    if not stripped or "\n" in before[len(stripped) :]:  # a headline's last word
        return False
    last = stripped.rsplit(None, 1)[-1]
    if (
        last.endswith((".", "!", "?", ";", ":", "”", '"'))
        and last.lower() not in _TITLE_ABBREVIATIONS
    ):
        return False
    return is_title(last)


def royal_before(words: list[str], before: str) -> bool:
    """Whether the last title among ``words``, or else the word before them, is a royal
    one: "Prince Harry", "the late queen, Elizabeth"."""
    titles = [w for w in words if is_title(w)]
    last = titles[-1] if titles else (before.rsplit(None, 1) or [""])[-1]
    return last.lower().strip(",.;:") in ROYAL_TITLES


def _after_royal_title(text: str, start: int) -> bool:
    """Whether the word before ``start`` is a royal title and a title, as
    :func:`royal_before` and :func:`title_before` read the :data:`CONTEXT` before. Most
    words are settled by a character or five: a line break ends the words before a name;
    after one space, a word that ends a sentence is no title, and a word that ends in a
    letter is no royal title unless its last four letters end one."""
    if text[start - 1 : start] == "\n":
        return False
    if start > 4 and text[start - 1] == " ":
        last = text[start - 2]
        if last.isalpha():
            if text[start - 5 : start - 1].lower() not in _ROYAL_ENDINGS:
                return False
        elif last in _SENTENCE_ENDS:
            return False
    before = text[max(0, start - CONTEXT) : start]
    return royal_before([], before) and title_before(before)


def _cleaned(words: list[str]) -> list[str]:
    return [word if word.isalpha() else clean(word) for word in words]  # most are plain


def _pieces(group: str, before: str, after: str, start: int) -> list[Run]:
    """The runs of a capitalized run of several words with a period or an apostrophe, cut
    after a sentence's end or a possessive."""
    words = group.split()
    cuts = list(map(_cut, words))
    if not any(cuts):
        return [(before, after, _cleaned(words), start)]
    runs: list[Run] = []
    piece: list[str] = []
    for word, cut in zip(words, cuts, strict=True):
        piece.append(word)
        if cut:
            runs.append((before, cut, _cleaned(piece), start))
            piece, before = [], ""
    if piece:
        runs.append((before, after, _cleaned(piece), start))
    return runs


@lru_cache(maxsize=1 << 12)
def _cut(word: str) -> str:
    """What follows a word that ends a piece of a run, as the piece's context after: ". "
    after a sentence's end, "’s " after a possessive; "" after another word."""
    if (
        word.endswith(".")
        and word.count(".") == 1
        and not INITIAL.match(word)
        and word[:-1] not in TITLE_ABBREVIATIONS
    ):
        return ". "
    return "’s " if word.endswith(_POSSESSIVE_ENDS) else ""


def scan(text: str) -> Scan:
    """The capitalized runs of ``text`` to classify, split where a sentence ends and after a
    possessive, and its lone capitalized words (see :func:`lone_word`), but for those that
    a royal title before makes a run of their own."""
    runs: list[Run] = []
    lone: list[str] = []
    for match in SEQUENCE.finditer(text):
        group = match.group()
        if match.lastindex:  # several words
            start, end = match.span()
            before, after = text[max(0, start - CONTEXT) : start], text[end : end + CONTEXT]
            if "." in group or "’" in group or "'" in group:
                runs += _pieces(group, before, after, start)
            else:  # most: nothing to cut, nothing to clean
                runs.append((before, after, group.split(), start))
        elif lone_word(group)[1] == LEFT and _after_royal_title(text, match.start()):
            start, end = match.span()
            before, after = text[max(0, start - CONTEXT) : start], text[end : end + CONTEXT]
            runs.append((before, after, [lone_word(group)[0]], start))
        else:
            lone.append(group)
    return Scan(runs, Counter(lone), TitleCaseLines(text, NOT_ENTITIES))
