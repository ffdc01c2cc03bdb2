"""Local files in runs on state: which files belong to the run itself (never to be read as
input), and the stamp that tells a file unchanged since its last complete read."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


class OurFiles:
    """A test for the files of a run on state: the ledger with its lock and journals, the
    config file, and what each target owns (:meth:`~ingest.Exporter.owned`, a folder with
    everything in it): a source folder may hold them all (a config's ``"."``), and they are
    never input."""

    def __init__(self, state: Path, config_file: Path | None) -> None:
        full = os.path.abspath(state)
        self.files = {full + end for end in ("", ".lock", "-wal", "-shm", "-journal")}
        if config_file is not None:
            self.files.add(os.path.abspath(config_file))
        self.folders: list[str] = []

    def add(self, owned: Iterable[Path]) -> None:
        """Files (or folders) a target owns."""
        for path in owned:
            full = os.path.abspath(path)
            if os.path.isdir(full):
                self.folders.append(full + os.sep)
            else:
                self.files.add(full)

    def __call__(self, location: str) -> bool:
        """True when ``location`` is one of the run's own files."""
        if "://" in location or location == "-":
            return False
        full = os.path.abspath(location)
        return full in self.files or full.startswith(tuple(self.folders))


def file_stamp(path: str) -> str | None:
    """Size, modification time and inode of a local file: when all three are as they were at
    its last whole read, it is not read again (what make and rsync trust too)."""
    try:
        stat = os.stat(path)
    except OSError:
        return None  # not a file (a plugin's own location): always read
    if not os.path.isfile(path):
        return None
    return f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ino}"
