"""Runs on state: the repeated, incremental, exactly-once runs that cron makes.

:class:`StatefulRun` runs the same :class:`~ingest.engine.Engine` loop as a one-off run,
with a :class:`LedgerKeeper` that remembers in a :class:`~ingest.state.ledger.Ledger`:

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
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import orjson

from ingest.articlejson import dumps_bytes, from_json
from ingest.errors import IngestError
from ingest.http import HttpState
from ingest.keeper import Keeper, NoticeHandler, RunSource, Verdict
from ingest.locations import Source
from ingest.model import Article, Relation
from ingest.outlets import Outlets
from ingest.seen import SeenItems
from ingest.state.configfile import SourceConfig
from ingest.state.files import OurFiles, file_stamp
from ingest.state.ledger import Ledger
from ingest.state.records import Batch, SourceState, now
from ingest.state.schedule import settle
from ingest.summary import DeadLetterHandler, RunSummary

#: Articles between two checkpoints: the most a killed run makes the next one redo.
CHECKPOINT_EVERY = 500


@dataclass(slots=True)
class _Pending:
    """What the next checkpoint commits."""

    batch: Batch = field(default_factory=Batch)
    #: The articles of the batch, for the outbox of a target that fails before committing.
    articles: list[Article] = field(default_factory=list)
    #: Ids seen again unchanged (their ``last_seen`` moves).
    touched: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Visit:
    """One configured source being read."""

    config: SourceConfig
    state: SourceState
    http: HttpState
    moment: datetime
    failed_before: int
    articles: int = 0


class LedgerKeeper(Keeper):
    """The memory of runs on state: due times, validators and file stamps per source; every
    article's id, content hash and version; each target's checkpoint and outbox; dead
    letters. The caller holds the state's lock."""

    incremental = True

    def __init__(
        self,
        ledger: Ledger,
        sources: Sequence[SourceConfig],
        *,
        force: bool = False,
        config_file: Path | None = None,
        kind: str = "run",
    ) -> None:
        super().__init__()
        self.ledger = ledger
        self.owner = ledger.state_id
        self.configs = {config.name: config for config in sources}
        self.force = force
        self.kind = kind
        # A source folder may hold the state and the targets (a config's "." or "notes/"
        # beside them): they are ours, never input.
        self._ours = OurFiles(ledger.path, config_file)
        self.summary = RunSummary()
        self.outlets: Outlets | None = None
        self.run_id: int | None = None
        self.source_name = "?"
        # Visited and not yet done, oldest first: the run delivers the oldest while it
        # prepares the inputs of the newest (--workers reads ahead).
        self._visits: deque[_Visit] = deque()
        self._pending = _Pending()
        # Every id met in this run, delivered or unchanged: a second sighting (one entry
        # twice in a feed, one URL in two sources) is a duplicate, never an update, or the
        # two contents would take turns as new versions on every run.
        self._met = SeenItems()

    # -- the run ------------------------------------------------------------------------------

    def opened(self, outlets: Outlets, notice: NoticeHandler) -> None:
        """Roll each target back to its last checkpoint, start the run in the ledger, and
        deliver first what targets missed in earlier runs."""
        self.outlets = outlets
        self.summary = outlets.summary
        for _, exporter in outlets.live():
            self._ours.add(exporter.owned())
        for _, exporter in list(outlets.live()):
            message = exporter.recover(self.ledger.checkpoint(exporter.label))
            if message:
                notice(message)
            if not self.ledger.known_target(exporter.label):
                # A first run must have a point to roll back to, too: without one, a kill
                # before its first commit would leave its lines to be written again.
                checkpoint = exporter.checkpoint()
                self.ledger.commit(Batch(checkpoints={exporter.label: checkpoint}))
        self.run_id = self.ledger.start_run(os.getpid(), self.kind)
        self._redeliver(outlets)

    def _redeliver(self, outlets: Outlets) -> None:
        """Deliver to each target what it missed in earlier runs, a chunk at a time."""
        for index, exporter in list(outlets.live()):
            for chunk in self.ledger.outbox(exporter.label):
                try:
                    for _, line in chunk:
                        exporter.write(from_json(orjson.loads(line)))
                    token = exporter.checkpoint()
                except Exception as exc:
                    outlets.fail(index, exc)
                    break
                batch = Batch(
                    checkpoints={exporter.label: token},
                    delivered=[(exporter.label, article_id) for article_id, _ in chunk],
                )
                self.ledger.commit(batch)
                self.summary.redelivered += len(chunk)

    def close(self, status: str) -> None:
        """Record the run's end and its counts."""
        super().close(status)
        self._met.close()
        if self.run_id is not None:
            self.ledger.end_run(self.run_id, status, _counts(self.summary))

    # -- sources ------------------------------------------------------------------------------

    def visit(self, source: RunSource, summary: RunSummary) -> RunSource | None:
        """The source where the ledger says it lives now (a permanent redirect moves it);
        None when its interval or backoff is not over (``--force`` reads it all the same)."""
        config = self.configs[source.name]
        state = self.ledger.source(config.name, config.spec, config.location, config.kind)
        summary.sources += 1
        moment = now()
        if not self.force and not state.due(moment):
            summary.not_due += 1
            return None
        http = HttpState(state.etag, state.last_modified)
        self._visits.append(_Visit(config, state, http, moment, summary.sources_failed))
        return replace(source, spec=_spec(config, state))

    def begun(self, summary: RunSummary) -> None:
        """Failures from now on are the oldest visit's; so are its articles and letters."""
        visit = self._current()
        visit.failed_before = summary.sources_failed
        self.source_name = visit.config.name

    def lookahead(self, source: RunSource) -> tuple[str, str | None, str | None] | None:
        """Where ``source`` will be read and its stored validators; None when not due."""
        config = self.configs[source.name]
        state = self.ledger.source(config.name, config.spec, config.location, config.kind)
        if not self.force and not state.due(now()):
            return None
        return _spec(config, state), state.etag, state.last_modified

    def ours(self, found: Source) -> bool:
        """The state, its lock and journals, the targets, the config file."""
        return self._ours(found.location)

    def count_input(self, summary: RunSummary) -> None:
        """A source is the configured one; its files and URLs are counted apart."""
        summary.files += 1

    def prepare(self, found: Source, summary: RunSummary) -> Source | None:
        """With the source's name, options and HTTP validators; None for a local file with
        the size, time and inode of its last complete read (a local 304)."""
        visit = self._newest()
        config = visit.config
        if found.http is not None:  # fetched once to tell its kind: not again
            visit.http.prefetched = found.http.prefetched
        source = replace(
            found,
            name=config.name,
            options=config.options,
            http=visit.http if found.is_url else None,
        )
        if not self.force and not (found.is_url or found.is_stdin):
            stamp = file_stamp(found.location)
            if stamp and self.ledger.file_stamp(config.name, found.location) == stamp:
                summary.not_modified += 1
                return None
        return source

    def input_done(self, found: Source, *, failed: bool) -> None:
        """A local file read whole, without error, is not read again until it changes."""
        visit = self._current()
        if failed or found.is_url or found.is_stdin:
            return
        stamp = file_stamp(found.location)
        if stamp:
            self._pending.batch.files.append((visit.config.name, found.location, stamp))

    def visit_done(self, errors: list[str], notice: NoticeHandler) -> None:
        """Settle the source's schedule: its next fetch, backoff, validators, moves."""
        visit = self._current()
        failed = self.summary.sources_failed > visit.failed_before
        visit.state.articles += visit.articles
        error = errors[-1] if errors and failed else ("failed" if failed else None)
        for message in settle(visit.state, visit.config, visit.http, visit.moment, error=error):
            notice(message)
        if visit.http.not_modified and not failed:
            self.summary.not_modified += 1
        self._pending.batch.sources.append(visit.state)
        self._visits.popleft()

    def _current(self) -> _Visit:
        """The oldest visit not done: the one being delivered."""
        if not self._visits:
            raise RuntimeError("no source is being read")
        return self._visits[0]

    def _newest(self) -> _Visit:
        """The visit whose inputs are being prepared."""
        if not self._visits:
            raise RuntimeError("no source is being read")
        return self._visits[-1]

    def name(self) -> str | None:
        """The configured name errors are told under (None for a bare LOCATION)."""
        visit = self._visits[0] if self._visits else None
        if visit is not None and visit.config.name != visit.config.location:
            return visit.config.name
        return None

    # -- articles -----------------------------------------------------------------------------

    def judge(self, article: Article) -> Verdict:
        """Duplicate when met before in this run; unchanged when the ledger has it with this
        content; an update (one version up, ``update_of``) when with other content."""
        key = bytes.fromhex(article.id[:32])
        if self._met.get(key) is not None:
            return Verdict.DUPLICATE
        self._met.put(key, b"")
        seen = self.ledger.seen(article.id)
        if seen is None:
            return Verdict.NEW
        if seen.content_hash == article.remembered_hash:
            return Verdict.UNCHANGED
        article.version = seen.version + 1
        if not any(r.kind == "update_of" for r in article.relations):
            article.relations.append(Relation("update_of", article.id))
        return Verdict.UPDATE

    def known(self, article_id: str, stated_hash: str) -> bool:
        """Met in this run (a duplicate), or in the ledger with this stated hash."""
        if self._met.get(bytes.fromhex(article_id[:32])) is not None:
            return True
        seen = self.ledger.seen(article_id)
        return seen is not None and seen.content_hash == stated_hash

    def unchanged(self, article: Article) -> int:
        """Its ``last_seen`` moves at the next checkpoint."""
        self._pending.touched.append(article.id)
        return len(self._pending.touched)

    def missed(self, label: str, article: Article) -> None:
        """The failed target gets it from its outbox, next run."""
        self._pending.batch.outbox.append((label, article.id, dumps_bytes(article)))

    def delivered(self, article: Article) -> int:
        """Recorded at the next checkpoint; how many wait for it."""
        name = self.source_name
        if self._visits:
            self._visits[0].articles += 1
        pending = self._pending
        remembered = article.remembered_hash
        pending.batch.articles.append((article.id, name, remembered, article.version))
        pending.articles.append(article)
        return len(pending.articles)

    def target_failed(self, label: str) -> None:
        """What the uncommitted batch gave the target goes to its outbox."""
        batch = self._pending.batch
        batch.outbox.extend((label, a.id, dumps_bytes(a)) for a in self._pending.articles)
        batch.checkpoints.pop(label, None)

    def checkpoint(self, outlets: Outlets) -> None:
        """Make every target durable, then commit the batch to the ledger."""
        pending = self._pending
        if not pending.batch and not pending.touched:
            return
        pending.batch.checkpoints.update(outlets.checkpoint())
        self.ledger.commit(pending.batch)
        self.ledger.touch(pending.touched)
        self._pending = _Pending()

    def dead_letters(self) -> DeadLetterHandler:
        """Failed items are kept with their raw form, for ``ingest dead-letters retry``."""
        return self.keep

    def keep(self, stage: str, plugin: str | None, exc: IngestError, raw: bytes | None) -> None:
        """Keep one failed item as a dead letter of the current source."""
        self.ledger.add_dead_letter(
            self.run_id, self.source_name, stage=stage, plugin=plugin, error=str(exc), item=raw
        )
        self.summary.dead_letters += 1


def _counts(summary: RunSummary) -> dict[str, int]:
    failures = summary.sources_failed + summary.items_failed + summary.targets_failed
    return {
        "sources": summary.sources,
        "articles": summary.articles,
        "updates": summary.updates,
        "unchanged": summary.unchanged,
        "not_modified": summary.not_modified,
        "failures": failures,
    }


def _spec(config: SourceConfig, state: SourceState) -> str:
    """What a source is read as: its kind, at the location the ledger has for it."""
    return f"{config.kind}:{state.location}" if config.kind else state.location
