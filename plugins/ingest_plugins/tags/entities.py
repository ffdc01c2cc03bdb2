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

The runs are found by :mod:`ingest_plugins.tags.entity_runs`, and what their words say
wherever they stand by :mod:`ingest_plugins.tags.entity_words`; this module reads the
context around each run (the title or speech verb beside it) and counts.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ingest import Article, Tag, hookimpl
from ingest_plugins.tags.entity_runs import Run, royal_before, scan, title_before
from ingest_plugins.tags.entity_words import (
    LEFT,
    MAX_NAME_WORDS,
    ORGANIZATION,
    PLACE,
    Tagged,
    known_name,
    lone_word,
    named_within,
    org_name,
    person_name,
)
from ingest_plugins.tags.gazetteer import KNOWN_ORGANIZATIONS, NOT_ENTITIES, places
from ingest_plugins.tags.people import (
    ORGANIZATION_VERBS,
    SPEECH_VERBS,
    TITLE_MODIFIERS,
    TitleCaseLines,
    is_title,
    of_the_before,
    speech_verb_before,
)

BY = "entities"
_MAX_TEXT = 100_000
_PERSON_VERBS = "|".join(verb for verb in SPEECH_VERBS if verb not in ORGANIZATION_VERBS)
_SPEECH_AFTER = re.compile(rf"^[ ,]*(?:has |had |also )?(?:{_PERSON_VERBS})\b")
# ", the regional governor" or ", Mayor of London" after a name; but ", President Subianto"
# starts another name ("Additionally, President Subianto").
_APPOSITIVE = re.compile(r"^,[ \u00a0]+(?:(?:the|a|an)[ \u00a0]+)?([^,.;:()\n]{0,60})")
# A list item: "Kosovo: President Vjosa Osmani\n", a label before, nothing after.
_LABEL = re.compile(r"(?:^|\n)[^\n:]{1,40}:[ \t\u00a0]*$")
_LINE_END = re.compile(r"[ \t\u00a0.,;:!?)\]”’\"']*(?:\n|$)")


@dataclass
class _Found:
    persons: dict[str, str] = field(default_factory=dict)  # full name -> canonical
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    headline_names: list[list[str]] = field(default_factory=list)  # persons to corroborate
    headlines: TitleCaseLines = field(default_factory=TitleCaseLines)  # title-case lines


@hookimpl
def ingest_tag(article: Article) -> list[Tag] | None:
    """People, places and organizations of the title and text, with their counts."""
    # The text cut first: a page dump in a feed can run to megabytes.
    text = "\n\n".join(filter(None, (article.title, article.text[:_MAX_TEXT])))[:_MAX_TEXT]
    if not text:
        return None
    found = find_entities(text)
    return [
        Tag(kind, value, None, BY, count) for (kind, value), count in found.most_common()
    ] or None


def find_entities(text: str) -> Counter[tuple[str, str]]:
    """``Counter({("person", "Xi Jinping"): 7, ("place", "China"): 9, ...})``."""
    found, scanned = _Found(), scan(text)
    found.headlines = scanned.lines
    singles: list[tuple[str, int]] = []  # lone words left over, and how often each occurs
    for group, count in scanned.lone.items():
        word, kind = lone_word(group)
        if kind == PLACE:
            found.counts["place", places()[word]] += count
        elif kind == ORGANIZATION:
            found.counts["organization", KNOWN_ORGANIZATIONS[word]] += count
        elif kind == LEFT:
            singles.append((word, count))
    leftovers = [_classify(run, found) for run in scanned.runs]  # the unexplained words
    leftovers += _corroborate(found, text)
    _resolve_short(singles, leftovers, found)  # surnames, once every full name is known
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


def _classify(run: Run, found: _Found) -> list[str]:
    """Record the entities in one capitalized run; return the words left unexplained."""
    before, after, words, _ = run  # no word is empty: each starts with a letter
    tag = known_name(" ".join(words))
    if tag:  # a place or an organization by its name
        found.counts[tag] += 1
        return []
    # Most runs hold no title (any() asks each word in C), and then a name only with a
    # title or a speech verb beside it: the cheaper tests first.
    if any(map(is_title, words)):
        return _titled(run, found)
    name = None
    if (after[:1] == "," and _appositive_title(after)) or title_before(before):
        name = person_name(words, royal=royal_before(words, before))
    if (
        not name
        and 2 <= len(words) <= MAX_NAME_WORDS
        and (_SPEECH_AFTER.match(after) or speech_verb_before(before))
        and places().keys().isdisjoint(words)
        and not of_the_before(before)  # "the Department of Homeland Security said"
    ):
        name = person_name(words, royal=False)
    if name:
        return _person(name, run, found)
    return _count(named_within(words), found)


def _titled(run: Run, found: _Found) -> list[str]:
    """:func:`_classify` for a run with a title among its words."""
    before, after, words, at = run
    titles = [i for i, w in enumerate(words) if is_title(w)]
    if titles[0] > 0:  # "European Commission President Ursula von der Leyen"
        lead = words[: titles[0]]
        if " ".join(lead) in KNOWN_ORGANIZATIONS or org_name(lead):
            _classify((before, "", lead, -1), found)
            words, titles = words[titles[0] :], [i - titles[0] for i in titles]
    name = person_name(words[titles[-1] + 1 :], royal=royal_before(words, before))
    name = name or _speaker_name(words, before, after)
    if name:
        return _person(name, (before, after, words, at), found)
    return _count(named_within(words), found)


def _person(name: list[str], run: Run, found: _Found) -> list[str]:
    """Count the person a run names, but a lone surname (returned: it counts for a full name,
    if the text has one) and a name in a headline (to corroborate)."""
    before, _, words, at = run
    if at >= 0 and found.headlines.holds(at) and not _listed(words, name, run):
        found.headline_names.append(name)
        return []
    if len(name) > 1 or royal_before(words, before):
        canonical = found.persons.setdefault(" ".join(name), " ".join(name))
        found.counts["person", canonical] += 1
        return []
    return name


def _count(tagged: Tagged, found: _Found) -> list[str]:
    """Count the tags of a run; return its words that none of them explains."""
    tags, rest = tagged
    for tag in tags:
        found.counts[tag] += 1
    return rest


def _listed(words: list[str], name: list[str], run: Run) -> bool:
    """Titles and a name, a label before them and nothing after, as in a list of leaders
    ("Kosovo: President Vjosa Osmani"): a name even in title case, unlike "Senators Rebuke
    Lawmaker Over Remarks" or "Mayor Ana Lindqvist Vows Ferry Line"."""
    head = words[: len(words) - len(name)]
    titles = all(is_title(w) or w.lower() in TITLE_MODIFIERS for w in head)
    if not head or not titles or not _LINE_END.match(run[1]):
        return False
    return bool(_LABEL.search(run[0]))


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
    if not 2 <= len(words) <= MAX_NAME_WORDS or not places().keys().isdisjoint(words):
        return None
    if not (_SPEECH_AFTER.match(after) or speech_verb_before(before)):
        return None  # most runs: no speech verb beside them
    if of_the_before(before):  # "the Department of Homeland Security said"
        return None
    return person_name(words, royal=False)


def _resolve_short(singles: list[tuple[str, int]], runs: list[list[str]], found: _Found) -> None:
    """Count the unexplained runs that are a known person's full name once, and single words
    that are the surname (or a spelling of it) of one; ``singles`` are lone words, each
    with how often it occurs."""
    if not found.persons:
        return
    named = [(full, full.split()) for full in found.persons.values()]
    told: dict[str, str | None] = {}  # a word -> its person: a text repeats its surnames

    def person(word: str) -> str | None:
        return told[word] if word in told else told.setdefault(word, _person_for(word, named))

    for word, count in singles:  # "Harry" after "Prince Harry": a full name of one word
        full = found.persons.get(word) or person(word)
        if full:
            found.counts["person", full] += count
    for words in runs:
        if " ".join(words) in found.persons:  # "Ana Lindqvist spoke", no rule: one mention
            found.counts["person", found.persons[" ".join(words)]] += 1
            continue
        for word in words:
            full = person(word)
            if full:
                found.counts["person", full] += 1


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
