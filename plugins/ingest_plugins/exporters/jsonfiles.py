"""JSON exports other than JSON Lines: ``json:PATH`` (one array) and ``dir:PATH`` (one pretty
file per article, named by its id). Both write each file atomically."""

from __future__ import annotations

import json
from pathlib import Path

from ingest import (
    Article,
    Config,
    Exporter,
    FileExporter,
    Target,
    TargetKind,
    UsageError,
    hookimpl,
    to_json,
)
from ingest.helpers import dumps, write_atomic


class JsonArrayExporter(FileExporter):
    """A single JSON array, streamed element by element into a temporary file."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.stream.write("[")
        self.count = 0

    def write(self, article: Article) -> None:
        """Append one element."""
        self.stream.write(("\n" if self.count == 0 else ",\n") + dumps(article))
        self.count += 1

    def close(self) -> None:
        """Close the array and move the file into place."""
        self.stream.write("\n]\n" if self.count else "]\n")
        super().close()


class DirectoryExporter(Exporter):
    """``DIR/<id>.json`` per article; an article seen again overwrites its own file."""

    # Each file is written atomically and fsynced: writes are idempotent upserts by id.
    incremental = True

    def __init__(self, directory: Path) -> None:
        if directory.exists() and not directory.is_dir():
            raise UsageError(f"dir:{directory}: exists and is not a directory")
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory

    def owned(self) -> list[Path]:
        """The folder, and so every file in it."""
        return [self.directory]

    def write(self, article: Article) -> None:
        """Write ``<id>.json`` atomically."""
        content = json.dumps(to_json(article), ensure_ascii=False, indent=2) + "\n"
        write_atomic(self.directory / f"{article.id}.json", content)

    def checkpoint(self) -> None:
        """Nothing to do: every file was made durable as it was written."""
        return

    def recover(self, checkpoint: str | None) -> str | None:
        """Remove the temporary files of writes a killed run left unfinished (the files
        themselves are written again by this run)."""
        for leftover in self.directory.glob(".*.json.*.tmp"):
            leftover.unlink(missing_ok=True)
        return None


@hookimpl
def ingest_target_kinds() -> list[TargetKind]:
    """``json`` (one-off runs only: an array cannot be appended to) and ``dir``."""
    return [
        TargetKind("json", "one JSON array in a file (json:PATH, or PATH.json)", (".json",)),
        TargetKind("dir", "a folder of pretty <id>.json files (dir:PATH)", exactly_once=True),
    ]


@hookimpl
def ingest_export(target: Target, config: Config) -> Exporter | None:
    """Claim ``json`` and ``dir`` targets."""
    if target.scheme == "json":
        if target.location == "-":
            raise UsageError("json:- is not supported; use - for JSON Lines on stdout")
        return JsonArrayExporter(Path(target.location))
    if target.scheme == "dir":
        return DirectoryExporter(Path(target.location))
    return None
