"""The records of one WARC (or ARC) stream, read one at a time with warcio: every HTML
response becomes a page article, the rest is counted and passed over.

A page's bytes are read from the record's payload (de-chunked, then inflated with the
core's bounded :func:`ingest.helpers.inflate`, which refuses a body cut short where warcio
would pass it), capped, and made an article by the ``html`` kind's extractor, with the
record's target URI as its URL and its ``WARC-Date`` as ``fetched``. A page the extractor
cannot read is one item error; a file that stops inside a record ends the source with one
error saying where, after every complete record before it.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NoReturn

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeadersParser

from ingest import Article, SourceError, inert
from ingest.helpers import BodyRefused, inflate, parse_date
from ingest_plugins.sources.pages.decode import NotAPage
from ingest_plugins.sources.pages.plugin import MEDIA_TYPES, is_html_document, page_article
from ingest_plugins.sources.warc.members import Broken, WarcBytes

_BLOCK = 1 << 16
_MAX_KINDS = 100
_MAX_LINE = 1 << 16
#: The statuses of a page: OK, and OK from a transforming proxy (not 204, 206, redirects).
_PAGE_STATUSES = frozenset({"200", "203"})
_SNIFF_BYTES = 4096
_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)
_HTTP = StatusAndHeadersParser(["HTTP/1.0", "HTTP/1.1"], verify=False)
# warcio tells of a target URI with spaces through logging, which Python prints on stderr
# when nothing is configured: a library's logger gets a NullHandler (records still
# propagate to handlers an application sets up).
logging.getLogger("warcio").addHandler(logging.NullHandler())


class _Records(ArchiveIterator):  # type: ignore[misc]
    """warcio's iterator, without the multi-line warning it writes on stderr when a record
    is not followed by a blank line (its ``err_count`` still counts them): that is
    reported as one line instead."""

    INC_RECORD = ""


class _Cut(Exception):
    """The file ends inside a record, or a record's length cannot be trusted: the records
    after it cannot be found. ``str()`` is the reason, in one line."""


class _CappedLines:
    """A record's stream, read a line at a time, at most 64 KiB of it: a header line that
    never ends does not fill memory (its rest is read as more header lines, and dropped)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def readline(self, size: int | None = None) -> bytes:
        """The next line, or its first 64 KiB."""
        cap = _MAX_LINE if size is None or size < 0 else min(size, _MAX_LINE)
        return bytes(self._stream.readline(cap))


@dataclass(slots=True)
class _Response:
    """The HTTP part of a response record."""

    uri: str
    media_type: str
    charset: str | None
    headers: Any  # warcio's StatusAndHeaders


class WarcPages:
    """The page articles of one WARC stream, and per-page errors, in record order.

    Iterating raises :class:`~ingest.SourceError` when the stream is not a WARC file, when
    it stops inside a record or a gzip member, or when it holds no HTML response at all.
    :attr:`counts` tells what was passed over, by record type or response media type.

    :param label: the source, as messages name it (``warc:news.warc.gz``).
    :param location: the source's location, for ``article.source.location``.
    :param max_page_bytes: the largest page read (decompressed); larger is an item error.
    """

    def __init__(self, stream: WarcBytes, label: str, location: str, max_page_bytes: int):
        self._stream = stream
        self._label = label
        self._location = location
        self._limit = max_page_bytes
        #: Records passed over: ``request``, ``warcinfo``, ``response image/jpeg``...
        self.counts: Counter[str] = Counter()
        self.pages = 0
        self.failed = 0
        self._done = 0  # records read to their end
        self._unended: int | None = None  # the first record not followed by a blank line

    def __iter__(self) -> Iterator[Article | SourceError]:
        check_start(self._stream, self._label)
        records = _Records(self._stream, no_record_parse=True, arc2warc=True)
        try:
            for record in records:
                self._note_unended(records.err_count)  # found as the last was read to its end
                item = self._item(record, self._done + 1)
                self._done += 1
                if item is not None:
                    yield item
        except Broken as exc:
            self._fail(f"{'cut short' if exc.cut else 'corrupt'}: {exc}")
        except _Cut as exc:
            if records.err_count:  # warcio read on from the record before into this one
                self._fail(_misplaced(self._done + 1, str(exc)))
            self._fail(str(exc))
        except ArchiveLoadFailed as exc:
            self._fail(self._unreadable(exc))
        self._note_unended(records.err_count)
        if self._unended is not None:
            raise SourceError(self._label, _unended(self._unended, records.err_count))
        if not self.pages and not self.failed:
            passed = ", ".join(f"{n:,} {kind}" for kind, n in self.counts.most_common(4))
            raise SourceError(
                self._label, f"no HTML response among its {_records(self._done)} ({passed})"
            )

    def _note_unended(self, count: int) -> None:
        if count and self._unended is None:
            self._unended = self._done

    def _count(self, what: str) -> None:
        """Count a record passed over (a hundred kinds at most: the rest as one)."""
        if what not in self.counts and len(self.counts) >= _MAX_KINDS:
            what = "other records"
        self.counts[what] += 1

    def _unreadable(self, exc: ArchiveLoadFailed) -> str:
        """Why the next record could not be read, when warcio could not tell it a record."""
        if self._stream.exhausted:
            return f"cut short: the file ends inside the headers of record {self._done + 1}"
        return _misplaced(self._done + 1, " ".join(str(exc).split()))

    def _fail(self, reason: str) -> NoReturn:
        raise SourceError(self._label, f"{reason}; {_before(self._done)}") from None

    def _item(self, record: Any, number: int) -> Article | SourceError | None:
        """The article or error of one record, or None when it is passed over; raises
        :class:`_Cut` when the file ends inside it."""
        declared = _content_length(record, number, self._stream.exhausted)
        kind = str(record.rec_type or "untyped")
        response = _response(record) if kind == "response" else None
        if response is None:
            self._count(kind if kind != "response" else "response (not HTTP)")
            _finish(record, number, declared)
            return None
        status = str(response.headers.get_statuscode())
        passed = None
        if status not in _PAGE_STATUSES:
            passed = f"response (status {inert(status, 20)})"
        elif response.media_type and response.media_type not in MEDIA_TYPES:
            passed = f"response {inert(response.media_type, 60)}"
        if passed is not None:
            self._count(passed)
            _finish(record, number, declared)
            return None
        item = self._page(record, response, number)
        _finish(record, number, declared)  # a page cut short is no page: _Cut, not the item
        if item is None:
            self._count("response (not HTML)")
        elif isinstance(item, SourceError):
            self.failed += 1
        else:
            self.pages += 1
        return item

    def _page(self, record: Any, response: _Response, number: int) -> Article | SourceError | None:
        where = f"{self._label}#{number}"
        uri = inert(response.uri, 300)
        try:
            data = _payload(record, response.headers, self._limit)
        except BodyRefused as exc:
            return SourceError(where, f"{uri}: {exc}")
        if not response.media_type and not is_html_document(data[:_SNIFF_BYTES]):
            return None  # no type, and not HTML by its first bytes
        if not data.strip():
            return SourceError(where, f"{uri}: an empty page")
        try:
            article = page_article(data, response.uri, self._location, response.charset)
        except NotAPage as exc:
            return SourceError(where, f"{uri}: {exc}", raw=data)
        except Exception as exc:  # one page's failure must not end the file
            reason = f"the page extractor failed ({type(exc).__name__}: {str(exc)[:200]})"
            return SourceError(where, f"{uri}: {reason}", raw=data)
        date = parse_date(record.rec_headers.get_header("WARC-Date"))
        article.fetched = date.value
        if date.warning:
            article.warnings.append(f"WARC-Date: {date.warning}")
        return article


def check_start(stream: WarcBytes, label: str) -> None:
    """Refuse a stream that does not start like a WARC or ARC file, in one line."""
    try:
        head = stream.peek(64)
    except Broken as exc:
        raise SourceError(label, f"not a WARC file: {exc}") from None
    if head.startswith((b"WARC/", b"filedesc://")):
        return
    if not head:
        raise SourceError(label, "empty file" if not stream.gzip else "an empty gzip file")
    inside = "gzip data that holds " if stream.gzip else ""
    if b"\x00" in head or not _is_text(head):
        what = f"{inside}binary data" if inside else "binary data, neither WARC nor gzip"
    else:
        first = head.split(b"\n", 1)[0].decode("utf-8", "replace").strip()
        what = f"{inside}text that starts {inert(repr(first), 80)}"
    raise SourceError(label, f"not a WARC file: {what}")


def _is_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3  # a character cut at the end of the head
    return True


def _content_length(record: Any, number: int, exhausted: bool) -> int:
    """The record's declared length; :class:`_Cut` when it has none to trust (the
    records after it could not be found)."""
    value = record.rec_headers.get_header("Content-Length")
    if value is not None and value.strip().isdigit():
        return int(value)
    if exhausted:
        raise _Cut(f"cut short: the file ends inside the headers of record {number}")
    said = "no Content-Length" if value is None else f"a Content-Length of {inert(value, 40)!r}"
    raise _Cut(f"record {number} has {said}, so the records after it cannot be found")


def _response(record: Any) -> _Response | None:
    """The HTTP status and headers of a response record, None when it holds no HTTP."""
    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
    if not uri.lower().startswith(("http:", "https:")) or record.length == 0:
        return None
    try:
        headers = _HTTP.parse(_CappedLines(record.raw_stream))
    except EOFError:
        return None
    if not headers.protocol.upper().startswith("HTTP/"):
        return None
    content_type = headers.get_header("Content-Type") or ""
    media_type = content_type.split(";", 1)[0].strip().lower()
    charset = _CHARSET_RE.search(content_type)
    return _Response(uri, media_type, charset.group(1) if charset else None, headers)


def _payload(record: Any, headers: Any, limit: int) -> bytes:
    """The record's HTTP body, de-chunked and inflated; :class:`BodyRefused` over
    ``limit`` bytes, or when its Content-Encoding cannot be undone."""
    stream = record.raw_stream
    if "chunked" in (headers.get_header("Transfer-Encoding") or "").lower():
        stream = ChunkedDataReader(stream)
    chunks, size = [], 0
    while size <= limit:
        chunk = stream.read(min(_BLOCK, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        raise BodyRefused(f"a page larger than the {limit:,}-byte limit", "too_large")
    data = b"".join(chunks)
    encoding = (headers.get_header("Content-Encoding") or "").strip().lower()
    return inflate(data, encoding, limit) if encoding not in ("", "identity") else data


def _finish(record: Any, number: int, declared: int) -> None:
    """Read the rest of the record; :class:`_Cut` when the file ends before its end."""
    stream = record.raw_stream
    while stream.read(_BLOCK):
        pass
    missing = int(getattr(stream, "limit", 0))
    if missing > 0:
        uri = record.rec_headers.get_header("WARC-Target-URI")
        what = f"{record.rec_type} {inert(uri, 200)}" if uri else str(record.rec_type)
        raise _Cut(
            f"cut short: the file ends inside record {number} ({what}), {missing:,} of its "
            f"{declared:,} bytes missing"
        )


def _misplaced(number: int, detail: str) -> str:
    return (
        f"no WARC record where record {number} should start (is the Content-Length of "
        f"record {number - 1} wrong?): {detail}"
    )


def _unended(first: int, count: int) -> str:
    """Why records that warcio read on past are suspect."""
    more = f" (and {count - 1:,} more)" if count > 1 else ""
    return (
        f"record {first}{more} is not followed by the blank line that ends a record: "
        "its Content-Length is wrong, and its page may be cut short or run on"
    )


def _records(count: int) -> str:
    return "1 record" if count == 1 else f"{count:,} records"


def _before(count: int) -> str:
    """What was read of the file before it broke off."""
    if count == 0:
        return "no record before it could be read"
    if count == 1:
        return "the record before it was read"
    return f"the {count:,} records before it were read"
