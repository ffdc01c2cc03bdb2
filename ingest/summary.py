"""What a run did (:class:`RunSummary`), and the callbacks a run reports through."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ingest.errors import IngestError

#: Timed parts of a run: finding the sources and sniffing their kinds, then the hook stages.
#: What is left of ``RunSummary.seconds`` is bookkeeping: duplicate checks, progress, closing.
STAGES = ("discover", "fetch", "clean", "enrich", "tag", "export")


@dataclass(slots=True)
class RunSummary:
    """What a run did, for the summary line, ``--log-format json`` and benchmarks."""

    #: Sources read: in one-off runs each file, URL or stdin; in runs on state each
    #: configured source (``[sources.NAME]`` or LOCATION), due or not.
    sources: int = 0
    #: Runs on state: the files and URLs the sources expanded to (a folder is one source).
    files: int = 0
    sources_failed: int = 0
    articles: int = 0
    duplicates: int = 0
    #: Articles exported again under a known id because their content changed.
    updates: int = 0
    #: Articles a plugin left out on purpose (``Skip``: a language filter).
    filtered: int = 0
    items_failed: int = 0
    targets_failed: int = 0
    #: Runs on state: articles already delivered with the same content, skipped.
    unchanged: int = 0
    #: Runs on state: sources not read again because they did not change: the server
    #: answered 304 Not Modified, or a local file has the size and time of its last read.
    not_modified: int = 0
    #: Runs on state: sources left alone because their interval or backoff is not over.
    not_due: int = 0
    #: Runs on state: articles a target missed in an earlier run, delivered now.
    redelivered: int = 0
    #: Runs on state: failed items kept as dead letters.
    dead_letters: int = 0
    seconds: float = 0.0
    #: Seconds spent in each stage, summed over all articles.
    stage_seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))

    @property
    def failed(self) -> bool:
        """True when any source, item or target failed."""
        return bool(self.sources_failed or self.items_failed or self.targets_failed)

    def line(self) -> str:
        """The one-line summary printed at the end of ``ingest run``."""
        parts = [
            f"{self.sources} source{'s' if self.sources != 1 else ''}"
            + (f" ({self.files} inputs)" if self.files > self.sources else ""),
            f"{self.articles} article{'s' if self.articles != 1 else ''} exported",
        ]
        if self.updates:
            parts[-1] += f" ({self.updates} as updates)"
        if self.redelivered:
            parts[-1] += f" (+{self.redelivered} redelivered)"
        if self.unchanged:
            parts.append(f"{self.unchanged} unchanged")
        if self.not_modified:
            parts.append(f"{self.not_modified} not modified")
        if self.not_due:
            parts.append(f"{self.not_due} not due")
        if self.filtered:
            parts.append(f"{self.filtered} filtered out")
        if self.duplicates:
            parts.append(
                f"{self.duplicates} duplicate{'s' if self.duplicates != 1 else ''} skipped"
            )
        failures = self.sources_failed + self.items_failed + self.targets_failed
        parts.append(f"{failures} failure{'s' if failures != 1 else ''}")
        return ", ".join(parts) + f" in {self.seconds:.2f} s"


#: Called with every error the run recovers from; the CLI prints one line for each.
ErrorHandler = Callable[[IngestError], None]
#: Called for an item a stage failed on, in runs on state: (stage, plugin, error, raw item).
DeadLetterHandler = Callable[[str, "str | None", IngestError, "bytes | None"], None]
#: Called after each exported article, with the running summary.
ProgressHandler = Callable[[RunSummary], None]


def ignore(_: object) -> None:
    """The handler that does nothing: the default of every callback above."""
    return
