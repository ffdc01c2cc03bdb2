"""The loop of one input: its raw items fetched, each through the stages
(:meth:`ingest.pipeline.Pipeline.items`, which this module serves without importing it)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from ingest.errors import IngestError, NeedsDriver, PluginHookError, SourceError
from ingest.locations import Source
from ingest.model import Article
from ingest.rawitems import fetched_again, snapshot
from ingest.seen import SeenItems
from ingest.summary import DeadLetterHandler, ErrorHandler, RunSummary

#: ``Pipeline.fetch``: the plugin that reads a source and its raw items.
Fetch = Callable[[Source], tuple[str, Iterator[Article | SourceError]]]
#: ``Pipeline.settle``: one raw item through the stages; False when filtered or failed.
Settle = Callable[..., bool]


def read_items(  # noqa: PLR0917 - Pipeline.items' arguments, passed on
    fetch: Fetch,
    settle: Settle,
    source: Source,
    summary: RunSummary,
    on_error: ErrorHandler,
    keep: DeadLetterHandler | None = None,
    *,
    fetched_before: SeenItems | None = None,
    known: Any = None,
    on_driver: Callable[[Article, str], None] | None = None,
) -> Iterator[Article]:
    """See :meth:`ingest.pipeline.Pipeline.items`."""
    stages = summary.stage_seconds
    fetched = datetime.now(UTC).replace(microsecond=0)
    plugin = "?"
    try:
        tick = time.perf_counter()
        plugin, items = fetch(source)
        for article in items:
            stages["fetch"] += time.perf_counter() - tick
            if isinstance(article, SourceError):  # one unreadable item; the rest go on
                summary.items_failed += 1
                on_error(article)
                if keep is not None:
                    keep("fetch", plugin, article, article.raw)
                tick = time.perf_counter()
                continue
            if article.fetched is None:
                article.fetched = fetched
            if fetched_before is not None and fetched_again(article, fetched_before):
                summary.duplicates += 1
                tick = time.perf_counter()
                continue
            raw = snapshot(article) if keep is not None or on_driver else None
            try:
                ready = settle(article, plugin, summary, on_error, keep=keep, raw=raw, known=known)
            except NeedsDriver:
                if on_driver is None or raw is None:
                    raise
                on_driver(raw, plugin)
                ready = False
            if ready:
                yield article
            tick = time.perf_counter()
    except IngestError as exc:
        summary.sources_failed += 1
        on_error(exc)
    except Exception as exc:
        summary.sources_failed += 1
        on_error(PluginHookError("fetch", plugin, source.label(), exc))
