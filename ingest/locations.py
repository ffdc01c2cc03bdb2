"""What to read and where to write: parsing ``LOCATION`` and ``TARGET`` strings, walking
directories, and reading local bytes with a size cap.

A location is a file, a directory (read recursively), ``-`` for stdin, a URL, or any of these
prefixed by a kind: ``text:notes.md``. A target is ``-``, a path ending in ``.jsonl`` or
``.json``, ``SCHEME:REST`` or a URL (``postgresql://…``).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ingest.errors import SourceError, UsageError

if TYPE_CHECKING:
    from ingest.http.state import HttpState

HEAD_BYTES = 4096
#: No target file endings known (the core knows none; exporters declare theirs).
NO_SUFFIXES: Mapping[str, str] = MappingProxyType({})
_SKIPPED_DIRS = frozenset({"__pycache__", "node_modules"})
_SKIPPED_SUFFIXES = (".egg-info", ".dist-info")
_PREFIX_RE = re.compile(r"^(?P<prefix>[a-z][a-z0-9_-]+):(?P<rest>.+)$", re.DOTALL)
_URL_SCHEMES = ("http", "https", "file")

#: ``detect(location, head) -> kind | None``: the pipeline's wrapper around ``ingest_detect_kind``.
Detector = Callable[[str, bytes], str | None]


@dataclass(frozen=True, slots=True)
class Source:
    """One thing to read, handed to ``ingest_fetch``."""

    #: The kind that reads it (``text``, ``rss``...), given by the user or sniffed.
    kind: str
    #: A path, ``-`` for stdin, or a URL.
    location: str
    #: A human name (from config), when known.
    name: str | None = None
    #: Per-source options from the config file.
    options: Mapping[str, Any] = field(default_factory=dict)
    #: HTTP validators and what the last fetch learned, in runs on state (see
    #: :func:`ingest.http.fetch_source`); None in one-off runs.
    http: HttpState | None = field(default=None, compare=False)

    @property
    def is_stdin(self) -> bool:
        """True when the source is standard input."""
        return self.location == "-"

    @property
    def is_url(self) -> bool:
        """True when the location is an http(s) URL."""
        return self.location.startswith(("http://", "https://"))

    def label(self) -> str:
        """``kind:location``, the way messages name a source."""
        return f"{self.kind}:{self.location}"


@dataclass(frozen=True, slots=True)
class Target:
    """One place to export to, handed to ``ingest_export``."""

    #: ``jsonl``, ``json``, ``dir``, ``sqlite``, ``postgresql``...
    scheme: str
    #: The rest: a path, ``-`` for stdout, or the whole URL for URL-like targets.
    location: str
    #: The target as the user wrote it.
    spec: str = ""
    #: Set for runs on state: the exporter must append and support checkpoints.
    incremental: bool = False
    #: In runs on state, the id of the state writing the target: an exporter whose data
    #: lives outside the ledger (a JSON Lines file) can refuse a target another state owns.
    owner: str | None = None

    def label(self) -> str:
        """The target as the user wrote it, for messages."""
        return self.spec or f"{self.scheme}:{self.location}"


@dataclass(frozen=True, slots=True)
class SourceKind:
    """A kind of source a fetch plugin reads, declared through ``ingest_source_kinds``: what
    ``ingest plugins``, ``ingest run --help`` and error messages list."""

    #: The kind, as in ``KIND:LOCATION`` and ``Source.kind`` (``rss``).
    name: str
    #: One line on what it reads.
    help: str = ""
    #: File name endings it reads (``.rss``), lowercase, for documentation and sniffing.
    suffixes: tuple[str, ...] = ()
    #: HTTP media types it reads (``application/rss+xml``): a URL whose kind its name does
    #: not tell is fetched once, and the kind that alone claims its media type reads it.
    media_types: tuple[str, ...] = ()
    #: False for a kind whose reading goes over the network beyond its own location (a
    #: sitemap index walks its children): ``--workers`` reads it in the run's own process.
    in_workers: bool = True


@dataclass(frozen=True, slots=True)
class TargetKind:
    """A kind of target an exporter writes, declared through ``ingest_target_kinds``."""

    #: The scheme, as in ``SCHEME:LOCATION`` and ``Target.scheme`` (``jsonl``).
    scheme: str
    #: One line on what it writes.
    help: str = ""
    #: File name endings that name this scheme without ``SCHEME:`` (``-o out.jsonl``).
    suffixes: tuple[str, ...] = ()
    #: True when its exporter can serve runs on state: it appends, and implements
    #: ``checkpoint``/``recover`` so that each article lands exactly once across kills.
    #: Runs on state refuse other targets before anything is read or created.
    exactly_once: bool = False


def split_kind(spec: str) -> tuple[str | None, str]:
    """``"text:a.txt"`` -> ``("text", "a.txt")``; a URL or an existing path keeps no kind."""
    match = _PREFIX_RE.match(spec)
    if not match or match["prefix"] in _URL_SCHEMES or os.path.lexists(spec):
        return None, spec
    return match["prefix"], match["rest"]


def parse_target(spec: str, suffixes: Mapping[str, str] = NO_SUFFIXES) -> Target:
    """Parse a ``-o`` value: ``-``, ``SCHEME:LOCATION``, a URL, or a path whose ending
    ``suffixes`` maps to a scheme (what the exporters declare: ``.jsonl`` -> ``jsonl``).

    :raises UsageError: an empty target, or a path whose format cannot be told.
    """
    if not spec.strip():
        raise UsageError("empty target: use -, SCHEME:LOCATION, or a path with a known ending")
    if spec == "-":
        return Target("jsonl", "-", spec)
    if "://" in spec:
        scheme = spec.split("://", 1)[0].lower()
        return Target(scheme.split("+", 1)[0], spec, spec)
    match = _PREFIX_RE.match(spec)
    if match and not os.path.lexists(spec):
        return Target(match["prefix"], match["rest"], spec)
    claimed = suffixes.get(Path(spec).suffix.lower())
    if claimed is not None:
        return Target(claimed, spec, spec)
    known = ", ".join(f"{suffix} ({name})" for suffix, name in sorted(suffixes.items()))
    raise UsageError(
        f"cannot tell the format of target {spec!r}: name it SCHEME:{spec} "
        "('ingest run --help' lists the schemes)" + (f", or end it in {known}" if known else "")
    )


def read_head(path: Path) -> bytes:
    """The first bytes of a file, for kind sniffing; empty when it cannot be read."""
    try:
        with path.open("rb") as handle:
            return handle.read(HEAD_BYTES)
    except OSError:
        return b""


def peek_stdin() -> bytes:
    """The first bytes of stdin, without consuming them."""
    stream = sys.stdin.buffer
    peek = getattr(stream, "peek", None)
    return peek(HEAD_BYTES)[:HEAD_BYTES] if peek else b""


def _skipped(name: str) -> bool:
    # Hidden entries, and the build and cache folders tools leave inside source trees.
    return name.startswith(".") or name in _SKIPPED_DIRS or name.endswith(_SKIPPED_SUFFIXES)


def _walk(directory: Path) -> Iterator[Path]:
    """Regular files below ``directory``, sorted, skipping hidden entries and build or cache
    folders; never follows symlinked directories (a link cycle would never end)."""
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if not _skipped(entry.name):
                yield from _walk(Path(entry.path))
        elif entry.is_file() and not entry.name.startswith("."):
            yield Path(entry.path)


def _kinds_hint(kinds: Sequence[str]) -> str:
    return f" (kinds: {', '.join(kinds)})" if kinds else ""


def _directory(
    path: Path, location: str, kind: str | None, detect: Detector
) -> Iterator[Source | SourceError]:
    """The files of a directory that a plugin claims; an error when there are none."""
    count = 0
    for file in _walk(path):
        found = kind or detect(str(file), read_head(file))
        if found:
            count += 1
            yield Source(found, str(file))
    if count == 0:
        yield SourceError(location, "no readable files in this directory")


def iter_sources(
    spec: str,
    kind: str | None,
    detect: Detector,
    *,
    probe: Callable[[str], Source | SourceError] | None = None,
    kinds: Sequence[str] = (),
) -> Iterator[Source | SourceError]:
    """Expand one LOCATION into sources; yield a :class:`SourceError` for one that cannot be read.

    ``kind`` (from ``--kind``) applies to every file; a ``KIND:`` prefix overrides it. In a
    directory, files no plugin claims are skipped; a directory with none left is an error.
    A URL whose name tells no plugin its kind goes to ``probe`` (which fetches it and sniffs
    the response). ``kinds`` are the kinds that exist, named in messages.
    """
    prefix, location = split_kind(spec)
    kind = prefix or kind
    if location == "-":
        found = kind or detect("-", peek_stdin())
        yield (
            Source(found, "-")
            if found
            else SourceError("-", f"cannot tell the kind of stdin; use --kind{_kinds_hint(kinds)}")
        )
        return
    if location.startswith(("http://", "https://")):
        found = kind or detect(location, b"")
        if found:
            yield Source(found, location)
        elif probe is not None:
            yield probe(location)
        else:
            yield SourceError(
                location, f"cannot tell the kind of this URL; use KIND:URL{_kinds_hint(kinds)}"
            )
        return
    path = Path(location)
    if path.is_dir():
        yield from _directory(path, location, kind, detect)
        return
    if not path.exists():
        # Not a file: a plugin may still own the location (a query, a database URL).
        found = kind or detect(location, b"")
        yield Source(found, location) if found else SourceError(spec, "no such file or directory")
        return
    found = kind or detect(location, read_head(path))
    if found:
        yield Source(found, location)
    else:
        yield SourceError(
            location,
            "cannot tell what kind of input this is; name it KIND:PATH or use --kind"
            + _kinds_hint(kinds),
        )


def read_bytes(source: Source, limit: int) -> bytes:
    """All bytes of a local file or stdin, refusing more than ``limit`` bytes."""
    label = source.label()
    try:
        if source.is_stdin:
            data = sys.stdin.buffer.read(limit + 1)
        else:
            with open(source.location, "rb") as handle:
                data = handle.read(limit + 1)
    except FileNotFoundError:
        raise SourceError(label, "no such file") from None
    except IsADirectoryError:
        raise SourceError(label, "is a directory") from None
    except PermissionError:
        raise SourceError(label, "permission denied") from None
    except OSError as exc:
        raise SourceError(label, f"cannot read: {exc.strerror or exc}") from exc
    if len(data) > limit:
        raise SourceError(label, f"larger than the {limit:,}-byte limit")
    return data
