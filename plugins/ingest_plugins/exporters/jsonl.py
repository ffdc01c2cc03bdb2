"""JSON Lines export: ``-`` (stdout, the default), ``out.jsonl`` or ``jsonl:PATH``.

A one-off run writes the file beside its destination and moves it into place when the run
ends, so a crash leaves the previous file whole. A run on state (``ingest run -c``) appends
instead: every checkpoint fsyncs the file and the ledger records its length, and the next run
first cuts off anything written after that length by a run that was killed, so each article
is in the file exactly once.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
from pathlib import Path
from typing import BinaryIO

from ingest import (
    Article,
    Config,
    Exporter,
    FileExporter,
    OutputClosed,
    Target,
    TargetKind,
    UsageError,
    hookimpl,
)
from ingest.helpers import dumps, dumps_bytes, write_atomic


class StdoutExporter(Exporter):
    """One JSON line per article on stdout, in UTF-8 whatever the locale."""

    def __init__(self, stream: BinaryIO | None = None) -> None:
        self.stream = stream or sys.stdout.buffer

    def write(self, article: Article) -> None:
        """Write one line; a reader that went away (``| head``) ends the run."""
        try:
            self.stream.write(dumps_bytes(article) + b"\n")
        except BrokenPipeError:
            raise OutputClosed("stdout closed by its reader") from None

    def close(self) -> None:
        """Flush stdout."""
        try:
            self.stream.flush()
        except BrokenPipeError:
            raise OutputClosed("stdout closed by its reader") from None

    def abort(self) -> None:
        """Lines already on stdout cannot be taken back; flush what is buffered."""
        with contextlib.suppress(BrokenPipeError):
            self.stream.flush()


class JsonLinesFileExporter(FileExporter):
    """A JSON Lines file, replaced atomically at the end of the run."""

    def write(self, article: Article) -> None:
        """Write one line."""
        self.stream.write(dumps(article) + "\n")


class AppendingJsonLinesExporter(Exporter):
    """A JSON Lines file that runs on state append to; see the module docstring.

    Only one state may write a file: cutting it back to the committed length is right only
    if nobody else appended since. The file is locked (``flock``) for the run, and the id of
    its state is kept beside it in ``.NAME.owner``; another state is refused.
    """

    incremental = True

    def __init__(self, path: Path, owner: str | None = None) -> None:
        if path.is_dir():
            raise UsageError(f"{path}: is a directory")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.stream = path.open("ab")
        try:
            fcntl.flock(self.stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            if owner is not None:
                self._claim(owner)
        except BlockingIOError:
            self.stream.close()
            raise UsageError(f"{path}: being written by another ingest run") from None
        except BaseException:
            self.stream.close()
            raise

    def owned(self) -> list[Path]:
        """The file and the marker of the state that owns it."""
        return [self.path, self.path.with_name(f".{self.path.name}.owner")]

    def _claim(self, owner: str) -> None:
        marker = self.path.with_name(f".{self.path.name}.owner")
        try:
            found = marker.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            write_atomic(marker, owner + "\n")
            return
        if found != owner:
            raise UsageError(
                f"{self.path}: written by another ingest state (id {found[:8]}); give each "
                f"state a JSON Lines file of its own, or delete {marker} if that state is gone"
            )

    def recover(self, checkpoint: str | None) -> str | None:
        """Truncate to the committed length; a file replaced or cut since is left alone."""
        if checkpoint is None:
            return None
        committed = json.loads(checkpoint)
        stat = os.fstat(self.stream.fileno())
        if stat.st_ino != committed["inode"] or stat.st_size < committed["length"]:
            # Rotated (logrotate) or cut by someone else: ours is gone; append to this one.
            return f"{self.path} was replaced or shortened since the last run; appending to it"
        extra = stat.st_size - committed["length"]
        if extra == 0:
            return None
        os.truncate(self.stream.fileno(), committed["length"])
        return (
            f"{self.path}: removed {extra:,} bytes an interrupted run wrote after its last "
            "commit; those articles are delivered again now"
        )

    def write(self, article: Article) -> None:
        """Append one line."""
        self.stream.write(dumps_bytes(article) + b"\n")

    def checkpoint(self) -> str:
        """Flush and fsync; the committed length and the file's inode."""
        self.stream.flush()
        os.fsync(self.stream.fileno())
        stat = os.fstat(self.stream.fileno())
        return json.dumps({"length": stat.st_size, "inode": stat.st_ino})

    def close(self) -> None:
        """Flush, fsync and close."""
        self.stream.flush()
        os.fsync(self.stream.fileno())
        self.stream.close()

    def abort(self) -> None:
        """Close; the next run cuts what was written after the last checkpoint."""
        with contextlib.suppress(OSError):
            self.stream.close()


@hookimpl
def ingest_target_kinds() -> list[TargetKind]:
    """``jsonl``: stdout (``-``) or a file."""
    return [
        TargetKind(
            "jsonl",
            "JSON Lines in a file (PATH.jsonl), or - for stdout",
            suffixes=(".jsonl", ".ndjson"),
            exactly_once=True,
        )
    ]


@hookimpl
def ingest_export(target: Target, config: Config) -> Exporter | None:
    """Claim ``jsonl`` targets."""
    if target.scheme != "jsonl":
        return None
    if target.location == "-":
        return StdoutExporter()
    if target.incremental:
        return AppendingJsonLinesExporter(Path(target.location), target.owner)
    return JsonLinesFileExporter(Path(target.location))
