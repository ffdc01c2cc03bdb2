"""The ``ingest`` command line (typer): the app, its commands, the reporter, exit codes."""

from ingest.cli.app import GlobalOptions, build_app, main, preparse

__all__ = ["GlobalOptions", "build_app", "main", "preparse"]
