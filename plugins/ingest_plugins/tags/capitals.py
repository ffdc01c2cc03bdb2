"""Where names can be: the stretches of a text around its capitalized words, as tokens.

Reading every token of a text in Python costs about a microsecond a token, and a news text
has thousands of them while names are a few dozen. :func:`name_windows` finds the runs of
capitalized words (and the particles between them: "Ursula von der Leyen") with one regular
expression, which runs in C, and tokenizes only the stretches around them, with enough
tokens before each for the word or title that precedes a name.

The tokens of a stretch are exactly those of the whole text at the same place, because a
stretch starts where tokenizing cannot disagree: at the start of the text, at a white space
(no token holds one; a newline is a token of its own), or where a stretch of word
characters starts. A caller that treats tokens one by one gets the same result from the
windows as from every token of the text, provided that only capitalized tokens (or
particles followed by one) matter to it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from functools import cache
from pathlib import Path

from ingest_plugins.tags.people import PARTICLES, TITLE_ABBREVIATIONS

#: A token: a title's abbreviation or an initial with its period ("Dr.", "U.S.", the "M." of
#: "M. K. Stalin"), a word, a punctuation mark, or a newline.
TOKEN = re.compile(
    rf"(?:{'|'.join(TITLE_ABBREVIATIONS)}|(?:[^\W\d_]\.)*[^\W\d_])\.(?= )"
    r"|[^\W_](?:[\w’'.-]*[^\W_])?|[^\w\s]|\n"
)
_PLANE1 = "\U00010000-\U0010ffff"
_SAVED = Path(__file__).with_name("data") / "uppercase.json"
_JOINERS = "’'.-_"  # inside a word, or tokens (or skipped) before one

Token = tuple[int, str]


@cache
def _uppercase() -> tuple[str, str]:
    """Bodies of regex classes: the uppercase letters, and the uppercase non-letters ("Ⓐ",
    a token of its own), of Unicode's plane 0; the first with all of plane 1. A class of
    plane 0 is a bitmap to the regex engine, while the few capitals of plane 1 would make
    it a list of hundreds of ranges to try at each character. A run that takes a character
    of plane 1 that is no capital takes a token that is no name, which those who read its
    tokens leave out; one that starts with such a character is dropped.

    Read from ``data/uppercase.json`` when it was made for the Unicode version of this
    Python (a tenth of a millisecond); else found by asking every character of plane 0
    (tens of milliseconds, and more on a busy machine)."""
    try:
        saved = json.loads(_SAVED.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        saved = {}
    if saved.get("unicode") == unicodedata.unidata_version:
        letters, symbols = saved["letters"], saved["symbols"]
    else:
        letters, symbols = uppercase_classes()
    return letters + _PLANE1, symbols


def uppercase_classes() -> tuple[str, str]:
    """The uppercase letters and the uppercase non-letters of plane 0, as regex class
    bodies, from this Python's Unicode database."""
    upper = "".join(filter(str.isupper, map(chr, range(0x10000))))
    letters = [ord(char) for char in upper if char.isalnum()]
    symbols = [ord(char) for char in upper if not char.isalnum()]
    return _ranges(letters), _ranges(symbols)


def save_uppercase() -> Path:
    """Write ``data/uppercase.json`` for this Python's Unicode version; return its path."""
    letters, symbols = uppercase_classes()
    content = {"unicode": unicodedata.unidata_version, "letters": letters, "symbols": symbols}
    _SAVED.write_text(json.dumps(content, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    return _SAVED


def _ranges(codes: list[int]) -> str:
    """Sorted code points as the body of a regex character class, in ranges."""
    spans: list[list[int]] = []
    for code in codes:
        if spans and spans[-1][1] == code - 1:
            spans[-1][1] = code
        else:
            spans.append([code, code])
    return "".join(
        re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}"
        for lo, hi in spans
    )


@cache
def _runs() -> re.Pattern[str]:
    """Runs of tokens that start with a capital, joined by particles. The first character
    is matched by a class, so that the regex engine skips to the next capital in C."""
    letters, symbols = _uppercase()
    gap = r"(?:[^\S\n]|_)*"  # what tokenizing skips between two tokens
    particle = rf"(?:{'|'.join(sorted(PARTICLES))})(?![\w’'.-]*[^\W_])"  # the whole word
    tail = r"(?:[\w’'.-]*[^\W_])?\.?"
    # A symbol is a token of its own; a letter starts one unless a letter or digit is just
    # before it (the other word characters before it are checked by _starts).
    first = rf"[{letters}{symbols}](?:(?<=\W)|(?<![^\W_].){tail})"
    word = rf"(?:[{letters}]{tail}|[{symbols}])"
    return re.compile(rf"{first}(?:{gap}(?:{word}|{particle}))*")


def _starts(text: str, at: int) -> bool:
    """Whether the character at ``at`` is uppercase and starts a token: no letter or digit
    before the apostrophes, periods, hyphens and underscores just before it ("-Kirby", not
    "a-Kirby")."""
    char = text[at]
    if char > "\uffff" and not char.isupper():
        return False
    if not char.isalnum():
        return True  # a symbol ("Ⓐ") is a token of its own
    while at > 0 and text[at - 1] in _JOINERS:
        at -= 1
    return at == 0 or not text[at - 1].isalnum()


class Stretch:
    """The tokens of a run of capitalized words, ``group`` at ``start`` (and the particles
    just before it: "de" of "de Gaulle"); on demand the words of the tokens before it, read
    back from the nearest spaces, and of the token after it."""

    def __init__(self, text: str, start: int, group: str) -> None:
        self.text, self.end = text, start + len(group)
        self._from = start  # where the words before start: a token's start, 0 or after a space
        self._before: list[str] = []
        self._after: str | None = ""  # "": not read yet; None: the text ends
        particles = 0
        while True:
            self._more(particles + 1)
            if particles == len(self._before) or self._before[-1 - particles] not in PARTICLES:
                break
            particles += 1
        # Their positions are unknown: a particle ends no name, and is kept only before one.
        self.tokens: list[Token] = [(-1, word) for word in self._before[-particles:] if particles]
        del self._before[len(self._before) - particles :]
        words = group.split(" ")
        if all(map(str.isalpha, words)):  # words of letters between spaces: one token each
            for word in words:
                self.tokens.append((start, word))
                start += len(word) + 1
        else:
            for match in TOKEN.finditer(text, start):  # not ended at self.end: "U.S." looks on
                if match.start() >= self.end:
                    break
                self.tokens.append((match.start(), match.group()))

    def word(self, index: int) -> str | None:
        """The word of token ``index``: negative indexes are the tokens before the stretch,
        ``len(tokens)`` the one after it; None beyond the text."""
        if 0 <= index < len(self.tokens):
            return self.tokens[index][1]
        if index < 0:
            self._more(-index)
            return self._before[index] if -index <= len(self._before) else None
        if self._after == "":
            after = TOKEN.search(self.text, self.end)
            self._after = after.group() if after else None
        return self._after

    def words(self, lo: int, hi: int) -> list[str]:
        """The words of tokens ``lo`` to ``hi`` (exclusive), those beyond the text left out."""
        found = [self.word(index) for index in range(lo, hi)]
        return [word for word in found if word is not None]

    def _more(self, count: int) -> None:
        """Read back until ``count`` words are known before the stretch, or all of them.
        Tokens never hold a white space, so tokenizing from one agrees with tokenizing the
        whole text; most words are letters between spaces, and most marks one token."""
        text, before = self.text, self._before
        while len(before) < count and self._from > 0:
            at = self._from
            char = text[at - 1]
            if char == " ":
                self._from = at - 1
            elif char == "\n" or not (char.isalnum() or char.isspace() or char in _JOINERS):
                before.insert(0, char)
                self._from = at - 1
            else:
                start = text.rfind(" ", 0, at) + 1
                if text[start:at].isalpha():
                    before.insert(0, text[start:at])
                else:  # "Dr." is a token only with the space after it in sight
                    before[:0] = TOKEN.findall(text, start, at + (text[at : at + 1] == " "))
                self._from = start


def capital_runs(
    text: str, quiet: Callable[[str], bool], start: int = 0, end: int | None = None
) -> list[tuple[int, int, str]]:
    """Where each run of capitalized words of ``text`` (that starts in ``start:end``)
    starts and ends, and its text, in order; a run that is one word (letters only) for
    which ``quiet`` is true is left out. :class:`Stretch` reads the tokens of one. No run
    holds a newline: the runs of a line are those of the text there.

    The runs are found in C; a run ends with the first token that neither starts with a
    capital nor is a particle, and starts after one (or at the start of the text)."""
    runs, found, end = _runs(), [], len(text) if end is None else end
    match = runs.search(text, start)
    while match and match.start() < end:
        at = match.start()
        # The regex saw to it that no letter or digit is just before: the common case.
        plain = at > 0 and text[at - 1] not in _JOINERS and text[at] <= "\uffff"
        if not plain and not _starts(text, at):
            match = runs.search(text, at + 1)
            continue
        group = match.group()
        if not (group.isalpha() and quiet(group)):  # letters only: one word
            found.append((at, match.end(), group))
        match = runs.search(text, match.end())
    return found


if __name__ == "__main__":
    print(f"wrote {save_uppercase()}")
