"""Getting feed bytes ready for a strict XML parser: one encoding (UTF-8), no entity
declarations, and HTML's named entities, which feeds use without declaring, made numeric."""

from __future__ import annotations

import html.entities
import re
from dataclasses import dataclass, field

from ingest.helpers import BOMS, NotAnEncoding, text_codec

_DECLARATION_RE = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
# Inside a DOCTYPE: what can hide a "]" or ">" (comments, quoted literals, PIs), and the
# characters that open and close its internal subset and end it.
_DOCTYPE_TOKEN_RE = re.compile(rb"<!--|<\?|[\"'\[\]>]|<!ENTITY")
_ELEMENT_START_RE = re.compile(rb"<[A-Za-z_]")
_CHAR_REF_RE = re.compile(rb"&#(?:([0-9]+)|[xX]([0-9A-Fa-f]+));")
_GOOD_DECLARATION_RE = re.compile(
    rb"<\?xml\s+version\s*=\s*(\"[^\"<>]*\"|'[^'<>]*')"
    rb"(\s+encoding\s*=\s*(\"[^\"<>]*\"|'[^'<>]*'))?"
    rb"(\s+standalone\s*=\s*(\"[^\"<>]*\"|'[^'<>]*'))?\s*\?>"
)
# A start tag with at least one unquoted attribute value (<rss rss:version=2.0>, issue 10).
# Every part excludes "<" and each repetition starts at a space, so a scan stays linear.
_UNQUOTED_TAG_RE = re.compile(
    rb"<[A-Za-z_][\w:.-]*(?:\s+[\w:.-]+\s*=\s*(?:\"[^\"<]*\"|'[^'<]*'|[^\s>\"'<]+))*"
    rb"\s+[\w:.-]+=[^\s>\"'<]+[^<>]*>"
)
_UNQUOTED_VALUE_RE = re.compile(rb"(\s[\w:.-]+)=([^\s>\"'<]+)")
_NAMED_ENTITY_RE = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_BARE_AMPERSAND_RE = re.compile(rb"&(?![A-Za-z][A-Za-z0-9._-]*;|#[0-9]{1,7};|#x[0-9A-Fa-f]{1,6};)")
_XML_ENTITIES = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})


class Refused(ValueError):
    """The document is refused on safety grounds (one line says why)."""


@dataclass(slots=True)
class Prepared:
    """UTF-8 bytes ready for the parser, the encoding they came in, and what was assumed."""

    data: bytes
    encoding: str
    warnings: list[str] = field(default_factory=list)


def _numeric(match: re.Match[bytes]) -> bytes:
    name = match[1]
    if name in _XML_ENTITIES:
        return match[0]
    text = name.decode("ascii")
    codepoint = html.entities.name2codepoint.get(text)
    if codepoint is not None:
        return b"&#%d;" % codepoint
    chars = html.entities.html5.get(text + ";")
    if chars is None:
        return match[0]
    return b"".join(b"&#%d;" % ord(ch) for ch in chars)


def _decode(
    data: bytes, declared: str | None, http_charset: str | None
) -> tuple[str | bytes, str, list[str]]:
    """Return (text or untouched UTF-8 bytes, encoding, warnings)."""
    for bom, name in BOMS:
        if data.startswith(bom):
            return data.decode(name, "replace"), name, []
    warnings: list[str] = []
    candidates = [c for c in (declared, http_charset, "utf-8") if c]
    if (
        declared
        and declared.lower().startswith(("utf-16", "utf-32", "ucs"))
        and b"\x00" not in data[:512]
    ):
        # An encoding lie: UTF-16 declared over single-byte content (seen in the wild).
        warnings.append(f"feed declares {declared} but is not; read as UTF-8")
        candidates = ["utf-8"]
    for candidate in candidates:
        try:
            codec = text_codec(candidate)
        except NotAnEncoding as exc:  # unknown, or bytes-to-bytes ("base64", "zlib", "hex")
            warnings.append(f"{exc} (declared)")
            continue
        if codec == "utf-8":
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                continue
            return data, "utf-8", warnings
        try:
            return data.decode(codec), codec, warnings
        except UnicodeDecodeError:
            continue
    warnings.append(f"feed is not valid {candidates[0]}; read as cp1252")
    return data.decode("cp1252", "replace"), "cp1252", warnings


def _allowed_char(match: re.Match[bytes]) -> bytes:
    digits = match[1] or match[2]
    if len(digits) > 8:  # &#99999999999999999999; overflows a C int in some parsers
        return b"&#xFFFD;"
    code = int(digits, 10 if match[1] else 16)
    allowed = code in (9, 10, 13) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0x10FFFF
    return match[0] if allowed and code not in (0xFFFE, 0xFFFF) else b"&#xFFFD;"


def fix_char_refs(data: bytes) -> bytes:
    """Character references to characters XML forbids (``&#x110000;``, ``&#xD800;``,
    ``&#0;``, ``&#99999999999999999999;``) made U+FFFD: parsers crash or stop on them."""
    return _CHAR_REF_RE.sub(_allowed_char, data) if b"&#" in data else data


def _fix_declaration(data: bytes) -> bytes:
    """Drop a mangled XML declaration (``<?xml?xml version="1.0"??>``): the bytes are UTF-8
    by now, so it has nothing left to say."""
    if not data.startswith(b"<?xml") or _GOOD_DECLARATION_RE.match(data):
        return data
    end = data.find(b">")
    return data[end + 1 :].lstrip() if end >= 0 else data


def _quote_values(match: re.Match[bytes]) -> bytes:
    return _UNQUOTED_VALUE_RE.sub(rb'\1="\2"', match[0])


def repair_xml(data: bytes) -> bytes:
    """Fix what makes most feeds ill-formed: HTML's named entities, which XML does not
    define (made numeric), a bare ``&`` ("Fish & chips", escaped as ``&amp;``), character
    references to characters XML forbids, a mangled declaration and unquoted attribute
    values.

    Only for documents that failed to parse: inside CDATA sections this rewrites text that
    was fine, which is harmless (it is HTML, decoded again later) but not free.
    """
    data = _fix_declaration(data)
    if b"=" in data:
        data = _UNQUOTED_TAG_RE.sub(_quote_values, data)
    if b"&" not in data:
        return data
    data = _BARE_AMPERSAND_RE.sub(b"&amp;", _NAMED_ENTITY_RE.sub(_numeric, data))
    return fix_char_refs(data)


def declares_entities(data: bytes) -> bool:
    """True when the DOCTYPE's internal subset declares an entity.

    Scans the DOCTYPE token by token, so that a "]>" inside a comment or a quoted literal
    (``<!DOCTYPE rss [<!-- ]> -->``, issue 10) does not end it early.
    """
    position = data.find(b"<!DOCTYPE")
    first_element = _ELEMENT_START_RE.search(data)
    if position < 0 or (first_element is not None and first_element.start() < position):
        return False  # none, or text quoted inside the document (a CDATA section)
    in_subset = False
    position += len(b"<!DOCTYPE")
    while match := _DOCTYPE_TOKEN_RE.search(data, position):
        token, position = match[0], match.end()
        if token == b"<!ENTITY":
            return True
        closer = {b"<!--": b"-->", b"<?": b"?>", b'"': b'"', b"'": b"'"}.get(token)
        if closer is not None:
            end = data.find(closer, position)
            if end < 0:
                return False  # never closed: the parser will fail on it, refused or not
            position = end + len(closer)
        elif token == b"[":
            in_subset = True
        elif token == b"]":
            in_subset = False
        elif not in_subset:  # ">" ends the DOCTYPE
            return False
    return False


def prepare_xml(data: bytes, http_charset: str | None = None) -> Prepared:
    """Normalize feed bytes to UTF-8 for lxml.

    :raises Refused: the document declares entities (entity expansion, external entities).
    """
    head = data[:65536]
    if declares_entities(data):
        raise Refused("refused: the document declares XML entities (entity expansion or XXE)")
    stripped = data.lstrip(b" \t\r\n")  # whitespace before <?xml makes strict parsers fail
    match = _DECLARATION_RE.match(stripped)
    declared = match[1].decode("ascii") if match else None
    text, encoding, warnings = _decode(stripped, declared, http_charset)
    # Always UTF-8 from here on; the parser is told so, whatever the declaration says.
    raw = text.lstrip("\ufeff \t\r\n").encode("utf-8") if isinstance(text, str) else text
    if b"<!DOCTYPE" in head:
        # With an external DTD (RSS 0.91's), libxml2 keeps HTML entities as unresolved
        # references instead of failing: make them characters before it sees them.
        raw = repair_xml(raw)
    return Prepared(raw, encoding, warnings)
