"""HTML to text: the one conversion that feeds, posts and pages share.

A fetch plugin leaves raw HTML in ``article.markup``; :func:`ingest_clean` (``tryfirst``, so
before ``normalize``) turns it into paragraphs, embedded posts, links and media, then clears
it. :func:`html_to_text` and :func:`html_to_line` are usable on their own.

Every feed entry comes through here, so the work is done in C wherever it can be: libxml2
parses, ``strip_elements`` drops scripts, forms and the like, and an XSLT stylesheet writes
the text with a marker character at each paragraph and line break. Python only splits that
text and handles the few elements that need it: embedded posts, links, images and players.
"""

from __future__ import annotations

import html as entities
import re
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from ingest import Article, Author, Embed, Media, canonical_url, hookimpl
from ingest.helpers import resolve_url

_Element = etree._Element

_DROP = (
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas",
    "form", "button", "select", "textarea", "head", "title", "meta", "link",
)  # fmt: skip
_BLOCK = frozenset({
    "p", "div", "section", "article", "header", "footer", "aside", "main", "nav", "h1", "h2",
    "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "pre", "figure",
    "figcaption", "table", "caption", "tr", "hr", "address", "details", "summary", "center",
})  # fmt: skip
# Private-use characters that mark paragraph and line breaks in the stylesheet's output.
_PARA, _LINE = "\ue000", "\ue001"
_TEMPLATES = (
    f'<template match="{"|".join(sorted(_BLOCK - {"pre"}))}">'
    f"{_PARA}<apply-templates/>{_PARA}</template>",
    f'<template match="pre">{_PARA}<apply-templates mode="pre"/>{_PARA}</template>',
    f'<template match="br">{_LINE}</template><template match="br" mode="pre">{_LINE}</template>',
    '<template match="td|th"><text> </text><apply-templates/></template>',
    '<template match="video|audio"/><template match="video|audio" mode="pre"/>',
    '<template match="text()" mode="pre">'
    f"<value-of select=\"translate(., '&#10;', '{_LINE}')\"/></template>",
)
# libxslt writes the marked text of a 3 KB entry in ~10 µs; a Python tree walk takes ~60.
_TEXT = etree.XSLT(
    etree.XML(
        '<stylesheet version="1.0" xmlns="http://www.w3.org/1999/XSL/Transform">'
        f'<output method="text" encoding="UTF-8"/>{"".join(_TEMPLATES)}</stylesheet>'
    )
)
# huge_tree costs a third more parse time but lifts libxml2's nesting limit from 256 to
# 2048, so that only documents with thousands of tags need the depth check below.
_PARSER = etree.HTMLParser(
    encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, huge_tree=True
)
_DEEP = 2048  # libxml2's nesting limit, even with huge_tree: anything deeper is cut off
_TINY = frozenset({"0", "1", "0px", "1px"})
_PIXEL_MARKERS = (
    "feeds.feedburner.com/~r/", "/~r/", "/~ff/", "?utm_", "&utm_", "/pixel.", "/pixel/",
    "/pixel?", "//pixel.", "stats.wordpress.com/", "/tracking/", "doubleclick.net/",
)  # fmt: skip
_MIME = {
    "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif",
    "webp": "image/webp", "avif": "image/avif", "svg": "image/svg+xml",
    "mp4": "video/mp4", "m4v": "video/mp4", "webm": "video/webm", "mov": "video/quicktime",
    "mp3": "audio/mpeg", "m4a": "audio/mp4", "ogg": "audio/ogg", "opus": "audio/opus",
    "wav": "audio/wav", "flac": "audio/flac",
}  # fmt: skip
# Embed class -> (Embed.kind, the post's own URL, which is also its canonical form).
_EMBEDS = {
    "twitter-tweet": ("tweet", re.compile(
        r"(?i)https?://(?:\w+\.)?(?:twitter|x)\.com/(?P<handle>\w+)/status(?:es)?/\d+")),
    "mastodon-embed": ("post", re.compile(r"https?://(?P<host>[\w.-]+)/@(?P<user>\w+)/\d+")),
    "bluesky-embed": ("post", re.compile(
        r"https?://bsky\.app/profile/(?P<handle>[^/\s?#]+)/post/\w+")),
}  # fmt: skip
# "— Володимир Зеленський (@ZelenskyyUa) April 26, 2023" closing an embedded post.
_SIGNATURE = re.compile(
    r"(?:^|\s)[—–-]{1,2}\s*(?P<name>[^()\n]{0,80}?)\s*\(\s*@(?P<handle>[^()\s]{1,100})\s*\)"
    r"[^()\n]*$"
)
_DATE = re.compile(r"[A-Z][a-z]{2,8}\.? \d{1,2}, \d{4}")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<!--")
_ANY_TAG = re.compile(r"<(/?)([A-Za-z][\w:-]*)[^>]*>")
# An http(s) URL that canonical_url() returns unchanged: no query, port, user or fragment.


@dataclass(frozen=True, slots=True)
class HtmlText:
    """What :func:`html_to_text` finds in an HTML fragment."""

    #: Paragraphs joined by ``"\\n\\n"``; a ``<br>`` is a ``"\\n"`` inside one.
    text: str
    embeds: list[Embed] = field(default_factory=list)
    #: Canonical http(s) URLs of the ``<a href>`` links, deduplicated, in document order.
    links: list[str] = field(default_factory=list)
    media: list[Media] = field(default_factory=list)


def html_to_text(html: str, base_url: str | None = None) -> HtmlText:
    """Convert an HTML fragment or document to text, embedded posts, links and media.

    Relative URLs resolve against ``base_url``. Never raises on broken markup. Runs of ASCII
    white space and no-break spaces become one space; rarer Unicode spaces are kept.
    """
    if "<" not in html:  # plain text, perhaps with entities: no parse needed
        return HtmlText(" ".join((entities.unescape(html) if "&" in html else html).split()))
    root = _parse(html)
    if root is None:
        return HtmlText("")
    found = _Collector(base_url)
    found.collect(root)
    return HtmlText("\n\n".join(_paragraphs(root)), found.embeds, list(found.links), found.media)


def html_to_line(html: str) -> str:
    """The text of a title or summary on one line; text that is not HTML stays as it is,
    with entities decoded and white space collapsed."""
    if "<" not in html or not _TAG.search(html):
        return " ".join((entities.unescape(html) if "&" in html else html).split())
    root = _parse(html)
    if root is None:
        return ""
    # No links, media or embeds to collect for a line: only the text.
    etree.strip_elements(root, *_DROP, with_tail=False)
    return " ".join(" ".join(_paragraphs(root)).split())


def _parse(html: str) -> _Element | None:
    for char in ("\0", _PARA, _LINE):
        if char in html:
            html = html.replace(char, "")
    root: _Element | None = etree.fromstring(html.encode("utf-8", "replace"), _PARSER)
    # Only a document with thousands of tags can be too deep; only then read the error log.
    if root is not None and html.count("<") >= _DEEP and _too_deep():
        root = etree.fromstring(_ANY_TAG.sub(_flat_tag, html).encode("utf-8", "replace"), _PARSER)
    return root


def _too_deep() -> bool:
    return any(e.type_name == "ERR_RESOURCE_LIMIT" for e in _PARSER.error_log)


def _flat_tag(match: re.Match[str]) -> str:
    """Too deep to parse: blocks become ``<p>`` (which cannot nest), most other tags go."""
    name = match[2].lower()
    if name in _BLOCK:
        return "<p>"
    return match[0] if name in {"a", "img", "br", "script", "style", "title"} else ""


class _Collector:
    """The embedded posts, links and media of one parsed fragment."""

    def __init__(self, base_url: str | None) -> None:
        self.base = base_url
        self.embeds: list[Embed] = []
        self.links: dict[str, None] = {}  # ordered and deduplicated
        self.media: list[Media] = []
        self.media_urls: set[str] = set()

    def collect(self, root: _Element) -> None:
        """Lift embedded posts, drop scripts and the like, then take links and media."""
        for el in list(root.iter("blockquote", "iframe")):  # a list: the loop changes the tree
            if self._embed(el):
                el.clear(keep_tail=True)  # type: ignore[call-arg]  # missing from lxml-stubs
        etree.strip_elements(root, *_DROP, with_tail=False)
        for el in root.iter("a", "img", "video", "audio"):
            tag = el.tag
            if tag == "a":
                if _is_navigation(el):
                    continue
                if url := self._canonical(el.get("href")):
                    self.links[url] = None
            elif tag == "img":
                self._image(el)
            else:
                self._player(el, tag)

    def _url(self, raw: str | None) -> str | None:
        """``raw`` resolved against the base URL; None for an in-page anchor."""
        raw = raw.strip() if raw else None
        if not raw or raw.startswith(("https://", "http://")):
            return raw
        if raw[0] == "#":
            return None
        if raw.startswith("//") and not self.base:
            return "https:" + raw
        return resolve_url(self.base, raw)

    def _canonical(self, raw: str | None) -> str | None:
        return canonical_url(self._url(raw))

    def _image(self, el: _Element) -> None:
        if el.get("width") in _TINY or el.get("height") in _TINY:
            return
        src = self._url(image_source(el))
        if src and not _is_pixel(src):
            self._add_media("image", el, self._canonical(src), el.get("alt"), None)

    def _player(self, el: _Element, kind: str) -> None:
        """The first playable source of a ``<video>`` or ``<audio>``."""
        for source in (el, *el.iter("source")):
            src = source.get("src")
            if src and not src.startswith("data:"):
                self._add_media(kind, el, self._canonical(src), None, source.get("type"))
                return

    def _add_media(
        self, kind: str, el: _Element, url: str | None, alt: str | None, mime: str | None
    ) -> None:
        if url is None or url in self.media_urls:
            return
        self.media_urls.add(url)
        figure = next(el.iterancestors("figure"), None)
        caption = _caption(figure) if figure is not None else None
        caption = caption or " ".join((alt or "").split()) or None
        if not mime:  # only when the extension says so, and agrees with the element
            guess = _MIME.get(url.partition("?")[0].rpartition(".")[2].lower(), "")
            mime = guess if guess.startswith(kind) else None
        self.media.append(Media(kind, url, caption, mime))

    def _embed(self, el: _Element) -> bool:
        """An embedded post becomes an :class:`Embed`; False when ``el`` is not one."""
        spec = next((_EMBEDS[c] for c in (el.get("class") or "").split() if c in _EMBEDS), None)
        if spec is None:
            return False
        kind, pattern = spec
        match = pattern.match(self._url(el.get("src") or el.get("data-embed-url")) or "")
        stamp = ""  # the text of the post's own link: its date
        for link in el.iter("a"):
            if found := pattern.match(self._url(link.get("href")) or ""):
                match, stamp = found, text_of(link)
        text, name, handle = _embed_text(el, kind)
        handle = handle or (_url_handle(match) if match else None)
        author = Author(name, handle) if name or handle else None
        url = canonical_url(match[0]) if match else None
        self.embeds.append(Embed(kind, url, author, text, _iso_date(stamp)))
        return True


def _embed_text(el: _Element, kind: str) -> tuple[str | None, str | None, str | None]:
    """An embedded post's text without its ``— Name (@handle) date`` signature, and the name
    and handle that signature gives."""
    etree.strip_elements(el, *_DROP, with_tail=False)
    paragraphs, name, handle = _paragraphs(el), None, None
    signed = _SIGNATURE.search(paragraphs[-1]) if paragraphs else None
    if signed:
        name, handle = signed["name"].strip() or None, signed["handle"]
        rest = paragraphs.pop()[: signed.start()].strip()
        paragraphs += [rest] if rest else []
    if kind != "tweet" and el.find(".//p") is None:
        paragraphs = []  # a Mastodon card: "Post by @user View on Mastodon"
    paragraphs = [p for p in paragraphs if p != "[image or embed]"]  # Bluesky's link label
    return "\n\n".join(paragraphs) or None, name, handle


def _paragraphs(top: _Element) -> list[str]:
    """The paragraphs of ``top``'s subtree (not its tail), white space collapsed."""
    paragraphs: list[str] = []
    for chunk in bytes(_TEXT(top)).decode().split(_PARA):
        if _LINE in chunk:
            paragraphs += _lines(chunk)
        elif chunk and not chunk.isspace():
            paragraphs.append(_collapse(chunk))
    return paragraphs


def _collapse(text: str) -> str:
    """Runs of white space as one space; three times faster than split-and-join when, as in
    most paragraphs, there is nothing to collapse."""
    if (
        "  " in text or "\n" in text or "\xa0" in text or "\t" in text or "\r" in text
        or text[0].isspace() or text[-1].isspace()
    ):  # fmt: skip
        return " ".join(text.split())
    return text


def _lines(chunk: str) -> list[str]:
    """A paragraph with line breaks; an empty line splits it in two."""
    paragraphs: list[str] = []
    lines: list[str] = []
    for part in chunk.split(_LINE):
        if line := " ".join(part.split()):
            lines.append(line)
        elif lines:
            paragraphs.append("\n".join(lines))
            lines = []
    if lines:
        paragraphs.append("\n".join(lines))
    return paragraphs


def _is_navigation(anchor: _Element) -> bool:
    """A platform's own link to a profile or hashtag page (Mastodon's ``class="mention"``,
    ``rel="tag"``): navigation, not a link the post is about."""
    classes = (anchor.get("class") or "").split()
    return (
        "mention" in classes or "hashtag" in classes or "tag" in (anchor.get("rel") or "").split()
    )


def image_source(el: _Element) -> str | None:
    """An image's URL as written: ``src``, a lazy-loading attribute, or the first of
    ``srcset``; None for none (or an inline ``data:`` image)."""
    for attr in ("src", "data-src", "data-lazy-src"):
        value = (el.get(attr) or "").strip()
        if value and not value.startswith("data:"):
            return value
    candidates = (el.get("srcset") or el.get("data-srcset") or "").split()
    return candidates[0].rstrip(",") if candidates else None


def _is_pixel(url: str) -> bool:
    lowered = url.lower()
    return lowered.endswith("/pixel") or any(m in lowered for m in _PIXEL_MARKERS)


def _caption(figure: _Element) -> str | None:
    caption = figure.find(".//figcaption")
    return None if caption is None else (" ".join(text_of(caption).split()) or None)


def text_of(el: _Element) -> str:
    """The text of an element, its children's included, not its tail."""
    return etree.tostring(el, method="text", encoding="unicode", with_tail=False)


def _url_handle(match: re.Match[str]) -> str | None:
    groups = match.groupdict()
    if groups.get("user"):
        return f"{groups['user']}@{groups['host']}"
    handle = groups.get("handle")
    return None if not handle or handle.startswith("did:") else handle


def _iso_date(stamp: str) -> str | None:
    """``"April 26, 2023"`` (as an embed's date link reads) -> ``"2023-04-26"``."""
    found = _DATE.search(stamp)
    for fmt in ("%B %d, %Y", "%b %d, %Y", "%b. %d, %Y"):
        try:
            return datetime.strptime(found[0], fmt).date().isoformat() if found else None
        except ValueError:
            continue
    return None


@hookimpl(tryfirst=True)
def ingest_clean(article: Article) -> bool | None:
    """Turn ``article.markup`` into text, summary, embeds, links and media; then drop it."""
    markup = article.markup
    if markup is None:
        return False  # plain text in, nothing of ours: stay out of provenance
    body, converted = markup.body, None
    if body:
        converted = html_to_text(body, markup.base_url)
        _apply(article, converted, body)
    if markup.summary and article.summary is None:
        if converted is not None and markup.summary is body:
            # A feed without full content gives its description as both: convert it once.
            article.summary = " ".join(converted.text.split()) or None
        else:
            article.summary = html_to_line(markup.summary) or None
    article.markup = None
    return None


def _apply(article: Article, result: HtmlText, body: str) -> None:
    """Merge the converted body: text only when the source gave none, no duplicate URLs."""
    if not article.text.strip():
        article.text = result.text
    article.embeds.extend(result.embeds)
    known = set(article.links)
    article.links.extend(url for url in result.links if url not in known)
    urls = {m.url for m in article.media}
    article.media.extend(m for m in result.media if m.url not in urls)
    if not result.text and body.strip():
        article.warnings.append("content HTML has no text")
