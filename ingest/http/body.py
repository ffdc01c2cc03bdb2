"""Bounded bodies: collecting an HTTP body while decompressing it, never holding more than a
byte limit, however small the compressed form (a 1 MB gzip of 1 GiB of zeros stops at the
limit, in bounded memory)."""

from __future__ import annotations

import zlib

_INFLATE_STEP = 1024 * 1024  # most output bytes per zlib call: no single huge allocation


class BodyRefused(Exception):
    """The body is over the limit, corrupt, or in an unsupported encoding; ``str()`` says
    which, in one line, and :attr:`kind` says it for callers that word it their own way.

    :param kind: ``too_large``, ``corrupt``, ``truncated`` or ``encoding``.
    :param detail: zlib's reason, for ``corrupt``.
    :param produced: the bytes decoded before the refusal.
    """

    def __init__(self, message: str, kind: str, detail: str = "", produced: int = 0) -> None:
        super().__init__(message)
        self.kind = kind
        self.detail = detail
        self.produced = produced


def too_large(max_bytes: int) -> str:
    """The reason given for a body over the limit."""
    return f"larger than the {max_bytes:,}-byte limit"


class BoundedBody:
    """Collects a body, decompressing gzip or deflate, and refuses more than ``max_bytes``
    decompressed (and ``max_raw``, by default the same, as received) with
    :class:`BodyRefused`, as soon as it is known."""

    def __init__(self, encoding: str, max_bytes: int, max_raw: int | None = None) -> None:
        self._encoding = encoding.strip().lower()
        if self._encoding not in ("", "identity", "gzip", "x-gzip", "deflate"):
            raise BodyRefused(
                f"unsupported Content-Encoding {' '.join(encoding.split())!r}", "encoding"
            )
        self._max = max_bytes
        self._max_raw = max_bytes if max_raw is None else max_raw
        self._received = 0
        self._head = b""  # the first bytes, until they tell zlib from raw deflate
        self._inflater: zlib._Decompress | None = None
        self._wbits = 0
        self._out = bytearray()

    def feed(self, chunk: bytes) -> None:
        """Add the next raw (still compressed) chunk."""
        self._received += len(chunk)
        if self._received > self._max_raw:
            raise BodyRefused(too_large(self._max_raw), "too_large")
        if self._encoding in ("", "identity"):
            self._out += chunk
        elif self._inflater is None:
            self._head += chunk
            if len(self._head) >= 2:
                self._start()
        else:
            self._inflate(chunk)

    def finish(self) -> bytes:
        """The whole decoded body; :class:`BodyRefused` when the compressed stream stops
        before its end (a connection cut short would otherwise pass as a whole body)."""
        if self._head:
            self._start()
        if self._inflater is not None and not self._inflater.eof:
            raise BodyRefused(
                f"truncated {self._encoding} body: the compressed data stops short",
                "truncated",
                produced=len(self._out),
            )
        return bytes(self._out)

    def _start(self) -> None:
        head, self._head = self._head, b""
        gzip = self._encoding != "deflate" or head.startswith(b"\x1f\x8b")
        # "deflate" means zlib-wrapped (RFC 9110), but some servers send raw deflate.
        wrapped = head[0] & 0x0F == 8 and int.from_bytes(head[:2], "big") % 31 == 0
        wbits = 16 + zlib.MAX_WBITS if gzip else zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS
        self._wbits = wbits
        self._inflater = zlib.decompressobj(wbits)
        self._inflate(head)

    def _inflate(self, data: bytes) -> None:
        assert self._inflater is not None
        while True:
            room = self._max - len(self._out)
            step = min(room + 1, _INFLATE_STEP)
            try:
                out = self._inflater.decompress(data, step)
            except zlib.error as exc:
                detail = str(exc)
                raise BodyRefused(
                    f"corrupt {self._encoding} body ({detail})", "corrupt", detail
                ) from None
            if len(out) > room:
                raise BodyRefused(
                    f"decompresses to more than the {self._max:,}-byte limit (compression bomb?)",
                    "too_large",
                )
            self._out += out
            data = self._inflater.unconsumed_tail
            if self._inflater.eof and self._inflater.unused_data.strip(b"\x00"):
                # gzip allows several members one after the other (RFC 1952): read them all.
                if self._wbits <= zlib.MAX_WBITS:
                    detail = "data after its end"
                    raise BodyRefused(
                        f"corrupt {self._encoding} body ({detail})", "corrupt", detail
                    )
                data = self._inflater.unused_data + data
                self._inflater = zlib.decompressobj(self._wbits)
                continue
            if not data and len(out) < step:  # input used up and nothing left inside zlib
                return


def inflate(data: bytes, encoding: str, max_bytes: int) -> bytes:
    """``data`` decoded as a ``Content-Encoding`` (``gzip``: every member; ``deflate``),
    refusing more than ``max_bytes`` out (``data`` is in memory already), or a stream cut
    short.

    :raises BodyRefused: with its :attr:`~BodyRefused.kind`.
    """
    body = BoundedBody(encoding, max_bytes, max_raw=len(data))
    body.feed(data)
    return body.finish()
