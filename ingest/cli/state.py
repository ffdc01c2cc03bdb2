"""``ingest run -c``/``--state``: planning a run on state from the options and the config
file, and running it under the state's lock. :mod:`ingest.cli` builds the app; the commands
that read or mend a state are in :mod:`ingest.cli.ledger`.

The options are declared with the app; the config file, the ledger and the stateful run
are imported by the run on state that needs them, not by every command."""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pluggy
import typer

from ingest.cli.reporter import Reporter
from ingest.errors import IngestError, UsageError
from ingest.keep import Keep
from ingest.locations import NO_SUFFIXES, Target, TargetKind, parse_target, split_kind
from ingest.pipeline import Pipeline
from ingest.state.lock import LockTimeout, StateLock
from ingest.summary import RunSummary

if TYPE_CHECKING:
    from ingest.engine import PoolFactory
    from ingest.state.configfile import SourceConfig

#: Seconds ``ingest run`` waits for another run on the same state by default.
DEFAULT_LOCK_TIMEOUT = 10.0

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "-c",
        "--config",
        metavar="FILE",
        help="The sources, targets and settings of repeated runs (ingest.toml).",
    ),
]
StateOption = Annotated[
    Path | None,
    typer.Option(
        metavar="PATH",
        help="The ledger (SQLite) of repeated runs; default: the config's, beside it.",
    ),
]
LockTimeoutOption = Annotated[
    float,
    typer.Option(
        metavar="SECONDS",
        min=0,
        help="How long to wait for another run on the same state before giving up (exit 5).",
    ),
]


@dataclass(frozen=True, slots=True)
class StatePlan:
    """What a run on state will do, resolved from the options and the config file."""

    state: Path
    sources: list[SourceConfig]
    targets: list[Target]
    values: dict[str, Any]
    #: The config file, when there is one: never read as a source.
    config: Path | None = None
    #: Filters for every source (``--language``); a source's own replace them.
    keep: tuple[Keep, ...] = ()


def plan(
    config: Path | None,
    state: Path | None,
    *,
    locations: Sequence[str],
    outputs: Sequence[str],
    names: Sequence[str],
    values: dict[str, Any],
    kinds: Sequence[TargetKind] = (),
    suffixes: Mapping[str, str] = NO_SUFFIXES,
    kind: str | None = None,
    keep: Sequence[Keep] = (),
) -> StatePlan:
    """Resolve a run on state; a :class:`UsageError` for anything missing or contradictory,
    raised before the state, a target or anything else is created. ``kinds`` are the target
    schemes the plugins declare."""
    from ingest.state.configfile import load_config, resolve_target  # noqa: PLC0415

    project = load_config(config, suffixes) if config else None
    if project is not None and locations:
        raise UsageError(
            "give the sources in the config file or as LOCATIONs, not both "
            f"(LOCATIONs: {', '.join(locations)})"
        )
    if project is not None and kind is not None:
        raise UsageError("--kind applies to LOCATIONs; in the config, give kind = ... per source")
    if project is not None:
        sources = [project.source(name) for name in names] if names else project.sources
        if not sources:
            raise UsageError(f"{project.path}: no sources: add a [sources.NAME] table")
    else:
        if names:
            raise UsageError("--source needs a config file (-c ingest.toml)")
        sources = [_adhoc(spec, kind) for spec in locations]
        if not sources:
            raise UsageError("nothing to read: give LOCATIONs or -c ingest.toml")
    cwd = Path.cwd()
    target_specs = [resolve_target(t, cwd, suffixes) for t in outputs]
    target_specs = target_specs or (project.targets if project else [])
    if not target_specs:
        able = ", ".join(f"{k.scheme}:PATH" for k in kinds if k.exactly_once)
        raise UsageError(
            "no targets: a run on state writes to files or databases it can roll back, not to "
            f"stdout; give -o {able} (or targets = [...] in the config)"
        )
    state_path = state or (project.state if project else None)
    if state_path is None:
        raise UsageError("give --state PATH for the ledger, or -c ingest.toml")
    state_path = Path(os.path.normpath(cwd / state_path.expanduser()))
    check_targets(target_specs, state_path)
    merged = {**(project.settings if project else {}), **values}
    targets = [parse_target(t) for t in target_specs]
    for target in targets:
        check_exactly_once(target, kinds)
    config_file = project.path if project else None
    return StatePlan(state_path, sources, targets, merged, config_file, tuple(keep))


def check_targets(specs: Sequence[str], state: Path) -> None:
    """The same file twice would receive every article twice; the state is no target."""
    seen: set[str] = set()
    for spec in specs:
        location = parse_target(spec).location
        if location in seen:
            raise UsageError(f"target {spec}: given twice")
        seen.add(location)
        if location in (str(state), f"{state}.lock"):
            raise UsageError(f"target {spec}: is the state file itself; give it another name")
    if state.is_dir() or not state.name:
        raise UsageError(f"state {state}: is a directory, expected a file path")


def check_exactly_once(target: Target, kinds: Sequence[TargetKind]) -> None:
    """Refuse a target that cannot hold each article exactly once across runs and kills."""
    declared = {kind.scheme: kind for kind in kinds}
    able = ", ".join(f"{kind.scheme}:PATH" for kind in kinds if kind.exactly_once)
    if target.location == "-":
        raise UsageError(
            "a run on state cannot write to stdout: lines once printed cannot be taken back "
            f"after a kill, so each article could not be delivered exactly once; use {able}"
        )
    found = declared.get(target.scheme)
    if found is None:
        known = ", ".join(kind.scheme for kind in kinds)
        raise UsageError(
            f"target {target.label()}: no plugin writes targets of kind {target.scheme!r} "
            f"(known: {known})"
        )
    if not found.exactly_once:
        raise UsageError(
            f"target {target.label()}: cannot be appended to across runs, so runs on state "
            f"cannot deliver to it exactly once; use {able}"
        )


def _adhoc(spec: str, kind: str | None) -> SourceConfig:
    """A LOCATION of ``ingest run --state``, named by its absolute path (or URL), so that
    runs from other folders know it again."""
    from ingest.state.configfile import SourceConfig  # noqa: PLC0415

    prefix, location = split_kind(spec)
    if "://" not in location and location != "-":
        location = os.path.normpath(os.path.abspath(location))
    kind = prefix or kind
    return SourceConfig(name=location, location=location, kind=kind)


def run_on_state(
    pm: pluggy.PluginManager,
    run_plan: StatePlan,
    reporter: Reporter,
    *,
    lock_timeout: float,
    force: bool,
    pool: PoolFactory | None = None,
) -> RunSummary:
    """Run ``run_plan`` under the state's lock; what it did (``pool``: see
    :class:`~ingest.engine.Engine`).

    :raises LockTimeout: another run holds the state (exit code 5).
    """
    from ingest.state.ledger import BUSY_TIMEOUT, Ledger  # noqa: PLC0415
    from ingest.state.run import StatefulRun  # noqa: PLC0415

    try:
        with StateLock(run_plan.state, lock_timeout) as lock:
            if lock.previous_holder:
                reporter.notice(
                    f"took over the lock of a run that ended without releasing it "
                    f"({lock.previous_holder}); its uncommitted work is redone now"
                )
            ledger = Ledger(run_plan.state)
            try:
                ledger.reap_runs()
                run = StatefulRun(
                    Pipeline(pm, run_plan.values, run_plan.keep),
                    ledger,
                    run_plan.targets,
                    on_error=reporter.error,
                    on_progress=reporter.update,
                    on_notice=reporter.notice,
                    force=force,
                    config_file=run_plan.config,
                    pool=pool,
                )
                return run.run(run_plan.sources)
            finally:
                ledger.close()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc):
            raise LockTimeout(
                f"state {run_plan.state}: locked by another program for more than "
                f"{BUSY_TIMEOUT:g} s ({exc})"
            ) from None
        raise IngestError(f"state {run_plan.state}: {exc}") from exc
    except sqlite3.Error as exc:
        raise IngestError(f"state {run_plan.state}: {exc}") from exc


def finish(reporter: Reporter, summary: RunSummary, *, verbose: bool, quiet: bool) -> None:
    """The summary line of a run on state, when it is wanted."""
    # Quiet by default for cron, which mails whatever a job prints: the summary shows when
    # asked for, when something failed (the error lines came before it), or on a terminal.
    loud = verbose or summary.failed or sys.stderr.isatty() or reporter.json
    reporter.finish(summary, quiet=quiet or not loud)
