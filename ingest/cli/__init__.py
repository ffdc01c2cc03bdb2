"""The ``ingest`` command line (typer): the app, its commands, the reporter, exit codes.

:func:`main` answers ``ingest --version`` before anything else is imported; any other
command line loads :mod:`ingest.cli.app` (typer, the plugin manager, the plugins) and
builds the app. The other names are loaded on first use too (PEP 562).
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import TYPE_CHECKING, Any

from ingest.cli.exits import EXIT_OK, EXIT_PIPE
from ingest.cli.version import asks_version, version_line

if TYPE_CHECKING:
    from ingest.cli.app import GlobalOptions, build_app, preparse

_FROM_APP = frozenset({"GlobalOptions", "build_app", "preparse"})


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: ``--version`` at once; otherwise build the plugin manager
    and the app, run, exit."""
    args = list(sys.argv[1:] if argv is None else argv)
    if asks_version(args):
        sys.exit(_print_version())
    from ingest.cli import app  # noqa: PLC0415 - typer, pluggy and the plugins: see above

    app.main(args)


def _print_version() -> int:
    try:
        print(version_line(), flush=True)
    except BrokenPipeError:
        # As the app does: the reader went away; keep Python quiet when it flushes at exit.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PIPE
    return EXIT_OK


def __getattr__(name: str) -> Any:
    """The names of :mod:`ingest.cli.app`, loaded on first use."""
    if name in _FROM_APP:
        from ingest.cli import app  # noqa: PLC0415 - see the module docstring

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["GlobalOptions", "build_app", "main", "preparse"]
