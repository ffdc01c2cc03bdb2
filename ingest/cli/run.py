"""``ingest run``: its options, and the two ways it goes (one-off, or on state)."""

from __future__ import annotations

import enum
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import pluggy
import typer

from ingest.cli.exits import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_LOCKED, EXIT_OK, EXIT_USAGE
from ingest.cli.reporter import Reporter
from ingest.cli.state import (
    DEFAULT_LOCK_TIMEOUT,
    ConfigOption,
    LockTimeoutOption,
    StateOption,
    finish,
    plan,
    run_on_state,
)
from ingest.config import parse_assignments
from ingest.engine import PoolFactory, run_once
from ingest.errors import UsageError
from ingest.keep import Keep
from ingest.locations import parse_target
from ingest.parallel import pool_factory
from ingest.pipeline import Pipeline
from ingest.state.lock import LockTimeout


class LogFormat(enum.StrEnum):
    """``--log-format``."""

    text = "text"
    json = "json"


# Described in the docstring: typer would print its Python type beside it.
LocationsArgument = Annotated[list[str] | None, typer.Argument(metavar="LOCATION", hidden=True)]
OutputOption = Annotated[
    list[str] | None,
    typer.Option(
        "-o",
        "--output",
        metavar="TARGET",
        help="Where articles go (repeatable): - (stdout, the default), out.jsonl, "
        "SCHEME:PATH; the schemes are listed below.",
    ),
]
KindOption = Annotated[
    str | None, typer.Option(metavar="KIND", help="Read every location as this kind.")
]
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "-s", "--set", metavar="KEY=VALUE", help="Set a plugin setting: KEY=VALUE (repeatable)."
    ),
]
LanguageOption = Annotated[
    str | None,
    typer.Option(
        metavar="CODES",
        help="Keep only articles in these languages (de,fr); the others are dropped "
        "before the costlier tag plugins run.",
    ),
]
QuietOption = Annotated[bool, typer.Option("-q", "--quiet", help="No summary line, no progress.")]
SourceOption = Annotated[
    list[str] | None,
    typer.Option(
        "--source", metavar="NAME", help="Run only this source of the config (repeatable)."
    ),
]
ForceOption = Annotated[
    bool,
    typer.Option("--force", help="Fetch every source now, whatever its interval or backoff."),
]
LogFormatOption = Annotated[
    LogFormat, typer.Option(help="Errors and the summary as text lines or JSON lines.")
]
IgnoreRobotsOption = Annotated[
    bool,
    typer.Option(
        "--ignore-robots",
        help="Fetch pages whatever the sites' robots.txt say (sets http.robots=false).",
    ),
]
FullTextOption = Annotated[
    bool,
    typer.Option(
        "--full-text",
        help="Complete each feed entry from the page it links to (sets html.full_text=true).",
    ),
]
SinceOption = Annotated[
    str | None,
    typer.Option(
        metavar="DATE",
        help="Sitemaps: only the pages listed as changed or published on or after DATE "
        "(sets sitemap.since).",
    ),
]
WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers",
        "-w",
        metavar="N",
        help="Read inputs in N processes (default: one per available core, or 1 with --debug; "
        "1: this process alone). Output is the same, in the same order.",
    ),
]
ExecutorOption = Annotated[
    str,
    typer.Option(
        metavar="EXECUTOR",
        help="Where the workers run: local (processes here), dask (a local Dask cluster) or "
        "dask://HOST:PORT (a running scheduler); Dask needs pip install 'ingest[dask]'.",
    ),
]
VerboseOption = Annotated[
    bool, typer.Option("-v", "--verbose", help="Print the summary even when nothing failed.")
]


@dataclass(frozen=True, slots=True)
class RunRequest:
    """What ``ingest run`` was asked to do, as given on the command line."""

    locations: list[str]
    outputs: list[str]
    kind: str | None
    assignments: list[str]
    language: str | None
    quiet: bool
    config: Path | None
    sources: list[str]
    state: Path | None
    lock_timeout: float
    force: bool
    verbose: bool
    ignore_robots: bool = False
    full_text: bool = False
    since: str | None = None
    workers: int | None = None
    executor: str = "local"

    @property
    def stateful(self) -> bool:
        """A run on state: with ``-c`` or ``--state``."""
        return self.config is not None or self.state is not None


def add_run(app: typer.Typer, pm: pluggy.PluginManager, *, debug: bool) -> None:
    """Add ``ingest run`` to ``app``; its help lists the kinds and targets of ``pm``."""

    @app.command(epilog=kinds_epilog(Pipeline(pm)))
    def run(  # noqa: PLR0917 - typer maps each parameter to an option
        locations: LocationsArgument = None,
        output: OutputOption = None,
        kind: KindOption = None,
        set_: SetOption = None,
        language: LanguageOption = None,
        quiet: QuietOption = False,
        config: ConfigOption = None,
        source: SourceOption = None,
        state: StateOption = None,
        lock_timeout: LockTimeoutOption = DEFAULT_LOCK_TIMEOUT,
        force: ForceOption = False,
        log_format: LogFormatOption = LogFormat.text,
        verbose: VerboseOption = False,
        ignore_robots: IgnoreRobotsOption = False,
        full_text: FullTextOption = False,
        since: SinceOption = None,
        workers: WorkersOption = None,
        executor: ExecutorOption = "local",
    ) -> None:
        """Read each LOCATION (or the sources of -c ingest.toml), normalize every item, and
        export article JSON.

        A LOCATION is a file, a directory (read recursively), - for stdin, or a URL; its
        kind is told from its name and content, or given as KIND:LOCATION or --kind.

        With -c or --state the run is incremental: only new and changed articles are
        exported, each exactly once per target, and nothing is printed unless something
        failed (or -v)."""
        if debug and workers is None:
            workers = 1  # tracebacks are whole in one process only
        request = RunRequest(
            *(locations or [], output or [], kind, set_ or [], language, quiet, config),
            *(source or [], state, lock_timeout, force, verbose, ignore_robots, full_text),
            since,
            workers,
            executor,
        )
        reporter = Reporter(
            progress=sys.stderr.isatty() and not quiet, debug=debug, log_format=log_format.value
        )
        raise typer.Exit(execute(pm, request, reporter))


def execute(pm: pluggy.PluginManager, request: RunRequest, reporter: Reporter) -> int:
    """Carry out ``request``; the exit code. Errors are reported through ``reporter``."""
    if not request.locations and not request.stateful:
        reporter.error(UsageError("nothing to read: give one or more LOCATIONs (- for stdin)"))
        return EXIT_USAGE
    try:
        values: dict[str, Any] = {**parse_assignments(request.assignments)}
        if request.ignore_robots:
            _ignore_robots(pm, values, reporter)
        if request.full_text:
            _set_by_flag(pm, values, "--full-text", "html.full_text", True)
        if request.since is not None:
            _set_by_flag(pm, values, "--since", "sitemap.since", request.since)
        keep = [Keep.languages(request.language)] if request.language is not None else []
        pipeline = Pipeline(pm, values, keep)
        pool = pool_factory(request.workers, request.executor)
        if request.stateful:
            return _on_state(pm, pipeline, request, values, reporter, pool=pool)
        return _once(pipeline, request, reporter, pool)
    except UsageError as exc:
        reporter.error(exc)
        return EXIT_USAGE


def _set_by_flag(
    pm: pluggy.PluginManager, values: dict[str, Any], flag: str, name: str, value: object
) -> None:
    """A flag that stands for a plugin's setting: the setting, over ``--set``."""
    plugin = name.split(".", 1)[0]
    if pm.is_blocked(plugin):
        raise UsageError(
            f"{flag} sets {name}, a setting of the {plugin} plugin, which is disabled "
            "(--no-plugin or INGEST_DISABLE_PLUGINS): enable it or drop the flag"
        )
    values[name] = value


def _ignore_robots(pm: pluggy.PluginManager, values: dict[str, Any], reporter: Reporter) -> None:
    """``--ignore-robots``: ``http.robots`` off for the run (over ``--set``), and a warning."""
    _set_by_flag(pm, values, "--ignore-robots", "http.robots", False)
    reporter.notice(
        "robots.txt ignored: pages are fetched whatever the sites allow (--ignore-robots); "
        "the per-host delay still applies"
    )


def _once(
    pipeline: Pipeline, request: RunRequest, reporter: Reporter, pool: PoolFactory | None
) -> int:
    suffixes = pipeline.target_suffixes()
    targets = [parse_target(spec, suffixes) for spec in request.outputs or ["-"]]
    try:
        summary = run_once(
            pipeline,
            request.locations,
            targets,
            kind=request.kind,
            on_error=reporter.error,
            on_progress=reporter.update,
            on_notice=reporter.notice,
            pool=pool,
        )
    except KeyboardInterrupt:
        reporter.interrupted()
        return EXIT_INTERRUPTED
    reporter.finish(summary, quiet=request.quiet)
    return EXIT_FAILED if summary.failed else EXIT_OK


def _on_state(
    pm: pluggy.PluginManager,
    pipeline: Pipeline,
    request: RunRequest,
    values: dict[str, Any],
    reporter: Reporter,
    *,
    pool: PoolFactory | None,
) -> int:
    run_plan = plan(
        request.config,
        request.state,
        locations=request.locations,
        outputs=request.outputs,
        names=request.sources,
        values=values,
        kinds=pipeline.target_kinds(),
        suffixes=pipeline.target_suffixes(),
        kind=request.kind,
        keep=pipeline.keep,
    )
    try:
        summary = run_on_state(
            pm,
            run_plan,
            reporter,
            lock_timeout=request.lock_timeout,
            force=request.force,
            pool=pool,
        )
    except LockTimeout as exc:
        reporter.error(exc)
        return EXIT_LOCKED
    except KeyboardInterrupt:
        reporter.notice("interrupted; what was committed stays, the rest is redone next run")
        return EXIT_INTERRUPTED
    finish(reporter, summary, verbose=request.verbose, quiet=request.quiet)
    return EXIT_FAILED if summary.failed else EXIT_OK


def kinds_epilog(pipeline: Pipeline) -> str:
    """The source kinds and target schemes the loaded plugins declare, for ``run --help``."""
    # \b keeps click from rewrapping the lines of a paragraph into one.
    lines = ["\b", "Source kinds (KIND:LOCATION, --kind):"]
    lines += [f"  {kind.name:<10} {kind.help}" for kind in pipeline.source_kinds()]
    lines += ["", "\b", "Targets (-o SCHEME:PATH; * = fit for runs on state):"]
    lines += [
        f"  {kind.scheme + ('*' if kind.exactly_once else ''):<10} {kind.help}"
        for kind in pipeline.target_kinds()
    ]
    return "\n".join(lines)
