"""Unicode and white-space normalization, the last link of the clean chain.

NFC; control and invisible formatting characters removed; every kind of space (no-break,
thin, ideographic...) made a plain space and runs of them collapsed; paragraphs (blank
lines) and line breaks inside paragraphs kept. Typographic quotes and dashes are kept as
they are: they are the author's, and quote extraction relies on them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from ingest import Article, Author, hookimpl

# Invisible characters that carry no meaning in stored text. ZWJ (U+200D) and ZWNJ
# (U+200C) are kept: emoji sequences and Persian or Indic spelling need them, and so are
# the bidi marks LRM/RLM (U+200E/F), which fix punctuation placement in RTL text.
_INVISIBLE = (
    "\u00ad\u180e\u200b\u2060\u2061\u2062\u2063\u2064\ufeff"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_SPACES = "\t\v\f\u00a0\u1680\u202f\u205f\u3000" + "".join(map(chr, range(0x2000, 0x200B)))


_CONTROLS = "\x00-\x08\x0e-\x1f\x7f-\x9f"
# Character classes, not str.translate: translate looks every character up in a dict,
# which costs ten times a regex scan on non-ASCII text.
_DROP = re.compile(f"[{_CONTROLS}{_INVISIBLE}]+")
_TO_SPACE = re.compile(f"[{_SPACES}]")
_SPECIAL = re.compile(f"[{_CONTROLS}{_INVISIBLE}{_SPACES}]")
_SPACE_RUN = re.compile(r" {2,}")
_SPACE_AROUND_NEWLINE = re.compile(r" +\n *|\n +")
_BLANK_LINES = re.compile(r"\n{3,}")


def normalize_text(text: str) -> str:
    """Normalized multi-paragraph text: NFC, no invisibles, single spaces, ``\\n\\n`` between
    paragraphs, ``\\n`` for a line break inside one. Idempotent."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    ascii_only = text.isascii()
    # isprintable() is false for every control, format and non-ASCII space character (what
    # the substitutions fix) and costs a tenth of a regex scan; most texts pass it.
    if not text.replace("\n", " ").isprintable() and _SPECIAL.search(text):
        text = _TO_SPACE.sub(" ", _DROP.sub("", text))
    if not ascii_only and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if "\u2028" in text or "\u2029" in text:
        text = text.replace("\u2029", "\n\n").replace("\u2028", "\n")
    # Substring tests are ten times cheaper than a regex scan, and most texts are clean.
    if "  " in text:
        text = _SPACE_RUN.sub(" ", text)
    if " \n" in text or "\n " in text:
        text = _SPACE_AROUND_NEWLINE.sub("\n", text)
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def normalize_line(text: str | None) -> str | None:
    """A normalized single line (titles, names): line breaks become spaces; empty -> None."""
    if text is None:
        return None
    if text.isascii() and text.isprintable():  # the usual title or name: only spaces to fix
        line = _SPACE_RUN.sub(" ", text) if "  " in text else text
    else:
        line = _SPACE_RUN.sub(" ", normalize_text(text).replace("\n", " "))
    return line.strip() or None


def _author(author: Author) -> Author:
    return replace(author, name=normalize_line(author.name))


@hookimpl(trylast=True)
def ingest_clean(article: Article) -> None:
    """Normalize every human-readable field of ``article`` in place."""
    article.title = normalize_line(article.title)
    article.summary = normalize_line(article.summary) if article.summary else None
    article.text = normalize_text(article.text)
    article.authors = [_author(a) for a in article.authors if normalize_line(a.name) or a.handle]
    article.embeds = [
        replace(
            embed,
            text=normalize_text(embed.text) if embed.text else None,
            author=_author(embed.author) if embed.author else None,
        )
        for embed in article.embeds
    ]
    article.quotes = [
        replace(q, text=normalize_text(q.text)) for q in article.quotes if q.text.strip()
    ]
    article.media = [
        replace(m, caption=normalize_line(m.caption)) if m.caption else m for m in article.media
    ]
