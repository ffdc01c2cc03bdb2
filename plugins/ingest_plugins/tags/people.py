"""The rules about people's names, shared by the ``entities`` and ``quotes`` plugins.

Word lists (all lower case) and the checks built on them: which words are titles that
introduce a name ("President", "spokesperson", "Dr."), which small words may sit inside a
name ("Ursula von der Leyen"), which verbs report speech ("said", "warned"), and which
capitalized words are never a name or part of one: function words capitalized at a
sentence start or in a headline ("Several", "Whether"), weekdays, nationality adjectives,
group plurals ("Iranians", "Protesters"), code and markup ("FindNthPrime", "Dark-hover").
A word that is a title for one plugin is a title for the other (issue 11, item 6).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from functools import cache, lru_cache

#: Roles and titles that introduce a person's name ("President Xi Jinping", "spokesperson
#: John Kirby", "Gen. Milley"), or name its holder in a later mention ("the spokesperson
#: said"). Not "prime": alone it is no title ("Prime Video"), and "Prime Minister" ends in
#: one. Some are modifiers that are titles in headline style ("Foreign Minister", "Deputy").
TITLES = frozenset(
    """president minister chancellor premier secretary spokesperson spokesman spokeswoman
    senator governor mayor king queen prince princess pope general admiral colonel
    commander chief ceo chairman chairwoman chair director ambassador envoy lawmaker leader
    head founder judge justice dr mr mrs ms sir lord lady rep representative congressman
    congresswoman commissioner president-elect vice deputy foreign defence defense finance
    interior economy health official negotiator adviser advisor analyst coach captain
    striker manager economist professor researcher author editor correspondent reporter
    prosecutor pm cfo cto coo secretary-general director-general attorney emperor empress
    sultan emir lawyer speaker superintendent""".split()
)

#: Abbreviated titles written with a period ("Dr. Fauci"): the period ends no sentence.
#: "Prof", "Gen", "Sen" and "Gov" are titles only with it: "Hun Sen" is a name.
TITLE_ABBREVIATIONS = ("Mr", "Mrs", "Ms", "Dr", "Prof", "Gen", "Sen", "Rep", "Gov")

#: Words that make a title with the title after them only: "Prime Minister".
TITLE_MODIFIERS = frozenset({"prime"})

#: Titles of monarchs and popes, who are known by a given name alone ("Prince Harry",
#: "King Charles III"); after any other title a lone word is a surname that needs the full
#: name elsewhere in the text ("President Trump" counts for "Donald Trump").
ROYAL_TITLES = frozenset(
    "king queen prince princess pope emperor empress sultan emir crown-prince".split()
)

#: Lower-case words inside a name, never at its end: "Lula da Silva", "Ursula von der
#: Leyen", "Mohammed bin Salman", "Carlos Fernández de Cossío".
PARTICLES = frozenset(
    "bin bint ibn al el da de del della den der di do dos du la le van von".split()
)

#: Verbs that report speech after their speaker ("Kirby said", "Kirby warned"); with a
#: quote beside them they attribute it.
SPEECH_VERBS = tuple(
    """said says say told tells added adds wrote writes tweeted posted stated explained
    asked replied continued insisted noted argued warned stressed declared announced
    admitted recalled concluded claimed emphasised emphasized commented responded confirmed
    urged promised vowed praised reassure reassured pledged predicted cautioned conceded
    complained""".split()
)

#: Speech verbs that organizations use as much as people ("Alibaba Cloud posted"): they
#: attribute a quote, but are no evidence that the name before them is a person's.
ORGANIZATION_VERBS = frozenset(
    "posted announced confirmed stated responded commented pledged promised declared".split()
)

#: The speech verbs that also come before their speaker ("…, said John Kirby"); after
#: the others a name is the one spoken to or of ("praised John Kirby").
INVERTED_SPEECH_VERBS = ("said", "says", "added")

#: Function words (determiners, quantifiers, pronouns, prepositions, wh-words, discourse
#: adverbs): capitalized at a sentence start or in a title-case headline, never part of a
#: name ("Several Iranians told", "Lawmaker Over Anti-Muslim Remarks", "What Trump said",
#: "Whether Anutin stays", "Someone wrote").
FUNCTION_WORDS = frozenset(
    """several many some most all both few each every any no other another such less
    much over under about above against among amid across around behind below beneath
    beside between beyond despite during into near off onto out past since through
    throughout toward towards until upon via within without what who whom whose which why
    how where whether here there now then also instead additionally still yet just only
    even again once thus therefore moreover furthermore indeed perhaps maybe not nor so
    than too very whenever wherever inside outside like unlike per regarding concerning
    my me your him us them this that these those someone somebody something everyone
    everybody everything anyone anybody anything nobody nothing""".split()
)

#: Days of the week: never part of a name ("Judge Richard Leon Thursday blocked").
#: Months are not here: "May", "June" and "August" are names too.
WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())

#: Nationality and group adjectives ("Chinese", "Ukrainian"): never entities on their own.
DEMONYMS = frozenset(
    """afghan albanian algerian american argentine argentinian armenian australian austrian
    azerbaijani bangladeshi belarusian belgian bolivian bosnian brazilian british bulgarian
    burmese cambodian cameroonian canadian chilean chinese colombian congolese croatian
    cuban cypriot czech danish dutch ecuadorian egyptian emirati english eritrean estonian
    ethiopian european filipino finnish french georgian german ghanaian greek guatemalan
    haitian honduran hungarian icelandic indian indonesian iranian iraqi irish israeli
    italian ivorian jamaican japanese jordanian kazakh kenyan korean kosovar kurdish
    kuwaiti kyrgyz latvian lebanese libyan lithuanian luxembourgish malaysian malian
    maltese mexican moldovan mongolian montenegrin moroccan nepalese nigerian norwegian
    pakistani palestinian panamanian paraguayan peruvian polish portuguese qatari romanian
    russian rwandan saudi scottish senegalese serbian singaporean slovak slovenian somali
    soviet spanish sudanese swedish swiss syrian taiwanese tajik tanzanian thai tunisian
    turkish turkmen ugandan ukrainian uruguayan uzbek venezuelan vietnamese welsh western
    eastern northern southern yemeni zambian zimbabwean african asian arab latin
    muslim christian jewish catholic""".split()
)

#: Words that make a capitalized run a place, venue, event, product or thing, not a person:
#: "Foodlands Hotel", "Food Supplies", "Annual General Meeting", "House Site".
NOT_PERSON_WORDS = frozenset(
    """street square avenue road lane boulevard palace hotel centre center museum house site
    garden gardens stadium arena airport station hospital clinic school college academy lab
    laboratory library cathedral mosque bridge tower island islands valley mountain lake
    coast beach magazine journal review edition collection series meeting summit conference
    talks festival awards award prize medal supplies products services foods goods markets
    stores store shop restaurant cafe theatre theater cinema gallery memorial monument state
    states act plan fund protests elections campaign war week year report index news
    front""".split()
)

#: Plurals that name a group of people, capitalized at a sentence start ("Protesters
#: chanted", "Critics say"), whose singular is no title, demonym or place word.
GROUP_NOUNS = frozenset(
    """people users residents protesters demonstrators citizens voters workers students
    experts critics observers supporters opponents activists investors fans locals
    villagers witnesses members authorities sources officers soldiers troops doctors
    nurses teachers parents families farmers scientists researchers""".split()
)

# Shapes of words that are not names: code ("FindNthPrime", "Group_94e5", "Casey M4"),
# contractions ("I'd"), CSS states after a hyphen ("Lighter-hover"), group nouns.
_CAMEL = re.compile(r"[a-z][A-Z]")
_HUMP_PREFIX = re.compile(r"^(?:Mc|Mac|Fitz|De|Di|Da|Du|La|Le|Van)[A-Z]")  # McDonald, LeBron
_CONTRACTION = re.compile(r"[’'][a-z]")
_DOTTED_INITIALS = re.compile(r"^(?:[A-Z]\.)+[A-Z]?$")
_CSS_STATES = frozenset(
    "hover focus active visited before after disabled checked selected link placeholder".split()
)
_GROUP_SUFFIXES = ("ians", "eans", "icans", "ists", "istas", "ites")
_LINE = re.compile(r"[^\n]+")
#: The longest line that can be a headline.
MAX_HEADLINE = 250
# The letter first, then what may not be before it: the regex engine skips to the next
# letter of the class in C instead of trying the look-behind at every character.
_LOWER_WORD = re.compile(r"[a-z](?<![\w’'-].)[a-z’'-]{2,}")
_CAPITALIZED = re.compile(r"[A-Z](?<![\w’'-].)")
_ABBREVIATED = frozenset(title.lower() for title in TITLE_ABBREVIATIONS)
_HEADLINE_WORDS = FUNCTION_WORDS | frozenset("is are be was to vs nor".split())
# The word checks are remembered: a text repeats its words, and a corpus its vocabulary.
_MEMO = 1 << 12


# Letters that re.IGNORECASE also finds in other characters: "ı" and "İ" are "i", the long
# "ſ" is "s", the Kelvin sign is "k" (the only one that str.lower() makes ASCII).
_FOLDS = {"i": "İı", "k": "\u212a", "s": "ſ"}


def any_case(text: str) -> str:
    """``text`` as a regex that takes its letters in any case, as re.IGNORECASE does, but
    without the flag: with it, the regex engine cannot skip in C to a match's first letter
    (a class of characters at the start of a pattern)."""
    return "".join(
        f"[{c}{c.upper()}{_FOLDS.get(c, '')}]" if c.isalpha() else re.escape(c) for c in text
    )


@lru_cache(maxsize=_MEMO)
def is_title(word: str) -> bool:
    """Whether ``word`` is a title: "President", "spokesperson", "Dr.", "Secretary-General"."""
    lowered = word.lower().strip(",;:")
    if lowered.endswith(".") and lowered[:-1] in _ABBREVIATED:
        return True
    lowered = lowered.rstrip(".")
    return lowered in TITLES or ("-" in lowered and any(p in TITLES for p in lowered.split("-")))


def name_shaped(word: str) -> bool:
    """Not code or markup: no digits or underscores, dots only in initials ("J.", "U.S."),
    no inner capital but after a name prefix ("McDonald"), no CSS state ("Dark-hover")."""
    if any(c.isdigit() or c == "_" for c in word) or _CONTRACTION.search(word):
        return False
    if "." in word and not _DOTTED_INITIALS.match(word):
        return False
    if _CAMEL.search(word) and not _HUMP_PREFIX.match(word):
        return False
    return not any(part in _CSS_STATES for part in word.split("-")[1:])


def plural_of_people(lowered: str) -> bool:
    """A plural that names a group of people: "iranians", "managers", "protesters"."""
    if lowered in GROUP_NOUNS:
        return True
    if not lowered.endswith("s") or len(lowered) < 4:
        return False
    if lowered.endswith(_GROUP_SUFFIXES):
        return True
    stems = {lowered[:-1], lowered[:-2], lowered[:-3] + "y"}
    return any(stem in TITLES or stem in DEMONYMS for stem in stems)


def group_noun(lowered: str) -> bool:
    """A plural that names a group, not a person: "iranians", "managers", "supplies"."""
    if plural_of_people(lowered):
        return True
    stems = {lowered[:-1], lowered[:-2], lowered[:-3] + "y"} if lowered.endswith("s") else ()
    return len(lowered) >= 4 and any(stem in NOT_PERSON_WORDS for stem in stems)


@lru_cache(maxsize=_MEMO)
def not_a_name(word: str) -> bool:
    """Whether a capitalized ``word`` names no one: a function word or weekday, a
    nationality adjective or a group plural. Acronyms are exempt ("US", "WHO")."""
    lowered = word.lower()
    if word.isupper() and len(word) > 1:
        return False
    if lowered in FUNCTION_WORDS or lowered in WEEKDAYS or lowered in DEMONYMS:
        return True
    return group_noun(lowered)


@lru_cache(maxsize=_MEMO)
def never_a_name(word: str) -> bool:
    """Whether a capitalized ``word`` is never part of a person's name, whatever its
    neighbours: a function word, weekday, nationality adjective, group plural, or code."""
    lowered = word.lower()
    if lowered in FUNCTION_WORDS or lowered in WEEKDAYS or lowered in DEMONYMS:
        return True
    return group_noun(lowered) or not name_shaped(word)


@lru_cache(maxsize=_MEMO)
def sentence_word(word: str) -> bool:
    """A capitalized function word or weekday ("Several", "Whether", "Thursday"): it starts
    or ends no name, though a sentence or headline capitalizes it. Acronyms are exempt."""
    lowered = word.lower()
    return not word.isupper() and (lowered in FUNCTION_WORDS or lowered in WEEKDAYS)


def speaker_words(words: list[str]) -> list[str]:
    """``words`` cut to what can name a speaker: without function words before ("Even
    Sheikh Hasina", "What Trump said") and weekdays after ("Judge Leon Thursday blocked");
    nothing if it names a group ("Several Iranians", "Protesters") or no one ("Someone")."""
    start, end = 0, len(words)
    while start < end and sentence_word(words[start]):
        start += 1
    while end > start and words[end - 1].lower() in WEEKDAYS:
        end -= 1
    kept = words[start:end]
    last = kept[-1] if kept else ""
    if not last or (len(kept) == 1 and last[:1].isupper() and not_a_name(last)):
        return []
    return [] if not last.isupper() and plural_of_people(last.lower()) else kept


def headlines(text: str, small_words: Iterable[str] = ()) -> list[tuple[int, int]]:
    """Spans of the lines in title case ("Democrats Slam Lawmaker Over Remarks"): short, at
    least three capitalized words, and no lower-case word but function words and
    ``small_words``. A capitalized run in such a line is no evidence of a name."""
    small = _small_words(
        small_words if isinstance(small_words, frozenset) else frozenset(small_words)
    )
    spans = []
    for line in _LINE.finditer(text):
        lo, hi = line.span()
        if hi - lo > MAX_HEADLINE:  # a paragraph
            continue
        content = line.group()
        for word in _LOWER_WORD.finditer(content):  # prose: the first word or two tell
            if word.group() not in small:
                break
        else:
            if len(_CAPITALIZED.findall(content)) >= 3:
                spans.append((lo, hi))
    return spans


@cache
def _small_words(words: frozenset[str]) -> frozenset[str]:
    return _HEADLINE_WORDS | words


def inside(spans: list[tuple[int, int]], position: int) -> bool:
    """Whether ``position`` is inside one of the sorted, disjoint ``spans``."""
    if not spans:
        return False
    index = bisect_right(spans, position, key=lambda span: span[0]) - 1
    return index >= 0 and position < spans[index][1]


class TitleCaseLines:
    """Which lines of ``text`` are in title case (as :func:`headlines` says, with the same
    ``small_words``), each judged when first asked about: most lines hold no name to ask
    about, and a line longer than a headline can be is none (it is not read to its ends)."""

    def __init__(self, text: str = "", small_words: frozenset[str] = frozenset()) -> None:
        self.text, self.small_words = text, small_words
        self._lines: dict[int, bool] = {}  # by the line's start

    def holds(self, at: int) -> bool:
        """Whether the character at ``at`` (no newline) is in a title-case line."""
        start = self.text.rfind("\n", max(0, at - MAX_HEADLINE - 1), at) + 1
        if start == 0 and at > MAX_HEADLINE:
            return False  # no newline within a headline's length before it
        title_case = self._lines.get(start)
        if title_case is None:
            end = self.text.find("\n", at, start + MAX_HEADLINE + 1)
            if end < 0 and len(self.text) > start + MAX_HEADLINE:
                title_case = False  # too long
            else:
                line = self.text[start:] if end < 0 else self.text[start:end]
                title_case = bool(headlines(line, self.small_words))
            self._lines[start] = title_case
        return title_case


# What may end the text before a speaker's name, spaces aside; not across a line break:
# "… he added.\n\nRead More".
_SPEECH_ENDINGS = (*INVERTED_SPEECH_VERBS, "according to", "told by")
# A person is not "of X" nor "the X": the words before a name that make it a thing's.
_OF_THE = re.compile(r"\b(?:of|the|a|an|for)[ \u00a0]+$", re.IGNORECASE)


def speech_verb_before(before: str) -> bool:
    """Whether ``before`` ends with a speech verb that comes before its speaker ("said"),
    spaces aside, or with them before a final newline."""
    end = len(before) - before.endswith("\n")
    return before[:end].rstrip(" \u00a0").endswith(_SPEECH_ENDINGS)


def of_the_before(before: str) -> bool:
    """Whether ``before`` ends with "of", "the", "a", "an" or "for" and spaces (or with them
    before a final newline): what makes the name after it a thing's ("the Department of
    Homeland Security said"). The regex is tried only where such a word can start."""
    end = len(before) - before.endswith("\n")
    body = before[:end].rstrip(" \u00a0")
    return len(body) < end and bool(_OF_THE.search(before, max(0, len(body) - 3)))
