"""What the words of a capitalized run say wherever the run stands, for the ``entities``
plugin: whether a lone word is a place, an organization or never an entity; whether words
can be a person's name; the places and organizations a run of words names.

A text repeats its words and a feed its vocabulary: the checks of a word are remembered
(a bounded cache), and those of a run take their answers in C where a set can give them
("no word of this run is a place or starts the name of one").
"""

from __future__ import annotations

import re
from functools import lru_cache

from ingest_plugins.tags.gazetteer import (
    KNOWN_ORGANIZATIONS,
    MONTH_ABBREVIATIONS,
    NOT_ENTITIES,
    ORG_WORDS,
    first_words,
    places,
)
from ingest_plugins.tags.people import (
    NOT_PERSON_WORDS,
    TITLE_ABBREVIATIONS,
    TITLES,
    never_a_name,
)

#: What a lone capitalized word is, wherever it stands: a place, an organization, never an
#: entity (a weekday, month, pronoun, platform), or a word left over, which may be a known
#: person's surname ("Xi") or, after a royal title, a name of its own ("prince Harry").
PLACE, ORGANIZATION, NOTHING, LEFT = "place", "organization", "nothing", "left"
MAX_NAME_WORDS = 5

#: The tags a run counts (kind and value, in order) and its words that none explains.
Tagged = tuple[list[tuple[str, str]], list[str]]

_POSSESSIVE = re.compile(r"(?:[’']s|[’'])$")
INITIAL = re.compile(r"^(?:[A-Z]\.)+$")
_ROMAN = re.compile(r"^(?:II|III|IV|V|VI|VII|VIII|IX|X|XI|XII|XIII|XIV|XV|XVI)$")
_NOT_PERSON = NOT_PERSON_WORDS | ORG_WORDS
_MEMO = 1 << 14  # words whose checks are remembered: a text repeats its words


@lru_cache(maxsize=_MEMO)
def clean(word: str) -> str:
    """``word`` without the punctuation after it, periods of initials and titles aside
    ("U.S.", "Sen."), and without a possessive ending."""
    if word[:-1] in TITLE_ABBREVIATIONS and word[-1:] == ".":  # "Sen.": a title with it
        return word
    if "." in word and (word.count(".") > 1 or INITIAL.match(word)):  # "U.S.", "M."
        word = word.rstrip(",;:")
    else:
        word = word.rstrip(".,;:")
    return _POSSESSIVE.sub("", word) if "'" in word or "’" in word else word


@lru_cache(maxsize=_MEMO)
def lone_word(group: str) -> tuple[str, str]:
    """A lone capitalized word as found, cleaned, and what it is: :data:`PLACE`,
    :data:`ORGANIZATION`, :data:`NOTHING` or :data:`LEFT`."""
    word = group if group.isalpha() else clean(group)  # most are plain words
    if word in places():
        return word, PLACE
    if word in KNOWN_ORGANIZATIONS:
        return word, ORGANIZATION
    return word, NOTHING if word.lower() in NOT_ENTITIES else LEFT


@lru_cache(maxsize=_MEMO)
def is_name_word(word: str) -> bool:
    """Could be part of a name: capitalized, and not a weekday, demonym, title, acronym,
    function word, plural noun or code-like token."""
    lowered = word.lower()
    if not word[:1].isupper() or lowered in NOT_ENTITIES or lowered in TITLES:
        return False
    return not (word.isupper() and len(word) > 3) and not never_a_name(word)


def person_name(words: list[str], royal: bool) -> list[str] | None:
    """``words`` cut to a plausible person's name, or None: at most five name words, not a
    place, no venue or organizational word, no month abbreviation at the end ("Trump Jan"),
    one word or a regnal number ("Charles III") only after a royal title (``royal``: what
    is a name without one is a name with one too)."""
    name = words[:MAX_NAME_WORDS]
    while name and name[-1].lower() in MONTH_ABBREVIATIONS:
        name = name[:-1]
    if not name or not all(map(is_name_word, name)) or " ".join(name) in places():
        return None
    if any(w.lower() in _NOT_PERSON for w in name):
        return None
    if (len(name) == 1 or _ROMAN.match(name[-1])) and not royal:
        return None
    return name


def named_within(words: list[str]) -> Tagged:
    """The organization a run of words names ("European Central Bank"), or else the
    places and organizations inside it, longest first; and the words none of them holds
    (``words`` itself when none does: the caller keeps it as it is)."""
    # The last word tells most runs from an organization's name.
    organization = org_name(words) if words[-1].lower() in ORG_WORDS else None
    if organization:
        return [("organization", organization)], []
    gazetteer, starts = places(), first_words()
    if (  # most runs: no word of theirs is a name or starts one
        gazetteer.keys().isdisjoint(words)
        and starts.isdisjoint(words)
        and KNOWN_ORGANIZATIONS.keys().isdisjoint(words)
    ):
        return [], words
    tags: list[tuple[str, str]] = []
    rest: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        if word not in starts and word not in gazetteer and word not in KNOWN_ORGANIZATIONS:
            rest.append(word)  # most words: no name starts with them, and none is one
            index += 1
            continue
        longest = min(4, len(words) - index) if word in starts else 1
        for size in range(longest, 0, -1):
            candidate = " ".join(words[index : index + size])
            if candidate in gazetteer and candidate.lower() not in NOT_ENTITIES:
                tags.append(("place", gazetteer[candidate]))
                index += size
                break
            if candidate in KNOWN_ORGANIZATIONS:
                tags.append(("organization", KNOWN_ORGANIZATIONS[candidate]))
                index += size
                break
        else:
            rest.append(words[index])
            index += 1
    return tags, rest


def org_name(words: list[str]) -> str | None:
    """ "European Central Bank", "The Global Times", "Australian Defence Force"."""
    named = words[1:] if words[:1] == ["The"] else words
    if len(named) < 2 or named[-1].lower() not in ORG_WORDS:
        return None
    first = named[0].lower()
    if first in NOT_ENTITIES or first in TITLES or (named[0].isupper() and len(named[0]) > 3):
        return None
    return " ".join(named)


def known_name(name: str) -> tuple[str, str] | None:
    """The tag of an organization or else a place by its name ("White House", "Kiev")."""
    organization = KNOWN_ORGANIZATIONS.get(name)
    if organization:
        return "organization", organization
    place = places().get(name)
    return ("place", place) if place else None
