"""Benchmark: JSON Lines of Twitter API v1.1 tweets and of v2 response pages through
``ingest run``, against the floor of merely ``json.loads``-ing the same lines, in one run.

The inputs are made from real payloads of the shared corpus (``../shared/corpus/tweets``),
repeated with fresh ids until the file reaches the requested size. Each measurement runs in
a child forked from the same parent (peak memory from ``wait4``). Run from the repository
root::

    python -m benchmarks.bench_tweets                # 20 MB and 200 MB of each format
    python -m benchmarks.bench_tweets --sizes 1024   # a 1 GB file: memory must stay flat
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks.forked import measure
from ingest import Pipeline, get_plugin_manager
from ingest.engine import run_once
from ingest.locations import parse_target

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "tweets"
V1_SOURCE = "python-twitter__streaming_lines.json"  # v1.1 streaming capture, one tweet a line
V2_SOURCE = "twarc-csv__brexit.jsonl"  # twarc output: one v2 page a line


def _v1_templates() -> list[dict[str, Any]]:
    lines = (CORPUS / V1_SOURCE).read_text(encoding="utf-8").splitlines()
    return [t for t in map(json.loads, filter(None, lines)) if "id_str" in t and "text" in t]


def _v2_templates() -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for line in (CORPUS / V2_SOURCE).read_text(encoding="utf-8").splitlines()
        if line
    ]


def _renumbered(tweet: dict[str, Any], serial: int) -> tuple[dict[str, Any], int]:
    """The tweet and the tweets it nests with fresh ids, so no post repeats."""
    serial += 1
    tweet = {**tweet, "id_str": str(serial), "id": serial}
    for key in ("retweeted_status", "quoted_status"):
        if isinstance(tweet.get(key), dict):
            tweet[key], serial = _renumbered(tweet[key], serial)
    return tweet, serial


def _posts_in(tweet: dict[str, Any]) -> int:
    nested = [
        tweet[k] for k in ("retweeted_status", "quoted_status") if isinstance(tweet.get(k), dict)
    ]
    return 1 + sum(map(_posts_in, nested))


def _v1_lines(serial: int) -> Iterator[tuple[str, int]]:
    templates = _v1_templates()
    while True:
        for template in templates:
            tweet, serial = _renumbered(template, serial)
            yield json.dumps(tweet, ensure_ascii=False), _posts_in(tweet)


def _v2_lines(serial: int) -> Iterator[tuple[str, int]]:
    templates = _v2_templates()
    while True:
        for page in templates:
            data = []
            for tweet in page["data"]:
                serial += 1
                data.append({**tweet, "id": str(serial)})
            includes = dict(page.get("includes", {}))
            referenced = []
            for tweet in includes.get("tweets", []):
                serial += 1
                referenced.append({**tweet, "id": str(serial)})
            includes["tweets"] = referenced
            fresh = {**page, "data": data, "includes": includes}
            yield json.dumps(fresh, ensure_ascii=False), len(data) + len(referenced)


def write_input(path: Path, lines: Iterator[tuple[str, int]], megabytes: int) -> int:
    """Write JSON Lines until the file holds ``megabytes``; return the posts it contains."""
    limit, written, posts = megabytes * 1_000_000, 0, 0
    with path.open("w", encoding="utf-8") as out:
        for line, count in lines:
            out.write(line + "\n")
            written += len(line) + 1
            posts += count
            if written >= limit:
                return posts
    return posts


def floor(path: Path) -> int:
    """The least any reader must do: decode every line."""
    count = 0
    with path.open("rb") as lines:
        for line in lines:
            json.loads(line)
            count += 1
    return count


#: Plugins left out unless ``--tags``: what is measured is the posts source.
BLOCKED = ["language", "entities", "entities_spacy", "quotes", "keywords"]


def ingest(path: Path) -> int:
    """What ``ingest run FILE -o out.jsonl`` does (with the tag plugins off, by default)."""
    with tempfile.TemporaryDirectory() as tmp:
        target = parse_target("jsonl:" + str(Path(tmp) / "out.jsonl"))
        pm = get_plugin_manager(blocked=BLOCKED)
        return run_once(Pipeline(pm), [f"tweets:{path}"], [target]).articles


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20,200", help="file sizes in MB (default 20,200)")
    parser.add_argument("--tags", action="store_true", help="keep the tag plugins on")
    args = parser.parse_args()
    if args.tags:
        BLOCKED.clear()
    get_plugin_manager()  # import every plugin module before forking
    if not CORPUS.is_dir():
        raise SystemExit(f"no tweet corpus at {CORPUS}")
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"parent RSS {base:.0f} MiB; posts = tweets exported, lines = JSON lines decoded\n")
    print(
        f"{'input':<16} {'posts':>9} | {'ingest posts/s':>14} {'peak MiB':>9} | "
        f"{'json.loads lines/s':>18} {'posts/s':>9} {'peak MiB':>9} | {'ratio':>6}"
    )
    with tempfile.TemporaryDirectory(prefix="ingest-bench-") as tmp:
        for megabytes in (int(s) for s in args.sizes.split(",")):
            for name, lines in (("v1.1", _v1_lines), ("v2 pages", _v2_lines)):
                path = Path(tmp) / f"{name.split()[0]}-{megabytes}.jsonl"
                posts = write_input(path, lines(10**15), megabytes)
                exported, ingest_s, ingest_mb = measure(ingest, path)
                decoded, floor_s, floor_mb = measure(floor, path)
                floor_posts = posts / floor_s
                if exported != posts:
                    raise SystemExit(f"{path.name}: {posts} posts written, {exported} exported")
                rate = exported / ingest_s
                print(
                    f"{name + f' {megabytes} MB':<16} {exported:>9,} | {rate:>14,.0f} "
                    f"{ingest_mb:>9.0f} | {decoded / floor_s:>18,.0f} {floor_posts:>9,.0f} "
                    f"{floor_mb:>9.0f} | {rate / floor_posts:>5.2f}x"
                )
                path.unlink()


if __name__ == "__main__":
    main()
