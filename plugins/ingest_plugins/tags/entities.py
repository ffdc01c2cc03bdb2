"""People, places and organizations as tags (``person``, ``place``, ``organization``), with
how often each is mentioned, however it is written.

Offline and model-free: places come from gazetteers (see
:mod:`ingest_plugins.tags.gazetteer`); people from rules (a title or role before a name, a
speech verb after or before it); organizations from a short list and from names ending in
an organizational word ("... Bank", "... Times").
A surname-only mention ("Xi", "President Trump", "Zelensky" for "Zelenskyy") counts for
the person named in full in the same text, and is not a person otherwise: only monarchs and
popes go by one name ("Prince Harry"). Nationality adjectives, weekdays, months and platform
names are never entities. Precision comes before recall: a name no rule supports is left out.

Real feed text is noisier than news prose (issue 10): a run of capitalized words in a
title-case headline ("Lawmaker Over Anti-Muslim Remarks") is no evidence of a name, so a
person named only in such a line needs the same name in the running text; words that do
not start a token (CSS class names leaking from markup: ``.ms-bgColor-themeDark-hover``),
code-like shapes, plural nouns ("Managers", "Iranians"), function words ("Several", "Over")
and place or venue words ("Hotel", "Supplies") are never part of a person's name.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from ingest import Article, Tag, hookimpl
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
    ORGANIZATION_VERBS,
    PARTICLES,
    ROYAL_TITLES,
    SPEECH_VERBS,
    TITLE_ABBREVIATIONS,
    TITLE_MODIFIERS,
    TITLES,
    TitleCaseLines,
    is_title,
    never_a_name,
    of_the_before,
    speech_verb_before,
)

BY = "entities"
_MAX_TEXT = 100_000
_PARTICLES = rf"(?:(?:{'|'.join(sorted(PARTICLES))})\s+){{0,2}}"
_WORD = r"[A-Z][\w’'.-]*"
# A run of capitalized words (particles allowed inside names: "Ursula von der Leyen"). It
# starts a token: not inside "bgColor-themeDark" or ".ms-Fabric" (CSS leaking from markup).
# The capital comes first and the look-behind over it: the regex engine then skips from
# capital to capital in C.
_SEQUENCE = re.compile(rf"[A-Z](?<![\w.#@&/:-].)[\w’'.-]*(?:[ \u00a0]+{_PARTICLES}{_WORD})*")
_PERSON_VERBS = "|".join(verb for verb in SPEECH_VERBS if verb not in ORGANIZATION_VERBS)
_SPEECH_AFTER = re.compile(rf"^[ ,]*(?:has |had |also )?(?:{_PERSON_VERBS})\b")
_POSSESSIVE = re.compile(r"(?:[’']s|[’'])$")
_POSSESSIVE_ENDS = ("’s", "'s", "’", "'")  # what _POSSESSIVE finds, as str.endswith reads it
_MAX_NAME_WORDS = 5
# ", the regional governor" or ", Mayor of London" after a name; but ", President Subianto"
# starts another name ("Additionally, President Subianto").
_APPOSITIVE = re.compile(r"^,[ \u00a0]+(?:(?:the|a|an)[ \u00a0]+)?([^,.;:()\n]{0,60})")
# A list item: "Kosovo: President Vjosa Osmani\n", a label before, nothing after.
_LABEL = re.compile(r"(?:^|\n)[^\n:]{1,40}:[ \t\u00a0]*$")
_LINE_END = re.compile(r"[ \t\u00a0.,;:!?)\]”’\"']*(?:\n|$)")
# A sentence ends inside a capitalized run: "… in Marrakesh. Finance Minister …".
_INITIAL = re.compile(r"^(?:[A-Z]\.)+$")
_TITLE_ABBREVIATIONS = frozenset(f"{title.lower()}." for title in TITLE_ABBREVIATIONS)
_ROMAN = re.compile(r"^(?:II|III|IV|V|VI|VII|VIII|IX|X|XI|XII|XIII|XIV|XV|XVI)$")
_NOT_PERSON = NOT_PERSON_WORDS | ORG_WORDS
_MEMO = 1 << 12  # words whose checks are remembered: a text repeats its words


@dataclass
class _Found:
    persons: dict[str, str] = field(default_factory=dict)  # full name -> canonical
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    headline_names: list[list[str]] = field(default_factory=list)  # persons to corroborate
    headlines: TitleCaseLines = field(default_factory=TitleCaseLines)  # title-case lines


@dataclass(slots=True)
class _Run:
    """A capitalized run to classify, with 40 characters either side."""

    before: str
    after: str
    words: list[str]
    headline: bool = False


@lru_cache(maxsize=_MEMO)
def _clean(word: str) -> str:
    if word[:-1] in TITLE_ABBREVIATIONS and word[-1:] == ".":  # "Sen.": a title with it
        return word
    if "." in word and (word.count(".") > 1 or _INITIAL.match(word)):  # "U.S.", "M."
        word = word.rstrip(",;:")
    else:
        word = word.rstrip(".,;:")
    return _POSSESSIVE.sub("", word) if "'" in word or "’" in word else word


def _title_before(before: str) -> bool:
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


@lru_cache(maxsize=_MEMO)
def _is_name_word(word: str) -> bool:
    """Could be part of a name: capitalized, and not a weekday, demonym, title, acronym,
    function word, plural noun or code-like token."""
    lowered = word.lower()
    if not word[:1].isupper() or lowered in NOT_ENTITIES or lowered in TITLES:
        return False
    return not (word.isupper() and len(word) > 3) and not never_a_name(word)


def _person_name(words: list[str], royal: bool) -> list[str] | None:
    """``words`` cut to a plausible person's name, or None: at most five name words, not a
    place, no venue or organizational word, no month abbreviation at the end ("Trump Jan"),
    one word or a regnal number ("Charles III") only after a royal title."""
    name = words[:_MAX_NAME_WORDS]
    while name and name[-1].lower() in MONTH_ABBREVIATIONS:
        name = name[:-1]
    if not name or not all(map(_is_name_word, name)) or " ".join(name) in places():
        return None
    if any(w.lower() in _NOT_PERSON for w in name):
        return None
    if (len(name) == 1 or _ROMAN.match(name[-1])) and not royal:
        return None
    return name


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


def _runs(text: str, found: _Found, singles: list[list[str]]) -> list[_Run]:
    """Capitalized runs to classify, split where a sentence ends and after a possessive
    ("Tom’s Hardware"). Lone words, most of them sentence starts, are settled here on the
    cheap: a place, an organization, a titled word go on as runs; the rest wait in
    ``singles``."""
    runs: list[_Run] = []
    gazetteer = places()
    lines = found.headlines = TitleCaseLines(text, NOT_ENTITIES)
    for match in _SEQUENCE.finditer(text):
        group = match.group()
        if " " in group or "\u00a0" in group:
            runs += _pieces(text, match, lines.holds(match.start()))
            continue
        word = group if group.isalpha() else _clean(group)  # most are plain words
        if word in gazetteer:
            found.counts["place", gazetteer[word]] += 1
        elif word in KNOWN_ORGANIZATIONS:
            found.counts["organization", KNOWN_ORGANIZATIONS[word]] += 1
        elif word.lower() not in NOT_ENTITIES:
            start, end = match.span()
            before = text[max(0, start - 40) : start]
            # A lone word after a title is a person only after a royal one ("Prince Harry");
            # after another it is left over, as after no title: the cheap test goes first.
            if _royal_before([], before) and _title_before(before):
                headline = lines.holds(start)
                runs.append(_Run(before, text[end : end + 40], [word], headline))
            else:
                singles.append([word])
    return runs


def _cleaned(words: list[str]) -> list[str]:
    return [word if word.isalpha() else _clean(word) for word in words]  # most are plain


def _pieces(text: str, match: re.Match[str], headline: bool) -> list[_Run]:
    """The runs of a capitalized run of several words, cut after a sentence's end or a
    possessive."""
    runs: list[_Run] = []
    piece: list[str] = []
    start = match.start()
    for word in match.group().split():
        piece.append(word)
        sentence_end = (
            word.endswith(".")
            and word.count(".") == 1
            and not _INITIAL.match(word)
            and word[:-1] not in TITLE_ABBREVIATIONS
        )
        if sentence_end or word.endswith(_POSSESSIVE_ENDS):
            before = text[max(0, start - 40) : start] if start >= 0 else ""
            after = ". " if sentence_end else "’s "
            runs.append(_Run(before, after, _cleaned(piece), headline))
            piece, start = [], -1
    if piece:
        before = text[max(0, start - 40) : start] if start >= 0 else ""
        after = text[match.end() : match.end() + 40]
        runs.append(_Run(before, after, _cleaned(piece), headline))
    return runs


def find_entities(text: str) -> Counter[tuple[str, str]]:
    """``Counter({("person", "Xi Jinping"): 7, ("place", "China"): 9, ...})``."""
    found = _Found()
    leftovers: list[list[str]] = []  # the unexplained words of each run
    for run in _runs(text, found, leftovers):
        leftovers.append(_classify(run, found))
    leftovers += _corroborate(found, text)
    _resolve_short(leftovers, found)  # surnames, once every full name is known
    return found.counts


def _corroborate(found: _Found, text: str) -> list[list[str]]:
    """Count the names found in title-case lines that the text names elsewhere, as a person
    or at least verbatim outside such lines: the longest beginning of the name that it does
    ("Anutin Charnvirakul" of "Anutin Charnvirakul Doesn’t Plan"). Return the lone words."""
    lone: list[list[str]] = []
    for name in found.headline_names:
        if len(name) == 1:
            lone.append(name)
            continue
        for size in range(len(name), 1, -1):
            candidate = " ".join(name[:size])
            if candidate in found.persons or _named_in_prose(candidate, text, found.headlines):
                canonical = found.persons.setdefault(candidate, candidate)
                found.counts["person", canonical] += 1
                break
    return lone


def _named_in_prose(name: str, text: str, lines: TitleCaseLines) -> bool:
    """Whether ``name`` occurs in ``text`` outside the title-case lines."""
    for match in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text):
        if not lines.holds(match.start()):
            return True
    return False


def _classify(run: _Run, found: _Found) -> list[str]:
    """Record the entities in one capitalized run; return the words left unexplained."""
    words = [w for w in run.words if w]
    joined = " ".join(words)
    if joined in KNOWN_ORGANIZATIONS:
        found.counts["organization", KNOWN_ORGANIZATIONS[joined]] += 1
        return []
    gazetteer = places()
    if joined in gazetteer:
        found.counts["place", gazetteer[joined]] += 1
        return []
    titles = [i for i, w in enumerate(words) if is_title(w)]
    if titles and titles[0] > 0:  # "European Commission President Ursula von der Leyen"
        lead = words[: titles[0]]
        if " ".join(lead) in KNOWN_ORGANIZATIONS or _org_name(lead):
            _classify(_Run(run.before, "", lead), found)
            words, titles = words[titles[0] :], [i - titles[0] for i in titles]
    name = _titled_name(words, titles, run.before, run.after) or _speaker_name(
        words, run.before, run.after
    )
    if name and run.headline and not _listed(words, name, run):
        found.headline_names.append(name)
        return []
    if name and (len(name) > 1 or _royal_before(words, run.before)):
        canonical = found.persons.setdefault(" ".join(name), " ".join(name))
        found.counts["person", canonical] += 1
        return []
    if name:  # a surname after a title: it counts for a full name, if the text has one
        return name
    organization = _org_name(words)
    if organization:
        found.counts["organization", organization] += 1
        return []
    return _places_within(words, found)


def _listed(words: list[str], name: list[str], run: _Run) -> bool:
    """Titles and a name, a label before them and nothing after, as in a list of leaders
    ("Kosovo: President Vjosa Osmani"): a name even in title case, unlike "Senators Rebuke
    Lawmaker Over Remarks" or "Mayor Ana Lindqvist Vows Ferry Line"."""
    head = words[: len(words) - len(name)]
    titles = all(is_title(w) or w.lower() in TITLE_MODIFIERS for w in head)
    if not head or not titles or not _LINE_END.match(run.after):
        return False
    return bool(_LABEL.search(run.before))


def _royal_before(words: list[str], before: str) -> bool:
    titles = [w for w in words if is_title(w)]
    last = titles[-1] if titles else (before.rsplit(None, 1) or [""])[-1]
    return last.lower().strip(",.;:") in ROYAL_TITLES


def _org_name(words: list[str]) -> str | None:
    """ "European Central Bank", "The Global Times", "Australian Defence Force"."""
    named = words[1:] if words[:1] == ["The"] else words
    if len(named) < 2 or named[-1].lower() not in ORG_WORDS:
        return None
    first = named[0].lower()
    if first in NOT_ENTITIES or first in TITLES or (named[0].isupper() and len(named[0]) > 3):
        return None
    return " ".join(named)


def _titled_name(words: list[str], titles: list[int], before: str, after: str) -> list[str] | None:
    """The name after a title ("Chinese President Xi Jinping", "spokesperson John Kirby",
    "the prime minister, Rishi Sunak") or before one ("Ihor Terekhov, the mayor");
    ``titles`` are the indexes of the titles among ``words``."""
    if titles:
        name = words[titles[-1] + 1 :]
    elif _title_before(before) or _appositive_title(after):
        name = words
    else:
        return None
    return _person_name(name, royal=_royal_before(words, before))


def _appositive_title(after: str) -> bool:
    """ ", the prime minister", ", Mayor of London" after a name; not ", President Subianto",
    which starts another name ("Additionally, President Subianto")."""
    match = _APPOSITIVE.match(after) if after.startswith(",") else None
    words = match[1].split()[:3] if match else []
    for index, word in enumerate(words):
        if is_title(word):
            following = words[index + 1 : index + 2]
            return not (following and following[0][:1].isupper() and not is_title(following[0]))
        if word.lower() not in TITLE_MODIFIERS and not word.islower():
            return False
    return False


def _speaker_name(words: list[str], before: str, after: str) -> list[str] | None:
    """A full name right before or after a speech verb: "John Kirby said"."""
    if not 2 <= len(words) <= _MAX_NAME_WORDS or not places().keys().isdisjoint(words):
        return None
    if not (_SPEECH_AFTER.match(after) or speech_verb_before(before)):
        return None  # most runs: no speech verb beside them
    if of_the_before(before):  # "the Department of Homeland Security said"
        return None
    return _person_name(words, royal=False)


def _places_within(words: list[str], found: _Found) -> list[str]:
    """Longest gazetteer matches inside a run; the words no place explains."""
    rest: list[str] = []
    index = 0
    gazetteer = places()
    starts = first_words()
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


def _resolve_short(runs: list[list[str]], found: _Found) -> None:
    """Count the unexplained runs that are a known person's full name once, and single words
    that are the surname (or a spelling of it) of one."""
    if not found.persons:
        return
    named = [(full, full.split()) for full in found.persons.values()]
    told: dict[str, str | None] = {}  # a word -> its person: a text repeats its surnames
    for words in runs:
        if " ".join(words) in found.persons:  # "Ana Lindqvist spoke", no rule: one mention
            found.counts["person", found.persons[" ".join(words)]] += 1
            continue
        for word in words:
            person = told[word] if word in told else told.setdefault(word, _person_for(word, named))
            if person:
                found.counts["person", person] += 1


def _person_for(word: str, named: list[tuple[str, list[str]]]) -> str | None:
    """The person (full name, and its words) whose name ``word`` shortens, if any."""
    if len(word) < 2 or word.lower() in NOT_ENTITIES:
        return None
    for full, parts in named:
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
