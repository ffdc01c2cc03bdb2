"""The names a text mentions, as the ``quotes`` plugin asks for them: the fullest form of a
name, who holds a role, who is named in a stretch of text.

A name is a run of capitalized words (particles inside: "Lula da Silva"), with the title
before or inside it that makes it a person's ("Chinese President Xi Jinping", "spokesperson
John Kirby"); title-case lines (headlines of other stories) hold none.

The runs of capitalized words are found in C (:mod:`ingest_plugins.tags.capitals`), and each
is read only when a question needs it: about a word, the runs that contain it; about a
stretch of text, the runs in it; about a role, all of them. Most texts with quotes ask
nothing (three in four on the feed corpus: no quote there has a speech verb beside it), and
the answers are those that reading every run in order would give. Who is the only person in
a stretch is told as soon as two names there count: the names after them are not looked up.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from ingest_plugins.tags.capitals import Stretch, capital_runs
from ingest_plugins.tags.people import (
    MAX_HEADLINE,
    PARTICLES,
    headlines,
    is_title,
    sentence_word,
)

#: Words that end the phrase naming a speaker: conjunctions, prepositions, pronouns.
BREAKS = frozenset(
    "after before that which who whom when while as because and but or if since although the "
    "though where than so yet in on at during about with from by into over we they it i you".split()
)
#: Words that link a title to what qualifies it: "ambassador to France", "Secretary of State".
LINKS = frozenset({"of", "to", "for"})
_STOPS = BREAKS | LINKS  # stripped from the start of a name
_NEWLINE = re.compile("\n")
_MEMO = 1 << 14  # words whose checks are remembered: a text repeats its words
_POSSESSIVE = ("’s", "'s")


def bare(word: str) -> str:
    """``word`` without a possessive ending: "Kirby’s" is "Kirby"."""
    return word[:-2] if word.endswith(_POSSESSIVE) else word


@lru_cache(maxsize=_MEMO)
def name_word(word: str) -> bool:
    """A word that may be part of a name: capitalized and no function word, or a particle."""
    return (word[0].isupper() and not sentence_word(word)) or word in PARTICLES


def role(title: str, quals: list[str] | tuple[str, ...]) -> tuple[str, frozenset[str]]:
    """A title and its qualifiers, comparable: "Chinese" matches "China’s", "spokesman" "-woman"."""
    low = title.lower()
    stems = (bare(word).lower()[:4] for word in quals if word.lower() not in ("the", "his"))
    return ("spokesperson" if low.startswith("spokes") else low), frozenset(stems)


@lru_cache(maxsize=_MEMO)
def _quiet(word: str) -> bool:
    """A capitalized word that alone starts no name: "The", "I", "Several", "President"."""
    return word.lower() in _STOPS or sentence_word(word) or is_title(word)


@dataclass(frozen=True, slots=True)
class _Titled:
    """The title of a name ("" if none), the words that qualify it, and where the name
    starts among the tokens the title was read from."""

    title: str = ""
    quals: tuple[str, ...] = ()
    start: int = 0


_UNTITLED = _Titled()


def _title(stretch: Stretch, i: int, j: int) -> _Titled:
    """The title of the name in tokens ``i:j``: inside the run, or just before it."""
    toks = stretch.tokens
    k = j - i - 1  # the last title inside the run, if any
    while k >= 0 and not is_title(toks[i + k][1]):
        k -= 1
    sep = stretch.word(i - 1) or ""
    apposed = sep == "," and stretch.word(j) == ","
    at = i + k if k >= 0 else i - 2 if apposed or sep in LINKS else i - 1
    title = stretch.word(at)
    if title is None or not is_title(title):
        return _UNTITLED
    quals = stretch.words(at - 3, at)
    quals = quals[max((n + 1 for n, w in enumerate(quals) if not w[0].isalnum()), default=0) :]
    link = k < 0 and sep in LINKS  # "of State" qualifies the title, it is not part of the name
    extra = [word for _, word in toks[i : i + link]]
    return _Titled(title, (*quals, *extra), k + 1 + link)


_RunAt = tuple[int, int, str]  # where a run of capitalized words starts and ends, its text


class Names:
    """The names ``text`` mentions, read as questions need them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.first: dict[str, int] = {}  # names of two words or more, or after a title
        self.index: dict[str, list[str]] = {}  # a word -> the names above that contain it
        self.persons: set[str] = set()  # names introduced by a title
        self.roles: dict[tuple[str, frozenset[str], str], int] = {}
        self._starts: list[int] = []  # where each line starts, once asked
        self._lines: dict[int, tuple[list[_RunAt], bool]] = {}  # by line: runs, title case
        self._read: dict[int, list[tuple[int, str]]] = {}  # by a run's start: its names
        self._known: dict[str, list[str]] = {}  # words whose names are all read: the names

    def _line(self, at: int) -> tuple[int, list[_RunAt], bool]:
        """The line at ``at`` (its index), its runs and whether it is in title case."""
        if not self._starts:
            self._starts = [0, *(m.end() for m in _NEWLINE.finditer(self.text))]
        line = bisect_right(self._starts, at) - 1
        if line not in self._lines:
            start, end = self._starts[line], self._end(line)
            runs = capital_runs(self.text, _quiet, start, end)
            # A line longer than a headline can be is none: not copied to be asked.
            short = end - start <= MAX_HEADLINE
            head = bool(runs) and short and bool(headlines(self.text[start:end]))
            self._lines[line] = runs, head
        return line, *self._lines[line]

    def _end(self, line: int) -> int:
        """Where ``line`` ends: at its newline, or the text's end."""
        return self._starts[line + 1] - 1 if line + 1 < len(self._starts) else len(self.text)

    def _names(self, run: _RunAt, head: bool) -> list[tuple[int, str]]:
        """The names of ``run`` (read once), by position; none in a title-case line."""
        mentions = self._read.get(run[0])
        if mentions is None:
            stretch, i, mentions = Stretch(self.text, run[0], run[2]), 0, []
            while i < len(stretch.tokens):
                i = self._run(stretch, i, head, mentions)
            self._read[run[0]] = mentions
        return mentions

    def _read_lines_with(self, word: str) -> None:
        """Read the runs of each line where ``word`` (ASCII) is, in any case: a title is in
        its name's line (a newline is a token, and ends the words before a name). A title
        whose lower case is ``word`` is found by re.IGNORECASE: only the Kelvin sign is not
        ASCII and lower-cases to ASCII ("k"), and the regex takes it for "k" too."""
        for match in re.finditer(re.escape(word), self.text, re.IGNORECASE):
            self._read_line(match.start())

    def _read_line(self, at: int) -> int:
        """Read the runs of the line at ``at``; return where the next line starts."""
        line, runs, head = self._line(at)
        for run in runs:
            self._names(run, head)
        return self._end(line) + 1

    def _read_all(self) -> None:
        at = 0
        while at <= len(self.text):
            at = self._read_line(at)

    def _run(self, stretch: Stretch, i: int, head: bool, mentions: list[tuple[int, str]]) -> int:
        """Add the name that starts at token ``i``, if one does; return the next index. In a
        title-case line (``head``) no token is part of a name but a particle read before
        the run (its position is not known: -1)."""
        toks, j = stretch.tokens, i
        while j < len(toks) and name_word(toks[j][1]) and not (head and toks[j][0] >= 0):
            j += 1
            if toks[j - 1][1].endswith(_POSSESSIVE):
                break  # a possessive ends a name: "Russia’s foreign ministry"
        while j > i and toks[j - 1][1] in PARTICLES:
            j -= 1  # a particle inside a name ("Lula da Silva"), not at its end
        if j > i:
            self._add(stretch, i, j, mentions)
        return max(j, i + 1)

    def _add(self, stretch: Stretch, i: int, j: int, mentions: list[tuple[int, str]]) -> None:
        toks = stretch.tokens
        titled = _title(stretch, i, j)
        run = [word for _, word in toks[i + titled.start : j]]
        while run and (run[0].lower() in _STOPS or run[0] in PARTICLES):
            run = run[1:]
        if not run:
            return
        name, pos = " ".join(map(bare, run)), toks[j - len(run)][0]
        mentions.append((pos, name))
        # Runs are read in any order: what is kept of a name is its earliest mention.
        if titled.title:
            self.persons.add(name)
            key = (*role(titled.title, titled.quals), name)
            self.roles[key] = min(pos, self.roles.get(key, pos))
        if titled.title or len(run) > 1:
            if name not in self.first:
                for word in set(name.split()):
                    self.index.setdefault(word, []).append(name)
            self.first[name] = min(pos, self.first.get(name, pos))

    def _names_with(self, word: str) -> list[str]:
        """The names that hold ``word``, in the order of their first mention."""
        if word not in self._known:
            if not word:  # in every run
                self._read_all()
            at = self.text.find(word) if word else -1
            while at >= 0:  # a name's words are in the text of its run
                _, runs, head = self._line(at)
                for run in runs:
                    if run[0] <= at and at + len(word) <= run[1]:
                        self._names(run, head)
                at = self.text.find(word, at + 1)
            # Every run that holds the word is read: its names, their first mentions and
            # which are persons are all known, and stay as they are.
            self._known[word] = sorted(self.index.get(word, ()), key=self.first.__getitem__)
        return self._known[word]

    def lookup(self, name: str, pos: int) -> tuple[str, bool]:
        """The fullest form of a name seen in the text, and whether it names a person."""
        found = [n for n in self._names_with(name.partition(" ")[0]) if f" {name} " in f" {n} "]
        pool = [full for full in found if full in self.persons] or found or [name]
        seen = [full for full in pool if self.first.get(full, pos + 1) <= pos]
        best = max(seen, key=self.first.__getitem__) if seen else pool[0]
        fullest = max((full for full in found if f" {best} " in f" {full} "), key=len, default=best)
        return fullest, best in self.persons

    def holder(self, title: str, quals: list[str], pos: int) -> str | None:
        """Who last held a role by ``pos``: "the Chinese president" is "Xi Jinping"."""
        wanted, want = role(title, quals)
        if wanted.isascii():
            self._read_lines_with("spokes" if wanted == "spokesperson" else wanted)
        else:
            self._read_all()
        held = [(at, n) for (r, have, n), at in self.roles.items() if r == wanted and want <= have]
        latest = max((item for item in held if item[0] <= pos), default=None)
        return self.lookup(latest[1], pos)[0] if latest else None

    def mentions(self, lo: int, hi: int) -> list[tuple[int, str]]:
        """The names mentioned in ``lo:hi``, by position."""
        return list(self._mentions(lo, hi))

    def _mentions(self, lo: int, hi: int) -> Iterator[tuple[int, str]]:
        """:meth:`mentions`, each line read when the names before it are told."""
        at = max(lo, 0)  # lo may be before the text's start, hi after its end
        while at < hi and at <= len(self.text):
            line, runs, head = self._line(at)
            for run in runs:
                if run[1] > lo and run[0] < hi:
                    for pos, name in self._names(run, head):
                        if lo <= pos < hi:
                            yield pos, name
            at = self._end(line) + 1

    def only(self, lo: int, hi: int, also: str | None = None, *, full: bool = True) -> str | None:
        """The only person named in ``lo:hi`` or ``also``, if no other person (or long name) is."""
        found: dict[str, bool] = {}
        lasting = {also} if also else set()  # names that count whatever is read after them
        for pos, name in self._mentions(lo, hi):
            fullest, person = self.lookup(name, pos)
            found[fullest] = person
            if full and " " in fullest:  # a long name counts, person or not
                lasting.add(fullest)
                if len(lasting) > 1:
                    return None  # two names count: no one is the only one
        found |= {also: True} if also else {}
        named = [name for name, person in found.items() if person or (full and " " in name)]
        return named[0] if len(named) == 1 and found[named[0]] else None
