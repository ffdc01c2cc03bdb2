"""Rules run on the page before its main text is looked for: what a news page puts in or
near its text that is never the article's.

- The standfirst (dek): the line under the headline that sums the article up. Pages mark
  it up as a heading or as ``itemprop="description"``, and state it again in their
  ``description`` meta tags; a lead paragraph (``<p>``) that says the same is kept.
- Related stories: a paragraph that is one link to another page of the same site, with a
  label at most (``Related:``, ``SEE MORE``), between the article's paragraphs.
- The page's head and chrome: navigation, side bars, footers and form controls (which
  trafilatura drops as well; dropped here, its copies of the page are smaller).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml import etree

from ingest_plugins.sources.pages.body_map import elements, key, text_of

_Element = etree._Element

#: A related-story paragraph: a link of at least this many words...
MIN_LINK_WORDS = 4
#: ...after a label of at most this many (``Related:``, ``SEE MORE:``).
MAX_LABEL_WORDS = 3
_HEADINGS = ("h2", "h3", "h4", "h5", "h6")
_MARKED_DESCRIPTION = etree.XPath("//body//*[@itemprop='description']")
_TITLES = frozenset({"og:title", "twitter:title"})
_DESCRIPTIONS = frozenset({"description", "og:description", "twitter:description"})
#: Never the text, and dropped by trafilatura anyway.
_CHROME = (
    "nav", "aside", "footer", "menu", "button", "select", "textarea", "input", "option",
    "label",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Stated:
    """What the page's head says of its article, as :func:`.body_map.key`\\ s: its titles
    (``<title>``, ``og:title``, ``twitter:title``) and descriptions (``description``,
    ``og:description``, ``twitter:description``)."""

    titles: frozenset[str] = frozenset()
    descriptions: frozenset[str] = frozenset()


def prune_page(tree: _Element, url: str | None) -> Stated:
    """Remove from ``tree`` what is never the body's text (see the module's rules); what
    the page states of itself."""
    found = stated(tree)
    drop_deks(tree, found.descriptions)
    drop_related_links(tree, url)
    head = tree.find("head")
    if head is not None:
        tree.remove(head)
    etree.strip_elements(tree, *_CHROME, with_tail=False)
    return found


def stated(tree: _Element) -> Stated:
    """The titles and descriptions the page states in its ``<meta>`` and ``<title>``."""
    titles, descriptions = set(), set()
    for meta in tree.iter("meta"):
        name = (meta.get("name") or meta.get("property") or "").lower()
        if not (content := key(meta.get("content") or "")):
            continue
        if name in _DESCRIPTIONS:
            descriptions.add(content)
        elif name in _TITLES:
            titles.add(content)
    title = tree.find(".//title")
    if title is not None and (text := key(text_of(title))):
        titles.add(text)
    return Stated(frozenset(titles), frozenset(descriptions))


def drop_deks(tree: _Element, descriptions: frozenset[str]) -> None:
    """Remove the headings that repeat one of ``descriptions`` (:func:`.body_map.key`\\ s)
    and the elements other than paragraphs marked ``itemprop="description"``."""
    found = []
    if descriptions:
        found = [h for h in tree.iter(*_HEADINGS) if key(text_of(h)) in descriptions]
    found += [el for el in elements(_MARKED_DESCRIPTION(tree)) if el.tag != "p"]
    for el in found:
        remove(el)


def drop_related_links(tree: _Element, url: str | None) -> None:
    """Remove the paragraphs that are a link of :data:`MIN_LINK_WORDS` words or more to
    the site ``url`` is on (or a relative one), after a label of :data:`MAX_LABEL_WORDS`
    words at most. A link to another site is a source or a citation and stays."""
    host = site_of(url)
    for p in list(tree.iter("p")):
        anchors = list(p.iter("a"))
        if not anchors or not all(same_site(a.get("href") or "", host) for a in anchors):
            continue
        words = len(text_of(p).split())
        linked = sum(len(text_of(a).split()) for a in anchors)
        if linked >= MIN_LINK_WORDS and words - linked <= MAX_LABEL_WORDS:
            remove(p)


def site_of(url: str | None) -> str | None:
    """The host of ``url`` without ``www.``; None for none."""
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:  # a malformed authority ("http://[x")
        return None
    return host.removeprefix("www.") or None


def same_site(href: str, host: str | None) -> bool:
    """True when ``href`` is a relative link, or goes to ``host`` or a subdomain of it."""
    href = href.strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
        return False
    if not href.startswith(("http://", "https://", "//")):
        return True
    other = site_of("https:" + href if href.startswith("//") else href)
    return bool(host and other and (other == host or other.endswith("." + host)))


def remove(el: _Element) -> None:
    """Remove ``el`` from its tree, keeping the text after it."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail and el.tail.strip():
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)
