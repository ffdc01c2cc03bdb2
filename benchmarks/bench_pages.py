"""Benchmark: page extraction (body and metadata) by ingest and its peers, scored on the open
pages of the shared corpora with their own rules, in one run.

Bodies (``articles``): word 4-gram shingle precision and recall averaged over pages, as the
article-extraction-benchmark defines them (see ``benchmarks/pages_scoring.py``), for
``page_article`` (the ``html`` source alone), ``ingest run`` (the whole default pipeline),
trafilatura (default and ``fast=True``), readability-lxml, resiliparse and BeautifulSoup's
``get_text`` (the floor: all the page's text). Metadata (``article-metadata``): title and
author set exact, date on the same day and to the minute, for ``page_article`` and
trafilatura's ``extract_metadata``.

Every extractor runs in a child forked from the same parent (every module imported, pages
read and decompressed), so they start equal; peak memory is the child's maximum resident set
(``wait4``), shown also as growth over the parent's. Run from the repository root::

    python -m benchmarks.bench_pages [--corpus ../shared/corpus] [--limit N] [--only NAME]
        [--part dev|test|all] [--misses]

``--part`` restricts the bodies table to one part of the articles corpus, split once before
any tuning (sorted open ids, every third is test: ``pages_scoring.split_ids``); ``--misses``
(dev part only: the test part is not studied) lists ingest's per-page scores beside the best
peer's, worst first.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import os
import resource
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import lxml.html
import trafilatura
from bs4 import BeautifulSoup
from trafilatura.metadata import extract_metadata

from benchmarks import pages_scoring as score
from benchmarks.forked import run_forked
from ingest import Article, Pipeline, get_plugin_manager
from ingest.engine import run_once
from ingest.locations import parse_target
from ingest_plugins.clean.markup import html_to_text

try:  # helper P's plugin; until it lands, ingest's rows say "not available"
    from ingest_plugins.sources.pages.plugin import page_article
except ImportError:
    page_article = None

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"


@dataclass(frozen=True, slots=True)
class Page:
    """One corpus page, read and decompressed in the parent."""

    id: str
    url: str | None
    path: Path
    data: bytes
    html: str


@dataclass(frozen=True, slots=True)
class Run:
    """What one extractor's child reported."""

    outputs: list[Any]
    seconds: float
    peak_mb: float
    #: The child's resident set when it began: the peak minus this is what the work added.
    start_mb: float
    failures: int


def load_pages(
    folder: Path, limit: int | None, part: str = "all"
) -> tuple[list[Page], dict[str, Any]]:
    """The open pages of one corpus (one part of its sorted ids, the first ``limit``) and its
    truth."""
    truth: dict[str, Any] = json.loads((folder / "ground-truth.json").read_text("utf-8"))
    ids = score.split_ids((folder / "open-ids.txt").read_text("utf-8").split(), part)[:limit]
    pages = []
    for page_id in ids:
        path = folder / "html" / f"{page_id}.html.gz"
        data = gzip.decompress(path.read_bytes())
        # Both corpora state their pages are utf-8; peers get the text as their scripts do.
        html = data.decode("utf-8", errors="replace")
        pages.append(Page(page_id, truth[page_id].get("url"), path, data, html))
    return pages, truth


Work = Callable[[list[Page]], tuple[list[Any], int]]


def measure(work: Work, pages: list[Page]) -> Run | None:
    """Run ``work(pages)`` in a forked child; None when the child dies."""

    def child(pages: list[Page]) -> list[Any]:
        start_mb = resident_mb()  # what the child starts from, before any page
        outputs, failures = work(pages)
        return [outputs, failures, start_mb]

    done = run_forked(child, pages)
    if done is None:
        return None
    (outputs, failures, start_mb), seconds, peak = done
    return Run(outputs, seconds, peak, start_mb, failures)


def measured(
    extractors: Sequence[tuple[str, Work]], pages: list[Page], names: set[str] | None
) -> Iterator[tuple[str, Run]]:
    """Each wanted extractor's run; a line for one that is not installed or whose child
    died."""
    for name, work in extractors:
        if names is not None and name not in names:
            continue
        if why := unavailable(name):
            print(f"{name:<17} {why}")
            continue
        run = measure(work, pages)
        if run is None:
            print(f"{name:<17} failed: its child process died")
            continue
        yield name, run


def resident_mb() -> float:
    """The parent's resident set now (what a child starts from), in MiB; the peak so far
    where ``/proc`` is missing."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def warm(extractors: Sequence[tuple[str, Work]], pages: list[Page]) -> None:
    """Run each extractor on one page in the parent, so that what it imports or builds on
    first use (lazy modules, compiled patterns, models) is shared, not timed in a child."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _, work in extractors:
            work(pages[:1])


def per_page(extract: Callable[[Page], Any]) -> Work:
    """Apply ``extract`` to each page; a page it raises on gives None and counts a failure."""

    def work(pages: list[Page]) -> tuple[list[Any], int]:
        outputs, failures = [], 0
        for page in pages:
            try:
                outputs.append(extract(page))
            except Exception:
                outputs.append(None)
                failures += 1
        return outputs, failures

    work.__name__ = extract.__name__
    return work


# Bodies ---------------------------------------------------------------------------------


def _page_article(page: Page) -> Article:
    assert page_article is not None
    return page_article(page.data, page.url, str(page.path))


def ingest_body(page: Page) -> str:
    """The text of ``page_article``; HTML it left for the clean stage is converted as the
    ``markup`` plugin would."""
    article = _page_article(page)
    markup = article.markup
    if not article.text.strip() and markup is not None and markup.body:
        return html_to_text(markup.body, markup.base_url).text
    return article.text


def trafilatura_body(page: Page) -> str | None:
    """``trafilatura.extract`` as the benchmark's own script calls it."""
    return trafilatura.extract(page.html, include_comments=False)


def trafilatura_fast_body(page: Page) -> str | None:
    """``trafilatura.extract(fast=True)``: no fallback extractors."""
    return trafilatura.extract(page.html, include_comments=False, fast=True)


def readability_body(page: Page) -> str:
    """readability-lxml's summary, its text through lxml (text nodes joined by spaces)."""
    from readability import Document  # type: ignore[import-untyped]  # the bench extra

    summary = Document(page.html).summary(html_partial=True)
    return " ".join(str(text) for text in lxml.html.fromstring(summary).itertext())


def resiliparse_body(page: Page) -> str:
    """resiliparse's ``extract_plain_text(main_content=True)``."""
    from resiliparse.extract.html2text import extract_plain_text  # the bench extra

    return str(extract_plain_text(page.html, main_content=True))


def soup_body(page: Page) -> str:
    """All the page's text: ``BeautifulSoup.get_text`` as the benchmark's script calls it."""
    return BeautifulSoup(page.html, "html.parser").get_text(separator=" ", strip=True)


def ingest_run_bodies(pages: list[Page]) -> tuple[list[Any], int]:
    """``ingest run html:PAGE... -o out.jsonl`` in-process, every default plugin on."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.jsonl"
        locations = [f"html:{Path(tmp) / page.id}.html" for page in pages]
        for location, page in zip(locations, pages, strict=True):
            Path(location.removeprefix("html:")).write_bytes(page.data)
        summary = run_once(
            Pipeline(get_plugin_manager()), locations, [parse_target(f"jsonl:{out}")]
        )
        texts: dict[str, str] = {}
        for line in out.read_text("utf-8").splitlines():
            record = json.loads(line)
            texts[Path(record["source"]["location"]).name.removesuffix(".html")] = record["text"]
    outputs = [texts.get(page.id) for page in pages]
    return outputs, summary.sources_failed + summary.items_failed


def source_kinds() -> set[str]:
    """The source kinds the installed plugins declare."""
    kinds = get_plugin_manager().hook.ingest_source_kinds()
    return {kind.name for declared in kinds if declared for kind in declared}


# Metadata -------------------------------------------------------------------------------


def _iso(when: date | datetime | None) -> str | None:
    return None if when is None else when.isoformat()


def ingest_metadata(page: Page) -> list[Any]:
    """Title, author names and publication date of ``page_article``."""
    article = _page_article(page)
    names = [a.name for a in article.authors if a.name]
    return [article.title, names, _iso(article.published)]


def trafilatura_metadata(page: Page) -> list[Any]:
    """trafilatura's ``extract_metadata`` (its date is a day: ``YYYY-MM-DD``)."""
    found = extract_metadata(page.html, default_url=page.url)
    authors = [a.strip() for a in (found.author or "").split(";") if a.strip()]
    return [found.title, authors, found.date]


# Tables ---------------------------------------------------------------------------------

# trafilatura first: the others' speed is shown as a ratio over its own.
BODY_EXTRACTORS: tuple[tuple[str, Work], ...] = (
    ("trafilatura", per_page(trafilatura_body)),
    ("ingest", per_page(ingest_body)),
    ("ingest-run", ingest_run_bodies),
    ("trafilatura-fast", per_page(trafilatura_fast_body)),
    ("readability", per_page(readability_body)),
    ("resiliparse", per_page(resiliparse_body)),
    ("beautifulsoup", per_page(soup_body)),
)
METADATA_EXTRACTORS: tuple[tuple[str, Work], ...] = (
    ("trafilatura", per_page(trafilatura_metadata)),
    ("ingest", per_page(ingest_metadata)),
)


def unavailable(name: str) -> str | None:
    """Why extractor ``name`` cannot run here, or None."""
    if name == "ingest" and page_article is None:
        return "not available (no ingest_plugins.sources.pages.plugin.page_article)"
    if name == "ingest-run" and "html" not in source_kinds():
        return "not available (no plugin declares the html source kind)"
    module = _EXTRA.get(name)
    if module and importlib.util.find_spec(module) is None:
        return f"not installed (pip install -e '.[bench]' brings {module})"
    return None


#: Peers that come with the bench extra, by the module they need.
_EXTRA = {"readability": "readability", "resiliparse": "resiliparse"}


def selected(
    extractors: Sequence[tuple[str, Work]], names: set[str] | None
) -> list[tuple[str, Work]]:
    """The extractors asked for (all when ``names`` is None) that can run here."""
    return [
        (name, work)
        for name, work in extractors
        if (names is None or name in names) and unavailable(name) is None
    ]


def _speed(run: Run, pages: int, reference: float | None) -> str:
    rate = pages / run.seconds if run.seconds else float("inf")
    ratio = f"{rate / reference:>9.2f}x" if reference else f"{'':>10}"
    return (
        f"{run.failures:>4} {run.seconds:>8.2f} {rate:>8.1f} {ratio} "
        f"{run.peak_mb:>8.0f} {run.peak_mb - run.start_mb:>+8.0f}"
    )


SPEED_HEAD = (
    f"{'fail':>4} {'seconds':>8} {'pages/s':>8} {'vs trafil':>10} {'peak MiB':>8} {'+start':>8}"
)


def body_table(
    pages: list[Page],
    truth: dict[str, Any],
    names: set[str] | None,
    part: str = "all",
    misses: bool = False,
) -> None:
    """Run and print the body extractors: quality, then speed against trafilatura's; with
    ``misses``, ingest's per-page scores after the table."""
    scope = "" if part == "all" else f" ({part} part)"
    print(
        f"Bodies: {len(pages)} open pages of articles{scope}; "
        "4-gram shingles, P/R averaged over pages"
    )
    print(
        f"{'extractor':<17} {'F1':>6} {'prec':>6} {'recall':>6} {'exact':>6} {'empty':>5} "
        + SPEED_HEAD
    )
    reference: float | None = None
    outputs: dict[str, list[Any]] = {}
    for name, run in measured(BODY_EXTRACTORS, pages, names):
        outputs[name] = run.outputs
        s = score.score_bodies(
            [(truth[p.id]["articleBody"], out) for p, out in zip(pages, run.outputs, strict=True)]
        )
        if name == "trafilatura":
            reference = len(pages) / run.seconds
        print(
            f"{name:<17} {s.f1:>6.3f} {s.precision:>6.3f} {s.recall:>6.3f} {s.accuracy:>6.3f} "
            f"{s.empty:>5} {_speed(run, len(pages), reference)}"
        )
    if misses:
        misses_table(pages, truth, outputs)


def _page_scores(true: str, pred: str | None) -> tuple[float, float, float]:
    """One page's F1, precision and recall."""
    counts = score.match(true, pred)
    p, r = score.precision(*counts), score.recall(*counts)
    return (2 * p * r / (p + r) if p + r else 0.0), p, r


def misses_table(pages: list[Page], truth: dict[str, Any], outputs: dict[str, list[Any]]) -> None:
    """ingest's F1, precision and recall on each page beside the best peer's F1 (its name),
    the pages where ingest falls furthest behind first."""
    mine = outputs.get("ingest")
    peers = {n: o for n, o in outputs.items() if not n.startswith(("ingest", "beautifulsoup"))}
    if mine is None or not peers:
        print("\n--misses needs the ingest row and at least one peer")
        return
    rows = []
    for i, page in enumerate(pages):
        true = truth[page.id]["articleBody"]
        f1, p, r = _page_scores(true, mine[i])
        best, name = max((_page_scores(true, out[i])[0], n) for n, out in peers.items())
        rows.append((f1 - best, page.id, f1, p, r, best, name))
    print(f"\nPer page (ingest F1 minus the best peer's, worst first)\n{'id':<66} "
          f"{'diff':>6} {'F1':>6} {'prec':>6} {'recall':>6} {'peer F1':>7} peer")  # fmt: skip
    for diff, page_id, f1, p, r, best, name in sorted(rows):
        print(f"{page_id:<66} {diff:>+6.3f} {f1:>6.3f} {p:>6.3f} {r:>6.3f} {best:>7.3f} {name}")


def metadata_table(pages: list[Page], truth: dict[str, Any], names: set[str] | None) -> None:
    """Run and print the metadata extractors: share of pages right per field."""
    instants = [p for p in pages if score.states_instant(truth[p.id]["datePublished"])]
    print(f"\nMetadata: {len(pages)} open pages of article-metadata ({len(instants)} state a time)")
    print(f"{'extractor':<17} {'title':>6} {'authors':>7} {'day':>6} {'minute':>6} {SPEED_HEAD}")
    reference: float | None = None
    for name, run in measured(METADATA_EXTRACTORS, pages, names):
        title = authors = day = minute = 0
        for page, out in zip(pages, run.outputs, strict=True):
            want = truth[page.id]
            got_title, got_authors, got_date = out or (None, [], None)
            title += score.same_title(want["headline"], got_title)
            authors += score.same_authors(want.get("author", []), got_authors)
            day += score.same_day(want["datePublished"], got_date)
            if page in instants:
                minute += score.same_minute(want["datePublished"], got_date)
        if name == "trafilatura":
            reference = len(pages) / run.seconds
        n = len(pages)
        print(
            f"{name:<17} {title / n:>6.3f} {authors / n:>7.3f} {day / n:>6.3f} "
            f"{minute / max(1, len(instants)):>6.3f} {_speed(run, n, reference)}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Print the body and metadata tables."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="the shared corpora")
    parser.add_argument("--limit", type=int, default=None, help="the first N open ids of each")
    parser.add_argument(
        "--only",
        default=None,
        help="comma-separated extractors: ingest, ingest-run, "
        "trafilatura, trafilatura-fast, readability, resiliparse, beautifulsoup",
    )
    parser.add_argument(
        "--part",
        choices=score.PARTS,
        default="all",
        help="the bodies table on one part of the articles corpus (every third sorted id is test)",
    )
    parser.add_argument(
        "--misses", action="store_true", help="per-page scores of ingest (dev part only)"
    )
    args = parser.parse_args(argv)
    if args.misses and args.part != "dev":
        parser.error("--misses lists dev pages only: the test part is not studied")
    bodies, meta = args.corpus / "articles", args.corpus / "article-metadata"
    if not bodies.is_dir() or not meta.is_dir():
        raise SystemExit(f"no articles and article-metadata corpora under {args.corpus}")
    names = set(args.only.split(",")) if args.only else None
    get_plugin_manager()  # import every plugin module here, as the peers' are imported above
    body_pages, body_truth = load_pages(bodies, args.limit, args.part)
    meta_pages, meta_truth = load_pages(meta, args.limit)
    warm(selected(BODY_EXTRACTORS, names), body_pages)
    warm(selected(METADATA_EXTRACTORS, names), meta_pages)
    base = resident_mb()
    print(
        f"parent RSS {base:.0f} MiB; 'vs trafil' = pages/s over trafilatura's (default); "
        "'+start' = peak RSS over the child's RSS when it began\n"
    )
    body_table(body_pages, body_truth, names, args.part, args.misses)
    metadata_table(meta_pages, meta_truth, names)
    return 0


if __name__ == "__main__":
    sys.exit(main())
