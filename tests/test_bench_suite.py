"""The benchmark suite at toy sizes: every section runs for real (forked runs, loopback
servers, fresh ``ingest --version`` processes) and the table has every row, with figures."""

from __future__ import annotations

import pytest

from benchmarks.bench_memory import write_feeds
from benchmarks.bench_suite import Sizes, Suite, render, run_suite

#: The rows whose figure is a count, a rate or a duration: positive when measured.
FIXED_ROWS = {
    "feeds": ["feedparser", "fastfeedparser", "workers1", "workersN", "taggers-off"],
    "tags": ["tag-stage", "rest"],
    "fetch": ["concurrent", "one-at-a-time", "slow-hosts", "slow-hosts-per-host"],
    "startup": ["python", "import feedparser", "version"],
    "memory": ["memory-small", "memory-large"],
}
TAGGERS = {"language", "entities", "quotes", "keywords"}


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> tuple[Suite, Sizes]:
    """One run of the whole suite at toy sizes: 3 feeds of 10 entries, 20 and 50 articles,
    10 feeds on 2 servers at 20 ms, 4 feeds on 2 loopback hosts at 20 ms (a hung run
    on state is stopped after 6 s)."""
    work = tmp_path_factory.mktemp("bench-suite")
    corpus = work / "feeds"
    assert len(list(write_feeds(corpus, 30, 10))) == 3
    sizes = Sizes(
        corpus=corpus,
        repeat=1,
        memory=(20, 50),
        per_feed=10,
        served_feeds=10,
        sites=2,
        serve_delay=0.02,
        slow_hosts=2,
        slow_feeds=2,
        slow_delay=0.02,
        slow_limit=6,
        startup_runs=1,
        workdir=work,
    )
    return run_suite(sizes), sizes


def test_every_row_is_measured(suite: tuple[Suite, Sizes]) -> None:
    measured, _ = suite
    keys = {(row.section, row.key) for row in measured.rows}
    for section, expected in FIXED_ROWS.items():
        for key in expected:
            assert (section, key) in keys
    timed = {row.label for row in measured.rows if row.key.startswith("tag:")}
    assert timed >= TAGGERS
    for row in measured.rows:
        if row.key != "memory-growth":
            assert row.value > 0, row


def test_figures_match_what_was_run(suite: tuple[Suite, Sizes]) -> None:
    measured, sizes = suite
    # Every ingest run read the 30 synthetic entries; the parsers found them too.
    for key in ("feedparser", "fastfeedparser", "workers1", "workersN", "taggers-off"):
        assert "30 entries" in measured.get(key).detail, key
    assert "30 articles" in measured.get("concurrent").detail
    assert "30 articles" in measured.get("one-at-a-time").detail
    assert measured.get("slow-hosts-per-host").value <= 2
    assert f"{sizes.memory[1]} articles" in measured.get("memory-large").detail
    growth = measured.get("memory-growth").value
    assert growth == pytest.approx(
        measured.get("memory-large").value - measured.get("memory-small").value
    )
    # The plugins' own time is most of the tag stage, and no more than all of it.
    tagged = sum(row.value for row in measured.rows if row.key.startswith("tag:"))
    assert 0.5 * measured.get("tag-stage").value <= tagged <= measured.get("tag-stage").value


def test_the_table_shows_every_row_and_target(suite: tuple[Suite, Sizes]) -> None:
    measured, _ = suite
    table = render(measured)
    for row in measured.rows:
        assert row.label in table
    assert table.count("PASS") + table.count("FAIL") == len(measured.checks) == 6
    assert set(measured.headings) == set(FIXED_ROWS)


def test_one_at_a_time_is_one_at_a_time(suite: tuple[Suite, Sizes]) -> None:
    measured, _ = suite
    # Ten feeds answering after 20 ms each, in turn: not less than 0.2 s.
    assert measured.get("one-at-a-time").value >= 0.2
    assert "at most 1 requests at once, 1 to one server" in measured.get("one-at-a-time").detail
    concurrent = measured.get("concurrent").detail
    assert "at most 1 requests" not in concurrent
    assert concurrent.endswith(("1 to one server", "2 to one server"))
