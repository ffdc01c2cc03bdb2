"""Typed access to untrusted JSON: every reader of platform and feed JSON needs the same
small guards, since any field may be missing, null, or of another type than documented."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


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
