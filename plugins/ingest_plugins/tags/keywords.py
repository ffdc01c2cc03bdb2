"""Keywords, and hashtags, mentions and cashtags found in the text.

Keywords: the content words an article repeats most, leaving out stop words (the
stopwords-iso list of the article's language, English when unknown) and the names other
tag plugins already found. Phrase extractors (RAKE, YAKE) read better but cost ten to a
hundred times more per article, and the whole tag stage must cost less than the rest of
the pipeline; this runs in tens of microseconds.

Social tags: ``#hashtag`` and ``$CASHTAG`` as ``hashtag`` tags and ``@handle`` as
``mention`` tags, unless the source already provided them (posts do).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from itertools import compress, repeat
from operator import ge, itemgetter

import stopwordsiso

from ingest import Article, Config, Settings, Tag, hookimpl
from ingest_plugins.tags.gazetteer import NOT_ENTITIES
from ingest_plugins.tags.people import DEMONYMS, TITLES

BY = "keywords"
_MAX_TEXT = 20_000
_NAMED = frozenset({"person", "place", "organization"})
# Words are found with bytes.translate and split, which run in C: a Unicode regex over the
# text costs twice the rest of the plugin. ASCII punctuation and digits become spaces, and
# so do the typographic marks that cling to words ("Ukraine’s" counts as "ukraine").
_SEPARATORS = bytes.maketrans(
    bytes(c for c in range(0x21, 0x7F) if not chr(c).isalpha()),
    b" " * sum(1 for c in range(0x21, 0x7F) if not chr(c).isalpha()),
)
_TYPOGRAPHY = "’‘“”„«»—–…•·"
_MIN_LENGTH = 4
# The mark first, what may not come before it after: the regex engine then skips from mark
# to mark in C instead of trying the look-behind at every character (20 to 200 µs a text).
_HASHTAG_RE = re.compile(r"#(?<![\w&#]#)([^\W\d_]\w{1,60})")
_CASHTAG_RE = re.compile(r"\$(?<![\w$]\$)([A-Z]{1,6})\b")
_MENTION_RE = re.compile(r"@(?<![\w@.]@)([A-Za-z0-9_]{2,30}(?:\.[A-Za-z0-9-]+)*)\b")


@hookimpl
def ingest_add_settings(settings: Settings) -> None:
    """Declare ``keywords.count``."""
    settings.add("keywords.count", 5, "How many keywords to tag an article with (0: none).")


@cache
def _skipped(language: str) -> frozenset[bytes]:
    """The language's stop words, and the words that say little about a topic in any:
    nationality adjectives, titles, weekdays and months."""
    words = stopwordsiso.stopwords(language) if stopwordsiso.has_lang(language) else set()
    dull = DEMONYMS | TITLES | NOT_ENTITIES
    return frozenset(w.encode("utf-8") for w in (words or stopwordsiso.stopwords("en")) | dull)


def _words(text: str) -> list[bytes]:
    if text.isascii():  # no typographic mark; bytes.lower() lower-cases ASCII alike, faster
        return text.encode().lower().translate(_SEPARATORS).split()
    for mark in _TYPOGRAPHY:
        if mark in text:
            text = text.replace(mark, " ")
    # errors="replace": a lone surrogate ("caf\ud800", issue 10) becomes "?", a separator.
    return text.lower().encode("utf-8", "replace").translate(_SEPARATORS).split()


@hookimpl(trylast=True)  # after the entity plugins, whose names it leaves out
def ingest_tag(article: Article, config: Config) -> list[Tag] | None:
    """A handful of keywords, and the social tags the source did not give."""
    text = article.text[:_MAX_TEXT]
    language = (article.language or "en").split("-")[0]
    social = "#" in text or "$" in text or "@" in text  # else no set of known tags to build
    tags = social_tags(text, {(t.kind, t.value) for t in article.tags}) if social else []
    # Names are tags of their own already: a keyword says what else the article is about.
    names = frozenset(
        word.lower() for t in article.tags if t.kind in _NAMED for word in t.value.split()
    )
    found = keywords(text, language, config.get("keywords.count"), names)
    return tags + [Tag("keyword", word, score, BY) for word, score in found] or None


def keywords(
    text: str, language: str = "en", count: int = 5, exclude: frozenset[str] = frozenset()
) -> list[tuple[str, float]]:
    """The ``count`` most frequent content words of ``text`` (seen at least twice, not stop
    words, not in ``exclude``), scored relative to the most frequent, in (0, 1]."""
    if count <= 0 or not text:
        return []
    skip = _skipped(language)
    names = {w.encode("utf-8", "replace") for w in exclude}
    # The words seen twice or more are picked and sorted by count in C (stably: ties stay
    # in the order of first use); only those at the top are looked at in Python.
    counts = Counter(_words(text))
    repeated = compress(counts.items(), map(ge, counts.values(), repeat(2)))
    best: list[tuple[bytes, int]] = []
    for word, n in sorted(repeated, key=itemgetter(1), reverse=True):
        if len(best) == count:
            break
        if len(word) >= _MIN_LENGTH and word not in skip and word not in names:
            best.append((word, n))
    return [(word.decode("utf-8"), round(n / best[0][1], 3)) for word, n in best]


def social_tags(text: str, known: set[tuple[str, str]]) -> list[Tag]:
    """``#tags``, ``$TAGS`` and ``@mentions`` in ``text`` that ``known`` does not hold."""
    # A substring test first: the look-behind regexes cost 30 µs each on a plain article.
    found = [("hashtag", m) for m in _HASHTAG_RE.findall(text)] if "#" in text else []
    found += [("hashtag", f"${m}") for m in _CASHTAG_RE.findall(text)] if "$" in text else []
    found += [("mention", m) for m in _MENTION_RE.findall(text)] if "@" in text else []
    tags, seen = [], set(known)
    for kind, value in found:
        if (kind, value) not in seen:
            seen.add((kind, value))
            tags.append(Tag(kind, value, None, BY))
    return tags
