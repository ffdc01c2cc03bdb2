"""Building the plugin manager: built-ins first, then third-party entry points, then ``-p``.

There is no module-level manager: :func:`get_plugin_manager` builds a fresh one for each CLI
invocation or test. A plugin that cannot be imported stops startup with one line that says
how to switch it off, because a broken plugin must never brick the command line.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from importlib.metadata import Distribution, EntryPoint, entry_points
from weakref import WeakKeyDictionary

import pluggy

from ingest import hookspecs
from ingest.errors import PluginLoadError

GROUP = "ingest"
#: Comma-separated plugin names that are never loaded, like repeating ``--no-plugin``.
DISABLE_ENV = "INGEST_DISABLE_PLUGINS"
_OWN_DISTRIBUTION = "ingest"


@dataclass(frozen=True, slots=True)
class PluginInfo:
    """What ``ingest plugins`` shows about one registered plugin."""

    name: str
    version: str | None
    builtin: bool
    hooks: tuple[str, ...]
    origin: str


def _in_order(eps: Iterable[EntryPoint]) -> list[EntryPoint]:
    """Built-ins (this distribution's) first, then third-party plugins, each by name."""
    # A distribution's name comes from parsing its METADATA file, again at each access: ask
    # once per distribution (its entry points share one object), not once per plugin.
    names: dict[Distribution, str] = {}

    def builtin(ep: EntryPoint) -> bool:
        if ep.dist is None:
            return False
        if ep.dist not in names:
            names[ep.dist] = ep.dist.name
        return names[ep.dist] == _OWN_DISTRIBUTION

    return sorted(eps, key=lambda ep: (not builtin(ep), ep.name))


def _import(name: str, target: str, loader: Callable[[], object]) -> object:
    try:
        return loader()
    except Exception as exc:
        raise PluginLoadError(
            f"plugin {name!r} ({target}) failed to import: {type(exc).__name__}: {exc}; "
            f"disable it with --no-plugin {name} or {DISABLE_ENV}={name}"
        ) from exc


def blocked_names(no_plugin: Iterable[str] = ()) -> set[str]:
    """Plugin names blocked by ``--no-plugin`` and the environment variable."""
    from_env = os.environ.get(DISABLE_ENV, "")
    return {n.strip() for n in [*no_plugin, *from_env.split(",")] if n.strip()}


def get_plugin_manager(
    modules: Iterable[str] = (),
    blocked: Iterable[str] = (),
    *,
    entry_points_group: str | None = GROUP,
) -> pluggy.PluginManager:
    """A new plugin manager with the ``ingest`` hooks and every enabled plugin registered.

    :param modules: extra modules to load by import path (``-p MODULE``), registered last.
    :param blocked: plugin names not to load (``--no-plugin``); the environment variable
        ``INGEST_DISABLE_PLUGINS`` adds more.
    :param entry_points_group: the entry-point group to load; None loads none (for tests).
    :raises PluginLoadError: a plugin failed to import, or registered a hook that does not exist.
    """
    modules = tuple(modules)
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    names_blocked = blocked_names(blocked)
    for name in names_blocked:
        pm.set_blocked(name)
    if entry_points_group:
        for ep in _in_order(entry_points(group=entry_points_group)):
            if ep.name in names_blocked or pm.has_plugin(ep.name):
                continue
            plugin = _import(ep.name, ep.value, ep.load)
            _register(pm, plugin, ep.name)
    for module in modules:
        name = module.rsplit(":", 1)[-1]
        if name in names_blocked:
            continue
        plugin = _import(name, module, partial(importlib.import_module, module))
        _register(pm, plugin, name)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginLoadError(f"{exc}; disable the plugin with --no-plugin NAME") from exc
    if entry_points_group == GROUP:
        _origins[pm] = (modules, tuple(sorted(names_blocked)))
    return pm


_origins: WeakKeyDictionary[pluggy.PluginManager, tuple[tuple[str, ...], tuple[str, ...]]]
_origins = WeakKeyDictionary()


def plugin_origin(pm: pluggy.PluginManager) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """How ``pm`` was made by :func:`get_plugin_manager` (the ``-p`` modules and the blocked
    names, the installed entry points aside), for processes that make it again (a Dask
    worker); None for a manager made otherwise."""
    return _origins.get(pm)


def _register(pm: pluggy.PluginManager, plugin: object, name: str) -> None:
    try:
        pm.register(plugin, name=name)
    except (pluggy.PluginValidationError, ValueError) as exc:
        raise PluginLoadError(
            f"plugin {name!r} could not be registered: {exc}; disable it with --no-plugin {name}"
        ) from exc


def describe_plugins(pm: pluggy.PluginManager) -> list[PluginInfo]:
    """One :class:`PluginInfo` per registered plugin, in registration order."""
    dists = {ep.name: ep.dist for ep in entry_points(group=GROUP)}
    infos = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            continue
        hooks = tuple(sorted(h.name for h in pm.get_hookcallers(plugin) or []))
        dist = dists.get(name)
        origin = getattr(plugin, "__name__", type(plugin).__name__)
        infos.append(
            PluginInfo(
                name=name,
                version=dist.version if dist else None,
                builtin=dist is not None and dist.name == _OWN_DISTRIBUTION,
                hooks=hooks,
                origin=origin,
            )
        )
    return infos
