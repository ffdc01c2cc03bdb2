"""``ingest.toml``: the named sources, targets and settings of repeated runs.

::

    state = "ingest.sqlite"            # the ledger; default: <config name>.sqlite beside it
    targets = ["out/articles.jsonl", "sqlite:out/articles.sqlite"]

    [settings]                         # the keys of `ingest run --set`, for every source
    "keywords.count" = 5

    [sources.ukraine-feed]
    location = "https://example.com/feed.xml"
    kind = "rss"                       # optional: sniffed when left out
    interval = "15m"                   # at most one fetch per 15 minutes (s, m, h, d)
    language = "en,uk"                 # keep only these languages
    settings = { "keywords.count" = 3 }   # settings for this source only
    options = { full_text = true }     # free-form, for the fetch plugin (Source.options)

Relative paths (state, targets, file sources) are relative to the config file's folder, so
the same file works from cron, whatever its working directory. Every mistake is a
:class:`UsageError` naming the file and the key, raised before anything is fetched.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.errors import UsageError
from ingest.keep import Keep
from ingest.locations import NO_SUFFIXES as _NO_SUFFIXES
from ingest.locations import parse_target, split_kind

_TOP_KEYS = frozenset({"state", "targets", "settings", "sources"})
_SOURCE_KEYS = frozenset({"location", "kind", "interval", "language", "settings", "options"})
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_INTERVAL_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$")
_UNITS = {None: 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
#: The longest interval a source may have: a year.
MAX_INTERVAL = 365 * 86400.0


@dataclass(frozen=True, slots=True)
class SourceConfig:
    """One ``[sources.NAME]`` table."""

    name: str
    #: A URL, or an absolute path.
    location: str
    kind: str | None = None
    #: Least seconds between two fetches (0: every run).
    interval: float = 0.0
    #: Setting values for this source, over the file's ``[settings]``.
    settings: Mapping[str, Any] = field(default_factory=dict)
    #: Free-form options handed to the fetch plugin as ``Source.options``.
    options: Mapping[str, Any] = field(default_factory=dict)
    #: Filters of this source (``language = "de,fr"``).
    keep: tuple[Keep, ...] = ()

    @property
    def spec(self) -> str:
        """The location as ``ingest run`` takes it: ``KIND:LOCATION`` when the kind is set."""
        return f"{self.kind}:{self.location}" if self.kind else self.location


@dataclass(frozen=True, slots=True)
class ProjectConfig:
    """A loaded ``ingest.toml``."""

    path: Path
    #: The ledger file.
    state: Path
    #: Target specs with absolute paths (``jsonl:/srv/news/articles.jsonl``).
    targets: list[str]
    settings: Mapping[str, Any]
    sources: list[SourceConfig]

    def source(self, name: str) -> SourceConfig:
        """The source called ``name``; a :class:`UsageError` lists the known ones."""
        for source in self.sources:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources) or "none"
        raise UsageError(f"{self.path}: no source named {name!r} (known: {known})")


def default_state(config: Path) -> Path:
    """``ingest.toml`` -> ``ingest.sqlite`` in the same folder."""
    return config.with_suffix(".sqlite")


def load_config(path: Path, suffixes: Mapping[str, str] = _NO_SUFFIXES) -> ProjectConfig:
    """Read and check ``path``; ``suffixes`` are the target file endings the exporters
    declare (``.jsonl`` -> ``jsonl``)."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such config file") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML: {exc}") from None
    base = path.resolve().parent
    _no_unknown_keys(data, _TOP_KEYS, str(path))
    state = data.get("state")
    if state is not None and not isinstance(state, str):
        raise UsageError(f"{path}: state: expected a file path")
    targets = data.get("targets", [])
    if isinstance(targets, str):
        targets = [targets]
    if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
        raise UsageError(f"{path}: targets: expected a list of targets like 'out/articles.jsonl'")
    sources = data.get("sources", {})
    if not isinstance(sources, dict):
        raise UsageError(f"{path}: sources: expected tables like [sources.NAME]")
    return ProjectConfig(
        path=path,
        state=_resolve(state, base) if state else default_state(path.resolve()),
        targets=[_resolve_target(t, base, path, suffixes) for t in targets],
        settings=flatten_settings(data.get("settings", {}), f"{path}: settings"),
        sources=[_source(name, table, base, path) for name, table in sources.items()],
    )


def _source(name: str, table: Any, base: Path, path: Path) -> SourceConfig:
    where = f"{path}: sources.{name}"
    if not _NAME_RE.match(name):
        raise UsageError(f"{where}: a source name is letters, digits, '.', '_' and '-'")
    if not isinstance(table, dict):
        raise UsageError(f"{where}: expected a table with at least location = '...'")
    _no_unknown_keys(table, _SOURCE_KEYS, where)
    location = table.get("location")
    if not isinstance(location, str) or not location.strip():
        raise UsageError(f"{where}: location: required, a URL or a path")
    prefix, location = split_kind(location)
    kind = table.get("kind", prefix)
    if kind is not None and not isinstance(kind, str):
        raise UsageError(f"{where}: kind: expected a kind name such as 'rss'")
    if location == "-":
        raise UsageError(f"{where}: location: stdin cannot be a configured source")
    settings = dict(flatten_settings(table.get("settings", {}), f"{where}.settings"))
    language = table.get("language")
    if language is not None and not isinstance(language, str):
        raise UsageError(f"{where}: language: expected codes such as 'de,fr'")
    keep = (Keep.languages(language, f"{where}: language"),) if language is not None else ()
    options = table.get("options", {})
    if not isinstance(options, dict):
        raise UsageError(f"{where}: options: expected a table")
    return SourceConfig(
        name=name,
        location=location if "://" in location else str(_resolve(location, base)),
        kind=kind,
        interval=parse_interval(table.get("interval", 0), f"{where}: interval"),
        settings=settings,
        options=options,
        keep=keep,
    )


def parse_interval(value: Any, where: str = "interval") -> float:
    """Seconds from ``900``, ``"900"``, ``"15m"``, ``"2h"`` or ``"1d"``."""
    if isinstance(value, bool):
        raise UsageError(f"{where}: expected seconds or a duration like '15m'")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _INTERVAL_RE.match(value) if isinstance(value, str) else None
        if not match:
            raise UsageError(f"{where}: expected seconds or a duration like '15m', got {value!r}")
        seconds = float(match[1]) * _UNITS[match[2]]
    if not math.isfinite(seconds) or seconds < 0:
        raise UsageError(f"{where}: expected a duration of 0 or more, got {value!r}")
    if seconds > MAX_INTERVAL:
        raise UsageError(f"{where}: {value!r} is more than a year; use at most '365d'")
    return seconds


def flatten_settings(table: Any, where: str) -> dict[str, Any]:
    """``{"language": {"only": "de"}}`` and ``{"language.only": "de"}`` -> the latter."""
    if not isinstance(table, dict):
        raise UsageError(f"{where}: expected a table of settings")
    flat: dict[str, Any] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            for inner, item in flatten_settings(value, f"{where}.{key}").items():
                flat[f"{key}.{inner}"] = item
        elif isinstance(value, list):
            flat[key] = ",".join(map(str, value))  # language.only = ["de", "fr"]
        else:
            flat[key] = value
    return flat


def _no_unknown_keys(table: Mapping[str, Any], known: frozenset[str], where: str) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        raise UsageError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(known))})")


def _resolve(location: str, base: Path) -> Path:
    path = Path(location).expanduser()
    # normpath, not resolve(): "../out" is tidied, a symlink the user chose is kept.
    return Path(os.path.normpath(path if path.is_absolute() else base / path))


def _resolve_target(spec: str, base: Path, path: Path, suffixes: Mapping[str, str]) -> str:
    try:
        return resolve_target(spec, base, suffixes)
    except UsageError as exc:
        raise UsageError(f"{path}: targets: {exc}") from None


def resolve_target(spec: str, base: Path, suffixes: Mapping[str, str] = _NO_SUFFIXES) -> str:
    """``out.jsonl`` -> ``jsonl:/BASE/out.jsonl``: one spelling per file, whatever the
    working directory, so that the ledger knows a target again and sees a repeated one."""
    target = parse_target(spec, suffixes)
    if target.location == "-" or "://" in target.location:
        return spec
    return f"{target.scheme}:{_resolve(target.location, base)}"
