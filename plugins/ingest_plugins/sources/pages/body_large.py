"""The main text of a page too large for trafilatura: one linear pass.

trafilatura's time grows faster than the page (30,000 paragraphs: 12 s, 50,000: 27 s on this
machine), and no real article page comes near (the largest of the shared corpora's 323 pages
has 4,274 elements). Past :data:`LARGE_PAGE` elements the text is the container whose
paragraphs hold the most text, read in one pass, and the article says so in a warning.
"""

from __future__ import annotations

from lxml import etree

from ingest_plugins.clean.markup import text_of

_Element = etree._Element

#: Elements past which a page is read by :func:`largest_block`.
LARGE_PAGE = 20_000
#: The blocks of running text.
_BLOCKS = ("p", "h2", "h3", "h4", "h5", "h6", "li", "pre")
#: Where article text never is.
_NEVER = ("nav", "header", "footer", "aside", "form", "script", "style", "noscript", "template")
#: Lists and quotes hold blocks: their text counts for the element around them.
_WRAPPERS = frozenset({"ul", "ol", "dl", "blockquote"})


def largest_block(tree: _Element) -> list[str]:
    """The paragraphs of the element whose blocks hold the most text, in document order;
    ``tree`` (a copy) loses its navigation, headers, footers and asides."""
    etree.strip_elements(tree, *_NEVER, with_tail=False)
    weight: dict[_Element, int] = {}
    for block in tree.iter(*_BLOCKS):
        holder = block.getparent()
        while holder is not None and holder.tag in _WRAPPERS:
            holder = holder.getparent()
        if holder is not None:
            weight[holder] = weight.get(holder, 0) + len(text_of(block))
    if not weight:
        return []
    best = max(weight, key=weight.__getitem__)
    paragraphs = []
    for block in best.iter(*_BLOCKS):
        if _inside_block(block, best):
            continue  # its text is its outer block's
        if text := " ".join(text_of(block).split()):
            paragraphs.append(text)
    return paragraphs


def _inside_block(block: _Element, top: _Element) -> bool:
    """True when an ancestor of ``block`` below ``top`` is a block itself (a ``<p>`` in a
    ``<li>``)."""
    parent = block.getparent()
    while parent is not None and parent is not top:
        if parent.tag in _BLOCKS:
            return True
        parent = parent.getparent()
    return False
