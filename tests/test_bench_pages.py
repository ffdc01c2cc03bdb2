"""The page benchmark's scoring rules on inputs written here, and one short run on the corpus."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import pages_scoring as score
from tests.conftest import REPO


def test_tokens_are_word_runs_with_case_kept() -> None:
    assert score.tokenize("Don't stop—now, 2024's Ünïcode!") == [
        "Don",
        "t",
        "stop",
        "now",
        "2024",
        "s",
        "Ünïcode",
    ]
    assert score.tokenize(None) == []


def test_shingles_overlap_and_short_texts_make_one() -> None:
    assert score.shingles("a b c d e") == {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}
    assert score.shingles("a b") == {("a", "b"): 1}
    assert score.shingles("") == {}
    assert score.shingles("a b c d a b c d") == {
        ("a", "b", "c", "d"): 2,
        ("b", "c", "d", "a"): 1,
        ("c", "d", "a", "b"): 1,
        ("d", "a", "b", "c"): 1,
    }


def test_match_counts_a_multiset_normalised_per_page() -> None:
    assert score.match("a b c d e", "a b c d x") == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    # A repeated shingle counts as many times as it appears on each side.
    assert score.match("a b c d, a b c d", "a b c d") == pytest.approx((0.2, 0, 0.8))
    assert score.match("a b c d", "A b c d") == (0.0, 0.5, 0.5)  # case counts
    assert score.match("", "") == (0.0, 0.0, 0.0)


def test_empty_output_counts_for_recall_only() -> None:
    result = score.score_bodies([("a b c d e", "a b c d x"), ("f g h i", "")])
    assert result.precision == pytest.approx(0.5)
    assert result.recall == pytest.approx(0.25)
    assert result.f1 == pytest.approx(2 * 0.5 * 0.25 / 0.75)
    assert result.empty == 1
    assert result.accuracy == 0.0


def test_exact_output_scores_one_and_counts_as_accurate() -> None:
    result = score.score_bodies([("One two, three four five.", "One two three\nfour five")])
    assert (result.f1, result.precision, result.recall, result.accuracy) == (1.0, 1.0, 1.0, 1.0)


def test_title_and_authors_exact_up_to_white_space() -> None:
    assert score.same_title("Es war ein Meteorit ", "Es war  ein\nMeteorit")
    assert not score.same_title("Es war ein Meteorit", "Es war ein Meteorit | NDR")
    assert not score.same_title("Title", None)
    assert score.same_authors(["Ana Lindqvist", "Tomas Berg"], ["Tomas Berg", " Ana Lindqvist"])
    assert not score.same_authors(["Ana Lindqvist", "Tomas Berg"], ["Ana Lindqvist"])
    assert score.same_authors([], [])
    assert not score.same_authors([], ["Staff"])


def test_same_day_takes_the_local_or_the_utc_date() -> None:
    truth = "2024-04-30T23:30:00-04:00"  # 03:30 UTC on May 1st
    assert score.same_day(truth, "2024-05-01T03:30:00+00:00")
    assert score.same_day(truth, "2024-04-30")
    assert not score.same_day(truth, "2024-05-02T03:30:00+00:00")
    assert score.same_day("2024-04-22T00:00:00", "2024-04-22T08:00:00+00:00")
    assert not score.same_day(truth, None)


def test_same_minute_wants_the_instant() -> None:
    truth = "2025-06-30T15:59:30+02:00"
    assert score.same_minute(truth, "2025-06-30T13:59:00+00:00")
    assert not score.same_minute(truth, "2025-06-30T15:59:00+00:00")
    assert not score.same_minute(truth, "2025-06-30")
    assert not score.same_minute(truth, "2025-06-30T15:59:30")
    assert score.states_instant(truth)
    assert not score.states_instant("2024-10-16T00:00:00+08:00")
    assert not score.states_instant("2024-04-25T14:07:00")


def test_benchmark_runs_on_three_pages(corpus: Path) -> None:
    # ingest, trafilatura (an ingest dependency) and BeautifulSoup are always installed; the
    # other peers come with the bench extra and are then checked too.
    names = ["ingest", "ingest-run", "trafilatura", "trafilatura-fast", "beautifulsoup"]
    extra = [n for n, module in (("readability", "readability"), ("resiliparse", "resiliparse"))
             if importlib.util.find_spec(module) is not None]  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_pages", "--corpus", str(corpus), "--limit", "3",
         "--only", ",".join(names + extra)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    bodies, _, metadata = done.stdout.partition("Metadata:")
    rows = {line.split()[0]: line.split()[1:] for line in bodies.splitlines() if line}
    assert "3 open pages of articles" in bodies
    assert "3 open pages of article-metadata" in metadata
    for name in ("ingest", "ingest-run", "trafilatura", "trafilatura-fast", *extra):
        assert 0.5 < float(rows[name][0]) <= 1.0, done.stdout  # F1 on real pages
    assert float(rows["beautifulsoup"][2]) == 1.0  # the floor keeps all the text: recall 1
    meta_rows = {line.split()[0]: line.split()[1:] for line in metadata.splitlines()[2:] if line}
    assert 0.0 <= float(meta_rows["ingest"][0]) <= 1.0  # title exact, over the three pages
