"""ingest: plugin-based news ingestion and normalization.

The public API for plugin authors and library users. Everything else is internal.
"""

from __future__ import annotations

import pluggy

from ingest._version import __version__
from ingest.config import Config, Settings
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
    from_json,
    to_json,
)
from ingest.pipeline import Pipeline
from ingest.summary import RunSummary

#: Marks a function or method as a hook implementation: ``@hookimpl def ingest_fetch(...)``.
hookimpl = pluggy.HookimplMarker("ingest")

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
