"""The exporter interface and atomic file writing, shared by every file-based target."""

from __future__ import annotations

import contextlib
import functools
import os
import stat
import tempfile
from abc import ABC, abstractmethod
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from ingest.model import Article


class Exporter(ABC):
    """A streaming writer for one target, returned by ``ingest_export``.

    The pipeline calls :meth:`write` once per article, then :meth:`close` when the run ends
    normally, or :meth:`abort` when it is interrupted. Nothing written may become visible
    half-done: a crash leaves the target as it was before the run or as it is after.
    """

    #: How the target was named on the command line, for messages.
    label: str = ""
    #: True when the exporter can serve runs on state (``-c``/``--state``): it implements
    #: :meth:`recover` and :meth:`checkpoint`, so that across runs, kills included, its
    #: target holds each article exactly once. The ``ingest_export`` hook sees
    #: ``target.incremental`` set when such an exporter is wanted: append, do not replace.
    incremental: bool = False

    @abstractmethod
    def write(self, article: Article) -> None:
        """Write one article."""

    def recover(self, checkpoint: str | None) -> str | None:
        """Called once, before any write of a run on state, with what :meth:`checkpoint`
        returned at the last commit (None the first time): undo whatever was written after
        it, by a run that was killed. Return a line to tell the user, or None."""
        return None

    def checkpoint(self) -> str | None:
        """Make every article written so far durable, and return what :meth:`recover` needs
        to come back to this point (a file length; None when writes are idempotent upserts).
        The ledger records it in the same transaction as the articles it covers."""
        raise NotImplementedError(f"{type(self).__name__} does not support runs on state")

    def owned(self) -> list[Path]:
        """The files this target writes or keeps beside it (a folder: everything in it).
        Runs on state never read them as input, when a source folder holds its targets."""
        return []

    def close(self) -> None:  # noqa: B027 - optional hook with a sensible default
        """Finish: make everything written visible and durable."""

    def abort(self) -> None:  # noqa: B027
        """Discard what this run wrote, leaving the target as it was, where the format allows."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


class FileExporter(Exporter):
    """Base for exporters that write one file: write to :attr:`stream`; the file appears,
    whole, when the run ends, and an aborted run leaves the previous file untouched."""

    def __init__(self, path: Path) -> None:
        self.file = AtomicFile(path)

    def owned(self) -> list[Path]:
        """The file."""
        return [self.file.path]

    @property
    def stream(self) -> IO[str]:
        """The temporary file's text stream (UTF-8, ``\\n`` line ends)."""
        return self.file.stream

    def close(self) -> None:
        """Move the finished file into place."""
        self.file.commit()

    def abort(self) -> None:
        """Leave the previous file as it was."""
        self.file.discard()


class AtomicFile:
    """A text file written beside its destination and renamed over it on :meth:`commit`.

    ``os.replace`` is atomic on POSIX and Windows, so readers see the old file or the new one,
    never a torn one; the data is fsynced first so a power cut cannot publish an empty file.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        self._tmp = Path(tmp)
        # mkstemp makes the file 0600; the published file must be as readable as any other
        # the user creates (the umask decides), and a replaced file keeps its mode.
        os.fchmod(fd, _mode_for(path))
        self.stream: IO[str] = os.fdopen(fd, "w", encoding="utf-8", newline="\n")

    def commit(self) -> None:
        """Flush, fsync and move the file into place."""
        self.stream.flush()
        os.fsync(self.stream.fileno())
        self.stream.close()
        os.replace(self._tmp, self.path)
        _fsync_dir(self.path.parent)

    def discard(self) -> None:
        """Drop the temporary file; the destination keeps its old content."""
        self.stream.close()
        with contextlib.suppress(FileNotFoundError):
            self._tmp.unlink()


def _mode_for(path: Path) -> int:
    """The mode of the existing file at ``path``, or what a new file gets under the umask."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o666 & ~current_umask()


@functools.cache
def current_umask() -> int:
    """The process's umask (read without changing it where /proc allows)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere: the classic set-and-restore
    os.umask(mask)
    return mask


def _fsync_dir(directory: Path) -> None:
    # The rename itself must reach the disk, or a crash can resurrect the old name.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomic(path: Path, content: str) -> None:
    """Write a whole small file atomically."""
    target = AtomicFile(path)
    try:
        target.stream.write(content)
    except BaseException:
        target.discard()
        raise
    target.commit()
