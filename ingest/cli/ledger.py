"""The commands that read or mend a state: ``ingest status`` and ``ingest dead-letters
list|retry|purge``. Runs themselves are in :mod:`ingest.cli.state`.

Only the commands and their options are declared here; their work is in
:mod:`ingest.cli.ledger_ops`, imported when one of them runs, so that building the app
(for ``ingest run`` and the rest) does not load the ledger.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

import pluggy
import typer

from ingest.cli.exits import EXIT_USAGE
from ingest.cli.state import DEFAULT_LOCK_TIMEOUT, ConfigOption, LockTimeoutOption, StateOption
from ingest.pipeline import Pipeline


def add_ledger_commands(app: typer.Typer, pm: pluggy.PluginManager) -> None:
    """Add ``status`` and ``dead-letters`` to ``app``."""
    suffixes = Pipeline(pm).target_suffixes()
    _add_status(app, suffixes)
    _add_dead_letters(app, pm, suffixes)


def _add_status(app: typer.Typer, suffixes: Mapping[str, str]) -> None:

    @app.command()
    def status(
        config: ConfigOption = None,
        state: StateOption = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Show each source of a state: last success, failures, next fetch, articles.

        Exits 1 when a source is failing, items wait as dead letters, or articles wait for a
        failed target, so that monitoring can run it as a check."""
        from ingest.cli import ledger_ops  # noqa: PLC0415 - see the module docstring

        raise typer.Exit(ledger_ops.show_status(config, state, suffixes, as_json=as_json))


def _add_dead_letters(
    app: typer.Typer, pm: pluggy.PluginManager, suffixes: Mapping[str, str]
) -> None:
    letters_app = typer.Typer(
        help="Items a stage failed on, kept with their raw form: list, retry, purge.",
        no_args_is_help=True,
    )
    app.add_typer(letters_app, name="dead-letters")
    _add_list(letters_app, suffixes)
    _add_retry(letters_app, pm, suffixes)
    _add_purge(letters_app, suffixes)


def _add_list(letters_app: typer.Typer, suffixes: Mapping[str, str]) -> None:
    @letters_app.command("list")
    def list_letters(
        config: ConfigOption = None,
        state: StateOption = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
    ) -> None:
        """List the dead letters: id, when, source, stage, plugin, error."""
        from ingest.cli import ledger_ops  # noqa: PLC0415 - see the module docstring

        ledger_ops.list_letters(config, state, suffixes, as_json=as_json)


def _add_retry(
    letters_app: typer.Typer, pm: pluggy.PluginManager, suffixes: Mapping[str, str]
) -> None:
    @letters_app.command("retry")
    def retry_letters(  # noqa: PLR0917 - typer maps each parameter to an option
        ids: Annotated[list[int] | None, typer.Argument(metavar="ID", hidden=True)] = None,
        every: Annotated[bool, typer.Option("--all", help="Retry every dead letter.")] = False,
        config: ConfigOption = None,
        state: StateOption = None,
        output: Annotated[
            list[str] | None,
            typer.Option("-o", "--output", metavar="TARGET", help="Targets (default: config's)."),
        ] = None,
        lock_timeout: LockTimeoutOption = DEFAULT_LOCK_TIMEOUT,
    ) -> None:
        """Run the dead letters ID... (or --all) through the stages again and deliver what
        now goes through.

        A letter from the fetch stage makes its source due again, for the next run."""
        if not ids and not every:
            typer.echo("error: give dead letter IDs or --all", err=True)
            raise typer.Exit(EXIT_USAGE)
        from ingest.cli import ledger_ops  # noqa: PLC0415 - see the module docstring

        code = ledger_ops.retry_letters(
            pm,
            None if every else ids,
            config=config,
            state=state,
            output=output or [],
            suffixes=suffixes,
            lock_timeout=lock_timeout,
        )
        raise typer.Exit(code)


def _add_purge(letters_app: typer.Typer, suffixes: Mapping[str, str]) -> None:
    @letters_app.command("purge")
    def purge_letters(
        ids: Annotated[list[int] | None, typer.Argument(metavar="ID", hidden=True)] = None,
        every: Annotated[bool, typer.Option("--all", help="Delete every dead letter.")] = False,
        older_than: Annotated[
            str | None,
            typer.Option(metavar="DURATION", help="Only those older than this (7d, 12h)."),
        ] = None,
        config: ConfigOption = None,
        state: StateOption = None,
    ) -> None:
        """Delete the dead letters ID... (or --all, or those --older-than) for good."""
        if not ids and not every and older_than is None:
            typer.echo("error: give dead letter IDs, --all or --older-than", err=True)
            raise typer.Exit(EXIT_USAGE)
        from ingest.cli import ledger_ops  # noqa: PLC0415 - see the module docstring

        raise typer.Exit(ledger_ops.purge_letters(ids, older_than, config, state, suffixes))
