"""The ``ingest`` command line: :func:`build_app` makes the typer app for one plugin manager,
:func:`main` builds both and runs (the console script, :func:`ingest.cli.main`, answers
``--version`` before it imports this module). Commands stay thin: ``run`` is in
:mod:`ingest.cli.run`, ``status`` and ``dead-letters`` in :mod:`ingest.cli.ledger`; exit
codes are in :mod:`ingest.cli.exits`.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import pluggy
import typer
import typer.exceptions

from ingest.cli.exits import (
    EXIT_FAILED,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PIPE,
    EXIT_USAGE,
)
from ingest.cli.ledger import add_ledger_commands
from ingest.cli.reporter import Reporter
from ingest.cli.run import add_run, kinds_epilog
from ingest.cli.version import VALUED_OPTIONS, version_line
from ingest.errors import IngestError, OutputClosed, PluginLoadError, UsageError, inert
from ingest.manager import DISABLE_ENV, describe_plugins, get_plugin_manager
from ingest.pipeline import Pipeline

if TYPE_CHECKING:
    from ingest.schema import Tally


@dataclass
class GlobalOptions:
    """Options that must be known before the app is built (they decide which plugins load)."""

    modules: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    debug: bool = False


def _stderr(message: str) -> None:
    print(inert(message), file=sys.stderr)


def _usage(exc: UsageError, reporter: Reporter | None = None) -> typer.Exit:
    if reporter is not None:
        reporter.error(exc)  # as a JSON line under --log-format json
    else:
        _stderr(f"error: {exc}")
    return typer.Exit(EXIT_USAGE)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(version_line())
        raise typer.Exit(EXIT_OK)


def build_app(pm: pluggy.PluginManager, options: GlobalOptions | None = None) -> typer.Typer:
    """The typer app for ``pm``: built-in commands plus those plugins register."""
    opts = options or GlobalOptions()
    app = typer.Typer(
        name="ingest",
        help="Ingest news from text, feeds, posts and pages into normalized article JSON.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        add_completion=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    @app.callback()
    def root(
        plugin: Annotated[
            list[str] | None,
            typer.Option(
                "-p",
                "--plugin",
                metavar="MODULE",
                help="Load a plugin module by import path (repeatable).",
            ),
        ] = None,
        no_plugin: Annotated[
            list[str] | None,
            typer.Option(
                metavar="NAME", help=f"Do not load this plugin (repeatable; also ${DISABLE_ENV})."
            ),
        ] = None,
        debug: Annotated[
            bool, typer.Option("--debug", help="Show tracebacks with errors.")
        ] = False,
        version: Annotated[
            bool,
            typer.Option(
                "--version", is_eager=True, callback=_print_version, help="Print the version."
            ),
        ] = False,
    ) -> None:
        # -p, --no-plugin and --debug were read by main() before the app was built.
        return

    add_run(app, pm, debug=opts.debug)
    _add_info_commands(app, pm)
    add_ledger_commands(app, pm)
    pm.hook.ingest_register_commands(app=app)
    return app


def _add_info_commands(app: typer.Typer, pm: pluggy.PluginManager) -> None:
    @app.command()
    def plugins(
        as_json: Annotated[
            bool, typer.Option("--json", help="Print JSON instead of a table.")
        ] = False,
    ) -> None:
        """List the plugins (name, version, built-in or not, the hooks each implements), the
        source kinds and targets they declare, and their settings."""
        infos = describe_plugins(pm)
        if as_json:
            typer.echo(json.dumps([asdict(info) for info in infos], indent=2))
            return
        width = max((len(i.name) for i in infos), default=4)
        for info in infos:
            origin = "built-in" if info.builtin else "third-party"
            hooks = ", ".join(h.removeprefix("ingest_") for h in info.hooks)
            typer.echo(f"{info.name:<{width}}  {info.version or '-':<8}  {origin:<11}  {hooks}")
        pipeline = Pipeline(pm)
        typer.echo("\n" + kinds_epilog(pipeline).replace("\b\n", ""))
        settings = list(pipeline.settings)
        if settings:
            typer.echo("\nSettings (ingest run --set KEY=VALUE):")
            for setting in settings:
                typer.echo(f"  {setting.name} = {setting.default!r}  {setting.help}")

    @app.command()
    def schema() -> None:
        """Print the JSON Schema (draft 2020-12) of the article record."""
        from ingest.schema import ARTICLE_SCHEMA  # noqa: PLC0415 - loaded by its commands

        typer.echo(json.dumps(ARTICLE_SCHEMA, indent=2, ensure_ascii=False))

    @app.command()
    def validate(
        files: Annotated[
            list[str],
            typer.Argument(metavar="FILE", hidden=True),
        ],
    ) -> None:
        """Check each FILE (JSON Lines, or a JSON array; - for stdin) against the article
        schema: each problem as FILE:LINE: message, then how many records were valid."""
        from ingest.schema import Tally  # noqa: PLC0415 - loaded by its commands

        tally = Tally()
        bad = sum(_validate_file(name, tally) for name in files)
        summary = (
            f"{tally.valid:,} of {tally.records:,} record{'s' if tally.records != 1 else ''} valid"
        )
        if bad:
            summary += f", {bad} problem{'s' if bad != 1 else ''}"
        _stderr(f"ingest validate: {summary}")
        raise typer.Exit(EXIT_FAILED if bad else EXIT_OK)


def _validate_file(name: str, tally: Tally) -> int:
    """Print each problem of one JSON Lines file (or JSON array: ``json:`` output); return
    how many there were. ``tally`` counts the records and the valid ones."""
    from ingest.schema import validate_array, validate_lines  # noqa: PLC0415

    bad = 0
    try:
        with sys.stdin.buffer if name == "-" else Path(name).open("rb") as raw:
            buffered = cast(io.BufferedReader, raw)  # stdin's buffer and open("rb") both are
            if buffered.peek(64).lstrip()[:1] == b"[":
                for problem in validate_array(buffered, tally):
                    typer.echo(f"{name}[{problem.line}]: {problem.message}")
                    bad += 1
                return bad
            stream = io.TextIOWrapper(buffered, encoding="utf-8")
            for problem in validate_lines(stream, tally):
                typer.echo(f"{name}:{problem.line}: {problem.message}")
                bad += 1
    except OSError as exc:
        _stderr(f"error: {name}: {exc.strerror or exc}")
        return bad + 1
    except UnicodeDecodeError as exc:
        _stderr(f"error: {name}: not UTF-8 text ({exc.reason} at byte {exc.start})")
        return bad + 1
    return bad


def preparse(args: list[str]) -> GlobalOptions:
    """Read the options that choose plugins, which must be known before the app exists."""
    opts = GlobalOptions()
    it = iter(args)
    for arg in it:
        if arg in VALUED_OPTIONS:
            value = next(it, None)
            if value is not None:
                (opts.blocked if arg == "--no-plugin" else opts.modules).append(value)
        elif arg.startswith(("--plugin=", "--no-plugin=")):
            name, value = arg.split("=", 1)
            (opts.blocked if name == "--no-plugin" else opts.modules).append(value)
        elif arg == "--debug":
            opts.debug = True
        elif not arg.startswith("-"):
            break  # the command name: what follows is the command's own
    return opts


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: build the plugin manager and the app, run, exit."""
    args = list(sys.argv[1:] if argv is None else argv)
    opts = preparse(args)
    try:
        app = build_app(get_plugin_manager(opts.modules, opts.blocked), opts)
        code = typer.main.get_command(app).main(args, prog_name="ingest", standalone_mode=False)
    except typer.exceptions.TyperException as exc:
        ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
            # Bare `ingest` or a command group alone: its help, as a usage error. (Typer
            # vendors click, so the class is matched by name, as typer itself does.)
            typer.echo(ctx.get_help())
        else:
            formatter = getattr(exc, "format_message", None)
            message = formatter() if callable(formatter) else str(exc)
            command = getattr(ctx, "command_path", None) or "ingest"
            _stderr(f"error: {message} (see '{command} --help')")
        code = EXIT_USAGE
    except (OutputClosed, BrokenPipeError):
        # `ingest run | head`: the reader has what it wanted. End quietly, as a tool killed
        # by SIGPIPE would, and keep Python from complaining when it flushes stdout at exit.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = EXIT_PIPE
    except PluginLoadError as exc:
        _stderr(f"error: {exc}")
        if opts.debug:
            traceback.print_exception(exc)
        code = EXIT_INTERNAL
    except IngestError as exc:
        _stderr(f"error: {exc}")
        code = EXIT_USAGE if isinstance(exc, UsageError) else EXIT_FAILED
    except (KeyboardInterrupt, typer.Abort):
        _stderr("ingest: interrupted")
        code = EXIT_INTERRUPTED
    except Exception as exc:
        if opts.debug:
            traceback.print_exception(exc)
        _stderr(f"error: internal error: {type(exc).__name__}: {exc} (rerun with --debug)")
        code = EXIT_INTERNAL
    sys.exit(code if isinstance(code, int) else EXIT_OK)
