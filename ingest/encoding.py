"""Decoding bytes of unknown encoding into text, or saying clearly why they are not text.

The order is deterministic, so the same file always decodes the same way: a byte-order mark;
BOM-less UTF-16 (told by its NUL bytes); strict UTF-8; cp1252, which is what "Latin-1" text
from Windows almost always is and a superset of Latin-1's printable characters. Statistical
guessers (chardet, charset-normalizer) pick exotic code pages for short news texts, so they
are not used.

A codec name that a document declares (XML prolog, meta charset, HTTP charset) or that a user
sets is looked up with :func:`text_codec` only: Python's codec registry also holds codecs that
are not character encodings (hex, base64, rot13, zlib) and some whose output is not text that
may be exported (``unicode_escape`` and UTF-7 produce lone surrogates).
"""

from __future__ import annotations

import codecs
import re

#: Byte-order marks and the codec each announces (UTF-32's first: it starts like UTF-16's).
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# A well-formed multi-byte UTF-8 sequence: its presence beside invalid bytes means a file
# that is UTF-8 but damaged (or mixes encodings), not a legacy single-byte file.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
# C0 and C1 controls other than tab, line feed, vertical tab, form feed and carriage return.
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_MAX_CONTROL_RATIO = 0.01
# What a codec name may look like ("ISO_8859-1:1987", "x-mac-roman"); anything else is not
# looked up at all: codecs.lookup raises ValueError on a NUL, UnicodeEncodeError on a surrogate.
_CODEC_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+ -]{0,63}")
# Codecs that the registry flags as text encodings but that are not document charsets:
# "undefined" always fails, idna/punycode encode host names, the escape codecs read Python
# string literals, and Python's UTF-7 decoder yields lone surrogates (WHATWG bans UTF-7).
_NOT_CHARSETS = frozenset(
    {"undefined", "idna", "punycode", "unicode-escape", "raw-unicode-escape", "utf-7"}
)


class NotText(ValueError):
    """The bytes are binary or undecodable; the message says which, in one line."""


class NotAnEncoding(NotText, LookupError):
    """A codec name that is unknown or is not a text encoding; the message says which, in one
    line, with the name quoted and shortened. A :class:`NotText`, so that callers of
    :func:`decode_text` catch one exception; a :class:`LookupError`, as ``codecs.lookup``'s."""


def text_codec(name: str) -> str:
    """The canonical name of the text encoding called ``name`` (``"Latin-1"`` gives
    ``"iso8859-1"``), for a declared or user-set encoding.

    :raises NotAnEncoding: the name is unknown, or names a codec that does not decode bytes to
        text (``hex``, ``base64``, ``rot13``, ``zlib``, ``bz2``, ``uu``, ``quopri``,
        ``undefined``, ``unicode_escape``, ``utf-7``...). Callers of a *declared* name warn and
        detect the encoding instead; a user setting is a usage error.
    """
    stripped = name.strip()
    shown = repr(stripped[:40] + ("…" if len(stripped) > 40 else ""))
    if not _CODEC_NAME_RE.fullmatch(stripped):
        raise NotAnEncoding(f"unknown encoding {shown}")
    try:
        info = codecs.lookup(stripped)
    except LookupError:
        raise NotAnEncoding(f"unknown encoding {shown}") from None
    if not info._is_text_encoding or info.name in _NOT_CHARSETS:
        raise NotAnEncoding(f"{shown} is not a text encoding")
    return info.name


def _utf16_without_bom(sample: bytes) -> str | None:
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even_nuls = sample[0 : pairs * 2 : 2].count(0)
    odd_nuls = sample[1 : pairs * 2 : 2].count(0)
    # ASCII-range text in UTF-16 has a NUL in (nearly) every pair, all on one side.
    if odd_nuls > 0.4 * pairs and even_nuls < 0.05 * pairs:
        return "utf-16-le"
    if even_nuls > 0.4 * pairs and odd_nuls < 0.05 * pairs:
        return "utf-16-be"
    return None


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1].hex()
        raise NotText(
            f"undecodable bytes: not valid {encoding} (byte 0x{bad} at offset {exc.start})"
        ) from None
    except UnicodeError:  # a stateful decoder that reports no position
        raise NotText(f"undecodable bytes: not valid {encoding}") from None


def _check_controls(text: str) -> None:
    sample = text[:65536]
    if len(_CONTROL_RE.findall(sample)) > _MAX_CONTROL_RATIO * max(len(sample), 1):
        raise NotText("binary data, not text (control characters)")


def sniff_text(head: bytes) -> str:
    """The first bytes of a file as text, to tell its kind only: decoded leniently, dropping
    undecodable bytes (a multi-byte character cut at the end of the head), never raising.
    Not for content: the result may lack characters, but never holds a lone surrogate."""
    for bom, name in BOMS:
        if head.startswith(bom):
            return head.decode(name, "ignore")
    if b"\x00" in head:
        return head.decode(_utf16_without_bom(head) or "latin-1", "ignore")
    return head.decode("utf-8", "ignore")


def decode_text(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode ``data`` and return ``(text, encoding used)``.

    :param encoding: decode with this codec instead of detecting one (see :func:`text_codec`).
    :raises NotText: binary data, or bytes that no candidate encoding decodes; its subclass
        :class:`NotAnEncoding` when ``encoding`` is unknown or not a text encoding.
    """
    if encoding:
        encoding = text_codec(encoding)
        text = _strict(data, encoding)
        _check_controls(text)
        return text, encoding
    for bom, name in BOMS:
        if data.startswith(bom):
            text = _strict(data, name)
            _check_controls(text)
            return text, name
    if b"\x00" in data[:8192]:
        utf16 = _utf16_without_bom(data[:8192])
        if utf16 is None:
            raise NotText("binary data, not text (NUL bytes)")
        text = _strict(data, utf16)
        _check_controls(text)
        return text, utf16
    try:
        text, name = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if _UTF8_MULTIBYTE.search(data):
            bad = data[exc.start : exc.start + 1].hex()
            raise NotText(
                f"undecodable bytes: invalid UTF-8 (byte 0x{bad} at offset {exc.start}) "
                "in a file that is otherwise UTF-8"
            ) from None
        try:
            text, name = data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError as legacy:
            bad = data[legacy.start : legacy.start + 1].hex()
            raise NotText(
                "undecodable bytes: neither UTF-8 nor cp1252 "
                f"(byte 0x{bad} at offset {legacy.start})"
            ) from None
    _check_controls(text)
    return text, name
