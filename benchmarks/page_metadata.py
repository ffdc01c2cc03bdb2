"""Benchmark: page metadata (title, authors, published date) against the article-metadata
corpus (Fundus' test pages and values, ``../shared/corpus/article-metadata``).

The open ids are split once, before any tuning: sorted, every third id (indexes 2, 5, 8...)
is the test part, the rest the dev part. Rules are tuned on dev; the test part is reported.
Scores (see :func:`tests.plugins.test_page_metadata.score`): title exact (whitespace
collapsed, NFC), author set exact (case and whitespace folded), date on the same day (in the
truth's own offset), and time right to the minute where the truth states a time with an
offset. ``ingest`` reads with :func:`read_metadata`; trafilatura with ``bare_extraction``
(``pip install trafilatura==2.3.1`` for that row). Run from the repository root::

    python -m benchmarks.page_metadata [--part dev|test|all] [--misses] [--no-trafilatura]
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime

import lxml.html

from ingest_plugins.sources.pages.metadata import read_metadata
from tests.plugins.test_page_metadata import (
    DEFAULT_DIR,
    Guess,
    Page,
    load_pages,
    score,
    show_misses,
)


def ingest_guess(page: Page) -> Guess:
    """What read_metadata finds on the page."""
    found = read_metadata(lxml.html.document_fromstring(page.html), page.url)
    return Guess(found.title, found.authors, found.published)


def trafilatura_guess(page: Page) -> Guess:
    """What trafilatura's bare_extraction finds (metadata only, dates with their time)."""
    import trafilatura

    document = trafilatura.bare_extraction(
        page.html,
        url=page.url,
        with_metadata=True,
        only_with_metadata=False,
        date_extraction_params={
            "extensive_search": True,
            "original_date": True,
            "outputformat": "%Y-%m-%dT%H:%M:%S%z",
        },
    )
    if document is None:
        return Guess(None, (), None)
    authors = tuple(a.strip() for a in (document.author or "").split(";") if a.strip())
    published = None
    if document.date:
        try:
            published = datetime.fromisoformat(document.date)
        except ValueError:
            published = None
    return Guess(document.title, authors, published)


def main() -> None:
    """Score ingest (and trafilatura) on one part of the corpus and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=("dev", "test", "all"), default="test")
    parser.add_argument("--misses", action="store_true", help="list ingest's misses")
    parser.add_argument("--no-trafilatura", action="store_true")
    args = parser.parse_args()
    pages = load_pages(DEFAULT_DIR, args.part)
    rows = [("ingest", ingest_guess)]
    if not args.no_trafilatura:
        rows.append(("trafilatura", trafilatura_guess))
    print(f"{args.part}: {len(pages)} pages")
    print(f"{'':12} {'title':>6} {'authors':>8} {'day':>6} {'time':>6} {'ms/page':>8}")
    for name, guess in rows:
        started = time.perf_counter()
        guesses = [guess(page) for page in pages]
        elapsed = (time.perf_counter() - started) * 1000 / len(pages)
        s = score(pages, guesses)
        print(
            f"{name:12} {s.title:6.3f} {s.authors:8.3f} {s.day:6.3f} {s.time:6.3f} "
            f"{elapsed:8.1f}   (time on {s.timed} pages)"
        )
        if args.misses and name == "ingest":
            show_misses(pages, guesses)


if __name__ == "__main__":
    main()
