"""Benchmark: the whole shared feed corpus through bare feedparser, bare fastfeedparser,
and ``ingest run`` to JSON Lines, in one run.

Every parser runs in a child forked from the same parent, after everything is imported and
the feed files are in the page cache, so the three start equal; peak memory is each child's
maximum resident set (``wait4``), shown also as growth over the parent's. Run from the
repository root::

    python -m benchmarks.bench_feeds [--corpus ../shared/corpus/feeds] [--repeat 3]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
from pathlib import Path

import fastfeedparser
import feedparser

from benchmarks.forked import measure
from ingest import Pipeline, get_plugin_manager
from ingest.engine import run_once
from ingest.locations import parse_target

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "feeds"


def _feeds(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.iterdir() if p.name != "MANIFEST.tsv")


def run_feedparser(feeds: list[Path]) -> int:
    """Entries recovered by ``feedparser.parse`` on each feed's bytes."""
    total = 0
    for path in feeds:
        total += len(feedparser.parse(path.read_bytes()).entries)
    return total


def run_fastfeedparser(feeds: list[Path]) -> int:
    """Entries recovered by ``fastfeedparser.parse``; a feed it cannot read counts zero."""
    total = 0
    for path in feeds:
        try:
            total += len(fastfeedparser.parse(path.read_bytes()).entries)
        except Exception:
            continue
    return total


#: The tag stage's plugins, off for the feed path's own measurement.
TAG_PLUGINS = ("language", "entities", "entities_spacy", "quotes", "keywords")


def _ingest(feeds: list[Path], blocked: tuple[str, ...]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        target = parse_target("jsonl:" + str(Path(tmp) / "out.jsonl"))
        pm = get_plugin_manager(blocked=blocked)
        summary = run_once(Pipeline(pm), [f"rss:{p}" for p in feeds], [target])
    return summary.articles


def run_ingest(feeds: list[Path]) -> int:
    """The feed path: ``ingest run --no-plugin language,entities,... -o FILE``: fetch, parse,
    HTML to text, normalize, identify, export."""
    return _ingest(feeds, TAG_PLUGINS)


def run_ingest_tagged(feeds: list[Path]) -> int:
    """``ingest run -o FILE`` with every built-in plugin, the tag stage included."""
    return _ingest(feeds, ())


def main() -> None:
    """Print the comparison table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs (default 3)")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        raise SystemExit(f"no feed corpus at {args.corpus}")
    feeds = _feeds(args.corpus)
    for path in feeds:
        path.read_bytes()  # warm the page cache for everyone
    get_plugin_manager()  # import every plugin module here, as feedparser's are imported above
    base_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = []
    for name, work in (
        ("feedparser.parse", run_feedparser),
        ("fastfeedparser.parse", run_fastfeedparser),
        ("ingest run", run_ingest),
        ("ingest run + tags", run_ingest_tagged),
    ):
        runs = [measure(work, feeds) for _ in range(args.repeat)]
        entries, seconds, peak = min(runs, key=lambda r: r[1])
        rows.append((name, entries, seconds, peak))
    size = sum(p.stat().st_size for p in feeds) / 1e6
    print(
        f"{len(feeds)} feeds, {size:.1f} MB; best of {args.repeat}; parent RSS {base_mb:.0f} MiB\n"
    )
    _print_table(rows, base_mb)


def _print_table(rows: list[tuple[str, int, float, float]], base_mb: float) -> None:
    fp_rate = rows[0][1] / rows[0][2]
    print(
        f"{'parser':<22} {'entries':>8} {'seconds':>8} {'entries/s':>10} "
        f"{'vs feedparser':>14} {'peak MiB':>9} {'+parent':>8}"
    )
    for name, entries, seconds, peak in rows:
        rate = entries / seconds
        print(
            f"{name:<22} {entries:>8,} {seconds:>8.2f} {rate:>10,.0f} "
            f"{rate / fp_rate:>13.1f}x {peak:>9.0f} {peak - base_mb:>+8.0f}"
        )
    ingest_rate, ffp_rate = rows[2][1] / rows[2][2], rows[1][1] / rows[1][2]
    print(
        f"\ningest run (the feed path, tag plugins off): {ingest_rate / fp_rate:.1f}x bare "
        f"feedparser, {ffp_rate / ingest_rate:.1f}x slower than bare fastfeedparser (which "
        "only parses: no HTML to text, normalization, ids or JSON output)"
    )
    tagged = rows[3][1] / rows[3][2]
    print(f"ingest run + tags (language, entities, quotes, keywords): {tagged / fp_rate:.1f}x")


if __name__ == "__main__":
    sys.exit(main())
