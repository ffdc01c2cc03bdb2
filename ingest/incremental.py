"""Runs on state: the repeated, incremental, exactly-once runs that cron makes.

:class:`StatefulRun` drives the same :class:`~ingest.pipeline.Pipeline` stages as a one-off
run, with a :class:`~ingest.ledger.Ledger` deciding what is new:

* **Sources.** A source is fetched when its interval (and any backoff or ``max-age``) is
  over. A URL is fetched conditionally with the validators of its last success; a 304 costs
  one request and nothing else; a local file with the size, time and inode of its last
  complete read is skipped the same way. A permanent redirect moves the stored location. A
  failure counts against the source, which then waits exponentially longer (capped), and
  shows in ``ingest status``; it is retried, never dropped.
* **Articles.** New (not in the ledger): exported as version 1. Updated (known id, new content
  hash): exported with ``version`` + 1 and an ``update_of`` relation. Unchanged: skipped.
* **Exactly once per target.** Articles are written to every target, and every
  :data:`CHECKPOINT_EVERY` articles, and when a source is done, each exporter makes its
  writes durable (:meth:`~ingest.Exporter.checkpoint`) and *then* the ledger records, in one
  transaction, the articles, each target's checkpoint and the source's new validators. A run
  killed in between leaves targets ahead of the ledger; the next run rolls each target back
  to its recorded checkpoint (:meth:`~ingest.Exporter.recover`: a JSON Lines file is cut to
  its committed length; a database or directory target is upserted by id, so a repeat is
  harmless) and delivers those articles again: once.
* **A failing target** stops receiving articles for the rest of the run; what it missed
  goes to its outbox in the ledger and is delivered first thing next run. The other targets
  go on.
* **Dead letters.** An item that a stage fails on is kept with its raw form, for
  ``ingest dead-letters retry`` once the cause is fixed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson

from ingest.configfile import SourceConfig
from ingest.errors import (
    ExportError,
    IngestError,
    PluginHookError,
    Skip,
    SourceError,
    UsageError,
)
from ingest.export import Exporter
from ingest.http import HttpState
from ingest.ledger import Ledger
from ingest.ledger_records import Batch, DeadLetter, now
from ingest.localfiles import file_stamp, our_files
from ingest.locations import Source, Target
from ingest.model import Article, Relation, dumps_bytes, from_json
from ingest.pipeline import Pipeline
from ingest.rawitems import article_from_raw
from ingest.schedule import settle
from ingest.seen import SeenItems
from ingest.summary import ErrorHandler, ProgressHandler, RunSummary

#: Articles between two checkpoints: the most a killed run makes the next one redo.
CHECKPOINT_EVERY = 500


def _ignore(_: object) -> None:
    return None


#: Called with a notice worth a line on stderr that is not an error (a target rolled back).
NoticeHandler = Callable[[str], None]


@dataclass(slots=True)
class _Target:
    exporter: Exporter
    label: str
    failed: bool = False


@dataclass(slots=True)
class _Pending:
    """What the next checkpoint commits."""

    batch: Batch = field(default_factory=Batch)
    #: The articles of the batch, for the outbox of a target that fails before committing.
    articles: list[Article] = field(default_factory=list)
    #: Ids seen again unchanged (their ``last_seen`` moves).
    touched: list[str] = field(default_factory=list)


class StatefulRun:
    """One run on state. Use :meth:`run` for configured sources, :meth:`retry` for dead
    letters; the caller holds the state's lock (:class:`ingest.lock.StateLock`)."""

    def __init__(
        self,
        pipeline: Pipeline,
        ledger: Ledger,
        targets: Sequence[Target],
        *,
        on_error: ErrorHandler = _ignore,
        on_progress: ProgressHandler = _ignore,
        on_notice: NoticeHandler = _ignore,
        force: bool = False,
        checkpoint_every: int = CHECKPOINT_EVERY,
        config_file: Path | None = None,
    ) -> None:
        if not targets:
            raise UsageError("no targets: give -o TARGET or targets = [...] in the config")
        self.pipeline = pipeline
        self.ledger = ledger
        owner = ledger.state_id
        self.target_specs = [replace(t, incremental=True, owner=owner) for t in targets]
        # A source folder may hold the state and the targets (a config's "." or "notes/"
        # beside them): they are ours, never input.
        self._ours = our_files(ledger.path, self.target_specs, config_file)
        self.on_error = on_error
        self.on_progress = on_progress
        self.on_notice = on_notice
        self.force = force
        self.checkpoint_every = checkpoint_every
        self.summary = RunSummary()
        self._targets: list[_Target] = []
        self._pending = _Pending()
        self._run_id: int | None = None
        self._source_errors: list[str] = []
        self._source_articles = 0
        self._source_name = "?"
        self._named = False
        #: Sources that :meth:`retry` made to be read whole on the next run.
        self.refetched: set[str] = set()
        # Every id met in this run, delivered or unchanged: a second sighting (one entry
        # twice in a feed, one URL in two sources) is a duplicate, never an update, or the
        # two contents would take turns as new versions on every run.
        self._met = SeenItems()
        #: Raw items fetched in this run: one fetched again is a duplicate before any stage.
        self._fetched = SeenItems()

    # -- the two ways in --------------------------------------------------------------------

    def run(self, sources: Sequence[SourceConfig]) -> RunSummary:
        """Fetch each due source and deliver what is new or updated to every target."""
        for config in sources:
            self._check_settings(config)
        return self._session(lambda: self._sources(sources))

    def retry(
        self, letters: Iterable[DeadLetter], sources: Sequence[SourceConfig] = ()
    ) -> tuple[RunSummary, list[int]]:
        """Run dead letters again, each with its source's settings when ``sources`` has it;
        the ids of those that went through (now deleted)."""
        done: list[int] = []
        settings = {config.name: config.settings for config in sources}
        for config in sources:
            self._check_settings(config)
        self._session(lambda: done.extend(self._letters(letters, settings)), kind="retry")
        return self.summary, done

    def _check_settings(self, config: SourceConfig) -> None:
        """A source's settings are checked before anything is fetched."""
        try:
            with self.pipeline.configured(config.settings):
                pass
        except UsageError as exc:
            raise UsageError(f"source {config.name}: {exc}") from None

    # -- the session around either ------------------------------------------------------------

    def _session(self, work: Callable[[], object], kind: str = "run") -> RunSummary:
        started = time.perf_counter()
        self._open_targets()
        self._run_id = self.ledger.start_run(os.getpid(), kind)
        status = "failed"
        try:
            self._redeliver()
            work()
            self._checkpoint()
            status = "failed" if self.summary.failed else "ok"
        except KeyboardInterrupt:
            status = "interrupted"
            raise
        finally:
            for target in self._targets:
                if status in ("ok", "failed") and not target.failed:
                    try:
                        target.exporter.close()
                    except Exception as exc:
                        self._target_failed(target, exc)
                else:
                    target.exporter.abort()
            self._met.close()
            self._fetched.close()
            self.summary.seconds = time.perf_counter() - started
            self.ledger.end_run(self._run_id, status, self._counts())
        return self.summary

    def _counts(self) -> dict[str, int]:
        s = self.summary
        failures = s.sources_failed + s.items_failed + s.targets_failed
        return {
            "sources": s.sources,
            "articles": s.articles,
            "updates": s.updates,
            "unchanged": s.unchanged,
            "not_modified": s.not_modified,
            "failures": failures,
        }

    def _open_targets(self) -> None:
        try:
            for spec in self.target_specs:
                self._targets.append(self._open(spec))
            for target in self._targets:
                if target.failed:
                    continue
                notice = target.exporter.recover(self.ledger.checkpoint(target.label))
                if notice:
                    self.on_notice(notice)
                if not self.ledger.known_target(target.label):
                    # A first run must have a point to roll back to, too: without one, a
                    # kill before its first commit would leave its lines to be written again.
                    checkpoint = target.exporter.checkpoint()
                    self.ledger.commit(Batch(checkpoints={target.label: checkpoint}))
        except BaseException:
            for target in self._targets:
                target.exporter.abort()
            raise

    def _open(self, spec: Target) -> _Target:
        """The target's exporter; one that cannot be opened (a full or missing disk) fails
        alone: its articles wait in the ledger, the other targets go on."""
        try:
            exporter = self.pipeline.exporter(spec)
        except OSError as exc:
            unavailable = _Unavailable()
            unavailable.label = spec.label()
            target = _Target(unavailable, spec.label())
            self._target_failed(target, exc)
            return target
        if not exporter.incremental:
            exporter.abort()
            _refuse(spec)
        return _Target(exporter, spec.label())

    # -- sources ------------------------------------------------------------------------------

    def _sources(self, sources: Sequence[SourceConfig]) -> None:
        for config in sources:
            self._source(config)

    def _source(self, config: SourceConfig) -> None:
        state = self.ledger.source(config.name, config.spec, config.location, config.kind)
        self._source_name = config.name
        self._named = config.name != config.location
        self.summary.sources += 1
        moment = now()
        if not self.force and not state.due(moment):
            self.summary.not_due += 1
            return
        http = HttpState(state.etag, state.last_modified)
        failed_before = self.summary.sources_failed
        self._source_errors = []
        self._source_articles = 0
        spec = f"{config.kind}:{state.location}" if config.kind else state.location
        with self.pipeline.configured(config.settings):
            for found in self.pipeline.sources([spec]):
                if isinstance(found, Source) and self._ours(found.location):
                    continue
                self.summary.files += 1
                if isinstance(found, SourceError):
                    self.summary.sources_failed += 1
                    self._error(found)
                    continue
                source = replace(
                    found,
                    name=config.name,
                    options=config.options,
                    http=http if found.is_url else None,
                )
                if found.http is not None:  # fetched once to tell its kind: not again
                    http.prefetched = found.http.prefetched
                stamp = None if found.is_url or found.is_stdin else file_stamp(found.location)
                if (
                    stamp
                    and not self.force
                    and self.ledger.file_stamp(config.name, found.location) == stamp
                ):
                    self.summary.not_modified += 1  # a local file's 304
                    continue
                file_failed = self.summary.sources_failed
                for article in self.pipeline.items(
                    source, self.summary, self._error, self._keep, self._fetched
                ):
                    self._deliver(article, config.name)
                if stamp and self.summary.sources_failed == file_failed:
                    self._pending.batch.files.append((config.name, found.location, stamp))
        failed = self.summary.sources_failed > failed_before
        state.articles += self._source_articles
        error = self._source_errors[-1] if self._source_errors else "failed"
        for notice in settle(state, config, http, moment, error=error if failed else None):
            self.on_notice(notice)
        if http.not_modified and not failed:
            self.summary.not_modified += 1
        self._pending.batch.sources.append(state)
        self._checkpoint()

    def _error(self, exc: IngestError) -> None:
        self._source_errors.append(str(exc))
        if self._named:  # a configured [sources.NAME], not a LOCATION named by itself
            exc.source_name = self._source_name
        self.on_error(exc)

    def _keep(self, stage: str, plugin: str | None, exc: IngestError, raw: bytes | None) -> None:
        self.ledger.add_dead_letter(
            self._run_id, self._source_name, stage=stage, plugin=plugin, error=str(exc), item=raw
        )
        self.summary.dead_letters += 1

    # -- articles -----------------------------------------------------------------------------

    def _deliver(self, article: Article, source_name: str) -> None:
        """Export one processed article if it is new or changed."""
        pending = self._pending
        key = bytes.fromhex(article.id[:32])
        if self._met.get(key) is not None:
            self.summary.duplicates += 1
            return
        self._met.put(key, b"")
        seen = self.ledger.seen(article.id)
        if seen is not None and seen.content_hash == article.content_hash:
            self.summary.unchanged += 1
            pending.touched.append(article.id)
            if len(pending.touched) >= self.checkpoint_every:
                self._checkpoint()
            return
        if seen is not None:
            article.version = seen.version + 1
            if not any(r.kind == "update_of" for r in article.relations):
                article.relations.append(Relation("update_of", article.id))
            self.summary.updates += 1
        for target in self._targets:
            if target.failed:
                pending.batch.outbox.append((target.label, article.id, _line(article)))
                continue
            try:
                target.exporter.write(article)
            except Exception as exc:
                self._target_failed(target, exc)
                pending.batch.outbox.append((target.label, article.id, _line(article)))
        pending.batch.articles.append(
            (article.id, source_name, article.content_hash, article.version)
        )
        pending.articles.append(article)
        self.summary.articles += 1
        self._source_articles += 1
        self.on_progress(self.summary)
        if len(pending.articles) >= self.checkpoint_every:
            self._checkpoint()

    def _target_failed(self, target: _Target, exc: Exception) -> None:
        """Stop writing to ``target``; what the uncommitted batch gave it goes to its outbox."""
        if target.failed:
            return
        target.failed = True
        self.summary.targets_failed += 1
        detail = str(exc) if isinstance(exc, IngestError) else f"{type(exc).__name__}: {exc}"
        self.on_error(
            ExportError(target.label, f"{detail}; its articles wait in the ledger for next run")
        )
        batch = self._pending.batch
        batch.outbox.extend((target.label, a.id, _line(a)) for a in self._pending.articles)
        batch.checkpoints.pop(target.label, None)

    def _checkpoint(self) -> None:
        """Make every target durable, then commit the batch to the ledger."""
        pending = self._pending
        if not pending.batch and not pending.touched:
            return
        for target in self._targets:
            if target.failed:
                continue
            try:
                pending.batch.checkpoints[target.label] = target.exporter.checkpoint()
            except Exception as exc:
                self._target_failed(target, exc)
        self.ledger.commit(pending.batch)
        self.ledger.touch(pending.touched)
        self._pending = _Pending()

    # -- outboxes and dead letters ------------------------------------------------------------

    def _redeliver(self) -> None:
        """Deliver to each target what it missed in earlier runs, a chunk at a time."""
        for target in self._targets:
            if target.failed:
                continue
            for chunk in self.ledger.outbox(target.label):
                try:
                    for _, line in chunk:
                        target.exporter.write(from_json(orjson.loads(line)))
                    token = target.exporter.checkpoint()
                except Exception as exc:
                    self._target_failed(target, exc)
                    break
                batch = Batch(
                    checkpoints={target.label: token},
                    delivered=[(target.label, article_id) for article_id, _ in chunk],
                )
                self.ledger.commit(batch)
                self.summary.redelivered += len(chunk)

    def _letters(
        self, letters: Iterable[DeadLetter], settings: dict[str, Mapping[str, Any]]
    ) -> list[int]:
        """Run each dead letter again; the ids that went through."""
        done = []
        for letter in letters:
            self._source_name = letter.source
            if letter.stage == "fetch" or letter.item is None:
                # An item the fetch plugin could not read: reading its source again, whole
                # (no 304, no file stamp), is the retry; if it still fails, it comes back.
                if letter.source not in self.refetched and self.ledger.refetch(letter.source):
                    self.refetched.add(letter.source)
                done.append(letter.id)
                continue
            article = article_from_raw(letter.item)
            try:
                with self.pipeline.configured(settings.get(letter.source, {})):
                    self.pipeline.process(article, letter.plugin or "?", self.summary.stage_seconds)
            except Skip:  # a filter now leaves it out on purpose: settled
                self.summary.filtered += 1
                done.append(letter.id)
                continue
            except PluginHookError as exc:
                self.summary.items_failed += 1
                self.on_error(exc)
                self.ledger.add_dead_letter(
                    self._run_id,
                    letter.source,
                    stage=exc.stage,
                    plugin=exc.plugin,
                    error=str(exc),
                    item=letter.item,
                )
                continue
            self._deliver(article, letter.source)
            done.append(letter.id)
        self._checkpoint()
        self.ledger.remove_dead_letters(done)
        return done


class _Unavailable(Exporter):
    """Stands for a target that could not be opened; never written to."""

    incremental = True

    def write(self, article: Article) -> None:
        """Never called: the target is failed from the start."""
        raise ExportError(self.label, "not open")


def _refuse(target: Target) -> None:
    # Declared schemes were checked before the run (cli_state.check_exactly_once); this is
    # an exporter whose plugin declared it able to, and that then was not.
    raise UsageError(
        f"target {target.label()}: its exporter cannot append with checkpoints, so runs on "
        "state cannot deliver to it exactly once"
    )


def _line(article: Article) -> bytes:
    return dumps_bytes(article)
