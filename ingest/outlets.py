"""The targets of a run (:class:`Outlets`): opened together, written in turn, made durable
together; a target that fails stops alone and the others go on."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from ingest.errors import ExportError, IngestError, OutputClosed, UsageError
from ingest.export import Exporter
from ingest.locations import Target
from ingest.model import Article
from ingest.pipeline import Pipeline
from ingest.summary import ErrorHandler, RunSummary, ignore


class Outlets:
    """The targets of a run: each written in turn; one that fails stops alone."""

    def __init__(self, pipeline: Pipeline, on_error: ErrorHandler, summary: RunSummary) -> None:
        self.pipeline = pipeline
        self.on_error = on_error
        self.summary = summary
        self.exporters: list[Exporter] = []
        self.failed: set[int] = set()
        #: Called with the label of a target that just failed.
        self.on_failure: Callable[[str], None] = ignore

    def open(self, targets: Sequence[Target], *, incremental: bool) -> None:
        """Open every target; a target that cannot be opened (a full disk) fails alone; a
        :class:`~ingest.UsageError` (no plugin writes it) aborts the others and is raised."""
        try:
            for target in targets:
                self._open(target, incremental=incremental)
        except BaseException:
            self.abort()
            raise

    def _open(self, target: Target, *, incremental: bool) -> None:
        try:
            exporter = self.pipeline.exporter(target)
        except OSError as exc:
            exporter = _Unavailable()
            exporter.label = target.label()
            self.exporters.append(exporter)
            self.fail(len(self.exporters) - 1, exc)
            return
        self.exporters.append(exporter)
        if incremental and not exporter.incremental:
            raise UsageError(
                f"target {target.label()}: its exporter cannot append with checkpoints, so "
                "runs on state cannot deliver to it exactly once"
            )

    def live(self) -> Iterator[tuple[int, Exporter]]:
        """The targets that have not failed, with their index."""
        return ((i, e) for i, e in enumerate(self.exporters) if i not in self.failed)

    def write(self, article: Article, missed: Callable[[str, Article], None]) -> bool:
        """Write ``article`` to every live target; True when one took it. A failed target's
        label goes to ``missed``. :class:`~ingest.OutputClosed` ends the run."""
        written = False
        for index, exporter in enumerate(self.exporters):
            if index not in self.failed:
                try:
                    exporter.write(article)
                    written = True
                    continue
                except OutputClosed:
                    raise
                except Exception as exc:
                    self.fail(index, exc)
            missed(exporter.label, article)
        return written

    def fail(self, index: int, exc: BaseException) -> None:
        """Stop writing to target ``index``, and say why."""
        if index in self.failed:
            return
        self.failed.add(index)
        self.summary.targets_failed += 1
        label = self.exporters[index].label
        self.on_error(ExportError(label, describe_failure(exc)))
        self.on_failure(label)

    def checkpoint(self) -> dict[str, str | None]:
        """Make every live target durable; what each needs to come back to this point."""
        tokens: dict[str, str | None] = {}
        for index, exporter in list(self.live()):
            try:
                tokens[exporter.label] = exporter.checkpoint()
            except Exception as exc:
                self.fail(index, exc)
        return tokens

    def close(self) -> None:
        """Finish every live target; abort the failed ones (leaving them as they were)."""
        for index, exporter in enumerate(self.exporters):
            if index in self.failed:
                exporter.abort()
                continue
            try:
                exporter.close()
            except OutputClosed:
                raise
            except Exception as exc:
                self.fail(index, exc)

    def abort(self) -> None:
        """Leave every target as it was before the run (or its last checkpoint)."""
        for exporter in self.exporters:
            exporter.abort()


class _Unavailable(Exporter):
    """Stands for a target that could not be opened; never written to."""

    incremental = True

    def write(self, article: Article) -> None:
        """Never called: the target is failed from the start."""
        raise ExportError(self.label, "not open")


def describe_failure(exc: BaseException) -> str:
    """A target's failure in one line: an OS error by its message (``No space left on
    device``), anything else with its class, which says more than its text alone."""
    if isinstance(exc, IngestError):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror + (f": {exc.filename}" if exc.filename else "")
    return f"{type(exc).__name__}: {exc}"
