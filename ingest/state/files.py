"""Local files in runs on state: which files belong to the run itself (never to be read as
input), and the stamp that tells a file unchanged since its last complete read."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from ingest.locations import Target


def our_files(
    state: Path, targets: Sequence[Target], config_file: Path | None
) -> Callable[[str], bool]:
    """A test for the files of a run on state: the ledger, its lock and journals, the
    targets (with their SQLite journals and owner files), what is in ``dir:`` targets, and
    the config file."""
    files: set[str] = {os.path.abspath(config_file)} if config_file else set()
    folders: list[str] = []
    for path, scheme in [(state, "state"), *((Path(t.location), t.scheme) for t in targets)]:
        if "://" in str(path) or str(path) == "-":
            continue
        full = os.path.abspath(path)
        if scheme == "dir":
            folders.append(full + os.sep)
            continue
        name = os.path.basename(full)
        files.update(full + suffix for suffix in ("", ".lock", "-wal", "-shm", "-journal"))
        files.add(os.path.join(os.path.dirname(full), f".{name}.owner"))

    def ours(location: str) -> bool:
        if "://" in location or location == "-":
            return False
        full = os.path.abspath(location)
        return full in files or full.startswith(tuple(folders))

    return ours


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
