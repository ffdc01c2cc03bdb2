"""Getting feed bytes ready for a strict XML parser: one encoding (UTF-8), no entity
declarations, and HTML's named entities, which feeds use without declaring, made numeric."""

from __future__ import annotations

import codecs
import html.entities
import re
from dataclasses import dataclass, field

from ingest.encoding import BOMS

_DECLARATION_RE = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
_DOCTYPE_SUBSET_RE = re.compile(rb"<!DOCTYPE[^\[>]*\[(.*?)\]\s*>", re.DOTALL)
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
            codec = codecs.lookup(candidate).name
        except LookupError:
            warnings.append(f"unknown encoding {candidate!r} declared")
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


def repair_xml(data: bytes) -> bytes:
    """Fix what makes most feeds ill-formed: HTML's named entities, which XML does not
    define (made numeric), and a bare ``&`` ("Fish & chips", escaped as ``&amp;``).

    Only for documents that failed to parse: inside CDATA sections this rewrites text that
    was fine, which is harmless (it is HTML, decoded again later) but not free.
    """
    if b"&" not in data:
        return data
    return _BARE_AMPERSAND_RE.sub(b"&amp;", _NAMED_ENTITY_RE.sub(_numeric, data))


def prepare_xml(data: bytes, http_charset: str | None = None) -> Prepared:
    """Normalize feed bytes to UTF-8 for lxml.

    :raises Refused: the document declares entities (entity expansion, external entities).
    """
    head = data[:65536]
    subset = _DOCTYPE_SUBSET_RE.search(head)
    if subset and b"<!ENTITY" in subset[1]:
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
