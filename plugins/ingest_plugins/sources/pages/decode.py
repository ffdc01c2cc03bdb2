"""Bytes of a web page to text: gzip undone (capped), then the encoding chosen as browsers
choose it (HTTP charset, byte-order mark, ``<meta charset>``/``http-equiv``), then detected.

A declared charset that does not decode the page is passed over, with a warning, for the
next candidate; so is a Latin-1/ASCII/cp1252 declaration over bytes that are valid UTF-8
with multi-byte characters (the usual lie of a server's default charset).
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

from ingest import quoted
from ingest.helpers import BOMS, NotAnEncoding, NotText, decode_text, text_codec

_GZIP_MAGIC = b"\x1f\x8b"
# <meta charset="x"> or <meta http-equiv="Content-Type" content="text/html; charset=x">,
# in the first bytes as WHATWG's prescan reads them (it reads 1024; pages put it later).
_META_CHARSET_RE = re.compile(
    rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*(?P<name>[A-Za-z0-9._:+-]{1,40})""", re.IGNORECASE
)
_PRESCAN_BYTES = 4096
_UTF8_MULTIBYTE_RE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")
#: Declarations that servers and templates send by default, whatever the bytes are.
_DEFAULT_CHARSETS = frozenset({"latin-1", "iso8859-1", "ascii", "cp1252"})


class NotAPage(ValueError):
    """The bytes are not a readable page; the message says why, in one line."""


@dataclass(frozen=True, slots=True)
class Decoded:
    """A page's text, the codec that decoded it, and notes for ``article.warnings``."""

    text: str
    encoding: str
    #: Where the encoding came from: ``"http"``, ``"bom"``, ``"meta"`` or ``"detected"``.
    basis: str
    warnings: tuple[str, ...] = ()


def gunzip(data: bytes, limit: int) -> bytes:
    """``data`` decompressed when it is gzip, refusing more than ``limit`` bytes out."""
    if not data.startswith(_GZIP_MAGIC):
        return data
    inflater = zlib.decompressobj(wbits=47)  # 32 + 15: gzip or zlib header
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise NotAPage(f"a damaged gzip file ({exc})") from None
    if len(out) > limit:
        raise NotAPage(f"larger than the {limit:,}-byte limit once decompressed")
    return out


def decode_page(data: bytes, http_charset: str | None = None) -> Decoded:
    """The page's text: see the module docstring for the order.

    :raises NotAPage: binary data, or bytes no candidate decodes.
    """
    warnings: list[str] = []
    for basis, name in _declared(data, http_charset):
        try:
            codec = text_codec(name)
        except NotAnEncoding as exc:
            warnings.append(f"{basis} charset ignored: {exc}")
            continue
        if codec in _DEFAULT_CHARSETS and _is_utf8(data):
            warnings.append(f"{basis} charset {quoted(name)} ignored: the page is UTF-8")
            continue
        try:
            text, used = decode_text(data, codec)
        except NotText as exc:
            warnings.append(f"{basis} charset {quoted(name)} ignored: {exc}")
            continue
        return Decoded(text, used, basis, tuple(warnings))
    try:
        text, used = decode_text(data)
    except NotText as exc:
        raise NotAPage(str(exc)) from None
    return Decoded(text, used, "detected", tuple(warnings))


def _declared(data: bytes, http_charset: str | None) -> list[tuple[str, str]]:
    """The charsets the page declares, in the order they count (a BOM beats HTTP, as in
    WHATWG's decode; HTTP beats ``<meta>``)."""
    for bom, name in BOMS:
        if data.startswith(bom):
            return [("bom", name)]
    found = [("http", http_charset)] if http_charset else []
    if match := _META_CHARSET_RE.search(data[:_PRESCAN_BYTES]):
        found.append(("meta", match["name"].decode("ascii")))
    return found


def _is_utf8(data: bytes) -> bool:
    if not _UTF8_MULTIBYTE_RE.search(data):
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
