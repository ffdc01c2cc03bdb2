"""Web archives as a source (kind ``warc``): every HTML response of a WARC file is a page.

Reads WARC 1.0/1.1 files, plain or gzip (a member per record, as Common Crawl's CC-NEWS
ships them, or the whole file in one), and ARC files the same way, from files, directories,
stdin and URLs, streaming: one record at a time, in bounded memory however large the file.
Each HTML response (``text/html``, ``application/xhtml+xml``, or no type and HTML bytes)
goes through the ``html`` kind's extractor, with the record's ``WARC-Target-URI`` as the
page's URL and its ``WARC-Date`` as ``fetched``; ``article.source.location`` is the WARC
file. Requests, metadata, revisits and responses of other types (images, PDFs, redirects)
are passed over. A URL's body is read whole first, so ``http.max_bytes`` caps it.
"""

from __future__ import annotations

import io
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ingest import Article, Config, Settings, Source, SourceError, SourceKind, hookimpl
from ingest.helpers import fetch_source
from ingest_plugins.sources.warc.members import GZIP_MAGIC, WarcBytes
from ingest_plugins.sources.warc.records import WarcPages

__all__ = ["KIND", "WarcPages", "is_warc_head", "read_pages"]

KIND = "warc"
_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
_MEDIA_TYPES = ("application/warc",)
_ACCEPT = "application/warc, application/gzip;q=0.9, */*;q=0.5"
_STARTS = (b"WARC/1.", b"WARC/0.", b"filedesc://")
DEFAULT_MAX_PAGE_BYTES = 32 * 1024 * 1024  # as html.max_bytes


@hookimpl
def ingest_add_settings(settings: Settings) -> None:
    """Declare ``warc.max_page_bytes``: the largest page read from a record."""
    settings.add(
        "warc.max_page_bytes",
        DEFAULT_MAX_PAGE_BYTES,
        "Refuse a WARC record's page larger than this (decompressed); the file goes on.",
    )


@hookimpl
def ingest_source_kinds() -> list[SourceKind]:
    """Declare ``warc``: its file endings and media type."""
    return [
        SourceKind(
            KIND,
            "web archives: WARC/ARC files, plain or gzip (CC-NEWS), one article per HTML page",
            _SUFFIXES,
            _MEDIA_TYPES,
        )
    ]


@hookimpl
def ingest_detect_kind(location: str, head: bytes) -> str | None:
    """Claim files and URLs named ``.warc``/``.warc.gz``/``.arc``/``.arc.gz``, and anything
    that starts like a WARC or ARC file, gzip or not."""
    lowered = location.lower()
    if lowered.startswith(("http://", "https://")):
        path = lowered.split("?", 1)[0].split("#", 1)[0]
        if path.endswith(_SUFFIXES):
            return KIND
        return KIND if head and is_warc_head(head) else None
    if lowered.endswith(_SUFFIXES) or is_warc_head(head):
        return KIND
    return None


def is_warc_head(head: bytes) -> bool:
    """True when ``head`` starts like a WARC or ARC file, or a gzip member of one."""
    if head.startswith(GZIP_MAGIC):
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64)
        except zlib.error:
            return False
    return head.startswith(_STARTS)


@hookimpl
def ingest_fetch(source: Source, config: Config) -> Iterator[Article | SourceError]:
    """Read every HTML page of a WARC file, stdin or URL, one record at a time."""
    return _read(source, config)


def _read(source: Source, config: Config) -> Iterator[Article | SourceError]:
    limit = int(config.get("warc.max_page_bytes"))
    if source.is_url:
        response = fetch_source(source, config, accept=_ACCEPT)
        if response.not_modified:  # a conditional GET answered 304: nothing new
            return
        yield from read_pages(io.BytesIO(response.content), source, limit)
        return
    try:
        handle: BinaryIO = sys.stdin.buffer if source.is_stdin else Path(source.location).open("rb")  # noqa: SIM115
    except OSError as exc:
        raise SourceError(source.label(), exc.strerror or str(exc)) from None
    with handle:
        yield from read_pages(handle, source, limit)


def read_pages(
    raw: BinaryIO, source: Source, max_page_bytes: int
) -> Iterator[Article | SourceError]:
    """The page articles (and per-page errors) of a WARC stream, for ``source``."""
    try:
        stream = WarcBytes(raw)
    except OSError as exc:
        raise SourceError(source.label(), exc.strerror or str(exc)) from None
    yield from WarcPages(stream, source.label(), source.location, max_page_bytes)
