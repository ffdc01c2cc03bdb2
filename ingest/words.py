"""Counting words, for ``metrics.words``: fast on the common (ASCII) case, right on CJK."""

from __future__ import annotations

import re


def word_count(text: str) -> int:
    """Words in ``text``: white-space separated tokens with a letter or digit in them; in
    text with CJK, kana or hangul, each such character counts as a word of its own."""
    if not text.isascii():
        if _CJK_RE.search(text):
            return len(_WORD_RE.findall(text))
        for mark in _TYPOGRAPHY:
            if mark in text:
                text = text.replace(mark, "")
        if not text.isascii():
            return count_tokens_with_alnum(text)
    # Deleting punctuation makes punctuation-only tokens vanish from split(): the same count,
    # five times faster than looking at each token (this runs on every article).
    return len(text.encode("ascii").translate(_ASCII_SEPARATORS, _ASCII_NON_ALNUM).split())


def count_tokens_with_alnum(text: str) -> int:
    """White-space separated tokens with a letter or digit in them: the definition
    :func:`word_count` computes faster."""
    return sum(
        1
        for token in text.split()
        if token[0].isalnum() or token[-1].isalnum() or any(ch.isalnum() for ch in token)
    )


# A CJK ideograph, kana or hangul syllable is a word on its own (those scripts use no spaces);
# anything else counts by runs of word characters, joined by apostrophes and hyphens.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_CJK_RE = re.compile(f"[{_CJK}]")
_TYPOGRAPHY = "’“”‘—–…«»„‚·•"
# Everything ASCII that is neither alphanumeric nor white space (for bytes.split) goes;
# the four separators that str.split() breaks on but bytes.split() does not become spaces.
_ASCII_SEPARATORS = bytes.maketrans(b"\x1c\x1d\x1e\x1f", b"    ")
_ASCII_NON_ALNUM = bytes(
    c
    for c in range(0x80)
    if not chr(c).isalnum() and not bytes([c]).isspace() and c not in range(0x1C, 0x20)
)
_WORD_RE = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+(?:['’-][^\W{_CJK}]+)*")
