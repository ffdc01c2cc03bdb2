"""People, places and organizations as tags (``person``, ``place``, ``organization``), with
how often each is mentioned, however it is written.

Offline and model-free: places come from gazetteers (see :mod:`plugins.gazetteer`); people
from rules (a title or role before a name, a speech verb after or before it); organizations
from a short list and from names ending in an organizational word ("... Bank", "... Times").
A later surname-only mention ("Xi", "Kirby", "Zelensky" for "Zelenskyy") counts for the
person named in full earlier. Nationality adjectives, weekdays, months and platform names
are never entities. Precision comes before recall: a name no rule supports is left out.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ingest import Article, Tag, hookimpl
from plugins.gazetteer import DEMONYMS, KNOWN_ORGANIZATIONS, NOT_ENTITIES, ORG_WORDS, TITLES, places

BY = "entities"
_MAX_TEXT = 100_000
_PARTICLES = r"(?:(?:de|da|dos|van|von|der|den|bin|al|el|la|le|du|di|ibn)\s+){0,2}"
_WORD = r"[A-Z][\w’'.-]*"
# A run of capitalized words (particles allowed inside names: "Ursula von der Leyen").
_SEQUENCE = re.compile(rf"{_WORD}(?:[ \u00a0]+{_PARTICLES}{_WORD})*")
_SPEECH_AFTER = re.compile(
    r"^[ ,]*(?:has |had |also )?"
    r"(?:said|says|told|added|wrote|asked|stated|argued|warned|insisted|noted|explained)\b"
)
_SPEECH_BEFORE = re.compile(r"(?:said|says|according to|told by|added)\s*$")
_POSSESSIVE = re.compile(r"(?:[’']s|[’'])$")
_MAX_NAME_WORDS = 5
# ", the regional governor" after a name.
_APPOSITIVE_TITLE = re.compile(r"^,\s+(?:the\s+)?(?:[\w-]+\s+){0,2}?([\w-]+)\b")
# A sentence ends inside a capitalized run: "… in Marrakesh. Finance Minister …".
_INITIAL = re.compile(r"^(?:[A-Z]\.)+$")
_TITLE_ABBREVIATIONS = frozenset(
    {"dr.", "mr.", "mrs.", "ms.", "prof.", "gen.", "sen.", "gov.", "rep."}
)
_STREET_WORDS = frozenset({"street", "square", "avenue", "road", "lane", "boulevard", "palace"})


@dataclass
class _Found:
    persons: dict[str, str] = field(default_factory=dict)  # full name -> canonical
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)


def _clean(word: str) -> str:
    if "." in word and (word.count(".") > 1 or _INITIAL.match(word)):  # "U.S.", "M."
        word = word.rstrip(",;:")
    else:
        word = word.rstrip(".,;:")
    return _POSSESSIVE.sub("", word) if "'" in word or "’" in word else word


def _title_before(before: str) -> bool:
    """Whether the word right before a name is a title ("spokesperson", "Dr.") and not the
    end of the previous sentence ("… the new director. Police said")."""
    before = before.rstrip()
    if not before:
        return False
    last = before.rsplit(None, 1)[-1]
    if (
        last.endswith((".", "!", "?", ";", ":", "”", '"'))
        and last.lower() not in _TITLE_ABBREVIATIONS
    ):
        return False
    return _is_title(last)


def _is_title(word: str) -> bool:
    """ "President", "spokesperson", "Secretary-General"."""
    lowered = word.lower().strip(",.;:")
    if lowered in TITLES:
        return True
    return "-" in lowered and any(part in TITLES for part in lowered.split("-"))


def _is_name_word(word: str) -> bool:
    """Could be part of a name: capitalized, and not a weekday, demonym, title or acronym."""
    lowered = word.lower()
    if not word[:1].isupper() or lowered in NOT_ENTITIES or lowered in DEMONYMS:
        return False
    return lowered not in TITLES and not (word.isupper() and len(word) > 3)


@hookimpl
def ingest_tag(article: Article) -> list[Tag] | None:
    """People, places and organizations of the title and text, with their counts."""
    text = "\n\n".join(filter(None, (article.title, article.text)))[:_MAX_TEXT]
    if not text:
        return None
    found = find_entities(text)
    return [
        Tag(kind, value, None, BY, count) for (kind, value), count in found.most_common()
    ] or None


def _runs(text: str, found: _Found, singles: list[str]) -> list[tuple[str, str, list[str]]]:
    """Capitalized runs to classify, split where a sentence ends, with 40 characters either
    side. Lone words, most of them sentence starts, are settled here on the cheap: a place,
    an organization, a titled person go on as runs; the rest wait in ``singles``."""
    runs = []
    gazetteer = places()
    for match in _SEQUENCE.finditer(text):
        group, start = match.group(), match.start()
        if " " not in group:
            word = _clean(group)
            if word in gazetteer:
                found.counts["place", gazetteer[word]] += 1
            elif word in KNOWN_ORGANIZATIONS:
                found.counts["organization", KNOWN_ORGANIZATIONS[word]] += 1
            elif word.lower() not in NOT_ENTITIES:
                before = text[max(0, start - 40) : start]
                if _title_before(before):
                    runs.append((before, text[match.end() : match.end() + 40], [word]))
                else:
                    singles.append(word)
            continue
        piece: list[str] = []
        for word in group.split():
            piece.append(word)
            if word.endswith(".") and word.count(".") == 1 and not _INITIAL.match(word):
                runs.append((text[max(0, start - 40) : start], ". ", [_clean(w) for w in piece]))
                piece, start = [], -1
        if piece:
            before = text[max(0, start - 40) : start] if start >= 0 else ""
            runs.append((before, text[match.end() : match.end() + 40], [_clean(w) for w in piece]))
    return runs


def find_entities(text: str) -> Counter[tuple[str, str]]:
    """``Counter({("person", "Xi Jinping"): 7, ("place", "China"): 9, ...})``."""
    found = _Found()
    leftovers: list[str] = []
    for before, after, words in _runs(text, found, leftovers):
        leftovers += _classify(words, before, after, found)
    _resolve_short(leftovers, found)  # surnames, once every full name is known
    return found.counts


def _classify(words: list[str], before: str, after: str, found: _Found) -> list[str]:
    """Record the entities in one capitalized run; return the words left unexplained."""
    words = [w for w in words if w]
    joined = " ".join(words)
    if joined in KNOWN_ORGANIZATIONS:
        found.counts["organization", KNOWN_ORGANIZATIONS[joined]] += 1
        return []
    if joined in places():
        found.counts["place", places()[joined]] += 1
        return []
    titles = [i for i, w in enumerate(words) if _is_title(w)]
    if titles and titles[0] > 0:  # "European Commission President Ursula von der Leyen"
        lead = words[: titles[0]]
        if " ".join(lead) in KNOWN_ORGANIZATIONS or _org_name(lead):
            _classify(lead, before, "", found)
            words = words[titles[0] :]
    name = _titled_name(words, before, after) or _speaker_name(words, before, after, found)
    if name:
        canonical = found.persons.setdefault(" ".join(name), " ".join(name))
        found.counts["person", canonical] += 1
        return []
    organization = _org_name(words)
    if organization:
        found.counts["organization", organization] += 1
        return []
    return _places_within(words, found)


def _org_name(words: list[str]) -> str | None:
    """ "European Central Bank", "The Global Times", "Australian Defence Force"."""
    named = words[1:] if words[:1] == ["The"] else words
    if len(named) < 2 or named[-1].lower() not in ORG_WORDS:
        return None
    first = named[0].lower()
    if first in NOT_ENTITIES or first in TITLES or (named[0].isupper() and len(named[0]) > 3):
        return None
    return " ".join(named)


def _titled_name(words: list[str], before: str, after: str) -> list[str] | None:
    """The name after a title ("Chinese President Xi Jinping", "spokesperson John Kirby",
    "the prime minister, Rishi Sunak") or before one ("Ihor Terekhov, the mayor")."""
    titles = [i for i, w in enumerate(words) if _is_title(w)]
    appositive = _APPOSITIVE_TITLE.match(after)
    if titles:
        name = words[titles[-1] + 1 :]
    elif _title_before(before) or (appositive and _is_title(appositive[1])):
        name = words
    else:
        return None
    name = name[:_MAX_NAME_WORDS]
    if not name or not all(map(_is_name_word, name)) or " ".join(name) in places():
        return None
    if any(w.lower() in ORG_WORDS or w.lower() in _STREET_WORDS for w in name):
        return None
    return name


def _speaker_name(words: list[str], before: str, after: str, found: _Found) -> list[str] | None:
    """A full name right before or after a speech verb: "John Kirby said"."""
    if len(words) < 2 or len(words) > _MAX_NAME_WORDS or not all(map(_is_name_word, words)):
        return None
    if any(w in places() or w.lower() in ORG_WORDS or w.lower() in _STREET_WORDS for w in words):
        return None
    if _SPEECH_AFTER.match(after) or _SPEECH_BEFORE.search(before):
        return words
    return None


def _places_within(words: list[str], found: _Found) -> list[str]:
    """Longest gazetteer matches inside a run; the words no place explains."""
    rest: list[str] = []
    index = 0
    gazetteer = places()
    while index < len(words):
        for size in range(min(4, len(words) - index), 0, -1):
            candidate = " ".join(words[index : index + size])
            if candidate in gazetteer and candidate.lower() not in NOT_ENTITIES:
                found.counts["place", gazetteer[candidate]] += 1
                index += size
                break
            if candidate in KNOWN_ORGANIZATIONS:
                found.counts["organization", KNOWN_ORGANIZATIONS[candidate]] += 1
                index += size
                break
        else:
            rest.append(words[index])
            index += 1
    return rest


def _resolve_short(words: list[str], found: _Found) -> None:
    """Count single words that are the surname (or a spelling of it) of a known person."""
    if not found.persons:
        return
    for word in words:
        person = _person_for(word, found.persons)
        if person:
            found.counts["person", person] += 1


def _person_for(word: str, persons: dict[str, str]) -> str | None:
    if len(word) < 2 or word.lower() in NOT_ENTITIES:
        return None
    for full in persons.values():
        parts = full.split()
        last, first = parts[-1], parts[0]
        if word == last or (len(parts) > 1 and word == first and len(first) <= 3):
            return full
        # Transliterations: "Zelensky" for "Zelenskyy", "Zelenskiy".
        if (
            len(word) >= 6
            and len(last) >= 6
            and word[:6] == last[:6]
            and abs(len(word) - len(last)) <= 2
        ):
            return full
    return None
