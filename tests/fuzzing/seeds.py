"""The inputs mutations start from: our samples/ and the shared corpora, by reader kind."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
SAMPLES = REPO / "samples"
CORPUS = REPO.parent / "shared" / "corpus"

#: Seeds larger than this are left out by default: mutating a 3 MB archive costs a run
#: seconds and finds nothing a 300 kB one does not.
MAX_SEED_BYTES = 512 * 1024


@dataclass(frozen=True)
class Group:
    """One reader kind: the ``KIND:`` prefix that forces it, the syntax its files are in
    (which nasty tokens fit), and the seed files."""

    name: str
    kind: str
    syntax: str  # "xml", "json", "text" or "html"
    seeds: tuple[Path, ...]


def _tweet_group(name: str) -> str:
    """Which post format a corpus file of tweets/ is, by the prefix its MANIFEST gives."""
    if name.startswith(("mastodonpy__", "tootsdk__")):
        return "mastodon"
    if name.startswith("atproto__"):
        return "bluesky"
    if name.startswith(("twarc-csv__", "tweepy__v2")):
        return "tweets-v2"
    if name.startswith("tweepy__oembed"):
        return "embeds"
    return "tweets-v1"


def _classify(path: Path) -> str | None:
    """The group of one seed file, or None for files that are not inputs (MANIFEST.tsv)."""
    parent, name, suffix = path.parent.name, path.name, path.suffix.lower()
    if suffix in (".tsv", ".md", ".toml", ".py") or name.startswith("."):
        return None
    if parent == "text":
        return "text"
    if parent == "feeds":
        return "jsonfeed" if suffix == ".json" else "feeds-xml"
    if parent == "tweets":
        return _tweet_group(name)
    if parent == "posts":
        if suffix == ".html":
            return "embeds"
        if "mastodon" in name:
            return "mastodon"
        if "bluesky" in name:
            return "bluesky"
        return "tweets-v2" if "v2" in name else "tweets-v1"
    return None


_KINDS = {
    "feeds-xml": ("rss", "xml"),
    "jsonfeed": ("rss", "json"),
    "tweets-v1": ("tweets", "json"),
    "tweets-v2": ("tweets", "json"),
    "mastodon": ("tweets", "json"),
    "bluesky": ("tweets", "json"),
    "embeds": ("tweets", "html"),
    "text": ("text", "text"),
}
GROUP_NAMES = tuple(_KINDS)


def seed_dirs(*, corpus: bool) -> list[Path]:
    """The folders seeds come from: samples always, the corpora when asked (and present)."""
    dirs = [SAMPLES / "feeds", SAMPLES / "posts", SAMPLES / "text"]
    if corpus:
        dirs += [CORPUS / "feeds", CORPUS / "tweets", CORPUS / "text"]
    return dirs


def load_groups(dirs: list[Path], max_bytes: int = MAX_SEED_BYTES) -> list[Group]:
    """Every group that has at least one seed in ``dirs``, in :data:`GROUP_NAMES` order."""
    found: dict[str, list[Path]] = {name: [] for name in GROUP_NAMES}
    for folder in dirs:
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            group = _classify(path)
            if group and path.is_file() and path.stat().st_size <= max_bytes:
                found[group].append(path)
    return [Group(name, *_KINDS[name], tuple(paths)) for name, paths in found.items() if paths]


@cache
def seed_bytes(path: Path) -> bytes:
    """A seed's content, read once per process."""
    return path.read_bytes()
