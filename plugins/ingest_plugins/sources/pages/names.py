"""Names on article pages: the title without the site's suffix, and the people of a byline
(split, stripped of "By" and of what is not a name, the site itself left out)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import lxml.html

#: (value, where it came from) pairs, most trusted first.
Candidates = list[tuple[str, str | None]]
# "By", "Von", "Par"...: the word that opens a byline in the corpus languages.
_BY_RE = re.compile(
    r"^\s*(?:by|von|par|por|por:|av|af|door|di|de|da|od|przez|av:|text:?|texte:?|"
    r"written by|words by|reporting by|autor:?|autorin:?|author:?|redakce:?)\s+",
    re.IGNORECASE,
)
_SPLIT_RE = re.compile(
    r"\s*(?:,|;|\||/|&|\band\b|\bund\b|\bet\b|\by\b|\bog\b|\boch\b|\be\b|\ba\b|\bi\b|"
    r"\bja\b|\bve\b|\bsowie\b|\bwith\b|\bmit\b)\s*",
    re.IGNORECASE,
)
_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " • ", " » ", " // ")
_SEPARATOR_CHARS = frozenset("|-–—:·•»/")
_MAX_NAME = 80
# Longer is a job title or a sentence ("Mykolo Romerio universiteto ... profesorius").
_MAX_NAME_WORDS = 6
_PARENS_RE = re.compile(r"\([^()]*\)")
# Korean bylines end the name with 기자 ("reporter").
_REPORTER_RE = re.compile(r"\s*기자$")


def clean(value: str | None) -> str | None:
    """Text with entities decoded and whitespace collapsed; None when nothing is left."""
    if not value:
        return None
    text = " ".join(html.unescape(value).split())
    return text or None


_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "å": "aa", "ø": "oe", "æ": "ae"})


def _squash(value: str) -> str:
    """Letters and digits only, casefolded, umlauts spelled out as host names spell them."""
    return "".join(c for c in value.casefold().translate(_FOLD) if c.isalnum())


@dataclass(slots=True)
class Site:
    """The names a page's site goes by, to tell them from titles' and authors' text."""

    names: set[str]
    host: str

    def named(self, text: str) -> bool:
        """Whether ``text`` is exactly one of the site's names or its host name."""
        squashed = _squash(text)
        label = _squash(self.host.rsplit(".", 2)[-2] if "." in self.host else self.host)
        return bool(squashed) and (
            squashed in self.names or squashed in (_squash(self.host), label)
        )

    def edition(self, text: str) -> bool:
        """Whether ``text`` is a regional desk of the site: its brand, then a word or two
        (``MDR THÜRINGEN`` on mdr.de)."""
        words = text.split()
        label = _squash(self.host.rsplit(".", 2)[-2] if "." in self.host else self.host)
        return 2 <= len(words) <= 3 and len(label) >= 2 and _squash(words[0]) == label

    def matches(self, text: str) -> bool:
        """Whether ``text`` names the site: one of its names, or its host name."""
        squashed = _squash(text)
        if not squashed:
            return False
        if squashed in self.names or squashed == _squash(self.host):
            return True
        label = _squash(self.host.rsplit(".", 2)[-2] if "." in self.host else self.host)
        if len(squashed) >= 4 and squashed in _squash(self.host):
            return True  # "Spiegel" on spiegel.de
        # "Die Neue Südtiroler Tageszeitung" on tageszeitung.it; short words only.
        return label == squashed or (len(label) >= 6 and label in squashed and len(text) <= 60)


def site_of(url: str | None, names: list[str | None]) -> Site:
    host = re.sub(r"^(?:https?://)?(?:www\d?\.)?", "", (url or "").lower()).split("/")[0]
    return Site({_squash(n) for n in names if n and _squash(n)}, host.split(":")[0])


def _is_suffix(text: str, site: Site, section: str | None) -> bool:
    """Whether a title's tail is the site's name, the section's or a date (DW's
    ``Headline | DW | 28.04.2023``)."""
    if not any(c.isalpha() for c in text):
        return any(c.isdigit() for c in text)
    return site.matches(text) or (section is not None and _squash(text) == _squash(section))


def _strip_site(title: str, site: Site, section: str | None) -> str:
    """``"Headline | Site"`` -> ``"Headline"`` (also ``"Site - Headline"``), when the part
    cut off is the site's name (or the section's, or a date); a title that is the site
    name alone is left as it is."""
    for _ in range(4):
        for separator in _TITLE_SEPARATORS:
            head, sep, tail = title.rpartition(separator)
            if sep and head.strip() and _is_suffix(tail, site, section):
                title = head.strip()
                break
            tail, sep, head = title.partition(separator)
            if sep and head.strip() and site.matches(tail):
                title = head.strip()
                break
        else:
            return title
    return title


def title_of(
    root: lxml.html.HtmlElement, candidates: Candidates, site: Site, section: str | None
) -> tuple[str | None, str]:
    """The headline: the first candidate the page's ``<h1>`` confirms, else the first
    candidate; an ``<h1>`` that a candidate starts with, before a separator, wins too
    (it is the candidate with a suffix not recognised as the site's)."""
    found = [
        (source, _strip_site(text, site, section))
        for source, raw in candidates
        if (text := clean(raw))
    ]
    if not found:
        return None, ""
    headings = [h for h in (clean(e.text_content()) for e in root.iter("h1")) if h]
    for _source, text in found:
        for heading in headings:
            rest = text[len(heading) :].lstrip() if text.startswith(heading) else ""
            if rest[:1] in _SEPARATOR_CHARS and len(heading) >= 10:
                return heading, "h1"
    return found[0][1], found[0][0]


def names_of(values: list[str], site: Site, *, keep_site: bool = False) -> tuple[str, ...]:
    """People's names from byline texts: split, "By" dropped, asides in parentheses
    (initials, photo credits) dropped, the site's own name dropped (kept with
    ``keep_site``, for a page whose only credit is the site itself)."""
    found: list[str] = []
    for value in values:
        text = _PARENS_RE.sub(" ", _BY_RE.sub("", html.unescape(value)))
        for part in _SPLIT_RE.split(text):
            name = _REPORTER_RE.sub("", clean(_BY_RE.sub("", part)) or "")
            name = name.strip(" .:-–—|·•()[]\"'")
            if (
                not name
                or len(name) > _MAX_NAME
                or len(name.split()) > _MAX_NAME_WORDS
                or not any(c.isalpha() for c in name)
                or re.search(r"https?:|www\.|@|\.(?:com|html?)\b", name)
                or (not keep_site and (site.named(name) or site.edition(name)))
            ):
                continue
            if name.casefold() not in {f.casefold() for f in found}:
                found.append(name)
    return tuple(found)
