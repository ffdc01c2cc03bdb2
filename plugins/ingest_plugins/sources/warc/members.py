"""The bytes of a WARC file as one plain stream, whatever its compression: gzip members
(one per record, as Common Crawl and most crawlers write them, or one for the whole file)
are inflated one after another as they are read, in bounded memory.

warcio inflates members itself, but a member cut short passes as a short record, a corrupt
one as a line on stderr, and a file gzipped whole is refused. Here each of these is an
exception that says where in the file it happened (:class:`Broken`).
"""

from __future__ import annotations

import zlib
from typing import Protocol

GZIP_MAGIC = b"\x1f\x8b"
_GZIP_WBITS = 16 + zlib.MAX_WBITS
_BLOCK = 1 << 16
#: The most bytes one zlib call may produce: a compression bomb is read a slice at a time.
_MAX_OUT = 1 << 20


class Readable(Protocol):
    """What is read from: a binary file, stdin's buffer, or a ``BytesIO``."""

    def read(self, size: int = -1, /) -> bytes: ...


class Broken(Exception):
    """The gzip data stops inside a member, or is corrupt; ``str()`` says where, in one line.

    :param cut: True when the input ends inside a member, False when the data is corrupt.
    """

    def __init__(self, message: str, *, cut: bool) -> None:
        super().__init__(message)
        self.cut = cut


class WarcBytes:
    """A readable binary stream of a WARC file's records, inflated when the file is gzip.

    Whether it is gzip is told by its first two bytes, so a ``.warc.gz`` that was stored
    inflated is read too. Reading raises :class:`Broken` only once every byte before the
    break has been returned.
    """

    def __init__(self, raw: Readable) -> None:
        self._raw = raw
        self._pending = b""  # inflated bytes, read up to ``_pos``
        self._pos = 0
        self._input = b""  # raw bytes not inflated yet
        self._inflater: zlib._Decompress | None = None
        self._member_start = 0
        self._raw_read = 0
        self._delivered = 0
        self._ended = False
        self._input = self._next_raw()
        self.gzip = self._input.startswith(GZIP_MAGIC)

    @property
    def exhausted(self) -> bool:
        """True once the input has ended and every byte of it was read."""
        return self._ended and self._pos == len(self._pending)

    def tell(self) -> int:
        """Inflated bytes read so far."""
        return self._delivered

    def peek(self, size: int) -> bytes:
        """Up to ``size`` first bytes still to be read, without consuming them."""
        while len(self._pending) - self._pos < size and not self._ended:
            self._pending, self._pos = self._pending[self._pos :], 0
            self._pump()
        return self._pending[self._pos : self._pos + size]

    def read(self, size: int = -1, /) -> bytes:
        """Up to ``size`` bytes; a negative ``size`` reads the next block (as raw streams
        may), not the rest of the file."""
        while self._pos == len(self._pending) and not self._ended:
            self._pending, self._pos = b"", 0
            self._pump()
        end = len(self._pending) if size < 0 else self._pos + size
        data = self._pending[self._pos : end]
        self._pos += len(data)
        self._delivered += len(data)
        return data

    def _next_raw(self) -> bytes:
        chunk = self._raw.read(_BLOCK)
        self._raw_read += len(chunk)
        return chunk

    def _pump(self) -> None:
        """Add to the pending bytes, or set ``_ended``."""
        data = self._input or self._next_raw()
        self._input = b""
        if not data:
            self._end()
        elif not self.gzip:
            self._pending += data
        else:
            self._inflate(data)

    def _end(self) -> None:
        self._ended = True
        if self._inflater is not None:
            self._inflater = None
            raise Broken(
                f"the file ends inside the gzip member that starts at byte "
                f"{self._member_start:,} (the file has {self._raw_read:,} bytes)",
                cut=True,
            )

    def _inflate(self, data: bytes) -> None:
        at = self._raw_read - len(data)  # where ``data`` starts in the file
        if self._inflater is None:
            if not data.strip(b"\x00"):
                return  # padding after the last member
            if not data.startswith(GZIP_MAGIC) and len(data) >= len(GZIP_MAGIC):
                self._ended = True
                raise Broken(f"data that is not gzip at byte {at:,}", cut=False)
            self._inflater = zlib.decompressobj(_GZIP_WBITS)
            self._member_start = at
        try:
            out = self._inflater.decompress(data, _MAX_OUT)
        except zlib.error as exc:
            self._ended = True
            raise Broken(
                f"corrupt gzip data in the member that starts at byte {self._member_start:,} "
                f"({exc})",
                cut=False,
            ) from None
        self._pending += out
        if self._inflater.eof:
            self._input = self._inflater.unused_data
            self._inflater = None
        else:
            self._input = self._inflater.unconsumed_tail
