"""Deterministic mutations of seed files: byte-level damage plus nasty tokens planted where
each syntax makes them bite (inside JSON strings, XML text, dates, the XML prolog).

Case ``i`` of seed ``s`` depends on nothing but ``(s, i)`` and the seed files, so a failure
is reproduced by its seed and case number alone (``python -m tests.fuzzing --seed S --case I``).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.fuzzing import tokens as T
from tests.fuzzing.seeds import Group, seed_bytes

#: Cases never grow past this: a hang detector needs inputs a reader gets through quickly.
MAX_CASE_BYTES = 4 * 1024 * 1024

#: File names a location echoed raw into an error line would break.
NASTY_NAMES = ("\nerror: forged name", "\x1b[31m", " with space", "-ümlaut", "\u202eevil", "%s%n")


@dataclass(frozen=True)
class Case:
    """One mutated input: where it came from, how it was made, and its bytes."""

    index: int
    group: Group
    seed: Path
    name: str
    data: bytes
    recipe: tuple[str, ...]
    #: Named ``KIND:PATH`` (the reader is forced) rather than sniffed from its content.
    forced: bool

    def location(self, folder: Path) -> str:
        """How the command line names this case once written into ``folder``."""
        path = folder / self.name
        return f"{self.group.kind}:{path}" if self.forced else str(path)

    def describe(self) -> str:
        """One line saying what this case is: group, seed file and mutations."""
        return f"case {self.index} [{self.group.name}] {self.seed.name}: " + "; ".join(self.recipe)


Op = Callable[[random.Random, bytes, list[Group]], tuple[bytes, str]]


def _span(rng: random.Random, data: bytes) -> tuple[int, int]:
    start = rng.randrange(len(data) + 1)
    return start, min(len(data), start + rng.randint(1, max(1, min(4096, len(data) // 8))))


def flip(rng: random.Random, data: bytes, _: list[Group]) -> tuple[bytes, str]:
    """Flip one bit in a few random bytes."""
    buf = bytearray(data)
    spots = [rng.randrange(len(buf)) for _ in range(rng.randint(1, 8))] if buf else []
    for spot in spots:
        buf[spot] ^= 1 << rng.randrange(8)
    return bytes(buf), f"flip bytes at {spots}"


def truncate(rng: random.Random, data: bytes, _: list[Group]) -> tuple[bytes, str]:
    """Cut the file short, as a partial download would."""
    cut = rng.randrange(len(data) + 1)
    return data[:cut], f"truncate at {cut}"


def delete(rng: random.Random, data: bytes, _: list[Group]) -> tuple[bytes, str]:
    """Drop a chunk."""
    start, end = _span(rng, data)
    return data[:start] + data[end:], f"delete [{start}:{end}]"


def duplicate(rng: random.Random, data: bytes, _: list[Group]) -> tuple[bytes, str]:
    """Copy a chunk somewhere else in the file."""
    start, end = _span(rng, data)
    at = rng.randrange(len(data) + 1)
    return data[:at] + data[start:end] + data[at:], f"copy [{start}:{end}] to {at}"


def splice(rng: random.Random, data: bytes, groups: list[Group]) -> tuple[bytes, str]:
    """The head of this file and the tail of another (any kind)."""
    other_path = rng.choice(rng.choice(groups).seeds)
    other = seed_bytes(other_path)
    cut, from_ = rng.randrange(len(data) + 1), rng.randrange(len(other) + 1)
    return data[:cut] + other[from_:], f"splice [:{cut}] + {other_path.name}[{from_}:]"


def noise(rng: random.Random, data: bytes, _: list[Group]) -> tuple[bytes, str]:
    """Insert random bytes."""
    at, junk = rng.randrange(len(data) + 1), rng.randbytes(rng.randint(1, 64))
    return data[:at] + junk + data[at:], f"insert {len(junk)} random bytes at {at}"


def _token(token: bytes) -> str:
    shown = token if len(token) <= 60 else token[:40] + b"...(%d bytes)" % len(token)
    return repr(shown)[1:]


def _insert_at_match(
    rng: random.Random, data: bytes, pattern: re.Pattern[bytes], choices: tuple[bytes, ...]
) -> tuple[bytes, str] | None:
    matches = list(pattern.finditer(data))
    if not matches:
        return None
    match, token = rng.choice(matches), rng.choice(choices)
    at = match.end()
    return data[:at] + token + data[at:], f"insert {_token(token)} after {match[0][:40]!r}"


def _replace_group(
    rng: random.Random, data: bytes, pattern: re.Pattern[bytes], choices: tuple[bytes, ...]
) -> tuple[bytes, str] | None:
    matches = list(pattern.finditer(data))
    if not matches:
        return None
    match, token = rng.choice(matches), rng.choice(choices)
    start, end = match.span("value")
    return (
        data[:start] + token + data[end:],
        f"replace {match[0][:40]!r} value with {_token(token)}",
    )


_JSON_STRING_START = re.compile(rb'"[^"\\\n]{1,40}"\s*:\s*"')
_JSON_VALUE = re.compile(rb'"[^"\\\n]{1,40}"\s*:\s*(?P<value>-?\d[\d.eE+-]*|"(?:[^"\\\n]|\\.)*")')
_JSON_DATE = re.compile(
    rb'"(?:' + b"|".join(T.JSON_DATE_KEYS) + rb')"\s*:\s*"(?P<value>(?:[^"\\\n]|\\.)*)"'
)
_XML_SLOT = re.compile(rb"<(?:" + b"|".join(T.XML_SLOTS) + rb")(?:\s[^<>]*)?>")
_XML_DATE = re.compile(
    rb"<(?P<tag>" + b"|".join(T.XML_DATE_SLOTS) + rb")(?:\s[^<>]*)?>(?P<value>[^<]*)</(?P=tag)>"
)
_XML_DECL = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<\?xml[^>]*\?>")
_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)(?:\s[^<>]*)?>")
_ANY_TAG = re.compile(rb"<[A-Za-z][^<>]{0,80}>")


def json_string(rng: random.Random, data: bytes, _: list[Group]) -> tuple[bytes, str] | None:
    """A nasty token inside a JSON string value (an id, a text, a URL)."""
    return _insert_at_match(rng, data, _JSON_STRING_START, T.JSON_STRING)


def json_value(rng: random.Random, data: bytes, _: list[Group]) -> tuple[bytes, str] | None:
    """A JSON number or string replaced by a huge integer, NaN, deep nesting..."""
    return _replace_group(rng, data, _JSON_VALUE, T.JSON_VALUE)


def json_date(rng: random.Random, data: bytes, _: list[Group]) -> tuple[bytes, str] | None:
    """A date string replaced by one at the edge of what parsers take."""
    return _replace_group(rng, data, _JSON_DATE, T.DATES)


def xml_text(rng: random.Random, data: bytes, _: list[Group]) -> tuple[bytes, str] | None:
    """A nasty token as the text of a title, guid, link... (or of any element)."""
    pattern = _XML_SLOT if rng.random() < 0.8 else _ANY_TAG
    return _insert_at_match(rng, data, pattern, T.XML_TEXT)


def xml_date(rng: random.Random, data: bytes, _: list[Group]) -> tuple[bytes, str] | None:
    """A feed date replaced by one at the edge of what parsers take."""
    return _replace_group(rng, data, _XML_DATE, T.DATES)


def xml_prolog(rng: random.Random, data: bytes, _: list[Group]) -> tuple[bytes, str] | None:
    """A new XML declaration, DTD, BOM or default-namespaced root element."""
    token = rng.choice(T.XML_PROLOG)
    if token.startswith(b"<?xml"):
        decl = _XML_DECL.match(data)
        end = decl.end() if decl else 0
        return token + data[end:], f"XML declaration {_token(token)}"
    if token.startswith(b"<!DOCTYPE"):
        decl = _XML_DECL.match(data)
        at = decl.end() if decl else 0
        data = data[:at] + token + data[at:]
        use = _insert_at_match(rng, data, _XML_SLOT, T.XML_ENTITY_USES)
        return (use[0], f"DTD {_token(token)}; {use[1]}") if use else (data, f"DTD {token!r}")
    if token.startswith(b"<"):
        root = _ROOT.search(data)
        if not root:
            return None
        return data[: root.start()] + token + data[root.end() :], f"root {_token(token)}"
    return token + data, f"prefix {_token(token)}"


def text_token(rng: random.Random, data: bytes, _: list[Group]) -> tuple[bytes, str]:
    """Raw nasty bytes in a text: control characters, BOMs, broken UTF-8, fake embeds."""
    token = rng.choice(T.TEXT)
    lines = [m.end() for m in re.finditer(rb"\n", data)] or [0]
    at = rng.choice(lines) if rng.random() < 0.5 else rng.randrange(len(data) + 1)
    return data[:at] + token + data[at:], f"insert {_token(token)} at {at}"


_GENERIC: tuple[Op, ...] = (flip, truncate, delete, duplicate, splice, noise)
_STRUCTURED: dict[str, tuple[Callable[..., tuple[bytes, str] | None], ...]] = {
    "json": (json_string, json_string, json_value, json_value, json_date),
    "xml": (xml_text, xml_text, xml_date, xml_prolog, xml_prolog),
    "html": (xml_text, xml_prolog, text_token),
    "text": (text_token,),
}


def _mutate(
    rng: random.Random, data: bytes, group: Group, groups: list[Group]
) -> tuple[bytes, tuple[str, ...]]:
    """Apply one to three mutations; the recipe says which (in order)."""
    recipe = []
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
        structured = rng.random() < 0.75
        op = rng.choice(_STRUCTURED[group.syntax] if structured else _GENERIC)
        result = op(rng, data, groups)
        if result is None:  # the pattern it needs is not in this file
            result = text_token(rng, data, groups)
        data, step = result
        recipe.append(step)
    return data[:MAX_CASE_BYTES], tuple(recipe)


def make_case(seed: int, index: int, groups: list[Group]) -> Case:
    """Case ``index`` of run ``seed``: groups in turn, so every reader gets its share."""
    rng = random.Random(f"ingest-fuzz/{seed}/{index}")
    group = groups[index % len(groups)]
    source = rng.choice(group.seeds)
    data, recipe = _mutate(rng, seed_bytes(source), group, groups)
    nasty = rng.choice(NASTY_NAMES) if rng.random() < 0.1 else ""
    name = f"f{index:05d}-{group.name}{nasty}{source.suffix.lower()}"
    forced = rng.random() < 0.8
    return Case(index, group, source, name, data, recipe, forced)
