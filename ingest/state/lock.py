"""One run at a time per state file: an exclusive ``flock`` on ``STATE.lock``.

The kernel drops a ``flock`` when its process dies, however it dies (``kill -9``, OOM, power
cut), so a lock left by a dead run is simply free: the next run takes it over at once and
says so. A second run while the first is alive waits up to ``--lock-timeout`` seconds, then
gives up with a message naming the holder. The lock file keeps the holder's pid and start
time for that message; it is never deleted (deleting a lock file others may hold open would
let two runs lock two different files).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from pathlib import Path
from types import TracebackType
from typing import Self

from ingest.errors import IngestError, UsageError

_POLL = 0.1


class LockTimeout(IngestError):
    """Another live run holds the state; the message names it."""


class StateLock:
    """``with StateLock(state_path, timeout):`` — held for the block.

    :param timeout: seconds to wait for another run to finish (0: do not wait).
    """

    def __init__(self, state: Path, timeout: float) -> None:
        if not state.name:
            raise UsageError(f"state {state}: expected a file path")
        self.path = state.with_name(state.name + ".lock")
        self.timeout = timeout
        self.previous_holder: str | None = None
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, waiting up to the timeout; raise :class:`LockTimeout` otherwise."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise UsageError(
                f"state {self.path.with_suffix('')}: cannot create its lock file "
                f"{self.path}: {exc.strerror or exc}"
            ) from None
        ends = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= ends:
                    holder = _read(fd)
                    os.close(fd)
                    raise LockTimeout(
                        f"state {self.path.with_suffix('')} is in use by another ingest run"
                        f"{f' ({holder})' if holder else ''}; waited {self.timeout:g} s "
                        "(--lock-timeout)"
                    ) from None
                time.sleep(_POLL)
        left = _read(fd)
        if left:
            # Whoever wrote this is gone (or the flock would have failed): a dead run's lock.
            self.previous_holder = left
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        """Release the lock (the file stays, emptied)."""
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, 0)
        os.close(self._fd)  # closing drops the flock
        self._fd = None

    def __enter__(self) -> Self:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _read(fd: int) -> str:
    try:
        return os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    except OSError:
        return ""


def is_held(state: Path) -> bool:
    """Whether a live run holds the lock of ``state`` (without taking it, or writing)."""
    path = state.with_name(state.name + ".lock")
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops the shared lock, if it was taken
    return False
