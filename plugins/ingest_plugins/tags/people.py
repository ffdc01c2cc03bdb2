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
_MAX_HEADLINE = 250
_LOWER_WORD = re.compile(r"(?<![\w’'-])[a-z][a-z’'-]{2,}")
_CAPITALIZED = re.compile(r"(?<![\w’'-])[A-Z]")
_ABBREVIATED = frozenset(title.lower() for title in TITLE_ABBREVIATIONS)
_HEADLINE_WORDS = FUNCTION_WORDS | frozenset("is are be was to vs nor".split())


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


def not_a_name(word: str) -> bool:
    """Whether a capitalized ``word`` names no one: a function word or weekday, a
    nationality adjective or a group plural. Acronyms are exempt ("US", "WHO")."""
    lowered = word.lower()
    if word.isupper() and len(word) > 1:
        return False
    if lowered in FUNCTION_WORDS or lowered in WEEKDAYS or lowered in DEMONYMS:
        return True
    return group_noun(lowered)


def never_a_name(word: str) -> bool:
    """Whether a capitalized ``word`` is never part of a person's name, whatever its
    neighbours: a function word, weekday, nationality adjective, group plural, or code."""
    lowered = word.lower()
    if lowered in FUNCTION_WORDS or lowered in WEEKDAYS or lowered in DEMONYMS:
        return True
    return group_noun(lowered) or not name_shaped(word)


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
    small = _HEADLINE_WORDS.union(small_words)
    spans = []
    for line in _LINE.finditer(text):
        lo, hi = line.span()
        if hi - lo > _MAX_HEADLINE:  # a paragraph
            continue
        content = line.group()
        if any(w not in small for w in _LOWER_WORD.findall(content)):
            continue
        if len(_CAPITALIZED.findall(content)) >= 3:
            spans.append((lo, hi))
    return spans


def inside(spans: list[tuple[int, int]], position: int) -> bool:
    """Whether ``position`` is inside one of the sorted, disjoint ``spans``."""
    index = bisect_right(spans, position, key=lambda span: span[0]) - 1
    return index >= 0 and position < spans[index][1]
