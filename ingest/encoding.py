"""Decoding bytes of unknown encoding into text, or saying clearly why they are not text.

The order is deterministic, so the same file always decodes the same way: a byte-order mark;
BOM-less UTF-16 (told by its NUL bytes); strict UTF-8; cp1252, which is what "Latin-1" text
from Windows almost always is and a superset of Latin-1's printable characters. Statistical
guessers (chardet, charset-normalizer) pick exotic code pages for short news texts, so they
are not used.
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


class NotText(ValueError):
    """The bytes are binary or undecodable; the message says which, in one line."""


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


def _check_controls(text: str) -> None:
    sample = text[:65536]
    if len(_CONTROL_RE.findall(sample)) > _MAX_CONTROL_RATIO * max(len(sample), 1):
        raise NotText("binary data, not text (control characters)")


def decode_text(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode ``data`` and return ``(text, encoding used)``.

    :param encoding: decode with this codec instead of detecting one.
    :raises NotText: binary data, or bytes that no candidate encoding decodes.
    """
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise NotText(f"unknown encoding {encoding!r}") from None
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
