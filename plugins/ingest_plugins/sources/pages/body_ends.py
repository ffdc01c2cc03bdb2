"""The ends of the body: the headline before the text, and what a page puts after it in
the frame the extractor kept (credits, a newsletter box, "follow us", the next teasers).

Each paragraph comes with its block in the page (:mod:`.body_map`). The text proper sits
in one container, its paragraphs written alike; what follows it and is built otherwise
belongs to the page, not the article. Trimmed at the end, one paragraph at a time while
one of these holds:

- a heading: it introduces nothing;
- a block outside the main container (and the containers written like it);
- a paragraph of a class that shares nothing with the class most paragraphs have;
- a short paragraph that reads as a trailer: a credit ("contributed to this report",
  "Reporting by"), a copyright, a call to subscribe, follow, share, send a tip.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from lxml import etree

from ingest_plugins.sources.pages.body_map import key, near, same_class

_Element = etree._Element
#: A paragraph and its block in the page (None where it was not found).
Block = tuple[str, _Element | None]

_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
#: The shortest paragraph taken for the start of a longer ``<title>``.
MIN_TITLE_CHARS = 20
#: Paragraphs in the main container (or of the main class) before the end is trimmed.
MIN_BODY_PARAGRAPHS = 3
#: A trailer is short: a paragraph of more words is text that happens to say "subscribe".
MAX_TRAILER_WORDS = 60
#: What a news page writes after the article: who else reported it, whose it is, and what
#: the reader should do next (subscribe, follow, share, send a tip, get the app).
_TRAILER_RE = re.compile(
    r"""(?ix)
    contributed\ to\ this\ (?:report|story|article)
    | ^\W*(?:additional\ )?(?:reporting|writing|editing)\ by\b
    | ;\s*editing\ by\b
    | ^\W*sources?\s*:
    | ©|\(c\)\s*\d{4}|\bcopyright\b|\ball\ rights\ reserved\b
    | ^\W*(?:click|tap)\ here\b
    | \bsubscribe\b|\bnewsletters?\b|\bsign\ up\b
    | ^\W*follow\b.{0,80}\b(?:on|at)\b.{0,40}\b(?:twitter|facebook|instagram|youtube|linkedin)\b
    | \bshare\ (?:it|this(?:\ story|\ article)?)\ with\b
    | ^\W*(?:have|got)\ a\ (?:news\ )?tip\b
    | \bget\ the\ [\w\ ]{0,30}\bapp\b
    """
)


def trim(blocks: Sequence[Block], main: _Element | None, titles: frozenset[str]) -> list[Block]:
    """``blocks`` without the headline (an ``<h1>``, or a first paragraph that is one of
    ``titles``: :func:`.body_map.key`\\ s) and without the trailers at their end."""
    kept = [(text, el) for text, el in blocks if el is None or el.tag != "h1"]
    while kept and _is_title(kept[0][0], titles):
        kept.pop(0)
    return trim_end(kept, main)


def _is_title(text: str, titles: frozenset[str]) -> bool:
    """True when ``text`` is the page's title, or starts its ``<title>`` (which adds the
    site's name)."""
    found = key(text)
    return found in titles or (
        len(found) >= MIN_TITLE_CHARS and any(t.startswith(found) for t in titles)
    )


def trim_end(blocks: Sequence[Block], main: _Element | None) -> list[Block]:
    """``blocks`` without the trailers at their end (the module's rules); the first block
    always stays (a page of one line is that line)."""
    kept = list(blocks)
    region = _region(main)
    inside = sum(1 for _, el in kept if el is not None and _inside(el, region))
    style = _paragraph_style(kept)
    while len(kept) > 1 and (el := kept[-1][1]) is not None:
        outside = not _inside(el, region)
        if not (
            el.tag in _HEADINGS
            or is_trailer(kept[-1][0])
            or (outside and inside >= MIN_BODY_PARAGRAPHS)
            or (style and el.tag == "p" and _other_style(el, style))
        ):
            break
        kept.pop()
        if not outside:
            inside -= 1
    return kept


def is_trailer(text: str) -> bool:
    """True when ``text`` reads as a page's trailer (credit, copyright, call to action)."""
    return len(text.split()) <= MAX_TRAILER_WORDS and _TRAILER_RE.search(text) is not None


def _region(main: _Element | None) -> set[_Element]:
    """The main container and the elements near it of its tag and class (the parts of a
    body split around ads, or wrapped part by part)."""
    if main is None:
        return set()
    if not main.get("class"):
        return {main}
    return {main} | {el for el in same_class(main) if near(el, main)}


def _inside(el: _Element, region: set[_Element]) -> bool:
    """True when ``el`` is one of ``region`` or inside one."""
    return el in region or any(parent in region for parent in el.iterancestors())


def _other_style(el: _Element, style: str) -> bool:
    """True when ``el`` has a class and none of its classes is one of ``style``'s."""
    classes = set((el.get("class") or "").split())
    return bool(classes) and not classes & set(style.split())


def _paragraph_style(blocks: Sequence[Block]) -> str | None:
    """The class most of the body's ``<p>`` share, when they share one."""
    classes = Counter(el.get("class") for _, el in blocks if el is not None and el.tag == "p")
    if not classes:
        return None
    style, count = classes.most_common(1)[0]
    if not style or count < MIN_BODY_PARAGRAPHS:
        return None
    return style
