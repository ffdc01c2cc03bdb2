"""Feedback on stderr: a live progress line on terminals, error lines, the closing summary."""

from __future__ import annotations

import json
import sys
import time
import traceback
from datetime import UTC, datetime
from typing import TextIO

from ingest.errors import IngestError, inert
from ingest.summary import RunSummary


def _fields(exc: IngestError) -> dict[str, object]:
    """The structured parts of an error, for ``--log-format json``."""
    fields: dict[str, object] = {"error": type(exc).__name__}
    for name in ("source_name", "location", "target", "stage", "plugin", "item", "reason"):
        value = getattr(exc, name, None)
        if value is not None:
            fields[name] = inert(value) if isinstance(value, str) else value
    return fields


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


class Reporter:
    """Prints what a run does to ``stream`` (stderr).

    :param progress: draw a self-updating status line; only sensible on a terminal.
    :param debug: follow each error line with the traceback of its cause.
    """

    INTERVAL = 0.1

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        progress: bool = False,
        debug: bool = False,
        log_format: str = "text",
    ):
        self.stream = stream or sys.stderr
        self.json = log_format == "json"
        self.progress = progress and not self.json
        self.debug = debug
        self._started = time.perf_counter()
        self._last_draw = 0.0
        self._drawn = False

    def error(self, exc: IngestError) -> None:
        """One line for a recovered error (plus its traceback under ``--debug``)."""
        self._clear()
        if self.json:
            self._event("error", "error", str(exc), **_fields(exc))
            return
        named = f"{exc.source_name}: {exc}" if exc.source_name else str(exc)
        print(f"error: {inert(named)}", file=self.stream)
        if self.debug:
            cause = exc.__cause__ or exc
            traceback.print_exception(cause, file=self.stream)
        self.stream.flush()

    def update(self, summary: RunSummary) -> None:
        """Redraw the status line, at most ten times a second."""
        if not self.progress:
            return
        now = time.perf_counter()
        if now - self._last_draw < self.INTERVAL:
            return
        self._last_draw = now
        elapsed = max(now - self._started, 1e-9)
        failures = summary.sources_failed + summary.items_failed + summary.targets_failed
        line = (
            f"  {_count(summary.sources, 'source')} · {_count(summary.articles, 'article')} · "
            f"{_count(failures, 'failure')} · {summary.articles / elapsed:,.0f}/s"
        )
        self.stream.write("\r\x1b[2K" + line)
        self.stream.flush()
        self._drawn = True

    def finish(self, summary: RunSummary, *, quiet: bool = False) -> None:
        """Clear the status line and print the summary line (unless ``quiet``)."""
        self._clear()
        if self.json:
            counts = {
                name: getattr(summary, name)
                for name in (
                    *("sources", "files", "sources_failed", "articles", "updates", "unchanged"),
                    *("not_modified", "not_due", "redelivered", "duplicates", "filtered"),
                    *("items_failed", "targets_failed", "dead_letters"),
                )
            }
            level = "error" if summary.failed else "info"
            self._event(level, "summary", summary.line(), **counts, seconds=summary.seconds)
        elif not quiet:
            print(f"ingest: {summary.line()}", file=self.stream)
            self.stream.flush()

    def notice(self, message: str) -> None:
        """A line worth telling that is not an error (a target rolled back, a source moved)."""
        self._clear()
        if self.json:
            self._event("warning", "notice", message)
            return
        print(f"ingest: {inert(message)}", file=self.stream)
        self.stream.flush()

    def _event(self, level: str, event: str, message: str, **fields: object) -> None:
        record = {
            "time": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "level": level,
            "event": event,
            "message": inert(message),
            **fields,
        }
        print(json.dumps(record, ensure_ascii=False), file=self.stream)
        self.stream.flush()

    def interrupted(self) -> None:
        """Say that the run was interrupted and its targets were left as they were."""
        self._clear()
        message = "interrupted; targets left as they were before this run"
        if self.json:
            self._event("error", "interrupted", message)
            return
        print(f"ingest: {message}", file=self.stream)

    def _clear(self) -> None:
        if self._drawn:
            self.stream.write("\r\x1b[2K")
            self._drawn = False
