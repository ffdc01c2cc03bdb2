"""Benchmark suite: every figure of the project side by side with its peers, in one run, and
the targets as PASS/FAIL lines. Each measurement runs in a child forked from this process.

* feeds: entries/s of bare ``feedparser.parse``, ``fastfeedparser.parse`` and ``ingest run``
  (default plugins at ``--workers 1`` and ``2``; taggers off) on the shared feed corpus
  (:mod:`benchmarks.bench_feeds`), best of ``--repeat``, with peak memory;
* tag stage: each tag plugin's ms per entry, against the rest of the run (:mod:`bench_tags`);
* fetch: 500 feeds on 127.0.0.1 answering after 0.2 s, fetched concurrently vs one at a time
  (:mod:`bench_concurrency`); 60 feeds on 10 slow loopback hosts, a run on state
  (:mod:`bench_fetch`);
* startup: ``ingest --version`` against ``python -c pass`` and ``import feedparser``;
* memory: peak RSS of a run over 2,000 and 200,000 synthetic articles (:mod:`bench_memory`).

Peak memory of a run with workers is its own peak plus, per worker, the largest worker's
(``RUSAGE_CHILDREN``): an upper bound, as forked workers share the pages they do not write.
Run from the repository root (``--quick``: memory at 20,000 articles, said in the table)::

    python -m benchmarks.bench_suite [--quick] [--corpus ../shared/corpus/feeds] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.bench_concurrency import compare, slow_hosts
from benchmarks.bench_feeds import (
    DEFAULT_CORPUS,
    _feeds,
    run_fastfeedparser,
    run_feedparser,
    run_ingest,
    run_ingest_tagged,
)
from benchmarks.bench_memory import PER_FEED, peak_memory
from benchmarks.bench_startup import commands, timed
from benchmarks.bench_tags import time_taggers
from benchmarks.forked import measure, run_forked
from ingest import Pipeline, get_plugin_manager
from ingest.engine import run_once
from ingest.http.prefetch import DEFAULT_CONCURRENCY
from ingest.locations import parse_target
from ingest.parallel import pool_factory

#: The commands of the startup section by row key, labelled as bench_startup labels them.
STARTUP = {
    "python": "python -c pass",
    "import feedparser": "python -c 'import feedparser'",
    "version": "ingest --version",
}
_FORMATS = {"entries/s": ",.0f", "ms/entry": ".3f", "s": ".3f", "MiB": ",.0f", "at once": ".0f"}


@dataclass(frozen=True, slots=True)
class Sizes:
    """What the suite measures, and how big; the defaults are the complete suite."""

    corpus: Path = DEFAULT_CORPUS
    repeat: int = 3
    workers: int = 2
    memory: tuple[int, int] = (2_000, 200_000)
    per_feed: int = PER_FEED
    served_feeds: int = 500
    sites: int = 50
    serve_delay: float = 0.2
    slow_hosts: int = 10
    slow_feeds: int = 6
    slow_delay: float = 0.5
    #: Seconds before that run is stopped as hung.
    slow_limit: float = 60.0
    startup_runs: int = 7
    #: Where the memory inputs are written (a temporary folder when None).
    workdir: Path | None = None
    #: ``--quick``: the larger memory size is not the target's 200,000 (said in the table).
    quick: bool = False


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the table: its main figure, the same figure side by side with the
    peers', the peak memory where measured and how it was got."""

    section: str
    key: str
    label: str
    value: float
    unit: str
    versus: str = ""
    peak_mib: float | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Check:
    """One target, met or not."""

    passed: bool
    text: str


@dataclass(slots=True)
class Suite:
    """Every row measured, the section headings, and the targets."""

    rows: list[Row] = field(default_factory=list)
    headings: dict[str, str] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)

    def get(self, key: str) -> Row:
        """The row of ``key``."""
        return next(row for row in self.rows if row.key == key)


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _ratio(value: float, base: float, name: str) -> str:
    return f"{value / base:.2f}x {name}"


def run_ingest_workers(job: tuple[list[Path], int]) -> list[int]:
    """``ingest run --workers N -o FILE`` with every built-in plugin, in this process: the
    articles, then this process's and its largest worker's peak RSS (KiB)."""
    feeds, workers = job
    with tempfile.TemporaryDirectory() as tmp:
        target = parse_target("jsonl:" + str(Path(tmp) / "out.jsonl"))
        pipeline = Pipeline(get_plugin_manager())
        locations = [f"rss:{p}" for p in feeds]
        summary = run_once(pipeline, locations, [target], pool=pool_factory(workers))
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return [summary.articles, own, largest]


def _best_workers(feeds: list[Path], workers: int, repeat: int) -> tuple[int, float, float, float]:
    """Best of ``repeat`` forked runs with workers: articles, seconds, the run's own peak
    and its largest worker's (MiB)."""
    runs = []
    for _ in range(repeat):
        done = run_forked(run_ingest_workers, (feeds, workers))
        if done is None:
            raise SystemExit("ingest run --workers failed in its child process")
        (articles, own, largest), seconds, _ = done
        runs.append((int(articles), seconds, own / 1024, largest / 1024))
    return min(runs, key=lambda run: run[1])


def feeds_section(sizes: Sizes, suite: Suite) -> list[Path]:
    """Entries per second of the parsers and of ``ingest run``; returns the feeds."""
    feeds = _feeds(sizes.corpus)
    megabytes = sum(p.stat().st_size for p in feeds) / 1e6
    suite.headings["feeds"] = (
        f"feeds: {len(feeds)} files, {megabytes:.1f} MB ({sizes.corpus}); best of {sizes.repeat}"
    )
    contenders: list[tuple[str, str, Callable[[list[Path]], int] | None]] = [
        ("feedparser", "feedparser.parse", run_feedparser),
        ("fastfeedparser", "fastfeedparser.parse", run_fastfeedparser),
        ("workers1", "ingest run, default plugins, --workers 1", run_ingest_tagged),
        ("workersN", f"ingest run, default plugins, --workers {sizes.workers}", None),
        ("taggers-off", "ingest run, taggers off, --workers 1", run_ingest),
    ]
    measured = []
    for key, label, work in contenders:
        _say(f"feeds: {label}")
        note = ""
        if work is None:
            entries, seconds, own, largest = _best_workers(feeds, sizes.workers, sizes.repeat)
            best = (entries, seconds, own + sizes.workers * largest)
            note = f"; peak: run {own:.0f} + {sizes.workers} x largest worker {largest:.0f} MiB"
        else:
            best = min((measure(work, feeds) for _ in range(sizes.repeat)), key=lambda r: r[1])
        measured.append((key, label, *best, note))
    feedparser_rate = measured[0][2] / measured[0][3]
    fast_rate = measured[1][2] / measured[1][3]
    for key, label, entries, seconds, peak, note in measured:
        rate = entries / seconds
        versus = (
            f"{_ratio(rate, feedparser_rate, 'feedparser')}, "
            f"{_ratio(rate, fast_rate, 'fastfeedparser')}"
        )
        detail = f"{entries:,} entries in {seconds:.2f} s{note}"
        suite.rows.append(Row("feeds", key, label, rate, "entries/s", versus, peak, detail))
    return feeds


def _tag_run(feeds: list[Path]) -> list[object]:
    """In the forked child: one ``ingest run`` with every tag plugin's calls timed."""
    pm = get_plugin_manager()
    spent = time_taggers(pm)
    with tempfile.TemporaryDirectory() as tmp:
        target = parse_target("jsonl:" + str(Path(tmp) / "out.jsonl"))
        summary = run_once(Pipeline(pm), [f"rss:{p}" for p in feeds], [target])
    return [summary.articles, summary.seconds, summary.stage_seconds["tag"], spent]


def tags_section(feeds: list[Path], suite: Suite) -> None:
    """The tag stage's cost per plugin per entry, and the rest of the run's."""
    _say("tag stage: ingest run with each tag plugin timed")
    done = run_forked(_tag_run, feeds)
    if done is None:
        raise SystemExit("the timed tag run failed in its child process")
    (articles, seconds, tag, spent), _, _ = done
    per = 1000 / max(int(articles), 1)
    suite.headings["tags"] = (
        f"tag stage: ms per entry, {articles:,} entries of the same feeds, one process"
    )
    for name, value in sorted(spent.items(), key=lambda item: -item[1]):
        share = f"{value / tag:.0%} of the tag stage" if tag else ""
        suite.rows.append(Row("tags", f"tag:{name}", name, value * per, "ms/entry", share))
    rest = seconds - tag
    versus = _ratio(tag, rest, "the rest of the run")
    suite.rows.append(Row("tags", "tag-stage", "tag stage", tag * per, "ms/entry", versus))
    detail = "read, parse, clean, identify, export"
    suite.rows.append(
        Row("tags", "rest", "the rest of the run", rest * per, "ms/entry", "", None, detail)
    )


def fetch_section(sizes: Sizes, suite: Suite) -> None:
    """Served feeds fetched concurrently vs one at a time; the slow hosts' run on state."""
    n, sites, delay = sizes.served_feeds, sizes.sites, sizes.serve_delay
    _say(f"fetch: {n} feeds answering after {delay} s, concurrently then one at a time")
    fast, slow = compare(n, sites, delay)
    suite.headings["fetch"] = (
        f"fetch: {n} feeds on {sites} servers at 127.0.0.1, each answer after {delay} s; "
        "ingest run --workers 1, default plugins"
    )
    for key, label, result in (
        ("concurrent", f"concurrently (http.concurrency {DEFAULT_CONCURRENCY})", fast),
        ("one-at-a-time", "one at a time (http.concurrency 1)", slow),
    ):
        versus = _ratio(slow.seconds, result.seconds, "the speed of one at a time")
        detail = (
            f"{result.articles:,} articles; at most {result.most_at_once} requests at once, "
            f"{result.most_per_site} to one server"
        )
        suite.rows.append(Row("fetch", key, label, result.seconds, "s", versus, None, detail))
    slow_hosts_rows(sizes, suite)


def slow_hosts_rows(sizes: Sizes, suite: Suite) -> None:
    """bench_fetch's run on state over slow hosts; when it does not finish (stopped after
    ``slow_limit`` s), the same run allowed one core (so one process) as well."""
    hosts, per_host, delay = sizes.slow_hosts, sizes.slow_feeds, sizes.slow_delay
    _say(f"fetch: {hosts * per_host} feeds on {hosts} loopback hosts, run on state")
    label = f"{hosts * per_host} feeds, {hosts} loopback hosts, {delay} s (run on state)"
    result = slow_hosts(hosts, per_host, delay, sizes.slow_limit)
    if result is None:
        detail = (
            f"DID NOT FINISH with the default --workers: stopped after {sizes.slow_limit:.0f} s"
        )
        suite.rows.append(
            Row("fetch", "slow-hosts", label, sizes.slow_limit, "s", "", None, detail)
        )
        _say("fetch: the same run on one core")
        result = slow_hosts(hosts, per_host, delay, sizes.slow_limit, one_core=True)
        if result is None:
            raise SystemExit("the run on state over slow hosts hung on one core too")
        label = "  the same on one core (--workers 1)"
        key = "slow-hosts-1"
    else:
        key = "slow-hosts"
    detail = f"at most {result.most_at_once} requests at once"
    suite.rows.append(Row("fetch", key, label, result.seconds, "s", "", None, detail))
    label = "  the same: most requests at once to one host"
    suite.rows.append(Row("fetch", "slow-hosts-per-host", label, result.most_per_site, "at once"))


def startup_section(sizes: Sizes, suite: Suite) -> None:
    """``ingest --version`` against Python's own start and ``import feedparser``."""
    _say("startup: ingest --version and its references")
    suite.headings["startup"] = f"startup: wall seconds, median of {sizes.startup_runs} runs"
    env, medians = dict(os.environ), dict[str, float]()
    with tempfile.TemporaryDirectory() as tmp:
        argvs = dict(commands(Path(tmp) / "out.jsonl"))
        for key, label in STARTUP.items():
            timed(argvs[label], env, Path(tmp))  # warms the caches; untimed
            times = [timed(argvs[label], env, Path(tmp)) for _ in range(sizes.startup_runs)]
            median = statistics.median(times)
            versus = ", ".join(_ratio(median, m, peer) for peer, m in medians.items())
            medians[key] = median
            detail = f"best {min(times):.3f} s"
            suite.rows.append(Row("startup", key, label, median, "s", versus, None, detail))


def memory_section(sizes: Sizes, suite: Suite) -> None:
    """Peak memory of a run over the smaller and the larger number of articles."""
    small, large = sizes.memory
    suite.headings["memory"] = (
        f"memory: synthetic news feeds ({sizes.per_feed} entries a file), default plugins, "
        "to a JSON Lines file; peak RSS of the run"
        + (f" (--quick: {large:,} articles, not 200,000)" if sizes.quick else "")
    )
    peaks = []
    with tempfile.TemporaryDirectory(prefix="ingest-bench-memory-", dir=sizes.workdir) as tmp:
        for key, size in (("memory-small", small), ("memory-large", large)):
            _say(f"memory: {size:,} articles")
            result = peak_memory(size, Path(tmp), sizes.per_feed)
            peaks.append(result.peak_mib)
            rate = result.articles / result.seconds
            detail = f"{result.articles:,} articles in {result.seconds:.1f} s ({rate:,.0f}/s)"
            label = f"{size:,} articles"
            suite.rows.append(Row("memory", key, label, result.peak_mib, "MiB", "", None, detail))
    growth = peaks[1] - peaks[0]
    label = f"growth from {small:,} to {large:,} articles"
    detail = f"{growth * 1.048576:+.1f} MB"
    suite.rows.append(Row("memory", "memory-growth", label, growth, "MiB", "", None, detail))


def judge(suite: Suite, sizes: Sizes) -> list[Check]:
    """The targets, from the rows measured."""
    value = {row.key: row.value for row in suite.rows}
    fp, one, many = value["feedparser"], value["workers1"], value["workersN"]
    tag, rest = value["tag-stage"], value["rest"]
    version, growth = value["version"], value["memory-growth"] * 1.048576
    slow_s, per_host = value["slow-hosts"], value["slow-hosts-per-host"]
    hung = value.get("slow-hosts-1")
    fetched = (
        f"{sizes.slow_hosts * sizes.slow_feeds} feeds on {sizes.slow_hosts} slow hosts in "
        f"{slow_s:.2f} s (< 8 s), at most {per_host:.0f} at once to one host (<= 2)"
    )
    if hung is not None:
        fetched = (
            f"{sizes.slow_hosts * sizes.slow_feeds} feeds on {sizes.slow_hosts} slow hosts: "
            f"the run on state did not finish in {slow_s:.0f} s with the default --workers "
            f"(on one core: {hung:.2f} s, at most {per_host:.0f} at once to one host)"
        )
    small, large = sizes.memory
    checks = [
        (one >= 3 * fp, f"default plugins, one process: {one / fp:.2f}x bare feedparser (>= 3x)"),
        (
            many >= 5 * fp,
            f"default plugins, --workers {sizes.workers}: {many / fp:.2f}x bare feedparser (>= 5x)",
        ),
        (tag <= rest, f"tag stage {tag:.3f} ms/entry <= the rest of the run {rest:.3f} ms/entry"),
        (hung is None and slow_s < 8 and per_host <= 2, fetched),
        (version < 0.25, f"ingest --version {version:.3f} s, median (< 0.25 s)"),
        (
            growth < 30,
            f"peak memory {growth:+.1f} MB from {small:,} to {large:,} articles (< 30 MB)"
            + (" [--quick: the target is at 200,000]" if sizes.quick else ""),
        ),
    ]
    return [Check(passed, text) for passed, text in checks]


def render(suite: Suite) -> str:
    """The table: one block per section, then the targets."""
    lines = [
        f"{'':<52} {'value':>10} {'unit':<9} {'side by side':<46} {'peak MiB':>8}  how",
    ]
    for section, heading in suite.headings.items():
        lines.append(f"\n{heading}")
        for row in (r for r in suite.rows if r.section == section):
            figure = format(row.value, _FORMATS[row.unit])
            peak = f"{row.peak_mib:,.0f}" if row.peak_mib is not None else ""
            lines.append(
                f"  {row.label:<50} {figure:>10} {row.unit:<9} {row.versus:<46} {peak:>8}  "
                f"{row.detail}".rstrip()
            )
    lines.append("\ntargets")
    lines += [f"  {'PASS' if c.passed else 'FAIL'}  {c.text}" for c in suite.checks]
    return "\n".join(lines)


def run_suite(sizes: Sizes) -> Suite:
    """Measure every section and judge the targets."""
    if not sizes.corpus.is_dir():
        raise SystemExit(f"no feed corpus at {sizes.corpus}")
    get_plugin_manager()  # every plugin module imported before the children fork
    suite = Suite()
    feeds = feeds_section(sizes, suite)
    tags_section(feeds, suite)
    fetch_section(sizes, suite)
    startup_section(sizes, suite)
    memory_section(sizes, suite)
    suite.checks = judge(suite, sizes)
    return suite


def main() -> None:
    """Run the suite and print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="feed files")
    parser.add_argument("--repeat", type=int, default=3, help="feeds: best of N runs (3)")
    parser.add_argument("--workers", type=int, default=2, help="the workers row (2)")
    parser.add_argument(
        "--quick", action="store_true", help="memory at 20,000 articles instead of 200,000"
    )
    args = parser.parse_args()
    large = 20_000 if args.quick else 200_000
    sizes = Sizes(args.corpus, args.repeat, args.workers, (2_000, large), quick=args.quick)
    started = time.perf_counter()
    suite = run_suite(sizes)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"ingest benchmark suite{' (--quick)' if args.quick else ''}; {os.cpu_count()} cores")
    print(render(suite))
    print(f"\nthe suite took {time.perf_counter() - started:.0f} s; load average now {load}")


if __name__ == "__main__":
    main()
