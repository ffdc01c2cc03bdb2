"""Reading one sitemap file as a stream, in bounded memory, whatever its size.

:func:`iter_sitemap` reads a ``<urlset>`` (page URLs, with Google News fields when present),
a ``<sitemapindex>`` (child sitemaps), either gzipped (told by its magic bytes, not its
name), or a plain-text sitemap (one URL per line). Elements are cleared as soon as they are
read, so a file of a million URLs takes the memory of one. Any namespace is accepted, none
too; image and video extensions are ignored. :func:`robots_sitemaps` reads the ``Sitemap:``
lines of a robots.txt, and :func:`is_sitemap_head` tells a sitemap by its first bytes.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from lxml import etree

from ingest import quoted
from ingest.helpers import bcp47, parse_date

#: The namespace of Google News sitemaps (``news:news``).
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
#: The protocol's limits for one file: 50,000 URLs (and 50 MB, doubled here for tolerance).
DEFAULT_MAX_URLS = 50_000
DEFAULT_MAX_BYTES = 100 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 64 * 1024
_MAX_LINE = 8192  # a plain-text sitemap's longest line (the protocol allows 2,048 chars a URL)
_WHITESPACE = b" \t\r\n"
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_ROOT_RE = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>\s*)?(?:(?:<!--.*?-->|<\?.*?\?>|<!DOCTYPE[^>]*>)\s*)*"
    rb"<(?:[\w.-]+:)?(?:urlset|sitemapindex)[\s>/]",
    re.DOTALL,
)
_ROOTS = frozenset({"urlset", "sitemapindex"})
_KNOWN_DATES = 1024


class SitemapError(Exception):
    """The rest of a sitemap file cannot be read (malformed, over a limit, not a sitemap);
    ``str()`` says why in one line. Whatever was read before it stands."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One page a ``<urlset>`` lists, with its dates as timezone-aware UTC datetimes."""

    loc: str
    lastmod: datetime | None = None
    news_title: str | None = None
    news_published: datetime | None = None
    news_language: str | None = None
    news_publication_name: str | None = None
    #: What was assumed or could not be read (a date without a time of day).
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Child:
    """One sitemap a ``<sitemapindex>`` lists."""

    loc: str
    lastmod: datetime | None = None


@dataclass(frozen=True, slots=True)
class Invalid:
    """One element that names no page or sitemap (a ``<url>`` without ``<loc>``)."""

    reason: str


class Readable(Protocol):
    """What :func:`iter_sitemap` reads: a binary stream (a file, ``BytesIO``, stdin)."""

    def read(self, size: int = -1, /) -> bytes:
        """Up to ``size`` bytes; empty at the end."""
        ...


class _Prefixed:
    """A stream whose first bytes were read already (to sniff them): they come first."""

    def __init__(self, head: bytes, rest: Readable) -> None:
        self._head, self._rest = head, rest

    def read(self, size: int = -1, /) -> bytes:
        """The head first, then the rest of the stream."""
        if not self._head:
            return self._rest.read(size)
        if size < 0:
            data, self._head = self._head + self._rest.read(), b""
            return data
        data, self._head = self._head[:size], self._head[size:]
        return data

    def seek(self, offset: int, /) -> int:
        """Refused: read once, front to back (gzip asks only to rewind, which no reader
        here does)."""
        raise OSError("a sitemap stream is read once, front to back")


class _Bounded:
    """A stream cut at ``limit`` bytes: past it, or when reading fails (a corrupt gzip), it
    ends early and :attr:`problem` says why, so the parser stops cleanly and is told."""

    def __init__(self, inner: Readable, limit: int) -> None:
        self._inner, self._limit = inner, limit
        self.count = 0
        self.problem: str | None = None

    def read(self, size: int = -1, /) -> bytes:
        """Up to ``size`` bytes (``_CHUNK`` when unbounded); empty once cut."""
        if self.problem is not None:
            return b""
        try:
            data = self._inner.read(size if size > 0 else _CHUNK)
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            self.problem = f"corrupt gzip data: {' '.join(str(exc).split())}"
            return b""
        except OSError as exc:
            self.problem = f"cannot read: {exc.strerror or exc}"
            return b""
        if self.count + len(data) > self._limit:
            self.problem = f"larger than the {self._limit:,}-byte limit (sitemap.max_bytes)"
            data = data[: self._limit - self.count]  # what fits is read; the rest is cut
        self.count += len(data)
        return data


def iter_sitemap(
    stream: Readable, *, max_urls: int = DEFAULT_MAX_URLS, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Entry | Child | Invalid]:
    """Yield what one sitemap file lists, as it is read.

    :param stream: the file's bytes, gzipped or not.
    :param max_urls: the most URLs (pages and child sitemaps) read from the file.
    :param max_bytes: the most bytes read, once decompressed.
    :raises SitemapError: the file is not a sitemap, is malformed, or goes past a limit; what
        was yielded before stands.
    """
    head = stream.read(_CHUNK)
    prefixed = _Prefixed(head, stream)
    raw: Readable = prefixed
    if head.startswith(_GZIP_MAGIC):
        raw = gzip.GzipFile(fileobj=prefixed, mode="rb")
    bounded = _Bounded(raw, max_bytes)
    start = bounded.read(_CHUNK).lstrip(_WHITESPACE)
    if start.startswith(_UTF8_BOM):
        start = start[len(_UTF8_BOM) :].lstrip(_WHITESPACE)  # XML must start at its first byte
    if not start:
        raise SitemapError(bounded.problem or "empty file")
    body = _Prefixed(start, bounded)
    if start.startswith((b"<", *_UTF16_BOMS)):
        yield from _iter_xml(body, bounded, max_urls)
    else:
        yield from _iter_lines(body, bounded, max_urls)


def _iter_xml(
    body: _Prefixed, bounded: _Bounded, max_urls: int
) -> Iterator[Entry | Child | Invalid]:
    context = etree.iterparse(
        body,
        events=("end",),
        tag=("{*}url", "{*}sitemap"),
        no_network=True,
        resolve_entities=False,
        remove_comments=True,
        remove_pis=True,
    )
    count, checked, dates = 0, False, _Dates()
    try:
        for _, elem in context:
            count += 1
            if count > max_urls:
                raise SitemapError(
                    f"more than {max_urls:,} URLs: the rest is left out (sitemap.max_urls)"
                )
            parent = elem.getparent()
            if parent is not None and parent.getparent() is None:  # not nested deeper
                if not checked:
                    _check_root(parent.tag)
                    checked = True
                yield _child(elem, dates) if elem.tag.endswith("sitemap") else _entry(elem, dates)
            # Drop what is read: the element's content and every sibling before it.
            elem.clear(keep_tail=False)
            while parent is not None and elem.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as exc:
        detail = " ".join((exc.msg or str(exc)).split())
        reason = bounded.problem or f"not well-formed XML: {detail}"
        raise SitemapError(reason) from None
    if bounded.problem:
        raise SitemapError(bounded.problem)
    if not checked:
        _check_root(context.root.tag if context.root is not None else "")


def _check_root(tag: object) -> None:
    name = _local(tag)
    if name not in _ROOTS:
        raise SitemapError(
            f"not a sitemap: its root element is <{name}>, not <urlset> or <sitemapindex>"
        )


def _iter_lines(body: _Prefixed, bounded: _Bounded, max_urls: int) -> Iterator[Entry]:
    """A plain-text sitemap: one absolute URL per line, nothing else."""
    number, count, pending = 0, 0, b""
    while True:
        chunk = body.read(_CHUNK)
        lines = (pending + chunk).split(b"\n")
        pending = lines.pop() if chunk else b""
        for line in lines:
            number += 1
            text = line.decode("utf-8", "replace").strip().lstrip("\ufeff")
            if not text:
                continue
            if not text.startswith(("http://", "https://")) or " " in text:
                what = "neither XML nor a list of URLs" if count == 0 else "not a URL"
                raise SitemapError(f"line {number:,} is {what}: {quoted(text)}")
            count += 1
            if count > max_urls:
                raise SitemapError(
                    f"more than {max_urls:,} URLs: the rest is left out (sitemap.max_urls)"
                )
            yield Entry(text)
        if len(pending) > _MAX_LINE:
            raise SitemapError(f"line {number + 1:,} is longer than {_MAX_LINE:,} bytes")
        if not chunk:
            break
    if bounded.problem:
        raise SitemapError(bounded.problem)


def _local(tag: object) -> str:
    """An element's name without its namespace (``{ns}url`` -> ``url``)."""
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _text(elem: etree._Element) -> str | None:
    text = " ".join((elem.text or "").split())
    return text or None


def _own_fields(elem: etree._Element) -> tuple[str | None, str | None, etree._Element | None]:
    """``loc`` and ``lastmod`` in the element's own namespace (or none), and its first
    ``news:news`` child."""
    own = elem.tag[: elem.tag.rfind("}") + 1]  # "{namespace}", or "" without one
    loc = lastmod = news = None
    for child in elem:
        tag: object = child.tag  # an entity left unresolved has a function for a tag
        if not isinstance(tag, str):
            continue
        if tag == own + "loc" or tag == "loc":
            loc = loc or _text(child)
        elif tag == own + "lastmod" or tag == "lastmod":
            lastmod = lastmod or _text(child)
        elif news is None and tag.endswith("}news") and "sitemap-news" in tag:
            news = child
    return loc, lastmod, news


class _Dates:
    """Dates as :func:`parse_date` reads them, with one "now" for a whole file and the last
    values remembered (a sitemap repeats its dates: a day, a batch time)."""

    def __init__(self) -> None:
        self._now = datetime.now(UTC)
        self._known: dict[str, tuple[datetime | None, str | None]] = {}

    def read(self, field: str, value: str | None, warnings: list[str]) -> datetime | None:
        """``value`` as a UTC datetime; what was assumed or unreadable goes to ``warnings``."""
        if value is None:
            return None
        known = self._known.get(value)
        if known is None:
            if len(self._known) >= _KNOWN_DATES:
                self._known.clear()
            parsed = parse_date(value, now=self._now)
            known = self._known[value] = (parsed.value, parsed.warning)
        if known[1]:
            warnings.append(f"sitemap {field}: {known[1]}")
        return known[0]


def _child(elem: etree._Element, dates: _Dates) -> Child | Invalid:
    loc, lastmod, _ = _own_fields(elem)
    if loc is None:
        return Invalid("a <sitemap> without <loc>")
    return Child(loc, dates.read("lastmod", lastmod, []))


def _entry(elem: etree._Element, dates: _Dates) -> Entry | Invalid:
    loc, lastmod_text, news = _own_fields(elem)
    if loc is None:
        return Invalid("a <url> without <loc>")
    warnings: list[str] = []
    lastmod = dates.read("lastmod", lastmod_text, warnings)
    if news is None:
        return Entry(loc, lastmod, warnings=tuple(warnings))
    fields: dict[str, str | None] = {}
    for child in news.iter():
        if isinstance(child.tag, str) and child.tag != news.tag:
            name = _local(child.tag)
            parent = child.getparent()
            inside = _local(parent.tag) if parent is not None and parent is not news else ""
            fields[f"{inside}_{name}" if inside else name] = _text(child)
    return Entry(
        loc,
        lastmod,
        news_title=fields.get("title"),
        news_published=dates.read(
            "news:publication_date", fields.get("publication_date"), warnings
        ),
        news_language=bcp47(fields.get("publication_language")),
        news_publication_name=fields.get("publication_name"),
        warnings=tuple(warnings),
    )


def robots_sitemaps(data: bytes) -> list[str]:
    """The URLs of a robots.txt's ``Sitemap:`` lines, each once, in order."""
    found: list[str] = []
    for line in data.decode("utf-8", "replace").splitlines():
        name, sep, value = line.split("#", 1)[0].partition(":")
        url = value.strip()
        if sep and name.strip().lower() == "sitemap" and url and url not in found:
            found.append(url)
    return found


def is_sitemap_head(head: bytes) -> bool:
    """True when ``head`` (a file's first bytes, gzipped or not) starts a sitemap XML file:
    its root element is ``<urlset>`` or ``<sitemapindex>``."""
    if head.startswith(_GZIP_MAGIC):
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 4096)
        except zlib.error:
            return False
    if head.startswith(_UTF16_BOMS):
        head = head.decode("utf-16", "ignore").encode("ascii", "ignore")
    return _ROOT_RE.match(head) is not None
