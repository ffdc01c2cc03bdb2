"""The shared feed corpus, file by file: ingest reads at least as many entries as feedparser
and fastfeedparser, every article it makes is valid, and a file that holds items never
passes with none read.

Entries are counted as the ``rss`` plugin yields them through the plugin manager, before
the run's deduplication (which would count an entry a feed lists twice once: the peers
count it twice). Each yielded entry then goes through the real clean stage and the schema.
"""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import pytest

from ingest import Article, Pipeline, SourceError, get_plugin_manager, to_json
from ingest.locations import Source
from ingest.schema import article_errors
from ingest.summary import STAGES
from ingest_plugins.sources.feeds.tree import scan_entry_tags
from tests.conftest import CORPUS

FEEDS = CORPUS / "feeds"
TAG_PLUGINS = ("language", "entities", "entities_spacy", "quotes", "keywords")


def _manifest() -> list[str]:
    try:
        with (FEEDS / "MANIFEST.tsv").open(encoding="utf-8", newline="") as handle:
            return sorted(row["filename"] for row in csv.DictReader(handle, delimiter="\t"))
    except FileNotFoundError:
        return []


NAMES = _manifest()
PARAMS = NAMES or [
    pytest.param("", marks=pytest.mark.skip(reason=f"shared corpus not found at {FEEDS}"))
]


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    """One pipeline for the module, without the tag plugins: they are not under test."""
    return Pipeline(get_plugin_manager(blocked=TAG_PLUGINS))


def test_the_manifest_lists_every_feed_file() -> None:
    if not NAMES:
        pytest.skip(f"shared corpus not found at {FEEDS}")
    on_disk = sorted(p.name for p in FEEDS.iterdir() if p.name != "MANIFEST.tsv")
    assert on_disk == NAMES


def _peers(data: bytes) -> tuple[int, int | None]:
    """feedparser's and fastfeedparser's entry counts; None where fastfeedparser raises."""
    import fastfeedparser
    import feedparser

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # both warn about what they forgive
        ours_to_beat = len(feedparser.parse(data).entries)
        try:
            fast: int | None = len(fastfeedparser.parse(data).entries)
        except Exception:  # it refuses some files outright (a ValueError)
            fast = None
    return ours_to_beat, fast


def _read(pipeline: Pipeline, path: Path) -> tuple[list[Article], list[SourceError]]:
    """Every entry the plugin yields for ``path``, cleaned, and the errors it reports."""
    errors: list[SourceError] = []
    articles: list[Article] = []
    _, items = pipeline.fetch(Source("rss", str(path)))
    try:
        for item in items:
            if isinstance(item, SourceError):
                errors.append(item)
                continue
            pipeline.process(item, "rss", dict.fromkeys(STAGES, 0.0))
            articles.append(item)
    except SourceError as exc:
        errors.append(exc)
    return articles, errors


@pytest.mark.parametrize("name", PARAMS)
def test_corpus_feed_reads_at_least_what_the_peers_read(pipeline: Pipeline, name: str) -> None:
    path = FEEDS / name
    data = path.read_bytes()
    articles, errors = _read(pipeline, path)
    ours = len(articles)
    feedparser_count, fast_count = _peers(data)
    assert ours >= feedparser_count, f"{ours} entries < feedparser's {feedparser_count}"
    # fastfeedparser refuses some files (nnw__ScriptingNews.json): then feedparser alone
    # is the peer for that file.
    if fast_count is not None:
        assert ours >= fast_count, f"{ours} entries < fastfeedparser's {fast_count}"
    for article in articles:
        assert article_errors(to_json(article)) == [], article.describe()
    if ours == 0:
        holds_items = scan_entry_tags(data)[0] > 0 or feedparser_count > 0 or bool(fast_count)
        assert errors, f"no article and no error (holds items: {holds_items})"
    else:
        assert errors == [], [e.reason for e in errors]
