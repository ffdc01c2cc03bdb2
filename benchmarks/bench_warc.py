"""Benchmark: the ``warc`` source against the page extractor it feeds, and its memory as
the WARC file grows.

A WARC is written the way CC-NEWS ships them (gzip per record, a request and a response
per page) from the shared corpus' real article pages, cycled to ``--records`` responses,
and a second one a quarter that size. Then, each in a child forked from the same parent:

* ``page_article`` on the same pages' bytes, already in memory: the extractor's speed;
* the ``warc`` source (:class:`WarcPages`) over the file: inflating, parsing records and
  extracting every page;
* ``ingest run`` on the file to JSON Lines, tag plugins off (clean, ids, export added).

Peak memory is each child's maximum resident set, shown also as growth over the parent's:
the source's must not grow with the file. Run from the repository root::

    python -m benchmarks.bench_warc [--corpus ../shared/corpus/articles] [--records 2000]
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import resource
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from warcio.archiveiterator import ArchiveIterator  # type: ignore[import-untyped]
from warcio.statusandheaders import StatusAndHeaders  # type: ignore[import-untyped]
from warcio.warcwriter import WARCWriter  # type: ignore[import-untyped]

from benchmarks.forked import run_forked
from ingest import Pipeline, get_plugin_manager
from ingest.engine import run_once
from ingest.locations import parse_target
from ingest_plugins.sources.pages.decode import NotAPage
from ingest_plugins.sources.pages.plugin import page_article
from ingest_plugins.sources.warc import WarcPages
from ingest_plugins.sources.warc.members import WarcBytes

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "articles"
TAG_PLUGINS = ("language", "entities", "entities_spacy", "quotes", "keywords")
Page = tuple[str, bytes]
T = TypeVar("T")


def load_pages(corpus: Path) -> list[Page]:
    """(URL, HTML bytes) of every page of the article corpus."""
    truth = json.loads((corpus / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for path in sorted((corpus / "html").glob("*.html.gz")):
        key = path.name.removesuffix(".html.gz")
        pages.append((truth[key]["url"], gzip.decompress(path.read_bytes())))
    return pages


def write_warc(path: Path, pages: list[Page], responses: int) -> None:
    """A gzip-per-record WARC of ``responses`` pages (cycled), each after its request."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "bench"}))
        for number in range(responses):
            url, body = pages[number % len(pages)]
            url = f"{url}{'&' if '?' in url else '?'}capture={number}"
            date = {"WARC-Date": f"2024-03-{1 + number % 28:02d}T10:{number % 60:02d}:00Z"}
            request = StatusAndHeaders(f"GET {url} HTTP/1.1", [], is_http_request=True)
            writer.write_record(
                writer.create_warc_record(
                    url, "request", length=0, http_headers=request, warc_headers_dict=date
                )
            )
            headers = [("Content-Type", "text/html; charset=utf-8")]
            response = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                length=len(body),
                http_headers=response,
                warc_headers_dict=date,
            )
            writer.write_record(record)


def _resident_mib() -> float:
    """This process's resident set now (what a forked child starts with), in MiB; its peak
    so far where ``/proc`` is missing."""
    try:
        pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[1])
    except (OSError, IndexError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return pages * resource.getpagesize() / 2**20


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_extractor(work: tuple[list[Page], int]) -> tuple[int, float]:
    """``page_article`` on ``count`` pages (cycled) already in memory: (pages, CPU s)."""
    started = _cpu()
    pages, count = work
    for number in range(count):
        url, body = pages[number % len(pages)]
        with contextlib.suppress(NotAPage):
            page_article(body, url, "bench", "utf-8")
    return count, _cpu() - started


def run_records(path: Path) -> tuple[int, float]:
    """Only reading: every record inflated and parsed by warcio, each response's bytes
    read, no extraction: (responses, CPU s)."""
    started, count = _cpu(), 0
    with path.open("rb") as handle:
        for record in ArchiveIterator(WarcBytes(handle), no_record_parse=True):
            count += record.rec_type == "response"
            while record.raw_stream.read(1 << 16):
                pass
    return count, _cpu() - started


def run_source(path: Path) -> tuple[int, float]:
    """The ``warc`` source over the file: (pages handled: articles and page errors, CPU s)."""
    started = _cpu()
    with path.open("rb") as handle:
        pages = WarcPages(WarcBytes(handle), f"warc:{path}", str(path), 32 * 1024 * 1024)
        count = sum(1 for _ in pages)
    return count, _cpu() - started


def run_ingest(path: Path) -> tuple[int, float]:
    """``ingest run FILE -o out.jsonl --no-plugin <tag plugins>``: (responses read, CPU s);
    repeated captures of a page are exported once, as duplicates."""
    started = _cpu()
    with tempfile.TemporaryDirectory() as tmp:
        target = parse_target("jsonl:" + str(Path(tmp) / "out.jsonl"))
        pm = get_plugin_manager(blocked=TAG_PLUGINS)
        summary = run_once(Pipeline(pm), [f"warc:{path}"], [target])
    return summary.articles + summary.duplicates + summary.items_failed, _cpu() - started


Row = tuple[str, int, float, float, float]


def _measure(name: str, work: Callable[[T], tuple[int, float]], argument: T) -> Row:
    done = run_forked(work, argument)
    if done is None:
        raise SystemExit(f"{name} failed in its child process")
    (items, cpu), seconds, peak = done
    return name, int(items), seconds, cpu, peak


def main() -> None:
    """Write the WARCs, measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--records", type=int, default=2000, help="HTML responses (2000)")
    args = parser.parse_args()
    if not (args.corpus / "html").is_dir():
        raise SystemExit(f"no article corpus at {args.corpus}")
    pages = load_pages(args.corpus)
    get_plugin_manager()  # import every plugin module in the parent
    with tempfile.TemporaryDirectory() as tmp:
        small, large = Path(tmp) / "small.warc.gz", Path(tmp) / "large.warc.gz"
        write_warc(small, pages, args.records // 4)
        write_warc(large, pages, args.records)
        for path in (small, large):
            with path.open("rb") as handle:  # into the page cache for everyone, a block at a time
                while handle.read(1 << 20):
                    pass
        base = _resident_mib()
        quarter = args.records // 4
        rows = [
            _measure("page_article, in memory", run_extractor, (pages, args.records)),
            _measure("records only (warcio)", run_records, large),
            _measure(f"warc source, {quarter:,}", run_source, small),
            _measure(f"warc source, {args.records:,}", run_source, large),
            _measure("ingest run (no tags)", run_ingest, large),
        ]
        sizes = {
            n: p.stat().st_size / 1e6
            for n, p in ((args.records // 4, small), (args.records, large))
        }
    print(
        f"{len(pages)} corpus pages cycled; WARCs of {args.records // 4:,} and {args.records:,} "
        f"responses (+ requests), gzip per record: {sizes[args.records // 4]:.0f} and "
        f"{sizes[args.records]:.0f} MB; parent RSS at fork {base:.0f} MiB\n"
    )
    print(
        f"{'what':<24} {'pages':>6} {'seconds':>8} {'CPU s':>7} {'pages/CPU s':>11} "
        f"{'peak MiB':>9} {'+parent':>8}"
    )
    for name, items, seconds, cpu, peak in rows:
        print(
            f"{name:<24} {items:>6,} {seconds:>8.2f} {cpu:>7.2f} {items / cpu:>11.1f} "
            f"{peak:>9.0f} {peak - base:>+8.0f}"
        )
    extractor, source = rows[0][1] / rows[0][3], rows[3][1] / rows[3][3]
    print(f"\nwarc source: {source / extractor:.2f}x the extractor's pages per CPU second")


if __name__ == "__main__":
    main()
