"""One run on state (:class:`StatefulRun`): the engine with a :class:`LedgerKeeper`, over
the configured sources or over dead letters retried."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from ingest.engine import Engine, NoticeHandler, PoolFactory, RunSource
from ingest.errors import PluginHookError, Skip, UsageError
from ingest.locations import Target
from ingest.pipeline import Pipeline
from ingest.rawitems import article_from_raw
from ingest.state.configfile import SourceConfig
from ingest.state.keeper import CHECKPOINT_EVERY, LedgerKeeper
from ingest.state.ledger import Ledger
from ingest.state.records import DeadLetter
from ingest.summary import ErrorHandler, ProgressHandler, RunSummary, ignore


class StatefulRun:
    """One run on state. Use :meth:`run` for configured sources, :meth:`retry` for dead
    letters; the caller holds the state's lock (:class:`ingest.state.lock.StateLock`)."""

    def __init__(
        self,
        pipeline: Pipeline,
        ledger: Ledger,
        targets: Sequence[Target],
        *,
        on_error: ErrorHandler = ignore,
        on_progress: ProgressHandler = ignore,
        on_notice: NoticeHandler = ignore,
        force: bool = False,
        checkpoint_every: int = CHECKPOINT_EVERY,
        config_file: Path | None = None,
        pool: PoolFactory | None = None,
    ) -> None:
        if not targets:
            raise UsageError("no targets: give -o TARGET or targets = [...] in the config")
        self.pipeline = pipeline
        self.ledger = ledger
        self.targets = [replace(t, incremental=True, owner=ledger.state_id) for t in targets]
        self.handlers = {"on_error": on_error, "on_progress": on_progress, "on_notice": on_notice}
        self.force = force
        self.checkpoint_every = checkpoint_every
        self.config_file = config_file
        self.pool = pool
        self.summary = RunSummary()
        #: Sources that :meth:`retry` made to be read whole on the next run.
        self.refetched: set[str] = set()

    def _engine(self, sources: Sequence[SourceConfig], kind: str) -> Engine:
        for config in sources:
            self._check_settings(config)
        keeper = LedgerKeeper(
            self.ledger,
            sources,
            force=self.force,
            config_file=self.config_file,
            kind=kind,
        )
        engine = Engine(
            self.pipeline,
            self.targets,
            keeper,
            checkpoint_every=self.checkpoint_every,
            pool=self.pool,
            **self.handlers,  # type: ignore[arg-type]
        )
        self.summary = engine.summary
        return engine

    def run(self, sources: Sequence[SourceConfig]) -> RunSummary:
        """Fetch each due source and deliver what is new or updated to every target."""
        engine = self._engine(sources, "run")
        specs = [
            RunSource(c.spec, c.name, None, dict(c.settings), dict(c.options), c.keep)
            for c in sources
        ]
        return engine.run(specs)

    def retry(
        self, letters: Iterable[DeadLetter], sources: Sequence[SourceConfig] = ()
    ) -> tuple[RunSummary, list[int]]:
        """Run dead letters again, each with its source's settings when ``sources`` has it;
        the ids of those that went through (now deleted)."""
        engine = self._engine(sources, "retry")
        configs = {config.name: config for config in sources}
        done: list[int] = []
        engine.session(lambda: done.extend(self._letters(engine, letters, configs)))
        return engine.summary, done

    def _check_settings(self, config: SourceConfig) -> None:
        """A source's settings are checked before anything is fetched."""
        try:
            with self.pipeline.configured(config.settings):
                pass
        except UsageError as exc:
            raise UsageError(f"source {config.name}: {exc}") from None

    def _letters(
        self,
        engine: Engine,
        letters: Iterable[DeadLetter],
        configs: Mapping[str, SourceConfig],
    ) -> list[int]:
        """Run each dead letter again; the ids that went through."""
        keeper, summary = engine.keeper, engine.summary
        assert isinstance(keeper, LedgerKeeper)
        done = []
        for letter in letters:
            keeper.source_name = letter.source
            if letter.stage == "fetch" or letter.item is None:
                # An item the fetch plugin could not read: reading its source again, whole
                # (no 304, no file stamp), is the retry; if it still fails, it comes back.
                if letter.source not in self.refetched and self.ledger.refetch(letter.source):
                    self.refetched.add(letter.source)
                done.append(letter.id)
                continue
            article = article_from_raw(letter.item)
            try:
                config = configs.get(letter.source)
                settings, keep = (config.settings, config.keep) if config else ({}, ())
                with self.pipeline.configured(settings, keep):
                    self.pipeline.process(article, letter.plugin or "?", summary.stage_seconds)
            except Skip:  # a filter now leaves it out on purpose: settled
                summary.filtered += 1
                done.append(letter.id)
                continue
            except PluginHookError as exc:
                summary.items_failed += 1
                engine.on_error(exc)
                self.ledger.add_dead_letter(
                    keeper.run_id,
                    letter.source,
                    stage=exc.stage,
                    plugin=exc.plugin,
                    error=str(exc),
                    item=letter.item,
                )
                continue
            engine.deliver(article)
            done.append(letter.id)
        engine.checkpoint()
        self.ledger.remove_dead_letters(done)
        return done
