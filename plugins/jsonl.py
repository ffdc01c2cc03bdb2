"""JSON Lines export: ``-`` (stdout, the default), ``out.jsonl`` or ``jsonl:PATH``.

A file target is written beside its destination and moved into place when the run ends,
so a crash leaves the previous file whole.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import BinaryIO

from ingest import Article, Config, Exporter, FileExporter, Target, hookimpl
from ingest.model import dumps, dumps_bytes


class StdoutExporter(Exporter):
    """One JSON line per article on stdout, in UTF-8 whatever the locale."""

    def __init__(self, stream: BinaryIO | None = None) -> None:
        self.stream = stream or sys.stdout.buffer

    def write(self, article: Article) -> None:
        """Write one line."""
        self.stream.write(dumps_bytes(article) + b"\n")

    def close(self) -> None:
        """Flush stdout."""
        self.stream.flush()

    def abort(self) -> None:
        """Lines already on stdout cannot be taken back; flush what is buffered."""
        with contextlib.suppress(BrokenPipeError):
            self.stream.flush()


class JsonLinesFileExporter(FileExporter):
    """A JSON Lines file, replaced atomically at the end of the run."""

    def write(self, article: Article) -> None:
        """Write one line."""
        self.stream.write(dumps(article) + "\n")


@hookimpl
def ingest_export(target: Target, config: Config) -> Exporter | None:
    """Claim ``jsonl`` targets."""
    if target.scheme != "jsonl":
        return None
    if target.location == "-":
        return StdoutExporter()
    return JsonLinesFileExporter(Path(target.location))
