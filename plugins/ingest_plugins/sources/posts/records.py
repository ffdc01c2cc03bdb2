"""JSON records read lazily, whatever the container: JSON Lines (line by line), a JSON array
(element by element, streamed with ijson so a large file never sits in memory whole), a
JSON object (streamed too: the posts of a response envelope such as v1.1 search's
``statuses``, enterprise search's ``results`` or an ActivityPub outbox's ``orderedItems``
come one by one), and Twitter archive files (``window.YTD.tweets.part0 = [...]``).

A broken JSON Lines line is one error naming its line; the lines around it are still read.
A broken array yields every element before the break, then one error. Every record is
repaired as :mod:`ingest_plugins.sources.posts.repair` says, with its warnings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import ijson

from ingest import SourceError
from ingest.helpers import repaired
from ingest_plugins.sources.posts.repair import loads

_ARCHIVE_PREFIX = b"window."
_CHUNK = 1 << 16
_MAX_DEPTH = 256
_OPEN = frozenset({"start_map", "start_array"})
_CLOSE = frozenset({"end_map", "end_array"})
#: Members of a top-level object whose array elements are records of their own.
_ENVELOPES = frozenset({"statuses", "results", "orderedItems"})
_ELEMENT = object()
_FAST, _SLOW = ijson, ijson.get_backend("python")
_PARSE_ERRORS = (ijson.JSONError, ijson.IncompleteJSONError, ValueError)
#: A lone surrogate escape: a high one not followed by a low one, or a low one alone.
#: yajl turns some into "?" without a word, so input holding one is read by the slow
#: parser. (A pair split between two reads looks lone too: then it is read slowly, right.)
_LONE_ESCAPE = re.compile(
    rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)


class _SlowInput(ValueError):
    """Input the fast parser gets wrong: read it again with the Python one."""


@dataclass(frozen=True, slots=True)
class Record:
    """One decoded JSON value, with the line it started on when the container tells."""

    value: Any
    line: int | None = None
    #: What was repaired in it (see :mod:`ingest_plugins.sources.posts.repair`).
    warnings: tuple[str, ...] = ()


class Stream(Protocol):
    """What the reader needs of a binary stream."""

    def read(self, size: int = -1, /) -> bytes: ...

    def readline(self, size: int = -1, /) -> bytes: ...

    def seekable(self) -> bool: ...

    def seek(self, offset: int, whence: int = 0, /) -> int: ...

    def tell(self) -> int: ...


class _Prefixed:
    """A binary stream with bytes already read put back in front (stdin cannot seek),
    counting what is read through it."""

    def __init__(self, prefix: bytes, stream: Stream) -> None:
        self.prefix, self.stream = prefix, stream
        self.consumed = 0
        #: Raise _SlowInput on a lone surrogate escape (for the fast parser's reads).
        self.checked = False
        try:
            self.start: int | None = stream.tell() - len(prefix) if stream.seekable() else None
        except (OSError, ValueError):
            self.start = None

    def rewound(self) -> _Prefixed | None:
        """This stream again from where it began, when the stream can seek."""
        if self.start is None:
            return None
        try:
            self.stream.seek(self.start)
        except (OSError, ValueError):
            return None
        return _Prefixed(b"", self.stream)

    def readline(self, size: int = -1, /) -> bytes:
        line = self._readline(size)
        self.consumed += len(line)
        return line

    def read(self, size: int = -1, /) -> bytes:
        data = self._read(size)
        self.consumed += len(data)
        if self.checked and _LONE_ESCAPE.search(data):
            raise _SlowInput("a lone surrogate escape")
        return data

    def _readline(self, size: int = -1, /) -> bytes:
        if not self.prefix:
            return self.stream.readline(size)
        end = self.prefix.find(b"\n") + 1 or len(self.prefix)
        if 0 <= size < end:
            end = size
        line, self.prefix = self.prefix[:end], self.prefix[end:]
        if line.endswith(b"\n") or self.prefix or (0 <= size <= len(line)):
            return line
        return line + self.stream.readline(-1 if size < 0 else size - len(line))

    def _read(self, size: int = -1, /) -> bytes:
        if not self.prefix:
            return self.stream.read(size)
        if size < 0:
            data, self.prefix = self.prefix + self.stream.read(), b""
            return data
        data, self.prefix = self.prefix[:size], self.prefix[size:]
        return data if len(data) == size else data + self.stream.read(size - len(data))


def read_records(stream: Stream, label: str, max_record: int) -> Iterator[Record | SourceError]:
    """Every JSON record in ``stream``; problems come as :class:`SourceError` values.

    :param max_record: the largest single JSON Lines line or JSON object, in bytes.
    """
    number, first = 1, stream.readline(max_record + 1)
    while first and not first.strip(b"\xef\xbb\xbf \t\r\n"):  # leading blank lines
        number, first = number + 1, stream.readline(max_record + 1)
    start = first.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not start:
        yield SourceError(label, "no JSON in this file")
    elif start.startswith(_ARCHIVE_PREFIX):
        _, equals, rest = first.partition(b"=")
        if equals:
            yield from _stream(_Prefixed(rest, stream), label, max_record)
        else:
            yield SourceError(label, "a Twitter archive file without '=' on its first line")
    else:
        try:
            value, warnings = loads(first)
        except ValueError:
            yield from _document(_Prefixed(first, stream), start[:1], label, max_record)
            return
        yield Record(value, number, tuple(warnings))
        yield from _lines(stream, label, max_record, number + 1)


def _lines(
    stream: Stream, label: str, max_record: int, number: int
) -> Iterator[Record | SourceError]:
    """JSON Lines from line ``number`` on."""
    while line := stream.readline(max_record + 1):
        if len(line) > max_record and not line.endswith(b"\n"):
            while (rest := stream.readline(_CHUNK)) and not rest.endswith(b"\n"):
                pass  # skip the remainder of the overlong line, in bounded pieces
            yield SourceError(f"{label}:{number}", f"line longer than {max_record:,} bytes")
        elif line.strip():
            try:
                value, warnings = loads(line)
            except ValueError as exc:
                yield SourceError(f"{label}:{number}", str(exc), raw=line)
            else:
                yield Record(value, number, tuple(warnings))
        number += 1


def _document(
    stream: _Prefixed, first_char: bytes, label: str, max_record: int
) -> Iterator[Record | SourceError]:
    """A document that is not JSON Lines: a top-level array or object, streamed."""
    if first_char not in (b"[", b"{"):
        data = stream.read(max_record + 1)
        try:
            value, warnings = loads(data)
        except ValueError as exc:
            yield SourceError(label, str(exc))
            return
        yield Record(value, None, tuple(warnings))
        return
    yield from _stream(stream, label, max_record)


def _stream(stream: _Prefixed, label: str, max_record: int) -> Iterator[Record | SourceError]:
    """The records of a streamed document, read with the fast parser (yajl). It refuses
    lone surrogate escapes and integers beyond 64 bits (issue 10); a file it stopped on is
    read again from the start with ijson's Python parser, which takes them (12x slower),
    and its records are repaired. Stdin cannot be read again: there it is an error."""
    done, error = 0, None
    stream.checked = True
    try:
        for record in _parsed(stream, _FAST, max_record):
            done += 1
            yield record
    except _PARSE_ERRORS as exc:
        error = exc
    if error is None:
        return
    again = stream.rewound() if _needs_slow_parser(error) else None
    if again is None:
        yield SourceError(label, f"not valid JSON after {done} records: {_reason(error)}")
        return
    count = 0
    try:
        for record in _parsed(again, _SLOW, max_record):
            count += 1
            if count > done:
                yield record
    except _PARSE_ERRORS as exc:
        yield SourceError(label, f"not valid JSON after {count} records: {_reason(exc)}")


def _needs_slow_parser(error: Exception) -> bool:
    return isinstance(error, _SlowInput | UnicodeDecodeError) or "integer overflow" in str(error)


def _reason(error: Exception) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def _checked_events(stream: _Prefixed, backend: Any) -> Iterator[tuple[int, str, Any]]:
    """Parser events with the nesting depth after each, refusing what is too deep."""
    depth = 0
    for event, value in backend.basic_parse(stream, use_float=True):
        if event in _OPEN:
            depth += 1
            if depth > _MAX_DEPTH:
                raise ValueError(f"JSON nested deeper than {_MAX_DEPTH} levels")
        elif event in _CLOSE:
            depth -= 1
        yield depth, event, value


def _parsed(stream: _Prefixed, backend: Any, max_record: int) -> Iterator[Record]:
    """The elements of a top-level array; for a top-level object, the elements of its
    envelope arrays (``statuses``, ``results``, ``orderedItems``) one by one, or the object
    itself (without them) when it has none.

    Not ``ijson.items``: it names every level's path, which is quadratic on deeply nested
    input (100,000 nested arrays take gigabytes); here depth is counted and capped.
    """
    events = _checked_events(stream, backend)
    slow = backend is _SLOW
    _, first, _ = next(events, (0, "", None))
    if first not in ("start_array", "start_map"):
        raise ValueError("expected a JSON array or object")
    rest: dict[str, Any] = {}
    enveloped = False
    for key, value in _members(events, 1, stream, max_record):
        if key is _ELEMENT or first == "start_array":
            enveloped = enveloped or key is _ELEMENT
            yield _record(value, slow)
        else:
            rest[str(key)] = value
    if first == "start_map" and not enveloped:
        yield _record(rest, slow)


def _record(value: Any, slow: bool) -> Record:
    if not slow:  # yajl refuses what repaired() fixes
        return Record(value)
    value, warnings = repaired(value)
    return Record(value, None, tuple(warnings))


def _members(
    events: Iterator[tuple[int, str, Any]], level: int, stream: _Prefixed, max_record: int
) -> Iterator[tuple[object, Any]]:
    """``(key, value)`` per member of the container whose contents sit at depth ``level``
    (key None in an array), until it closes; at level 1, the elements of an envelope array
    come one by one as ``(_ELEMENT, element)``. A value larger than ``max_record`` bytes is
    refused, so memory stays bounded."""
    key: object = None
    builder: Any = None
    start = 0
    for depth, event, value in events:
        if builder is None:
            if depth < level:
                return
            if event == "map_key":
                key = value
                continue
            if depth == level:  # a scalar
                yield key, value
                continue
            if level == 1 and event == "start_array" and key in _ENVELOPES:
                for _, element in _members(events, 2, stream, max_record):
                    yield _ELEMENT, element
                continue
            builder, start = ijson.ObjectBuilder(), stream.consumed
        builder.event(event, value)
        if depth == level:
            yield key, builder.value
            builder = None
        elif stream.consumed - start > max_record + _CHUNK:
            raise ValueError(f"a JSON record larger than {max_record:,} bytes")
