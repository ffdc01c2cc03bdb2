"""Where the extracted paragraphs come from in the page, and what that tells.

trafilatura returns a tree of its own, not tied to the page's. Each of its paragraphs is
found again in the page by its text (white space ignored): the first block of the page
with that text. From those blocks come the body's links (:func:`links_of`), the container
that holds the text (:func:`main_container`) and the other parts of a body that the page
splits around its ads in containers written like the first (:func:`split_parts`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from lxml import etree

from ingest import canonical_url
from ingest.helpers import resolve_url

_Element = etree._Element

#: The page's elements a paragraph may come from, in the order they are searched:
#: paragraphs first (most are found there), the others only for what is still missing.
_STAGES = (
    ("p",),
    ("h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd", "dt"),
    ("td", "th", "tr", "div", "span", "section", "article"),
)
#: Tags that wrap other blocks: one is a paragraph's source only when it holds text of
#: its own (a div of paragraphs is found by its paragraphs).
_WRAPPERS = frozenset({"div", "section", "article", "td", "li", "span"})
#: Text a part of a split body holds in paragraphs of its own before it is taken.
MIN_PART_TEXT = 150
#: How many levels up two parts of a split body (or of a body's region) must meet.
MAX_PART_DISTANCE = 4
_NOT_LINKS = ("#", "javascript:", "mailto:", "tel:", "data:")


def key(text: str) -> str:
    """The form paragraphs are matched in: the text without its white space."""
    return "".join(text.split())


def text_of(el: _Element) -> str:
    """An element's text, its children's included, not its tail."""
    return etree.tostring(el, method="text", encoding="unicode", with_tail=False)


def elements(found: object) -> list[_Element]:
    """The elements of an XPath result (which lxml types as any of its result kinds)."""
    return [el for el in found if isinstance(el, etree._Element)] if isinstance(found, list) else []


def same_class(el: _Element) -> list[_Element]:
    """The elements of ``el``'s document with its tag and exactly its class attribute."""
    found = el.getroottree().getroot().xpath("//*[@class=$c]", c=el.get("class") or "")
    return [other for other in elements(found) if other.tag == el.tag]


def sources_of(paragraphs: Sequence[str], tree: _Element) -> list[_Element | None]:
    """Each paragraph's block in ``tree``: the first in document order with its text (white
    space ignored); None where none has it."""
    wanted: dict[str, list[int]] = {}
    for i, text in enumerate(paragraphs):
        wanted.setdefault(key(text), []).append(i)
    found: list[_Element | None] = [None] * len(paragraphs)
    for tags in _STAGES:
        if not wanted:
            break
        for el in tree.iter(*tags):
            if el.tag in _WRAPPERS and len(el) and not _own_text(el):
                continue
            for i in wanted.pop(key(text_of(el)), ()):
                found[i] = el
            if not wanted:
                break
    return found


def _own_text(el: _Element) -> bool:
    """True when ``el`` holds text of its own: before its first child or after one."""
    if el.text and el.text.strip():
        return True
    return any(child.tail and child.tail.strip() for child in el)


def links_of(sources: Iterable[_Element | None], base_url: str | None) -> tuple[str, ...]:
    """The absolute http(s) URLs of the links inside ``sources``, canonical, in document
    order, each once; links to the page itself are left out."""
    own = canonical_url(base_url) if base_url else None
    seen: set[str] = set() if own is None else {own}
    links: list[str] = []
    done: set[_Element] = set()
    for el in sources:
        if el is None or el in done:
            continue
        done.add(el)
        for anchor in el.iter("a"):
            href = (anchor.get("href") or "").strip()
            if not href or href.lower().startswith(_NOT_LINKS):
                continue
            url = canonical_url(resolve_url(base_url, href) if base_url else href)
            if url is not None and url not in seen:
                seen.add(url)
                links.append(url)
    return tuple(links)


def main_container(sources: Iterable[_Element | None]) -> _Element | None:
    """The element that holds most of the paragraphs found (as ``<p>`` children)."""
    parents = Counter(
        parent
        for el in sources
        if el is not None and el.tag == "p" and (parent := el.getparent()) is not None
    )
    return parents.most_common(1)[0][0] if parents else None


def split_parts(sources: Sequence[_Element | None]) -> list[_Element]:
    """The parts of a body split around ads or widgets, in document order: the main
    container and the elements near it with its tag and class that hold paragraphs none of
    which was extracted. Empty when the body is whole."""
    main = main_container(sources)
    classes = None if main is None else main.get("class")
    if main is None or not classes or not classes.strip():
        return []
    found = {el for el in sources if el is not None}
    parts = [el for el in same_class(main) if el is main or _is_other_part(el, main, found)]
    return parts if len(parts) > 1 else []


def _is_other_part(el: _Element, main: _Element, found: set[_Element]) -> bool:
    """True when ``el`` is apart from ``main``, near it, and holds paragraphs of its own
    none of which was extracted."""
    if _ancestor(el, main) or _ancestor(main, el) or not near(el, main):
        return False
    paragraphs = list(el.iter("p"))
    if any(p in found for p in paragraphs):
        return False
    return sum(len(text_of(p).strip()) for p in paragraphs) >= MIN_PART_TEXT


def _ancestor(el: _Element, of: _Element) -> bool:
    """True when ``el`` is an ancestor of ``of``."""
    return any(parent is el for parent in of.iterancestors())


def near(a: _Element, b: _Element) -> bool:
    """True when ``a`` and ``b`` share an ancestor at most :data:`MAX_PART_DISTANCE` levels
    above each."""
    above = [*a.iterancestors()][:MAX_PART_DISTANCE]
    return any(
        parent is mine for parent in [*b.iterancestors()][:MAX_PART_DISTANCE] for mine in above
    )


def join_parts(parts: Sequence[_Element]) -> None:
    """Move the text and children of every part after the first into the first, in order;
    the emptied parts stay where they were."""
    first = parts[0]
    for part in parts[1:]:
        if part.text and part.text.strip():
            last = first[-1] if len(first) else None
            if last is None:
                first.text = (first.text or "") + part.text
            else:
                last.tail = (last.tail or "") + part.text
            part.text = None
        for child in list(part):
            first.append(child)
