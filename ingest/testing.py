"""A pytest plugin for plugin authors (and for ingest's own tests).

Opt in from a ``conftest.py`` with ``pytest_plugins = ["ingest.testing"]``. It provides:

* ``plugin_manager``: a fresh manager with every installed plugin, built-ins included;
* ``make_article``: build an :class:`~ingest.Article` with sensible defaults;
* ``ingest_cli``: run the ``ingest`` command in-process and get its exit code, stdout,
  stderr and the exported articles.
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import pluggy
import pytest

from ingest.cli import main
from ingest.manager import get_plugin_manager
from ingest.model import Article, ArticleSource


@dataclass(frozen=True)
class CliResult:
    """The outcome of one in-process ``ingest`` invocation."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def articles(self) -> list[dict[str, Any]]:
        """The JSON Lines on stdout, parsed."""
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]

    @property
    def error_lines(self) -> list[str]:
        """The ``error: …`` lines on stderr."""
        return [line for line in self.stderr.splitlines() if line.startswith("error: ")]


def run_cli(args: Sequence[str], stdin: bytes = b"") -> CliResult:
    """Run ``ingest ARGS`` in this process with the given stdin; never raises SystemExit."""
    out, err = io.BytesIO(), io.BytesIO()
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin = io.TextIOWrapper(io.BufferedReader(io.BytesIO(stdin)), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    sys.stderr = io.TextIOWrapper(err, encoding="utf-8", write_through=True)
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        # Read before restoring: a dropped TextIOWrapper closes the buffer beneath it.
        stdout, stderr = out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8")
        sys.stdin, sys.stdout, sys.stderr = saved
    return CliResult(code, stdout, stderr)


@pytest.fixture
def plugin_manager() -> pluggy.PluginManager:
    """A fresh plugin manager with all installed plugins registered."""
    return get_plugin_manager()


@pytest.fixture
def make_article() -> Callable[..., Article]:
    """Factory: ``make_article(text="…", title="…", kind="text")`` -> :class:`Article`."""

    def make(text: str = "Some text.", kind: str = "text", **fields: Any) -> Article:
        source = fields.pop("source", None) or ArticleSource(kind=kind, location="test")
        return Article(source=source, text=text, **fields)

    return make


@pytest.fixture
def ingest_cli() -> Callable[..., CliResult]:
    """``ingest_cli("run", "file.txt", stdin=b"")`` runs the CLI in-process; arguments may
    also come as lists (``ingest_cli(["run", path])``) and paths."""

    def invoke(*args: str | os.PathLike[str] | Sequence[str], stdin: bytes = b"") -> CliResult:
        flat: list[str] = []
        for arg in args:
            if isinstance(arg, list | tuple):
                flat.extend(os.fspath(item) for item in arg)
            else:
                flat.append(os.fspath(cast("str | os.PathLike[str]", arg)))
        return run_cli(flat, stdin)

    return invoke
