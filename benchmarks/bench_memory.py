"""Peak memory of ``ingest run`` as the input grows: synthetic RSS feeds of news-sized
articles, default plugins on, written to a JSON Lines file.

The feeds are written to a temporary folder a feed at a time (nothing holds the whole corpus),
then one run reads the folder in a child forked from this process; its peak resident set
comes from ``wait4``. Each size gets the same parent, so the difference between two sizes is
what the run keeps per article. Run from the repository root::

    python -m benchmarks.bench_memory [--sizes 2000,200000] [--per-feed 50]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path

from benchmarks.corpus import article_text
from benchmarks.forked import run_forked
from ingest import Pipeline, get_plugin_manager
from ingest.engine import run_once
from ingest.locations import parse_target
from ingest.summary import RunSummary

#: Entries in each synthetic feed file.
PER_FEED = 50
#: Every this many articles, the run in its child prints how far it got.
PROGRESS_EVERY = 10_000
_EPOCH = datetime(2024, 3, 1, tzinfo=UTC)


def entry_xml(index: int) -> str:
    """RSS ``<item>`` ``index``: a title, link, guid, date and author, the lead paragraph as
    the description and the whole article (about 2-4 KB of text) as HTML paragraphs in
    ``content:encoded``, as news sites publish them."""
    title, *rest = article_text(index).splitlines()
    paragraphs = [escape(line) for line in rest if line.strip()]
    when = format_datetime(_EPOCH + timedelta(minutes=7 * index), usegmt=True)
    body = "".join(f"<p>{line}</p>" for line in paragraphs)
    return (
        f"<item><title>{escape(title)}</title>"
        f"<link>https://news.example/{index // 1000}/story-{index}</link>"
        f"<guid isPermaLink='false'>bench-{index}</guid><pubDate>{when}</pubDate>"
        f"<author>desk@news.example (News desk)</author>"
        f"<description>{paragraphs[0] if paragraphs else ''}</description>"
        f"<content:encoded><![CDATA[{body}]]></content:encoded></item>"
    )


def synthetic_feed(first: int, count: int) -> bytes:
    """An RSS 2.0 feed of the synthetic articles ``first`` to ``first + count - 1``."""
    items = "".join(entry_xml(index) for index in range(first, first + count))
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0' "
        "xmlns:content='http://purl.org/rss/1.0/modules/content/'><channel>"
        f"<title>Bench feed {first // max(count, 1)}</title><link>https://news.example/</link>"
        f"<description>Synthetic news</description><language>en</language>{items}"
        "</channel></rss>"
    ).encode()


def write_feeds(directory: Path, articles: int, per_feed: int = PER_FEED) -> Iterator[Path]:
    """Write ``articles`` synthetic articles as feeds of ``per_feed`` entries below
    ``directory``, one file at a time; yields each file written."""
    directory.mkdir(parents=True, exist_ok=True)
    for first in range(0, articles, per_feed):
        path = directory / f"feed-{first // per_feed:06}.xml"
        path.write_bytes(synthetic_feed(first, min(per_feed, articles - first)))
        yield path


@dataclass(frozen=True, slots=True)
class MemoryResult:
    """One size: articles exported, seconds of the run, its peak resident set (MiB)."""

    articles: int
    seconds: float
    peak_mib: float


def _progress(total: int, say: Callable[[str], None]) -> Callable[[RunSummary], None]:
    started = time.perf_counter()
    last = 0

    def report(summary: RunSummary) -> None:
        nonlocal last
        if summary.articles - last >= PROGRESS_EVERY:
            last = summary.articles
            seconds = time.perf_counter() - started
            say(f"  {summary.articles:,} of {total:,} articles, {seconds:.0f} s")

    return report


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def run_folder(job: tuple[str, str, int]) -> int:
    """``ingest run FOLDER -o jsonl:OUT`` with every built-in plugin, in this process;
    ``job`` is (folder, output file, articles expected, for the progress lines)."""
    folder, out, expected = job
    summary = run_once(
        Pipeline(get_plugin_manager()),
        [folder],
        [parse_target("jsonl:" + out)],
        on_progress=_progress(expected, _say),
    )
    return summary.articles


def peak_memory(articles: int, workdir: Path, per_feed: int = PER_FEED) -> MemoryResult:
    """Write ``articles`` synthetic articles as feeds below ``workdir``, run them to a JSON
    Lines file in a forked child, delete both; the child's exports, seconds and peak RSS."""
    folder, out = workdir / f"feeds-{articles}", workdir / f"out-{articles}.jsonl"
    try:
        for _ in write_feeds(folder, articles, per_feed):
            pass
        done = run_forked(run_folder, (str(folder), str(out), articles))
    finally:
        for path in folder.glob("*.xml"):
            path.unlink()
        if folder.exists():
            folder.rmdir()
        out.unlink(missing_ok=True)
    if done is None:
        raise SystemExit(f"the run over {articles:,} articles failed in its child process")
    exported, seconds, peak = done
    return MemoryResult(int(exported), seconds, peak)


def main() -> None:
    """Print the peak memory of each size."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="2000,200000", help="articles, comma-separated")
    parser.add_argument("--per-feed", type=int, default=PER_FEED, help="entries per feed file")
    args = parser.parse_args()
    get_plugin_manager()  # every plugin module imported before the children fork
    print(f"{'articles':>10} {'exported':>10} {'seconds':>8} {'peak MiB':>9}")
    with tempfile.TemporaryDirectory(prefix="ingest-bench-memory-") as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            result = peak_memory(size, Path(tmp), args.per_feed)
            print(
                f"{size:>10,} {result.articles:>10,} {result.seconds:>8.1f} "
                f"{result.peak_mib:>9.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
