"""The figures of a page: its images and videos with their captions, read into media and
taken out of the tree with everything else that is never text (captions, scripts)."""

from __future__ import annotations

from lxml import etree

from ingest import Media, canonical_url
from ingest.helpers import resolve_url
from ingest_plugins.clean.markup import image_source, text_of

_Element = etree._Element

# Elements whose text is never the article's (trafilatura drops most of them too; dropping
# them before it runs saves it the work and keeps captions out of the text).
_NEVER_TEXT = ("figcaption", "script", "style", "noscript", "template", "svg")


def take_figures(tree: _Element, url: str | None) -> list[Media]:
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
