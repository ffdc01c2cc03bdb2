"""Typed access to untrusted JSON: every reader of platform and feed JSON needs the same
small guards, since any field may be missing, null, or of another type than documented."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")
_LOWEST, _HIGHEST = -(2**63), 2**64 - 1


def decode_error(exc: json.JSONDecodeError) -> str:
    """A JSON syntax error in one line: ``Expecting ',' delimiter at column 12``. (Some of
    the standard library's messages end in "at" already: "Invalid control character at".)"""
    return f"{exc.msg.removesuffix(' at')} at column {exc.colno}"


def text(value: Any) -> str | None:
    """A non-empty string, stripped; anything else None."""
    return value.strip() or None if isinstance(value, str) else None


def ident(value: Any) -> str | None:
    """An identifier: a non-empty string, or an integer (ids are often numbers) as one."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return text(value)


def obj(value: Any) -> Mapping[str, Any]:
    """A JSON object, or an empty one."""
    if type(value) is dict:  # what json gives: skips the slow abstract-class check
        return value
    return value if isinstance(value, Mapping) else {}


def array(value: Any) -> list[Any]:
    """A JSON array, or an empty one."""
    return value if isinstance(value, list) else []


def objects(value: Any) -> list[Mapping[str, Any]]:
    """The objects in a JSON array (anything else in it skipped)."""
    return [item for item in array(value) if isinstance(item, Mapping)]


def one_or_many(value: Any) -> list[Any]:
    """A JSON array as it is, a single value as a one-element list, null as an empty one:
    for fields that formats write either way (``"tags": "news"`` or ``["news"]``)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def path(value: Any, *keys: str) -> Any:
    """``value[k1][k2]...``, or None where a step is not a JSON object."""
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def repaired(value: Any) -> tuple[Any, list[str]]:
    """``value`` with lone surrogates replaced by U+FFFD, integers beyond 64 bits and values
    of no JSON type dropped (null), and one warning per kind of repair made.

    JSON allows what UTF-8 encoders and orjson cannot write: ``"\\ud800"`` decodes to a lone
    surrogate, and an integer may exceed 64 bits (both found by fuzzing).

    :raises ValueError: nested too deeply to walk.
    """
    found: set[str] = set()
    try:
        value = _walk(value, found)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    return value, sorted(found)


def _walk(value: Any, found: set[str]) -> Any:
    if isinstance(value, str):
        return _text(value, found)
    if value is None or isinstance(value, bool | float):
        return value
    if isinstance(value, int):
        if _LOWEST <= value <= _HIGHEST:
            return value
        found.add("an integer beyond 64 bits was dropped")
        return None
    if isinstance(value, list | tuple):
        return [_walk(item, found) for item in value]
    if isinstance(value, dict):
        return {_text(str(key), found): _walk(item, found) for key, item in value.items()}
    found.add(f"a value of type {type(value).__name__}, which JSON cannot hold, was dropped")
    return None


def _text(value: str, found: set[str]) -> str:
    if _SURROGATE.search(value) is None:
        return value
    found.add("a lone surrogate (an invalid \\u escape) was replaced with U+FFFD")
    return _SURROGATE.sub("\ufffd", value)
