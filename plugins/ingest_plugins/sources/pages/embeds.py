"""Embedded posts and players of a page: tweets, Instagram, Mastodon, Bluesky, TikTok
blockquotes and YouTube, Vimeo, TikTok, Instagram or Mastodon iframes.

Each is read from what its markup says (author, handle, date, text, URL) and removed from
the tree, so that the body's text does not hold it (unless the caller keeps the posts'
text in place: :func:`take_embeds` ``keep``). Tweets, Mastodon and Bluesky
blockquotes are read by the ``markup`` plugin's :func:`html_to_text`, which every feed and
post already goes through; the others are read here.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from lxml import etree

from ingest import Author, Embed, canonical_url
from ingest.helpers import parse_date, resolve_url
from ingest_plugins.clean.markup import html_to_text, text_of
from ingest_plugins.sources.pages.body_rules import remove

_Element = etree._Element

#: Blockquote classes the markup plugin reads (its _EMBEDS).
_MARKUP_CLASSES = frozenset({"twitter-tweet", "twitter-video", "mastodon-embed", "bluesky-embed"})
_INSTAGRAM_RE = re.compile(
    r"https?://(?:www\.)?instagram\.com/(?:[\w.]+/)?(?:p|reel|tv)/(?P<id>[\w-]+)", re.IGNORECASE
)
_TIKTOK_RE = re.compile(
    r"https?://(?:www\.)?tiktok\.com/(?:@(?P<handle>[\w.]+)/video/|embed/(?:v2/)?)(?P<id>\d+)",
    re.IGNORECASE,
)
_YOUTUBE_RE = re.compile(
    r"(?:https?:)?//(?:www\.)?youtube(?:-nocookie)?\.com/embed/(?P<id>[\w-]{6,})", re.IGNORECASE
)
_VIMEO_RE = re.compile(r"(?:https?:)?//player\.vimeo\.com/video/(?P<id>\d+)", re.IGNORECASE)
_MASTODON_IFRAME_RE = re.compile(r"(?P<url>https?://[\w.-]+/@\w+/\d+)/embed", re.IGNORECASE)
_SHARED_BY_RE = re.compile(r"shared by\s+(?P<name>[^()]*?)\s*\(@(?P<handle>[\w.]+)\)")


def take_embeds(root: _Element, base_url: str | None, *, keep: bool = False) -> list[Embed]:
    """The embedded posts and players under ``root``, each removed from the tree; with
    ``keep``, a post's blockquote stays (its text is then the page's text too)."""
    embeds: list[Embed] = []
    for el in list(root.iter("blockquote", "iframe")):  # a list: the loop changes the tree
        if el.getparent() is None:  # inside an embed removed already
            continue
        found = _iframe(el, base_url) if el.tag == "iframe" else _blockquote(el, base_url)
        if found is not None:
            embeds.append(found)
            if not keep or el.tag == "iframe":
                remove(el)
    return embeds


def _classes(el: _Element) -> set[str]:
    return set((el.get("class") or "").split())


def _blockquote(el: _Element, base_url: str | None) -> Embed | None:
    classes = _classes(el)
    if classes & _MARKUP_CLASSES:
        fragment = etree.tostring(el, encoding="unicode", with_tail=False)
        found = html_to_text(fragment, base_url).embeds
        return found[0] if found else None
    if "instagram-media" in classes:
        return _instagram(el)
    if "tiktok-embed" in classes:
        return _tiktok(el)
    return None


def _instagram(el: _Element) -> Embed:
    permalink = el.get("data-instgrm-permalink") or ""
    for link in el.iter("a"):
        if not permalink and _INSTAGRAM_RE.match(link.get("href") or ""):
            permalink = link.get("href") or ""
    match = _INSTAGRAM_RE.match(permalink)
    url = f"https://www.instagram.com/p/{match['id']}/" if match else None
    text = " ".join(text_of(el).split())
    shared = _SHARED_BY_RE.search(text)
    author = Author(shared["name"] or None, shared["handle"]) if shared else None
    caption = _instagram_caption(el)
    return Embed("post", url, author, caption, _time(el))


def _instagram_caption(el: _Element) -> str | None:
    """The post's caption: a paragraph that is not the "shared by" credit or "View this post"."""
    for p in el.iter("p"):
        text = " ".join(text_of(p).split())
        if text and not _SHARED_BY_RE.search(text) and "View this post" not in text:
            return text
    return None


def _tiktok(el: _Element) -> Embed:
    cite = el.get("cite") or ""
    match = _TIKTOK_RE.match(cite)
    handle = match["handle"] if match else None
    section = next(el.iter("section"), el)
    parts = [section.text or ""]
    for node in section.iterchildren():
        if not (node.tag == "a" and (node.get("href") or "").rstrip("/").endswith(f"@{handle}")):
            parts.append(text_of(node))  # not the author's link: the caption
        parts.append(node.tail or "")
    caption = " ".join(" ".join(parts).split()) or None
    author = Author(None, handle) if handle else None
    return Embed("video", canonical_url(cite) if match else None, author, caption, None)


def _iframe(el: _Element, base_url: str | None) -> Embed | None:
    src = (el.get("src") or el.get("data-src") or "").strip()
    if not src:
        return None
    if src.startswith("//"):
        src = "https:" + src
    src = resolve_url(base_url, src) if base_url else src
    title = " ".join((el.get("title") or "").split()) or None
    if match := _YOUTUBE_RE.match(src):
        return Embed("video", f"https://www.youtube.com/watch?v={match['id']}", None, title)
    if match := _VIMEO_RE.match(src):
        return Embed("video", f"https://vimeo.com/{match['id']}", None, title)
    if match := _TIKTOK_RE.match(src):
        return Embed("video", f"https://www.tiktok.com/embed/v2/{match['id']}", None, title)
    if match := _INSTAGRAM_RE.match(src):
        return Embed("post", f"https://www.instagram.com/p/{match['id']}/", None, title)
    if match := _MASTODON_IFRAME_RE.match(src):
        return Embed("post", match["url"], None, title)
    if "platform.twitter.com/embed" in src:
        tweet_id = parse_qs(urlsplit(src).query).get("id", [""])[0]
        url = f"https://twitter.com/i/status/{tweet_id}" if tweet_id.isdigit() else None
        return Embed("tweet", url, None, title)
    return None


def _time(el: _Element) -> str | None:
    for stamp in el.iter("time"):
        parsed = parse_date(stamp.get("datetime"))
        if parsed.value is not None:
            return parsed.value.isoformat()
    return None
