"""Direct quotations and who said them, by rules over the article's punctuation and words.

Quote marks are paired in one pass; speakers come from speech verbs beside quotes or from the
quote before, resolved to the fullest name seen. Context is read in windows of bounded size."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from ingest import Article, Quote, hookimpl
from ingest_plugins.tags.people import (
    PARTICLES,
    SPEECH_VERBS,
    TITLE_ABBREVIATIONS,
    headlines,
    inside,
    is_title,
    sentence_word,
    speaker_words,
)

if TYPE_CHECKING:
    from ingest import Config

# Straight and single marks are also inches and apostrophes: they open only before a word.
_MARK = re.compile(
    r'(?P<open>[“„«»‹]|(?<![^\s(\[{—–/:-])(?:"(?=\S)|[‘‚](?=[^\W\d_])))|[”"›‘“»«]|’(?!\w)|\n\n'
)
_CLOSERS = {"“": "”", "„": "“”", "«": "»", "»": "«", "‹": "›", "‘": "’", "‚": "‘’", '"': '"'}
_WINDOW = 240  # characters of context read on either side of a quote
# A word (with its period: "Dr.", "U.S.", the initials of "M. K. Stalin") or a punctuation mark.
# Marks that can open a quote (’ cannot: it is mostly an apostrophe, found in most texts).
_OPENERS = '"“„«»‘‚‹›'
#: Only the first this many characters are read (a page dump in a feed can run to megabytes).
MAX_TEXT = 50_000
_TOKEN = re.compile(
    rf"(?:{'|'.join(TITLE_ABBREVIATIONS)}|(?:[^\W\d_]\.)*[^\W\d_])\.(?= )"
    r"|[^\W_](?:[\w’'.-]*[^\W_])?|[^\w\s]|\n"
)
# A sentence or line ends; not at an initial ("M. K. Stalin") nor a title ("said Sen. Kelly").
_NOT_AFTER = "".join(rf"(?<!\b{title})" for title in TITLE_ABBREVIATIONS)
_END = re.compile(rf"(?<!\b[^\W\d_]){_NOT_AFTER}[.!?…][”\"’»)]*(?:\s|$)|\n")
_SPEECH = re.compile(
    r"(?<![\w-])(?:(?P<passive>(?:was|is|were|has been|had been) quoted"
    r"(?: by [^,.;:“”\"\n]{1,60}?)? as saying)|quoted (?P<quoted>[^,.;:“”\"\n]{1,60}?) as saying"
    rf"|(?P<according>according to)|(?P<naming>called|described)|{'|'.join(SPEECH_VERBS)})\b",
    re.IGNORECASE,
)
_WORK = re.compile(r"\b(?:titled|entitled|dubbed|named|book|film|movie|song|album|show)[,:]?\s*$")
# Words that end the phrase naming a speaker: conjunctions, prepositions, pronouns.
_BREAKS = frozenset(
    "after before that which who whom when while as because and but or if since although the "
    "though where than so yet in on at during about with from by into over we they it i you".split()
)
# Adverbs and auxiliaries between a speaker and the speech verb: "Kirby also said".
_SKIP = frozenset(
    "also later then has had have was is will would reportedly previously further again once "
    "separately earlier recently already publicly sought tried wanted to".split()
)
_APPOSITION = re.compile(r",[^,]*,\s*$")  # "X, a judge, said": X said
_LINKS = frozenset({"of", "to", "for"})  # "ambassador to France", "Secretary of State"


class _Span(NamedTuple):
    opened: int  # offset of the opening quote mark
    closed: int  # offset of the closing quote mark
    raw: str  # the text between them, the paragraphs of a long quote joined by a blank line


def _words(text: str) -> list[str]:
    return [m.group() for m in _TOKEN.finditer(text)]


def _bare(word: str) -> str:
    return word[:-2] if word.endswith(("’s", "'s")) else word


def _is_name(words: list[str]) -> bool:
    """Capitalized words (particles inside), none a function word or weekday ("Whether")."""
    return bool(words) and all(map(_name_word, words))


def _name_word(word: str) -> bool:
    """A word that may be part of a name: capitalized and no function word, or a particle."""
    return (word[0].isupper() and not sentence_word(word)) or word in PARTICLES


def _role(title: str, quals: list[str] | tuple[str, ...]) -> tuple[str, frozenset[str]]:
    """A title and its qualifiers, comparable: "Chinese" matches "China’s", "spokesman" "-woman"."""
    low = title.lower()
    stems = (_bare(word).lower()[:4] for word in quals if word.lower() not in ("the", "his"))
    return ("spokesperson" if low.startswith("spokes") else low), frozenset(stems)


@dataclass(frozen=True, slots=True)
class _Titled:
    """The title of a name ("" if none), the words that qualify it, and where the name
    starts among the tokens the title was read from."""

    title: str = ""
    quals: tuple[str, ...] = ()
    start: int = 0


def _title(toks: list[tuple[int, str]], i: int, j: int) -> _Titled:
    """The title of the name in tokens ``i:j``: inside the run, or just before it."""
    k = max((n for n in range(j - i) if is_title(toks[i + n][1])), default=-1)
    sep = toks[i - 1][1] if i > 1 else ""
    apposed = sep == "," and j < len(toks) and toks[j][1] == ","
    at = i + k if k >= 0 else i - 2 if apposed or sep in _LINKS else i - 1
    if at < 0 or not is_title(toks[at][1]):
        return _Titled()
    quals = [word for _, word in toks[max(0, at - 3) : at]]
    quals = quals[max((n + 1 for n, w in enumerate(quals) if not w[0].isalnum()), default=0) :]
    link = k < 0 and sep in _LINKS  # "of State" qualifies the title, it is not part of the name
    extra = [word for _, word in toks[i : i + link]]
    return _Titled(toks[at][1], (*quals, *extra), k + 1 + link)


def _spans(text: str) -> list[_Span]:
    """Quoted passages, paired in one pass over the quote marks; unbalanced marks are dropped."""
    spans: list[_Span] = []
    opener, start, first, resume, pieces = "", 0, 0, -1, list[str]()
    for m in _MARK.finditer(text):
        mark, at = m.group(), m.start()
        if mark == "\n\n":  # a quote open at a paragraph's end goes on if the next reopens it
            resume = m.end() if opener and text[m.end() : m.end() + 1] in _CLOSERS else -1
            pieces, opener = ([*pieces, text[start:at]], opener) if resume > 0 else ([], "")
        elif at == resume:
            start = at + 1
        elif not opener and m["open"]:
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
        link = not before and low in _LINKS and not (out and is_title(out[-1]))
        if not word[0].isalnum() or (low in _BREAKS and low != "the") or link:
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


class _Names:
    """The names a text mentions, read in one pass over its capitalized words, skipping the
    title-case lines (headlines of other stories: "Newsom Tells World Leaders")."""

    def __init__(self, text: str) -> None:
        self.first: dict[str, int] = {}  # names of two words or more, or after a title
        self.index: dict[str, list[str]] = {}  # a word -> the names above that contain it
        self.persons: set[str] = set()  # names introduced by a title
        self.roles: dict[tuple[str, frozenset[str], str], int] = {}
        self.mentions: list[tuple[int, str]] = []
        lines = headlines(text)
        toks = [(m.start(), m.group()) for m in _TOKEN.finditer(text)]
        i = 0
        while i < len(toks):
            j = i
            while j < len(toks) and _name_word(toks[j][1]) and not inside(lines, toks[j][0]):
                j += 1
                if _bare(toks[j - 1][1]) != toks[j - 1][1]:
                    break  # a possessive ends a name: "Russia’s foreign ministry"
            while j > i and toks[j - 1][1] in PARTICLES:
                j -= 1  # a particle inside a name ("Lula da Silva"), not at its end
            if j > i:  # most tokens start no name: reading a title for them cost 9 ms an article
                self._add(toks, i, j)
            i = max(j, i + 1)

    def _add(self, toks: list[tuple[int, str]], i: int, j: int) -> None:
        titled = _title(toks, i, j)
        run = [word for _, word in toks[i + titled.start : j]]
        while run and (run[0].lower() in _BREAKS | _LINKS or run[0] in PARTICLES):
            run = run[1:]
        if not run:
            return
        name, pos = " ".join(map(_bare, run)), toks[j - len(run)][0]
        self.mentions.append((pos, name))
        if titled.title:
            self.persons.add(name)
            self.roles.setdefault((*_role(titled.title, titled.quals), name), pos)
        if (titled.title or len(run) > 1) and name not in self.first:
            self.first[name] = pos
            for word in set(name.split()):
                self.index.setdefault(word, []).append(name)

    def lookup(self, name: str, pos: int) -> tuple[str, bool]:
        """The fullest form of a name seen in the text, and whether it names a person."""
        found = [n for n in self.index.get(name.partition(" ")[0], []) if f" {name} " in f" {n} "]
        pool = [full for full in found if full in self.persons] or found or [name]
        seen = [full for full in pool if self.first.get(full, pos + 1) <= pos]
        best = max(seen, key=self.first.__getitem__) if seen else pool[0]
        fullest = max((full for full in found if f" {best} " in f" {full} "), key=len, default=best)
        return fullest, best in self.persons

    def holder(self, title: str, quals: list[str], pos: int) -> str | None:
        """Who last held a role by ``pos``: "the Chinese president" is "Xi Jinping"."""
        role, want = _role(title, quals)
        held = [(at, n) for (r, have, n), at in self.roles.items() if r == role and want <= have]
        latest = max((item for item in held if item[0] <= pos), default=None)
        return self.lookup(latest[1], pos)[0] if latest else None

    def only(self, lo: int, hi: int, also: str | None = None, *, full: bool = True) -> str | None:
        """The only person named in ``lo:hi`` or ``also``, if no other person (or long name) is."""
        a, b = bisect_left(self.mentions, (lo, "")), bisect_left(self.mentions, (hi, ""))
        found = dict(self.lookup(name, pos) for pos, name in self.mentions[a:b])
        found |= {also: True} if also else {}
        named = [name for name, person in found.items() if person or (full and " " in name)]
        return named[0] if len(named) == 1 and found[named[0]] else None


class _Reader:
    """The quotes of one text, each attributed in named steps: a speech verb before it, an
    attribution after it, or the speaker of the quote before."""

    def __init__(self, text: str) -> None:
        self.text, self.spans = text, _spans(text)
        self.names = _Names(text if self.spans else "")
        self.last: tuple[_Span, str | None] | None = None  # the quote before, its speaker

    def resolve(self, words: list[str], pos: int, span: _Span) -> str | None:
        """Who a phrase names (its fullest name, a role's holder, whom "he" is), or None."""
        if [word.lower() for word in words] in (["he"], ["she"]):
            return self.pronoun(pos, span)
        words = speaker_words(words)  # not "Several Iranians", "Whether Anutin" is "Anutin"
        k = max((n for n, word in enumerate(words) if is_title(word)), default=-1)
        rest, extra = words[k + 1 :], []
        if k >= 0 and rest and rest[0].lower() in _LINKS:
            rest, extra = rest[2:], rest[1:2]
        if k < 0 and len(rest) > 2 and rest[-1].islower() and _is_name(rest[:-1]):
            rest = rest[:-1]  # "the IG Metall union" speaks for itself; "Chinese state media" not
        if _is_name(rest):
            return self.names.lookup(" ".join(map(_bare, rest)), pos)[0]
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
        after = self.text[span.closed + 1 : min(span.closed + 1 + _WINDOW, hi)].split("\n")[0]
        after = after[: end.start()] if (end := _END.search(after)) else after
        m = _SPEECH.search(after)
        if not m or not (span.raw.rstrip()[-1:] in ",?!—–-…" or after.startswith(",")):
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
        sentence = max(0, span.opened - _WINDOW)
        for end in _END.finditer(self.text, sentence, span.opened):
            sentence = end.end()
        lead = not self.text[sentence : span.opened].strip()
        verb = [None, *_SPEECH.finditer(self.text, max(sentence, lo + 1), span.opened)][-1]
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
        gap = self.text[self.last[0].closed : span.opened] if self.last and lead else "\n"
        if "\n" in gap.removesuffix("\n\n") or not self.last:
            return None
        alone = self.names.only(self.last[0].closed, span.opened, self.last[1], full=False)
        return alone if alone == self.last[1] else None

    def quotes(self) -> list[Quote]:
        """The quotes worth keeping, with their speakers."""
        quotes: list[Quote] = []
        closes, opens = [-1] + [s.closed for s in self.spans], [s.opened for s in self.spans[1:]]
        for lo, span, hi in zip(closes, self.spans, [*opens, len(self.text)], strict=False):
            found = self.attribute(span, lo, hi)
            self.last, quote = (span, found.speaker), span.raw.strip().rstrip(",;: ").strip()
            words = quote.split()
            capitals = "".join(word[0] for word in words if len(word) > 3)  # “The Art of the Deal”
            titled = capitals.isupper() or _WORK.search(self.text, span.opened - 30, span.opened)
            enough = len(words) >= 4 or (len(words) == 3 and found.kind == "speech")
            if words and ((enough and not titled) or (bool(found.kind) and found.direct)):
                quotes.append(Quote(quote, found.speaker))
        return quotes


def find_quotes(text: str) -> list[Quote]:
    """The direct quotations in ``text`` (paragraphs separated by a blank line), in order, each
    with its speaker's fullest name, or None. Short quoted phrases and titles are left out."""
    if not any(mark in text for mark in _OPENERS):  # substring tests cost far less than a scan
        return []
    return _Reader(text[:MAX_TEXT]).quotes()


@hookimpl
def ingest_tag(article: Article, config: Config) -> None:
    """Set ``article.quotes`` from its text, unless the source already provided quotes."""
    if not article.quotes:
        article.quotes = find_quotes(article.text)
