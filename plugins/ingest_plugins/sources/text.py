"""Plain-text articles: ``.txt`` files, directories of them, and stdin.

Turns a text into paragraphs (blank-line separated, or one paragraph per line, or hard-wrapped
lines joined back), takes the first line as the title only when it looks like a headline, a
``By …`` line as the byline, and lifts embedded posts rendered as text, the tweet's text
followed by a signature line ``— Name (@handle) Month D, YYYY``, into ``embeds``. An HTML
document is neither claimed nor read: it is refused, naming the html kind.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ingest import (
    Article,
    ArticleSource,
    Author,
    Config,
    Embed,
    Settings,
    Source,
    SourceError,
    SourceKind,
    UsageError,
    hookimpl,
)
from ingest.helpers import NotAnEncoding, NotText, decode_text, read_bytes, sniff_text, text_codec

KIND = "text"
SUFFIXES = (".txt", ".text")
DEFAULT_MAX_BYTES = 16 * 1024 * 1024

# "— Володимир Зеленський (@ZelenskyyUa) April 26, 2023", as twitter's embed renders as text;
# Mastodon handles carry an instance (@user@example.social).
_SIGNATURE_RE = re.compile(
    r"^\s*[—–-]{1,2}\s*(?P<name>[^()\n]{1,80}?)\s*"
    r"\(@(?P<handle>[A-Za-z0-9_]{1,30}(?:@[A-Za-z0-9.-]+)?)\)\s*"
    r"(?P<date>[A-Z][a-z]{2,8}\.? \d{1,2}, \d{4})\s*$"
)
_BYLINE_RE = re.compile(r"^\s*By\s+(?P<names>[^\d\n]{2,120})$")
_NAME_SPLIT_RE = re.compile(r"\s*(?:,|\band\b|&)\s*")
_MARKDOWN_HEADING_RE = re.compile(r"^#{1,6}\s+")
_SETEXT_RE = re.compile(r"^(=+|-+)\s*$")
_TERMINAL = (".", "!", "?", "…", '"', "”", "’", "'", ":", ";", ")")
_HEADLINE_MAX_CHARS = 200
_HEADLINE_MAX_WORDS = 30
_WRAPPED_LINE_MAX = 100
# An HTML document, told by how it starts (after a BOM, white space, an XML declaration and
# comments): a doctype, <html>, <head> or <body>, or what may open a head whose tags are
# omitted. Prose that mentions <b> does not start so; an HTML fragment is not refused.
_HTML_DOCUMENT_RE = re.compile(
    r"\A\ufeff?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
    r"<(?:!doctype\s+html\b|(?:html|head|body|meta|title)(?=[\s/>]))",
    re.IGNORECASE | re.DOTALL,
)
_HTML_SNIFF_CHARS = 4096


@dataclass
class ParsedText:
    """What :func:`parse_text` finds in a plain text."""

    paragraphs: list[str]
    title: str | None = None
    authors: list[Author] = field(default_factory=list)
    embeds: list[Embed] = field(default_factory=list)


class TextEncoding(str):
    """A ``text.encoding`` value: empty (detect the encoding) or a text encoding's name.

    Checked when the setting is read, before any source: a codec such as ``hex`` or
    ``base64`` is a usage error naming the setting, not a failure of every file (issue 10).
    """

    def __new__(cls, value: str) -> TextEncoding:
        if value.strip():
            try:
                text_codec(value)
            except NotAnEncoding as exc:
                raise ValueError(str(exc)) from None
        return super().__new__(cls, value)


# Config's usage error reads "setting text.encoding: expected {type.__name__}, got 'hex'".
TextEncoding.__name__ = "a text encoding such as utf-8 or cp1252"


@hookimpl
def ingest_add_settings(settings: Settings) -> None:
    """Declare ``text.encoding`` and ``text.max_bytes``."""
    settings.add(
        "text.encoding",
        "",
        "Decode text files with this codec instead of detecting it.",
        TextEncoding,
    )
    settings.add("text.max_bytes", DEFAULT_MAX_BYTES, "Refuse text files larger than this.")


def is_html_document(text: str) -> bool:
    """True when ``text`` starts like an HTML document (doctype, html, head or body)."""
    return _HTML_DOCUMENT_RE.match(text[:_HTML_SNIFF_CHARS]) is not None


def _looks_textual(head: bytes) -> bool:
    stripped = sniff_text(head).lstrip("\ufeff \t\r\n")
    if not stripped or stripped[0] in "<{[":
        return False
    try:
        decode_text(head[:2048].rsplit(b"\n", 1)[0] or head[:2048])
    except NotText:
        return False
    return True


@hookimpl
def ingest_source_kinds() -> list[SourceKind]:
    """Declare ``text``: plain-text articles."""
    return [SourceKind(KIND, "plain-text articles, any encoding (embedded posts lifted)", SUFFIXES)]


@hookimpl(trylast=True)
def ingest_detect_kind(location: str, head: bytes) -> str | None:
    """Claim ``.txt``/``.text`` files, and stdin that looks like plain text; never HTML."""
    if location == "-":
        return KIND if _looks_textual(head) else None
    if Path(location).suffix.lower() in SUFFIXES and not is_html_document(sniff_text(head)):
        return KIND
    return None


@hookimpl
def ingest_fetch(source: Source, config: Config) -> Iterator[Article]:
    """Read one plain-text article from a file or stdin."""
    return _read(source, config)


def _read(source: Source, config: Config) -> Iterator[Article]:
    data = read_bytes(source, config.get("text.max_bytes"))
    if not data:
        raise SourceError(source.label(), "empty file")
    try:
        text, encoding = decode_text(data, config.get("text.encoding") or None)
    except NotAnEncoding as exc:  # TextEncoding checks the setting before this
        raise UsageError(f"setting text.encoding: {exc}") from None
    except NotText as exc:
        raise SourceError(source.label(), str(exc)) from None
    if is_html_document(text):
        # Refused, not stripped: reading HTML well (boilerplate, scripts, meta charset,
        # embeds) is an HTML reader's job, and a rough strip here would export different
        # text, hence different ids, for the same page once that reader exists.
        raise SourceError(
            source.label(), "an HTML document, not plain text: read it with the html kind"
        )
    parsed = parse_text(text)
    if not parsed.paragraphs and not parsed.embeds:
        raise SourceError(source.label(), "no text (only white space)")
    article = Article(
        source=ArticleSource(kind=KIND, location=source.location, name=source.name),
        title=parsed.title,
        text="\n\n".join(parsed.paragraphs),
        authors=parsed.authors,
        embeds=parsed.embeds,
    )
    article.provenance.encoding = encoding
    yield article


def parse_text(text: str) -> ParsedText:
    """Split a decoded plain text into title, byline, paragraphs and embedded posts."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    blocks = [
        [line.rstrip() for line in block.split("\n")]
        for block in re.split(r"\n[ \t\u00a0]*\n", text.strip("\n"))
        if block.strip()
    ]
    wrapped = _is_hard_wrapped(blocks)
    title = _take_title(blocks, wrapped)
    parsed = ParsedText(paragraphs=[], title=title)
    for block in blocks:
        pending: list[str] = []
        for line in block:
            match = _SIGNATURE_RE.match(line)
            if match:
                parsed.embeds.append(
                    _embed(match, _embed_text(pending, parsed.paragraphs, wrapped))
                )
                continue
            if line.strip():
                pending.append(line.strip())
                if not wrapped:
                    parsed.paragraphs.append(pending.pop())
        if pending:
            parsed.paragraphs.append(" ".join(pending))
    parsed.authors = _take_byline(parsed)
    return parsed


def _take_title(blocks: list[list[str]], wrapped: bool) -> str | None:
    """Remove and return the first line when it reads like a headline, else None.

    In hard-wrapped text a first line that shares its block with others is the start of
    a paragraph, whatever it looks like.
    """
    if not blocks:
        return None
    first = blocks[0]
    line = first[0].strip()
    underlined = len(first) > 1 and _SETEXT_RE.match(first[1].strip()) is not None
    heading = _MARKDOWN_HEADING_RE.match(line) is not None
    line = _MARKDOWN_HEADING_RE.sub("", line)
    rest_follows = len(first) > 1 + underlined or len(blocks) > 1
    mid_paragraph = wrapped and len(first) > 1 and not underlined
    if not rest_follows or mid_paragraph or not _is_headline(line, explicit=heading or underlined):
        return None
    del first[: 1 + underlined]
    if not first:
        del blocks[0]
    return line


def _is_headline(line: str, *, explicit: bool) -> bool:
    if not line or _SIGNATURE_RE.match(line) or _BYLINE_RE.match(line):
        return False
    if explicit:
        return True
    starts_well = line[0].isupper() or line[0].isdigit() or line[0] in "“\"'‘"
    return (
        starts_well
        and len(line) <= _HEADLINE_MAX_CHARS
        and len(line.split()) <= _HEADLINE_MAX_WORDS
        and not line.endswith((".", ",", ";", ":", "—", "–", "-"))
    )


def _is_hard_wrapped(blocks: list[list[str]]) -> bool:
    """True when lines inside blocks are wrapped prose (join them), not one paragraph each."""
    inner = [
        line.strip()
        for block in blocks
        for line in block[:-1]
        if line.strip() and not _SIGNATURE_RE.match(line)
    ]
    if not inner:
        return False
    open_ended = sum(1 for line in inner if not line.endswith(_TERMINAL))
    short = sum(1 for line in inner if len(line) <= _WRAPPED_LINE_MAX)
    return open_ended > len(inner) / 2 and short > 0.9 * len(inner)


def _embed_text(pending: list[str], paragraphs: list[str], wrapped: bool) -> str | None:
    """The embedded post's text: the line(s) right above its signature."""
    if pending:
        text = " ".join(pending) if wrapped else pending[-1]
        pending.clear()
        return text
    return paragraphs.pop() if paragraphs else None


def _embed(match: re.Match[str], text: str | None) -> Embed:
    handle = match["handle"]
    # The text rendering carries no status URL; a fediverse handle (user@host) is not a tweet.
    return Embed(
        kind="post" if "@" in handle else "tweet",
        url=None,
        author=Author(name=match["name"].strip(), handle=handle),
        text=text,
        published=_embed_date(match["date"]),
    )


def _embed_date(value: str) -> str | None:
    for fmt in ("%B %d, %Y", "%b %d, %Y", "%b. %d, %Y"):
        try:
            return datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def _take_byline(parsed: ParsedText) -> list[Author]:
    """A ``By Jane Roe and John Doe`` first paragraph becomes the authors."""
    if not parsed.paragraphs:
        return []
    match = _BYLINE_RE.match(parsed.paragraphs[0])
    if not match:
        return []
    names = [n.strip(" .") for n in _NAME_SPLIT_RE.split(match["names"]) if n.strip(" .")]
    if not names or any(len(n.split()) > 4 or not n[0].isupper() for n in names):
        return []
    del parsed.paragraphs[0]
    return [Author(name=name) for name in names]
