"""``ingest --version``, answered before the app is built: this module imports nothing but
the version, so that the answer costs little more than starting Python."""

from __future__ import annotations

from collections.abc import Sequence

from ingest._version import __version__

#: The root options that take the next argument as their value.
VALUED_OPTIONS = frozenset({"-p", "--plugin", "--no-plugin"})


def version_line() -> str:
    """What ``ingest --version`` prints."""
    return f"ingest {__version__}"


def asks_version(args: Sequence[str]) -> bool:
    """Whether the app would only print its version for ``args``: ``--version`` among the
    root options (before the command name), all of them known, and no ``--help`` before it.

    Anything else (an unknown option, ``--help`` first) is left to the app, which then
    answers as it always did.
    """
    found = False
    it = iter(args)
    for arg in it:
        if arg == "--version":
            found = True
        elif arg in VALUED_OPTIONS:
            if next(it, None) is None:
                return False
        elif arg in ("-h", "--help"):
            if not found:
                return False  # click runs eager options in the order given: help first
        elif arg == "--debug" or arg.startswith(("--plugin=", "--no-plugin=")):
            continue
        elif arg.startswith("-"):
            return False  # unknown to the root: the app reports the usage error
        else:
            break  # the command name: the version callback runs before any command
    return found
