"""The main text of a web page: clean paragraphs, its figures and its embedded posts.

Embedded posts and players are lifted out first (:mod:`.embeds`), figures are read into
media with their captions and the captions removed, then trafilatura finds the main
content (it drops navigation, ads, related links, comments, newsletter boxes, cookie
banners and share widgets by its own rules). Its result tree is walked into paragraphs:
a subheading, a list item, a table row, each quoted paragraph is one.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass

import lxml.html
import trafilatura
from lxml import etree

from ingest import Embed, Media, canonical_url
from ingest.helpers import resolve_url
from ingest_plugins.clean.markup import image_source, text_of
from ingest_plugins.sources.pages.embeds import take_embeds

_Element = etree._Element

#: trafilatura's output elements that hold other blocks rather than text of their own.
_CONTAINERS = frozenset({"list", "quote", "table", "div", "body", "doc", "main"})
#: What never becomes a paragraph: images and line-break markers.
_SKIP = frozenset({"graphic", "lb"})
#: The text blocks in trafilatura's tree.
_BLOCKS = frozenset({"p", "head", "item", "code", "list", "quote", "table", "row", "div"})
# Elements whose text is never the article's (trafilatura drops most of them too; dropping
# them before it runs saves it the work and keeps captions out of the text).
_NEVER_TEXT = ("figcaption", "script", "style", "noscript", "template", "svg")
#: Elements past which a page is read in one fast pass (:func:`main_paragraphs`).
BIG_PAGE = 20_000


@dataclass(frozen=True, slots=True)
class PageBody:
    """What :func:`extract_body` finds: the body as paragraphs, and what is not text."""

    paragraphs: tuple[str, ...]
    #: Images (and videos) of the body's figures, with their captions.
    media: tuple[Media, ...]
    embeds: tuple[Embed, ...]
    #: Notes for ``article.warnings`` (``"no main text found"``...).
    warnings: tuple[str, ...]


def extract_body(root: lxml.html.HtmlElement, url: str | None) -> PageBody:
    """The main text of a parsed page, its figures and its embedded posts; ``root`` is not
    changed. ``url`` is what relative links resolve against."""
    tree = copy.deepcopy(root)
    # A comment inside a paragraph (React pages write <!-- --> between text runs) makes
    # trafilatura drop the paragraph's rest; its own parser removes them, ours may not.
    etree.strip_tags(tree, etree.Comment, etree.ProcessingInstruction)
    embeds = take_embeds(tree, url)
    media = _take_figures(tree, url)
    paragraphs = main_paragraphs(tree, url)
    warnings = () if paragraphs else ("no main text found",)
    return PageBody(tuple(paragraphs), tuple(media), tuple(embeds), warnings)


def main_paragraphs(tree: lxml.html.HtmlElement, url: str | None) -> list[str]:
    """trafilatura's main content of ``tree`` (which it changes) as paragraphs; a second,
    recall-favouring pass when the first finds nothing. A page of more than
    :data:`BIG_PAGE` elements gets one pass, without trafilatura's fallback extractors: their
    time grows faster than the page (100,000 paragraphs: 39 s), the main pass's does not."""
    big = sum(1 for _ in tree.iter()) > BIG_PAGE
    for recall in (False,) if big else (False, True):
        document = trafilatura.bare_extraction(
            tree if recall or big else copy.deepcopy(tree),
            url=url,
            favor_recall=recall,
            fast=big,
            include_comments=False,
            include_tables=True,
            with_metadata=False,
        )
        body = getattr(document, "body", None)
        if body is not None and (paragraphs := list(_paragraphs(body))):
            return paragraphs
    return []


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


def _take_figures(tree: _Element, url: str | None) -> list[Media]:
    """The images and videos of ``<figure>`` elements, captioned; then every caption and
    script-like element leaves the tree."""
    media: list[Media] = []
    seen: set[str] = set()
    for figure in tree.iter("figure"):
        caption_el = next(figure.iter("figcaption"), None)
        caption = None
        if caption_el is not None:
            caption = " ".join(text_of(caption_el).split()) or None
        # A video's poster is an <img> too: the video (or its <source>) is the medium.
        video = figure.find(".//video") is not None
        for el in figure.iter(*(("video", "source") if video else ("img", "source"))):
            src = image_source(el)
            if not src:
                continue
            full = canonical_url(resolve_url(url, src) if url else src)
            if full is None or full in seen:
                continue
            seen.add(full)
            alt = " ".join((el.get("alt") or "").split()) or None
            media.append(Media("video" if video else "image", full, caption or alt))
            break  # one medium per figure: the rest are its other sizes
    etree.strip_elements(tree, *_NEVER_TEXT, with_tail=False)
    return media
