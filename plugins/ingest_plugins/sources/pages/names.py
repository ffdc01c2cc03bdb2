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
_TITLE_SEPARATORS = (
    " | ", " - ", " – ", " — ", " :: ", " · ", " • ", " » ", " // ", " * ", " ｜ ", " ㅣ ",
)  # fmt: skip
# Separators CJK titles write without spaces (``見出し：中日新聞Web``, ``제목ㅣ한국일보``); a
# tail after one goes only when it is exactly the site's name (not a hyphen: "Anti-Spiegel").
_TIGHT_SEPARATORS = ("｜", "：", "ㅣ", "|")
# What parts a headline from a suffix the ``<h1>`` confirms: pipes, bullets and dashes in
# a title tag; in JSON-LD pipes and bullets only, as dashes there join the parts of the
# headline the publisher states ("Fires rage - Güncel haberler"). Never a colon: it ends
# a kicker ("Ukraine-Krieg: Selenskyj ..."), and an <h1> may hold the kicker alone.
_SEPARATOR_CHARS = frozenset("|｜·•»/*ㅣ-–—")
_SUFFIX_CHARS = frozenset("|｜·•»/*ㅣ")
# "| by Jane Doe": a byline in a title's tail (the name's words capitalised).
_BYLINE_TAIL_RE = re.compile(r"^(?:[Bb]y|[Vv]on|[Pp]ar|[Pp]or|[Dd]oor)\s+(\S+(?:\s+\S+){0,3})$")
# Second-level labels under which the brand is one label further left (``mirror.co.uk``).
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or", "go"})
_MAX_NAME = 80
# Longer is a job title or a sentence ("Mykolo Romerio universiteto ... profesorius").
_MAX_NAME_WORDS = 6
_PARENS_RE = re.compile(r"\([^()]*\)")
_HOST_RE = re.compile(r"^(?:https?://)?(?:www\d?\.)?")
# Credits that name a desk or the wire services as a whole, not an author ("red" is the
# German "Redaktion": ``red, ORF.at/Agenturen``).
_COLLECTIVE = frozenset(
    {
        "red", "redaktion", "agenturen", "agentur", "agencies", "agency", "newsroom", "staff",
        "nachrichten", "news", "admin", "administrator", "rédaction", "redacción", "redazione",
        "redaksjonen", "redaktionen", "redactie",
    }
)  # fmt: skip
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


def brand(host: str) -> str:
    """The label of a host name that names its owner: ``spiegel`` for ``www.spiegel.de``,
    ``mirror`` for ``mirror.co.uk``, ``ntv`` for ``ntv.com.tr``."""
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else host


@dataclass(slots=True)
class Site:
    """The names a page's site goes by, to tell them from titles' and authors' text."""

    names: set[str]
    host: str

    @property
    def label(self) -> str:
        """The host's brand label, squashed (``mirror`` on ``www.mirror.co.uk``)."""
        return _squash(brand(self.host))

    def named(self, text: str) -> bool:
        """Whether ``text`` is exactly one of the site's names or its host name."""
        squashed = _squash(text)
        return bool(squashed) and (
            squashed in self.names or squashed in (_squash(self.host), self.label)
        )

    def edition(self, text: str) -> bool:
        """Whether ``text`` is a regional desk or edition of the site: its brand, then a
        word or two (``MDR THÜRINGEN`` on mdr.de, ``Mirror Online`` on mirror.co.uk)."""
        words = text.split()
        return 2 <= len(words) <= 3 and len(self.label) >= 2 and _squash(words[0]) == self.label

    def credited(self, text: str) -> bool:
        """Whether a credit names the site by its host: ``Deutsche Welle (www.dw.com)``."""
        for aside in _PARENS_RE.findall(text):
            inner = _HOST_RE.sub("", aside.strip("() ").lower()).rstrip("/")
            if self.host and inner == self.host:
                return True
        return False

    def matches(self, text: str) -> bool:
        """Whether ``text`` names the site: one of its names, or its host name."""
        squashed = _squash(text)
        if not squashed:
            return False
        if squashed in self.names or squashed == _squash(self.host):
            return True
        label = self.label
        if len(squashed) >= 4 and squashed in _squash(self.host):
            return True  # "Spiegel" on spiegel.de
        # "Die Neue Südtiroler Tageszeitung" on tageszeitung.it; short words only.
        return label == squashed or (len(label) >= 6 and label in squashed and len(text) <= 60)


def site_of(url: str | None, names: list[str | None]) -> Site:
    """The site of a page at ``url`` that calls itself by ``names``."""
    host = _HOST_RE.sub("", (url or "").lower()).split("/")[0]
    return Site({_squash(n) for n in names if n and _squash(n)}, host.split(":")[0])


def _is_suffix(text: str, site: Site, sections: frozenset[str]) -> bool:
    """Whether a title's tail is the site's name (or its edition's), a section's, a
    byline (``by Jane Doe``) or a date (DW's ``Headline | DW | 28.04.2023``)."""
    if not any(c.isalpha() for c in text):
        return any(c.isdigit() for c in text)
    return (
        site.matches(text) or site.edition(text) or _squash(text) in sections or _byline_tail(text)
    )


def _byline_tail(text: str) -> bool:
    match = _BYLINE_TAIL_RE.match(text.strip())
    return match is not None and all(w[:1].isupper() for w in match.group(1).split())


def _cut_once(title: str, site: Site, sections: frozenset[str]) -> str | None:
    """``title`` less one suffix or prefix that names the site, or None."""
    for separator in _TITLE_SEPARATORS:
        head, sep, tail = title.rpartition(separator)
        if sep and head.strip() and _is_suffix(tail, site, sections):
            return head.strip()
        tail, sep, head = title.partition(separator)
        if sep and head.strip() and site.matches(tail):
            return head.strip()
    for separator in _TIGHT_SEPARATORS:
        head, sep, tail = title.rpartition(separator)
        if sep and head.strip() and site.named(tail):
            return head.strip()
    return None


def strip_site(title: str, site: Site, sections: frozenset[str] = frozenset()) -> str:
    """``"Headline | Site"`` -> ``"Headline"`` (also ``"Site - Headline"``), when the part
    cut off is the site's name (or a section's, of ``sections`` as :func:`squash` gives
    them, or a date); a title that is the site name alone is left as it is."""
    for _ in range(4):
        cut = _cut_once(title, site, sections)
        if cut is None:
            break
        title = cut
    return title


def squash(value: str) -> str:
    """The form names are compared in: letters and digits only, casefolded."""
    return _squash(value)


def title_of(
    root: lxml.html.HtmlElement,
    candidates: Candidates,
    site: Site,
    sections: frozenset[str],
) -> tuple[str | None, str]:
    """The headline: the first candidate, less the site's suffix. An ``<h1>`` that the
    candidate starts with, before a separator, wins: the rest is a suffix not recognised as
    the site's. After a dash only in a title meant for browsers and sharing; in JSON-LD,
    where the publisher states its headline, only after a pipe or bullet; never after a
    colon, which ends a kicker."""
    found = [
        (source, strip_site(text, site, sections))
        for source, raw in candidates
        if (text := clean(raw))
    ]
    if not found:
        return None, ""
    source, text = found[0]
    separators = _SUFFIX_CHARS if source == "json-ld" else _SEPARATOR_CHARS
    for heading in (h for h in (clean(e.text_content()) for e in root.iter("h1")) if h):
        rest = text[len(heading) :].lstrip() if text.startswith(heading) else ""
        if rest[:1] in separators and len(heading) >= 10:
            return heading, "h1"
    return text, source


def names_of(values: list[str], site: Site, *, keep_site: bool = False) -> tuple[str, ...]:
    """People's names from byline texts: split, "By" dropped, asides in parentheses
    (initials, photo credits) dropped, the site's own name dropped (kept with
    ``keep_site``, for a page whose only credit is the site itself)."""
    found: list[str] = []
    for value in values:
        text = html.unescape(value)
        if site.credited(text) and not keep_site:
            continue  # "Deutsche Welle (www.dw.com)": the site, by its host name
        text = _PARENS_RE.sub(" ", _BY_RE.sub("", text))
        for part in _SPLIT_RE.split(text):
            name = _REPORTER_RE.sub("", clean(_BY_RE.sub("", part)) or "")
            name = name.strip(" .:-–—|·•()[]\"'")
            if _is_name(name, site, keep_site=keep_site) and name.casefold() not in {
                f.casefold() for f in found
            }:
                found.append(name)
    return tuple(found)


def _is_name(name: str, site: Site, *, keep_site: bool) -> bool:
    """Whether a byline's part may name an author: not too long, no URL, not a collective
    credit (``red``, ``Agenturen``), not the site (unless ``keep_site``)."""
    return not (
        not name
        or len(name) > _MAX_NAME
        or len(name.split()) > _MAX_NAME_WORDS
        or not any(c.isalpha() for c in name)
        or name.casefold() in _COLLECTIVE
        or re.search(r"https?:|www\.|@|\.(?:com|html?)\b", name)
        or (not keep_site and (site.named(name) or site.edition(name)))
    )
