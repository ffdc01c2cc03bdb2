"""JSON records read lazily, whatever the container: JSON Lines (line by line), a JSON array
(element by element, streamed with ijson so a large file never sits in memory whole), a
single JSON object, and Twitter archive files (``window.YTD.tweets.part0 = [...]``).

A broken JSON Lines line is one error naming its line; the lines around it are still read.
A broken array yields every element before the break, then one error.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import ijson

from ingest import SourceError

_ARCHIVE_PREFIX = b"window."
_CHUNK = 1 << 16
_MAX_DEPTH = 256
_OPEN = frozenset({"start_map", "start_array"})
_CLOSE = frozenset({"end_map", "end_array"})


@dataclass(frozen=True, slots=True)
class Record:
    """One decoded JSON value, with the line it started on when the container tells."""

    value: Any
    line: int | None = None


class Stream(Protocol):
    """What the reader needs of a binary stream."""

    def read(self, size: int = -1, /) -> bytes: ...

    def readline(self, size: int = -1, /) -> bytes: ...


class _Prefixed:
    """A binary stream with bytes already read put back in front (stdin cannot seek)."""

    def __init__(self, prefix: bytes, stream: Stream) -> None:
        self.prefix, self.stream = prefix, stream

    def readline(self, size: int = -1, /) -> bytes:
        if not self.prefix:
            return self.stream.readline(size)
        end = self.prefix.find(b"\n") + 1 or len(self.prefix)
        if 0 <= size < end:
            end = size
        line, self.prefix = self.prefix[:end], self.prefix[end:]
        if line.endswith(b"\n") or self.prefix or (0 <= size <= len(line)):
            return line
        return line + self.stream.readline(-1 if size < 0 else size - len(line))

    def read(self, size: int = -1, /) -> bytes:
        if not self.prefix:
            return self.stream.read(size)
        if size < 0:
            data, self.prefix = self.prefix + self.stream.read(), b""
            return data
        data, self.prefix = self.prefix[:size], self.prefix[size:]
        return data if len(data) == size else data + self.stream.read(size - len(data))


def _loads(data: bytes) -> Any:
    """json.loads with its failures as one-line ValueErrors."""
    try:
        return json.loads(data)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc.msg} at column {exc.colno}") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text: {exc.reason} at byte {exc.start}") from None


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
            yield from _array(_Prefixed(rest, stream), label)
        else:
            yield SourceError(label, "a Twitter archive file without '=' on its first line")
    else:
        try:
            value = _loads(first)
        except ValueError:
            yield from _document(_Prefixed(first, stream), start[:1], label, max_record)
            return
        yield Record(value, number)
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
                yield Record(_loads(line), number)
            except ValueError as exc:
                yield SourceError(f"{label}:{number}", str(exc), raw=line)
        number += 1


def _document(
    stream: _Prefixed, first_char: bytes, label: str, max_record: int
) -> Iterator[Record | SourceError]:
    if first_char == b"[":
        yield from _array(stream, label)
        return
    data = stream.read(max_record + 1)
    if len(data) > max_record:
        yield SourceError(
            label, f"a JSON document larger than {max_record:,} bytes that is not an array"
        )
        return
    try:
        yield Record(_loads(data))
    except ValueError as exc:
        yield SourceError(label, str(exc))


def _checked_events(stream: _Prefixed) -> Iterator[tuple[int, str, Any]]:
    """Parser events with the nesting depth after each, refusing what is too deep."""
    depth = 0
    for event, value in ijson.basic_parse(stream, use_float=True):
        if event in _OPEN:
            depth += 1
            if depth > _MAX_DEPTH:
                raise ValueError(f"JSON nested deeper than {_MAX_DEPTH} levels")
            if depth == 1 and event != "start_array":
                raise ValueError("expected a JSON array")
        elif event in _CLOSE:
            depth -= 1
        yield depth, event, value


def _array(stream: _Prefixed, label: str) -> Iterator[Record | SourceError]:
    """The elements of a top-level JSON array, one at a time, built from parser events.

    Not ``ijson.items``: it names every level's path, which is quadratic on deeply nested
    input (100,000 nested arrays take gigabytes); here depth is counted and capped.
    """
    count, builder = 0, None
    events = _checked_events(stream)
    try:
        next(events, None)  # the opening bracket
        for depth, event, value in events:
            if depth == 0:
                return
            if builder is None and depth == 1:  # a scalar element: containers open at 2
                count += 1
                yield Record(value)
                continue
            builder = builder or ijson.ObjectBuilder()
            builder.event(event, value)
            if depth == 1:  # the element's container just closed
                count += 1
                yield Record(builder.value)
                builder = None
    except (ijson.JSONError, ijson.IncompleteJSONError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        yield SourceError(label, f"not valid JSON after {count} records: {reason}")
