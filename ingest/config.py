"""Settings that plugins declare and users set.

Plugins declare their keys in ``ingest_add_settings`` (namespaced by plugin: ``text.encoding``);
users set them with ``--set KEY=VALUE`` or in ``ingest.toml``. Unknown keys and values of
the wrong type are usage errors, caught before anything is read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ingest.errors import UsageError

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True, slots=True)
class Setting:
    """One declared configuration key."""

    #: ``plugin.key``; the part before the dot names the declaring plugin.
    name: str
    #: Value when the user sets nothing; its type (str, int, float, bool) is the key's type.
    default: Any
    #: One line for ``ingest plugins`` (its settings list) and error messages.
    help: str
    #: The type values are converted to; inferred from ``default`` when it is not None.
    type: type = str


class Settings:
    """The registry plugins add their keys to (the argument of ``ingest_add_settings``)."""

    def __init__(self) -> None:
        self._settings: dict[str, Setting] = {}

    def add(self, name: str, default: Any, help: str, type: type | None = None) -> None:
        """Declare ``name`` (``plugin.key``) with a default value and a one-line help text."""
        if "." not in name:
            raise ValueError(f"setting {name!r} must be namespaced: 'plugin.key'")
        if name in self._settings:
            raise ValueError(f"setting {name!r} is declared twice")
        kind = type or (default.__class__ if default is not None else str)
        self._settings[name] = Setting(name, default, help, kind)

    def __iter__(self) -> Iterator[Setting]:
        return iter(sorted(self._settings.values(), key=lambda s: s.name))

    def __contains__(self, name: object) -> bool:
        return name in self._settings

    def get(self, name: str) -> Setting | None:
        """The declared setting called ``name``, or None."""
        return self._settings.get(name)


def _convert(setting: Setting, raw: Any) -> Any:
    if not isinstance(raw, str):  # a typed value, from a config file
        wanted = setting.type
        if isinstance(raw, wanted) and not (isinstance(raw, bool) and wanted is not bool):
            return raw
        if wanted is float and isinstance(raw, int) and not isinstance(raw, bool):
            return float(raw)
        if wanted is str and isinstance(raw, int | float) and not isinstance(raw, bool):
            return str(raw)
        raise UsageError(
            f"setting {setting.name}: expected {wanted.__name__}, got {type(raw).__name__} {raw!r}"
        )
    if setting.type is str:
        return raw
    if setting.type is bool:
        lowered = raw.strip().lower()
        if lowered in _TRUE | _FALSE:
            return lowered in _TRUE
        raise UsageError(f"setting {setting.name}: expected true or false, got {raw!r}")
    try:
        return setting.type(raw)
    except ValueError:
        raise UsageError(
            f"setting {setting.name}: expected {setting.type.__name__}, got {raw!r}"
        ) from None


class Config:
    """Resolved settings: user values over declared defaults. Passed to every stage hook."""

    def __init__(self, settings: Settings, values: Mapping[str, Any] | None = None) -> None:
        self.settings = settings
        self._values: dict[str, Any] = {}
        for name, raw in (values or {}).items():
            setting = settings.get(name)
            if setting is None:
                known = ", ".join(s.name for s in settings) or "none"
                raise UsageError(f"unknown setting {name!r} (known: {known})")
            self._values[name] = _convert(setting, raw)

    def get(self, name: str) -> Any:
        """The value of a declared setting; a KeyError names an undeclared one."""
        if name in self._values:
            return self._values[name]
        setting = self.settings.get(name)
        if setting is None:
            raise KeyError(f"setting {name!r} was never declared by a plugin")
        return setting.default


def parse_assignments(pairs: Iterable[str]) -> dict[str, str]:
    """Turn ``["text.encoding=cp1252"]`` into ``{"text.encoding": "cp1252"}``."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--set expects KEY=VALUE, got {pair!r}")
        values[name.strip()] = value
    return values
