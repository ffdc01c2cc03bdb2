"""The main text of a web page: clean paragraphs, its links, figures and embedded posts.

The steps, on a copy of the page:

1. Embedded posts and players are lifted out (:mod:`.embeds`); figures are read into media
   with their captions, and the captions removed (:mod:`.body_figures`).
2. What is never the text goes: the standfirst that repeats the page's description,
   related-story links, navigation and form controls (:mod:`.body_rules`).
3. trafilatura finds the main content, by its own rules and without its fallback
   extractors (``fast``: on news pages they cost time and add boilerplate). Its tree is
   walked into paragraphs: a subheading, a list item, a table row, a quoted paragraph each
   is one.
   A page of more than 20,000 elements, which no article page has, is read in one linear
   pass instead (:mod:`.body_large`): trafilatura's time grows faster than the page.
4. Each paragraph is found again in the page (:mod:`.body_map`): a body split around ads
   into containers alike is joined and read again; the body's links are read there.
5. The headline and what follows the text in the same frame (credits, "follow us",
   newsletter boxes, teasers) are trimmed (:mod:`.body_ends`).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass

import lxml.html
from lxml import etree

from ingest import Embed, Media
from ingest_plugins.sources.pages.body_ends import Block, trim
from ingest_plugins.sources.pages.body_figures import take_figures
from ingest_plugins.sources.pages.body_large import LARGE_PAGE, largest_block
from ingest_plugins.sources.pages.body_map import (
    join_parts,
    links_of,
    main_container,
    sources_of,
    split_parts,
)
from ingest_plugins.sources.pages.body_rules import prune_page
from ingest_plugins.sources.pages.embeds import take_embeds

_Element = etree._Element

#: trafilatura's output elements that hold other blocks rather than text of their own.
_CONTAINERS = frozenset({"list", "quote", "table", "div", "body", "doc", "main"})
#: What never becomes a paragraph: images and line-break markers.
_SKIP = frozenset({"graphic", "lb"})
_COUNT = etree.XPath("count(//*)")
#: The text blocks in trafilatura's tree.
_BLOCKS = frozenset({"p", "head", "item", "code", "list", "quote", "table", "row", "div"})


@dataclass(frozen=True, slots=True)
class PageBody:
    """What :func:`extract_body` finds: the body as paragraphs, and what is not text."""

    paragraphs: tuple[str, ...]
    #: Images (and videos) of the body's figures, with their captions.
    media: tuple[Media, ...]
    embeds: tuple[Embed, ...]
    #: Notes for ``article.warnings`` (``"no main text found"``...).
    warnings: tuple[str, ...]
    #: The absolute http(s) URLs the text links to: canonical, in document order, each once.
    links: tuple[str, ...] = ()


def extract_body(
    root: lxml.html.HtmlElement, url: str | None, *, posts_in_text: bool = False
) -> PageBody:
    """The main text of a parsed page, its links, figures and embedded posts; ``root`` is
    not changed. ``url`` is what relative links resolve against. With ``posts_in_text`` an
    embedded post's text also stays where the page shows it, as a paragraph of the text."""
    tree = copy.deepcopy(root)
    # A comment inside a paragraph (React pages write <!-- --> between text runs) makes
    # trafilatura drop the paragraph's rest; its own parser removes them, ours may not.
    etree.strip_tags(tree, etree.Comment, etree.ProcessingInstruction)
    embeds = take_embeds(tree, url, keep=posts_in_text)
    media = take_figures(tree, url)
    stated = prune_page(tree, url)
    large = _count(tree) > LARGE_PAGE
    blocks = main_text(tree, url, large=large)
    blocks = trim(blocks, main_container(el for _, el in blocks), stated.titles)
    paragraphs = tuple(text for text, _ in blocks)
    warnings: tuple[str, ...] = () if paragraphs else ("no main text found",)
    if large:
        warnings += (
            f"a page of more than {LARGE_PAGE:,} elements: its text is its largest block of "
            "paragraphs, not the main-text extractor's",
        )
    links = links_of((el for _, el in blocks), url)
    return PageBody(paragraphs, tuple(media), tuple(embeds), warnings, links)


def main_text(tree: lxml.html.HtmlElement, url: str | None, *, large: bool = False) -> list[Block]:
    """The main text's paragraphs, each with its block in ``tree`` (None where it is not
    found). A body split in parts around ads is joined and read again. A ``large`` page is
    read by :func:`~.body_large.largest_block`, in one pass."""
    if large:
        paragraphs = largest_block(tree)
        return list(zip(paragraphs, sources_of(paragraphs, tree), strict=True))
    paragraphs = main_paragraphs(tree, url)
    sources = sources_of(paragraphs, tree)
    if parts := split_parts(sources):
        join_parts(parts)
        joined = main_paragraphs(tree, url)
        if sum(map(len, joined)) > sum(map(len, paragraphs)):
            paragraphs, sources = joined, sources_of(joined, tree)
    return list(zip(paragraphs, sources, strict=True))


def main_paragraphs(tree: lxml.html.HtmlElement, url: str | None) -> list[str]:
    """trafilatura's main content of ``tree`` (which it leaves as it is) as paragraphs; a
    second, recall-favouring pass when the first finds nothing."""
    import trafilatura  # noqa: PLC0415 - 0.13 s to import: only when a page is read

    for recall in (False, True):
        document = trafilatura.bare_extraction(
            tree,
            url=url,
            favor_recall=recall,
            fast=True,
            include_comments=False,
            include_tables=True,
            with_metadata=False,
        )
        body = getattr(document, "body", None)
        if body is not None and (paragraphs := list(_paragraphs(body))):
            return paragraphs
    return []


def _count(tree: _Element) -> int:
    """How many elements ``tree`` holds."""
    found = _COUNT(tree)
    return int(found) if isinstance(found, float) else 0


def _paragraphs(el: _Element) -> Iterator[str]:
    """The paragraphs of trafilatura's tree: each block's text, white space collapsed."""
    for child in el.iterchildren():
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in _SKIP:
            continue
        nested = any(isinstance(c.tag, str) and c.tag in _BLOCKS for c in child.iterchildren())
        if tag in _CONTAINERS or (nested and tag != "row"):
            if lead := " ".join((child.text or "").split()):
                yield lead
            yield from _paragraphs(child)
        elif tag == "row":  # one paragraph per table row, its cells separated by spaces
            if text := " ".join(filter(None, map(_block_text, child.iterchildren()))):
                yield text
        else:
            text = _block_text(child)
            if text:
                yield text
        if tail := " ".join((child.tail or "").split()):
            yield tail


def _block_text(el: _Element) -> str:
    """A block's text; a line break (``<lb/>``) is a space, as in running text."""
    text = etree.tostring(el, method="text", encoding="unicode", with_tail=False)
    return " ".join(text.split())
