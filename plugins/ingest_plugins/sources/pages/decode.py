"""Bytes of a web page to text: gzip undone (every member, capped), then the encoding chosen
in the order of WHATWG's HTML decoding (a byte-order mark, the HTTP charset, then a
``<meta charset>``/``http-equiv`` in the page's first bytes), then detected (strict UTF-8,
else cp1252).

Labels mean what they mean to a browser (WHATWG Encoding): ``iso-8859-1``, ``latin1`` and
``us-ascii`` name windows-1252, ``gb2312`` names gb18030, and so on; a ``<meta>`` that says
UTF-16 or UTF-32 means UTF-8, since a page whose meta can be read is ASCII-compatible.

Where browsers would show garbage, this reads on instead, with a warning for
``article.warnings``: a declared charset that does not decode the page is passed over for the
next candidate; so is a Latin-1/ASCII/cp1252 declaration over bytes that are valid UTF-8 with
multi-byte characters (the usual lie of a server's default charset). The prescan reads 4096
bytes, not WHATWG's 1024: pages put their meta later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest import quoted
from ingest.helpers import (
    BOMS,
    BodyRefused,
    NotAnEncoding,
    NotText,
    decode_text,
    inflate,
    text_codec,
)

_GZIP_MAGIC = b"\x1f\x8b"
# <meta charset="x"> or <meta http-equiv="Content-Type" content="text/html; charset=x">,
# in the first bytes as WHATWG's prescan reads them.
_META_CHARSET_RE = re.compile(
    rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*(?P<name>[A-Za-z0-9._:+-]{1,40})""", re.IGNORECASE
)
_PRESCAN_BYTES = 4096
#: WHATWG labels that Python's codec registry does not know, and the codec for each.
_WHATWG_LABELS = {
    "x-cp1252": "cp1252",
    "windows-874": "cp874",
    "x-mac-roman": "mac-roman",
    "x-mac-cyrillic": "mac-cyrillic",
    "x-mac-ukrainian": "mac-cyrillic",
    "x-gbk": "gb18030",
    "x-euc-jp": "euc_jp",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "ms932": "cp932",
    "x-x-big5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "iso-8859-8-i": "iso8859-8",
    "csiso88598i": "iso8859-8",
    "logical": "iso8859-8",
}
#: Python codecs whose names browsers read as a superset (WHATWG Encoding, section 4.2):
#: cp1252 curly quotes under a "Latin-1" declaration are quotes, not C1 controls.
_WHATWG_SUPERSETS = {
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "big5": "big5hkscs",
}
#: The codec of the declarations that servers and templates send by default, whatever the
#: bytes are (Latin-1, ASCII and windows-1252 all name it).
_DEFAULT_CODEC = "cp1252"


class NotAPage(ValueError):
    """The bytes are not a readable page; the message says why, in one line."""


@dataclass(frozen=True, slots=True)
class Decoded:
    """A page's text, the codec that decoded it, and notes for ``article.warnings``."""

    text: str
    encoding: str
    warnings: tuple[str, ...] = ()
    #: What chose the codec: ``bom``, ``http`` (the Content-Type charset), ``meta``
    #: (``<meta charset>`` or ``http-equiv``) or ``detected`` (none of them held).
    basis: str = "detected"


def gunzip(data: bytes, limit: int) -> bytes:
    """``data`` decompressed when it is gzip (every member, as ``gzip -d`` does), refusing
    more than ``limit`` bytes out, with the core's bounded inflation.

    :raises NotAPage: a damaged or truncated gzip stream, or more than ``limit`` bytes.
    """
    if not data.startswith(_GZIP_MAGIC):
        return data
    try:
        return inflate(data, "gzip", limit)
    except BodyRefused as exc:
        # An error, not a warning with the text so far: a cut-short page would pass for a
        # whole article (its end, or its whole body, silently missing).
        reason = {
            "too_large": f"larger than the {limit:,}-byte limit once decompressed",
            "truncated": "truncated gzip: the file ends before the compressed data does "
            f"({exc.produced:,} bytes decompressed)",
        }.get(exc.kind, f"a damaged gzip file ({exc.detail or exc})")
        raise NotAPage(reason) from None


def decode_page(data: bytes, http_charset: str | None = None) -> Decoded:
    """The page's text: see the module docstring for the order.

    :raises NotAPage: binary data, or bytes no candidate decodes.
    """
    warnings: list[str] = []
    for basis, name in _declared(data, http_charset):
        try:
            codec = page_codec(name, meta=basis == "meta")
        except NotAnEncoding as exc:
            warnings.append(f"{basis} charset ignored: {exc}")
            continue
        if codec == _DEFAULT_CODEC and _is_multibyte_utf8(data):
            warnings.append(f"{basis} charset {quoted(name)} ignored: the page is UTF-8")
            continue
        try:
            text, used = decode_text(_cp1252_defined(data) if codec == "cp1252" else data, codec)
        except NotText as exc:
            warnings.append(f"{basis} charset {quoted(name)} ignored: {exc}")
            continue
        return Decoded(text, used, tuple(warnings), basis)
    try:
        text, used = decode_text(data)
    except NotText as exc:
        defined = _cp1252_defined(data)
        try:
            if defined is data:
                raise
            text, used = decode_text(defined)
        except NotText:
            raise NotAPage(str(exc)) from None
    return Decoded(text, used, tuple(warnings))


def _cp1252_defined(data: bytes) -> bytes:
    """``data`` without the five bytes Python's cp1252 leaves undefined (0x81, 0x8D, 0x8F,
    0x90, 0x9D): WHATWG's windows-1252, which browsers use, reads them as invisible C1
    controls, so a stray one must not cost the page its declared encoding."""
    return data.translate(None, _CP1252_UNDEFINED) if _CP1252_UNDEFINED_RE.search(data) else data


_CP1252_UNDEFINED = b"\x81\x8d\x8f\x90\x9d"
_CP1252_UNDEFINED_RE = re.compile(b"[\x81\x8d\x8f\x90\x9d]")


def page_codec(label: str, *, meta: bool = False) -> str:
    """The Python codec for a charset ``label`` as a browser reads it (WHATWG Encoding):
    ``"ISO-8859-1"`` and ``"us-ascii"`` give ``"cp1252"``. ``meta``: the label comes from a
    ``<meta>`` in the page, where UTF-16 and UTF-32 mean UTF-8 (HTML, "prescan").

    :raises NotAnEncoding: the label is unknown or not a text encoding.
    """
    key = label.strip().lower()
    codec = text_codec(_WHATWG_LABELS.get(key, key))
    codec = _WHATWG_SUPERSETS.get(codec, codec)
    if meta and codec.startswith(("utf-16", "utf-32")):
        return "utf-8"
    return codec


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


def _is_multibyte_utf8(data: bytes) -> bool:
    """Valid UTF-8 with at least one multi-byte character (of 2, 3 or 4 bytes): valid UTF-8
    that is not ASCII has one, so no pattern of sequences is needed."""
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
