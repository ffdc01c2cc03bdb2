"""The JSON Schema (draft 2020-12) of the article record, and validation of JSON Lines."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import IO, TYPE_CHECKING, Any

from ingest.jsonvalues import decode_error
from ingest.model import CUSTOM_TAG_KIND, ID_BASES, RELATION_KINDS, SCHEMA_VERSION, TAG_KINDS

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

_DATETIME = {
    "type": ["string", "null"],
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$",
    "description": "RFC 3339 date-time in UTC, or null when unknown (never the fetch time).",
}
_NULLABLE_STRING = {"type": ["string", "null"]}
_HEX_ID = {"type": "string", "pattern": "^[0-9a-f]{32,}$"}


def _object(properties: dict[str, Any], *, required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
    }


_AUTHOR = _object({"name": _NULLABLE_STRING, "handle": _NULLABLE_STRING, "url": _NULLABLE_STRING})

_TOP_LEVEL_REQUIRED = (
    *("schema_version", "id", "id_basis", "url", "source", "title", "summary", "text"),
    *("authors", "published", "updated", "fetched", "language", "tags", "quotes", "embeds"),
    *("media", "links", "relations", "metrics", "content_hash", "warnings", "provenance"),
    "extra",
)

ARTICLE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": f"https://ingest.invalid/schema/article/v{SCHEMA_VERSION}.json",
    "title": "ingest article",
    "description": "One normalized news item, as written by `ingest run`.",
    **_object(
        {
            "schema_version": {"const": SCHEMA_VERSION},
            "id": {**_HEX_ID, "description": "Stable across runs; see id_basis."},
            "id_basis": {"enum": list(ID_BASES)},
            "url": {
                "type": ["string", "null"],
                "pattern": "^https?://[^#\\s\\u0000-\\u001f\\u007f-\\u009f]*$",
                "description": "Canonical URL: lowercase host, no fragment, no tracking.",
            },
            "source": _object(
                {
                    "kind": {"type": "string", "minLength": 1},
                    "name": _NULLABLE_STRING,
                    "location": _NULLABLE_STRING,
                    "origin_id": _NULLABLE_STRING,
                }
            ),
            "title": {"type": ["string", "null"], "minLength": 1},
            "summary": _NULLABLE_STRING,
            "text": {"type": "string"},
            "authors": {"type": "array", "items": _AUTHOR},
            "published": _DATETIME,
            "updated": _DATETIME,
            "fetched": _DATETIME,
            "language": {
                "type": ["string", "null"],
                "pattern": "^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$",
                "description": "BCP 47 tag, or null when undetermined.",
            },
            "tags": {
                "type": "array",
                "items": _object(
                    {
                        "kind": {
                            "anyOf": [
                                {"enum": list(TAG_KINDS)},
                                {"type": "string", "pattern": CUSTOM_TAG_KIND},
                            ],
                            "description": "A kind the schema defines, or a plugin's own: x-NAME.",
                        },
                        "value": {"type": "string", "minLength": 1},
                        "score": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
                        "by": _NULLABLE_STRING,
                        "count": {"type": ["integer", "null"], "minimum": 1},
                    }
                ),
            },
            "quotes": {
                "type": "array",
                "items": _object(
                    {"text": {"type": "string", "minLength": 1}, "speaker": _NULLABLE_STRING}
                ),
            },
            "embeds": {
                "type": "array",
                "items": _object(
                    {
                        "kind": {"type": "string", "minLength": 1},
                        "url": _NULLABLE_STRING,
                        "author": {"anyOf": [_AUTHOR, {"type": "null"}]},
                        "text": _NULLABLE_STRING,
                        "published": {
                            "type": ["string", "null"],
                            "pattern": r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?Z)?$",
                        },
                    }
                ),
            },
            "media": {
                "type": "array",
                "items": _object(
                    {
                        "kind": {"enum": ["image", "video", "audio", "file"]},
                        "url": {"type": "string", "minLength": 1},
                        "caption": _NULLABLE_STRING,
                        "mime": _NULLABLE_STRING,
                    }
                ),
            },
            "links": {"type": "array", "items": {"type": "string"}},
            "relations": {
                "type": "array",
                "items": _object({"kind": {"enum": list(RELATION_KINDS)}, "id": _HEX_ID}),
            },
            "metrics": {
                "type": "object",
                "properties": {"words": {"type": "integer", "minimum": 0}},
                "required": ["words"],
                "additionalProperties": {"type": "integer", "minimum": 0},
            },
            "content_hash": _HEX_ID,
            "version": {
                "type": "integer",
                "minimum": 1,
                "description": "1, then one more each time the article is exported again with a "
                "new content hash (with an update_of relation); optional in older records.",
            },
            "warnings": {"type": "array", "items": {"type": "string"}},
            "provenance": _object(
                {
                    "ingest": {"type": "string"},
                    "fetch": {"type": "string"},
                    "clean": {"type": "array", "items": {"type": "string"}},
                    "tag": {"type": "array", "items": {"type": "string"}},
                    "enrich": {"type": "array", "items": {"type": "string"}},
                    "encoding": {"type": "string"},
                    "fields": {
                        "type": "object",
                        "description": "Where each field came from: json-ld, opengraph, meta...",
                        "additionalProperties": {"type": "string"},
                    },
                },
                required=["ingest", "fetch", "clean", "tag"],
            ),
            "extra": {
                "type": "object",
                "description": "Plugin-namespaced extras: one object per plugin name.",
                "additionalProperties": {"type": "object"},
            },
        },
        required=[*_TOP_LEVEL_REQUIRED],
    ),
}


@cache
def _validator() -> Draft202012Validator:
    # jsonschema (0.1 s to import) is loaded by the first validation, not with the schema.
    from jsonschema import Draft202012Validator  # noqa: PLC0415

    Draft202012Validator.check_schema(ARTICLE_SCHEMA)
    return Draft202012Validator(ARTICLE_SCHEMA)


def article_errors(record: Any) -> list[str]:
    """Every way ``record`` breaks the schema, as ``path: message`` lines; empty when valid."""
    errors = []
    for error in sorted(_validator().iter_errors(record), key=lambda e: list(e.path)):
        path = "/".join(str(p) for p in error.path) or "(record)"
        errors.append(f"{path}: {error.message}")
    return errors


@dataclass(frozen=True, slots=True)
class Problem:
    """One invalid line of a JSON Lines file."""

    line: int
    message: str


@dataclass(slots=True)
class Tally:
    """How many records a validation saw, and how many of them were valid."""

    records: int = 0
    valid: int = 0

    def count(self, errors: list[str]) -> list[str]:
        """Count one record with these ``errors``; the errors."""
        self.records += 1
        self.valid += not errors
        return errors


def validate_lines(stream: IO[str], tally: Tally | None = None) -> Iterator[Problem]:
    """Check each line of a JSON Lines stream against the schema, lazily, line by line;
    ``tally`` counts the records seen and the valid ones."""
    tally = tally if tally is not None else Tally()
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            tally.count(["not JSON"])
            yield Problem(number, f"not JSON: {decode_error(exc)}")
            continue
        for message in tally.count(article_errors(record)):
            yield Problem(number, message)


def validate_array(stream: IO[bytes], tally: Tally | None = None) -> Iterator[Problem]:
    """Check each element of a JSON array (a ``json:`` target's file), streamed element by
    element; ``Problem.line`` is the element's index, from 0."""
    import ijson  # noqa: PLC0415 - only JSON arrays need it

    tally = tally if tally is not None else Tally()
    index = -1
    try:
        for index, record in enumerate(ijson.items(stream, "item", use_float=True)):
            for message in tally.count(article_errors(record)):
                yield Problem(index, message)
    except ijson.JSONError as exc:
        yield Problem(index + 1, f"not JSON: {exc}")
