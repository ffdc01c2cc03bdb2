"""Direct quotations and who said them, by rules over the article's punctuation and words.

Quote marks are paired in one pass; speakers come from speech verbs beside quotes or from the
quote before, resolved to the fullest name seen. Context is read in windows of bounded size,
and the names of the text only where a speaker needs them (:mod:`quote_names`: most texts
with quote marks need none). Speech verbs are looked for in a lower-case copy of a window,
where the regex engine tells them apart by their letters, and the last sentence end before a
quote from the end of its window."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from ingest import Article, Quote, hookimpl
from ingest_plugins.tags.capitals import TOKEN
from ingest_plugins.tags.people import (
    SPEECH_VERBS,
    TITLE_ABBREVIATIONS,
    any_case,
    is_title,
    speaker_words,
)
from ingest_plugins.tags.quote_names import BREAKS, LINKS, Names, bare, name_word

if TYPE_CHECKING:
    from ingest import Config

# Straight and single marks are also inches and apostrophes: they open only before a word.
# Each pattern starts with the class of its first characters, which the regex engine skips
# to in C; the conditions on what is before come after it, as look-behinds over it.
_OPENING = (
    r'(?P<open>(?<=[“„«»‹])|(?<=")(?<![^\s(\[{—–/:-]")(?=\S)'
    r"|(?<=[‘‚])(?<![^\s(\[{—–/:-][‘‚])(?=[^\W\d_]))"
)
_MARKS = rf"(?:{_OPENING}|(?<=[”\"›‘“»«])|(?<=’)(?!\w)"
_MARK = re.compile(rf'[“„«»‹"‘‚”›’\n]{_MARKS}|(?<=\n)\n)')
# With no quote open, only a mark that opens one changes anything: not even a paragraph
# break, nor a closing mark or an apostrophe (most marks), is looked for.
_SHUT = re.compile(rf'[“„«»‹"‘‚]{_OPENING}')
_CLOSERS = {"“": "”", "„": "“”", "«": "»", "»": "«", "‹": "›", "‘": "’", "‚": "‘’", '"': '"'}
_WINDOW = 240  # characters of context read on either side of a quote
# A word (with its period: "Dr.", "U.S.", the initials of "M. K. Stalin") or a punctuation mark.
# Marks that can open a quote (’ cannot: it is mostly an apostrophe, found in most texts).
_OPENERS = '"“„«»‘‚‹›'
#: Only the first this many characters are read (a page dump in a feed can run to megabytes).
MAX_TEXT = 50_000
# A sentence or line ends; not at an initial ("M. K. Stalin") nor a title ("said Sen. Kelly").
_NOT_AFTER = "".join(rf"(?<!\b{title}.)" for title in TITLE_ABBREVIATIONS)
_SENTENCE_MARKS = ".!?…\n"
_END = re.compile(rf"[{_SENTENCE_MARKS}](?:(?<=\n)|(?<!\b[^\W\d_].){_NOT_AFTER}[”\"’»)]*(?:\s|$))")


def _led(words: list[str]) -> str:
    """Alternatives for ``words``, whose first letter the regex has read already."""
    by_first: dict[str, list[str]] = {}
    for word in words:
        by_first.setdefault(word[0], []).append(any_case(word[1:]))
    return "|".join(rf"(?<={any_case(c)})(?:{'|'.join(rest)})" for c, rest in by_first.items())


def _speech() -> re.Pattern[str]:
    """A speech verb, or "was quoted as saying", "according to", "called": the first letter
    first (a class), then what may not come before it, then the rest of each."""
    free = r"[^,.;:“”\"\n]{1,60}?"
    said = any_case(" as saying")
    firsts = sorted(
        {
            word[0]
            for word in (
                "was",
                "is",
                "has",
                "quoted",
                "according",
                "called",
                "described",
                *SPEECH_VERBS,
            )
        }
    )
    return re.compile(
        rf"[{''.join(any_case(c)[1:-1] for c in firsts)}](?<![\w-].)"
        rf"(?:(?P<passive>(?:{_led(['was', 'is', 'were', 'has been', 'had been'])}) "
        rf"{any_case('quoted')}(?: {any_case('by')} {free})?{said})"
        rf"|{_led(['quoted'])} (?P<quoted>{free}){said}"
        rf"|(?P<according>{_led(['according to'])})|(?P<naming>{_led(['called', 'described'])})"
        rf"|{_led(list(SPEECH_VERBS))})\b"
    )


_SPEECH = _speech()


def _speech_after_mark() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """What :data:`_SPEECH` matches, in text :func:`_fold` made lower case: at a match's
    start, and after a character that no match may follow ("said" after a space or "(").
    The second starts with a class of characters that are not letters, which the regex
    engine skips to in C; its alternatives with their first letters, which it tells apart
    at once. Both tell where a match is three times faster than :data:`_SPEECH`, which
    then reads it."""
    free = r"[^,.;:“”\"\n]{1,60}?"
    said = " as saying"
    passive = [rf"{aux} quoted(?: by {free})?{said}" for aux in ("was", "is", "were")]
    passive += [rf"{aux} been quoted(?: by {free})?{said}" for aux in ("has", "had")]
    words = [*passive, rf"quoted {free}{said}", "according to", "called", "described"]
    by_first: dict[str, list[str]] = {}
    for word in [*words, *SPEECH_VERBS]:
        by_first.setdefault(word[0], []).append(word[1:])
    body = "|".join(rf"{c}(?:{'|'.join(rest)})" for c, rest in by_first.items())
    return re.compile(rf"(?<![\w-])(?:{body})\b"), re.compile(rf"[^\w-](?:{body})\b")


_SPEECH_AT, _SPEECH_AFTER_MARK = _speech_after_mark()


def _fold(text: str) -> str:
    """``text`` in lower case, character for character, with the letters that
    :func:`~ingest_plugins.tags.people.any_case` takes for ASCII ones made those ("İ" and
    "ı" for "i", "ſ" for "s"; the Kelvin sign lower-cases to "k")."""
    folded = (text.replace("İ", "i") if "İ" in text else text).lower()
    if not folded.isascii():
        folded = folded.replace("ſ", "s").replace("ı", "i")
    return folded


def _speech_verbs(text: str, lo: int, hi: int) -> list[int]:
    """Where ``_SPEECH.finditer(text, lo, hi)`` finds its matches, found in :func:`_fold`'s
    copy of the stretch (and the character before it)."""
    base = max(lo - 1, 0)
    window, found, at = _fold(text[base:hi]), [], 0
    if len(window) != hi - base:  # a lower case of more than one character: not in Unicode 14
        return [m.start() for m in _SPEECH.finditer(text, lo, hi)]
    if lo == 0 and (first := _SPEECH_AT.match(window)):
        found.append(0)
        at = first.end()
    found += [base + m.start() + 1 for m in _SPEECH_AFTER_MARK.finditer(window, at)]
    return found


def _last_end(text: str, lo: int, hi: int) -> int:
    """Where the last match of ``_END.finditer(text, lo, hi)`` ends (``lo`` if none): the
    last of the characters that can end a sentence that does, looked for from the end."""
    top = hi
    while top > lo:
        at = max(
            text.rfind(".", lo, top),
            text.rfind("!", lo, top),
            text.rfind("?", lo, top),
            text.rfind("…", lo, top),
            text.rfind("\n", lo, top),
        )  # the characters of _SENTENCE_MARKS
        if at < 0:
            break
        if end := _END.match(text, at, hi):
            # A match found by finditer holds no other but a line break as its last
            # character, whose own match ends where it does.
            return end.end()
        top = at
    return lo


_WORK = re.compile(r"\b(?:titled|entitled|dubbed|named|book|film|movie|song|album|show)[,:]?\s*$")
# Adverbs and auxiliaries between a speaker and the speech verb: "Kirby also said".
_SKIP = frozenset(
    "also later then has had have was is will would reportedly previously further again once "
    "separately earlier recently already publicly sought tried wanted to".split()
)
_APPOSITION = re.compile(r",[^,]*,\s*$")  # "X, a judge, said": X said


class _Span(NamedTuple):
    opened: int  # offset of the opening quote mark
    closed: int  # offset of the closing quote mark
    raw: str  # the text between them, the paragraphs of a long quote joined by a blank line


def _words(text: str) -> list[str]:
    return [m.group() for m in TOKEN.finditer(text)]


def _is_name(words: list[str]) -> bool:
    """Capitalized words (particles inside), none a function word or weekday ("Whether")."""
    return bool(words) and all(map(name_word, words))


def _spans(text: str) -> list[_Span]:
    """Quoted passages, paired in one pass over the quote marks; unbalanced marks are dropped."""
    spans: list[_Span] = []
    opener, start, first, resume, pieces = "", 0, 0, -1, list[str]()
    end = 0
    while m := (_MARK if opener else _SHUT).search(text, end):
        (at, end), mark = m.span(), m.group()
        if mark == "\n\n":  # a quote open at a paragraph's end goes on if the next reopens it
            resume = m.end() if opener and text[m.end() : m.end() + 1] in _CLOSERS else -1
            pieces, opener = ([*pieces, text[start:at]], opener) if resume > 0 else ([], "")
        elif at == resume:
            start = at + 1
        elif not opener and m["open"] is not None:  # an empty group: a look-around
            opener, start, first, pieces = mark, at + 1, at, []
        elif mark in _CLOSERS.get(opener, ""):
            spans.append(_Span(first, at, "\n\n".join([*pieces, text[start:at]])))
            opener = ""
        elif mark == opener:  # opened again: the earlier mark was a stray one
            start, first, pieces = at + 1, at, []
    return spans


def _phrase(words: list[str], *, before: bool) -> tuple[list[str], str]:
    """The noun phrase ending (``before`` a verb) or starting ``words``, and the word after it."""
    words, out = (words[::-1] if before else words), list[str]()
    for word in words[:12]:
        low = word.lower()
        if before and not out and low in _SKIP:
            continue  # "Kirby also said", "the president sought to reassure"
        link = not before and low in LINKS and not (out and is_title(out[-1]))
        if not word[0].isalnum() or (low in BREAKS and low != "the") or link:
            return out[::-1] if before else out, low
        if low != "the":
            out.append(word)
    return out[::-1] if before else out, ""


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who said a quote (a name, or None), how the text says so ("speech": a speech verb,
    "weak": "according to", "called"; "" for none), and whether the quote is a sentence of
    its own, led by its attribution or standing at a sentence's start (kept however short)."""

    speaker: str | None = None
    kind: str = ""
    direct: bool = False


class _Reader:
    """The quotes of one text, each attributed in named steps: a speech verb before it, an
    attribution after it, or the speaker of the quote before."""

    def __init__(self, text: str) -> None:
        self.text, self.spans = text, _spans(text)
        self.names = Names(text if self.spans else "")
        self.last: tuple[_Span, str | None] | None = None  # the quote before, its speaker

    def resolve(self, words: list[str], pos: int, span: _Span) -> str | None:
        """Who a phrase names (its fullest name, a role's holder, whom "he" is), or None."""
        if [word.lower() for word in words] in (["he"], ["she"]):
            return self.pronoun(pos, span)
        words = speaker_words(words)  # not "Several Iranians", "Whether Anutin" is "Anutin"
        k = max((n for n, word in enumerate(words) if is_title(word)), default=-1)
        rest, extra = words[k + 1 :], []
        if k >= 0 and rest and rest[0].lower() in LINKS:
            rest, extra = rest[2:], rest[1:2]
        if k < 0 and len(rest) > 2 and rest[-1].islower() and _is_name(rest[:-1]):
            rest = rest[:-1]  # "the IG Metall union" speaks for itself; "Chinese state media" not
        if _is_name(rest):
            return self.names.lookup(" ".join(map(bare, rest)), pos)[0]
        if k < 0 or rest:
            return None
        return self.names.holder(words[k], words[:k] + extra, pos)

    def pronoun(self, pos: int, span: _Span) -> str | None:
        """Whom "he" or "she" at ``pos`` names: the speaker of the quote just before, or else
        the only person named shortly before."""
        between = self.text[pos : span.opened].rstrip() if pos < span.opened else ""
        if len(between.split()) > 1 and between[-1] not in ":,":
            return None  # "he said he’d put a “…”": too far from the quote to tell
        lo = span.opened - 2 * _WINDOW
        last, near = self.last or (span, None)
        if near and last.closed >= lo and self.names.only(last.closed, span.opened, near) == near:
            return near
        return self.names.only(lo, span.opened)

    def before(self, sentence: int, verb: re.Match[str], span: _Span) -> str | None:
        """The speaker named with the speech verb before the quote: ``Kirby said: “…”``."""
        if verb["quoted"]:
            words = _words(verb["quoted"])
        elif verb["according"]:
            words = _phrase(_words(self.text[verb.end() : span.opened]), before=False)[0]
        else:
            head = _APPOSITION.sub("", self.text[sentence : verb.start()])
            words, stop = _phrase(_words(head), before=True)
            if not words and stop in ("and", "but"):  # "Zakharova praised … but also said"
                return self.names.only(sentence, verb.start())
        return self.resolve(words, verb.start(), span)

    def after(self, span: _Span, hi: int) -> Attribution | None:
        """The attribution after the quote: ``“…,” Kirby, a spokesman, said``."""
        after = self.text[span.closed + 1 : min(span.closed + 1 + _WINDOW, hi)]
        if not (span.raw.rstrip()[-1:] in ",?!—–-…" or after.startswith(",")):
            return None  # most quotes: no attribution can follow (the cuts keep a ",")
        after = after[: after.find("\n")] if "\n" in after else after
        after = after[: end.start()] if (end := _END.search(after)) else after
        verbs = _speech_verbs(after, 0, len(after))
        m = _SPEECH.match(after, verbs[0]) if verbs else None
        if not m:
            return None
        head, stop = _phrase(_words(after[: m.start()].strip(" ,").split(",")[0]), before=True)
        if m["quoted"]:
            head = _words(m["quoted"])
        elif not head and not stop and not m["passive"]:
            head = _phrase(_words(after[m.end() :]), before=False)[0]  # "said Kirby"
        elif m["according"] or stop:
            return None
        kind = "weak" if m["according"] or m["naming"] else "speech"
        return (
            Attribution(self.resolve(head, span.closed + len(after), span), kind) if head else None
        )

    def attribute(self, span: _Span, lo: int, hi: int) -> Attribution:
        """The attribution of ``span``, the quotes before and after it ending at ``lo``, ``hi``."""
        sentence = _last_end(self.text, max(0, span.opened - _WINDOW), span.opened)
        lead = not self.text[sentence : span.opened].strip()
        verbs = _speech_verbs(self.text, max(sentence, lo + 1), span.opened)
        verb = _SPEECH.match(self.text, verbs[-1], span.opened) if verbs else None
        kind = "" if not verb else "weak" if verb["naming"] or verb["according"] else "speech"
        if verb and self.text[verb.end() : span.opened].strip()[-1:] in ":,":
            return Attribution(self.before(sentence, verb, span), kind, kind == "speech")
        if found := self.after(span, hi):
            return Attribution(found.speaker, found.kind, lead)
        if verb:
            return Attribution(self.before(sentence, verb, span), kind)
        return Attribution(self.carried(span, lead), "", lead)

    def carried(self, span: _Span, lead: bool) -> str | None:
        """The speaker of an unattributed quote: that of the quote before, in its paragraph
        or the one before, if no one else is named between them."""
        if not self.last or self.last[1] is None:
            return None  # no speaker to carry (the names between would not change that)
        gap = self.text[self.last[0].closed : span.opened] if lead else "\n"
        if "\n" in gap.removesuffix("\n\n"):
            return None
        alone = self.names.only(self.last[0].closed, span.opened, self.last[1], full=False)
        return alone if alone == self.last[1] else None

    def titled(self, span: _Span, words: list[str]) -> bool:
        """Whether a quote is a title, not speech: its long words capitalized ("“The Art of
        the Deal”"), or "titled", "book", "film" right before it."""
        capitals = "".join([word[0] for word in words if len(word) > 3])
        return capitals.isupper() or bool(_WORK.search(self.text, span.opened - 30, span.opened))

    def quotes(self) -> list[Quote]:
        """The quotes worth keeping, with their speakers."""
        quotes: list[Quote] = []
        closes, opens = [-1] + [s.closed for s in self.spans], [s.opened for s in self.spans[1:]]
        for lo, span, hi in zip(closes, self.spans, [*opens, len(self.text)], strict=False):
            found = self.attribute(span, lo, hi)
            self.last, quote = (span, found.speaker), span.raw.strip().rstrip(",;: ").strip()
            words = quote.split()
            enough = len(words) >= 4 or (len(words) == 3 and found.kind == "speech")
            led = bool(found.kind) and found.direct  # kept however short, and even if titled
            if words and ((enough and not self.titled(span, words)) or led):
                quotes.append(Quote(quote, found.speaker))
        return quotes


def find_quotes(text: str) -> list[Quote]:
    """The direct quotations in ``text`` (paragraphs separated by a blank line), in order, each
    with its speaker's fullest name, or None. Short quoted phrases and titles are left out."""
    text = text[:MAX_TEXT]  # a quote opened after it is not read: no need to look for one
    if not any(mark in text for mark in _OPENERS):  # substring tests cost far less than a scan
        return []
    return _Reader(text).quotes()


@hookimpl
def ingest_tag(article: Article, config: Config) -> None:
    """Set ``article.quotes`` from its text, unless the source already provided quotes."""
    if not article.quotes:
        article.quotes = find_quotes(article.text)
