"""ingest: plugin-based news ingestion and normalization.

The public API for plugin authors and library users. Everything else is internal.

Importing :mod:`ingest` is cheap: the errors and the version are loaded with it, every other
name (the records, the pipeline, the plugin manager, the :data:`hookimpl` marker...) when it
is first used (PEP 562), so that ``ingest --version`` and tools that only catch an
:class:`IngestError` pay for nothing else.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ingest._version import __version__
from ingest.errors import (
    ExportError,
    IngestError,
    OutputClosed,
    PluginHookError,
    PluginLoadError,
    Skip,
    SourceError,
    UsageError,
    inert,
    quoted,
)

if TYPE_CHECKING:
    import pluggy

    from ingest.articlejson import from_json, to_json
    from ingest.config import Config, Settings
    from ingest.export import AtomicFile, Exporter, FileExporter
    from ingest.identity import canonical_url, content_hash
    from ingest.locations import Source, SourceKind, Target, TargetKind
    from ingest.manager import get_plugin_manager
    from ingest.model import (
        Article,
        ArticleSource,
        Author,
        Embed,
        Markup,
        Media,
        Provenance,
        Quote,
        Relation,
        Tag,
    )
    from ingest.pipeline import Pipeline
    from ingest.summary import RunSummary

    #: Marks a function or method as a hook implementation: ``@hookimpl def ingest_fetch(...)``.
    hookimpl: pluggy.HookimplMarker

#: The module that defines each name loaded on first use.
_LAZY = {
    "Config": "ingest.config",
    "Settings": "ingest.config",
    "AtomicFile": "ingest.export",
    "Exporter": "ingest.export",
    "FileExporter": "ingest.export",
    "canonical_url": "ingest.identity",
    "content_hash": "ingest.identity",
    "Source": "ingest.locations",
    "SourceKind": "ingest.locations",
    "Target": "ingest.locations",
    "TargetKind": "ingest.locations",
    "get_plugin_manager": "ingest.manager",
    **dict.fromkeys(
        (
            *("Article", "ArticleSource", "Author", "Embed", "Markup", "Media"),
            *("Provenance", "Quote", "Relation", "Tag"),
        ),
        "ingest.model",
    ),
    "from_json": "ingest.articlejson",
    "to_json": "ingest.articlejson",
    "Pipeline": "ingest.pipeline",
    "RunSummary": "ingest.summary",
}


def _hookimpl() -> object:
    import pluggy  # noqa: PLC0415 - the marker is made when a plugin first asks for it

    return pluggy.HookimplMarker("ingest")


def __getattr__(name: str) -> Any:
    """Load a public name on first use (PEP 562), and keep it: the next access is direct."""
    if name == "hookimpl":
        value = _hookimpl()
    elif name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    else:
        # AttributeError (not ImportError) lets ``from ingest import memory`` go on to
        # import the submodule.
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names, the ones not loaded yet included."""
    return sorted({*globals(), *__all__})


__all__ = [
    "Article",
    "ArticleSource",
    "AtomicFile",
    "Author",
    "Config",
    "Embed",
    "ExportError",
    "Exporter",
    "FileExporter",
    "IngestError",
    "Markup",
    "Media",
    "OutputClosed",
    "Pipeline",
    "PluginHookError",
    "PluginLoadError",
    "Provenance",
    "Quote",
    "Relation",
    "RunSummary",
    "Settings",
    "Skip",
    "Source",
    "SourceError",
    "SourceKind",
    "Tag",
    "Target",
    "TargetKind",
    "UsageError",
    "__version__",
    "canonical_url",
    "content_hash",
    "from_json",
    "get_plugin_manager",
    "hookimpl",
    "inert",
    "quoted",
    "to_json",
]
