"""Benchmark: ``ingest run -c`` as a cron job polling N real feeds over HTTP, twice, and
``reader`` (lemon24/reader) polling the same feeds from the same server.

The feeds of the shared corpus (``feeds/MANIFEST.tsv``) are served by
:mod:`benchmarks.feedserver` on 127.0.0.1, feed ``i`` being corpus file ``i % 101``: with
``--feeds 500`` each file is served about five times, each time at its own URL. Copy ``k``
(``k >= 1``) of a file gets a cheap substitution so that its entries are entries of their
own, not the same guids seen again (ingest identifies an entry by a guid that is a URL, a
``tag:`` or a ``urn:`` across feeds): ``http://HOST`` and ``https://HOST`` (JSON-escaped too)
become ``http://copyK.HOST``, ``tag:HOST,`` becomes ``tag:copyK.HOST,`` and ``urn:NID:``
becomes ``urn:NID:copyK.``, everywhere but in ``xmlns`` declarations and a JSON Feed's
``version``, which must stay as they are (a UTF-16 file is substituted in UTF-16). Every
copy parses to as many entries as its original (feedparser, checked). Other guids are
scoped to their feed's URL by both tools anyway; the few entries identified by a relative
link or by their content alone still collapse across copies in ingest, so the articles
column counts what each tool actually stored.

Each tool runs as a cold process, twice, with the server's counters reset before each run:

- ``ingest``: a config (``ingest.toml``) with one ``[sources.feed-NNNN]`` table per feed,
  ``interval = 0`` and a JSON Lines target, run as
  ``python -m ingest run -c ingest.toml -q``; the tag plugins are off
  (``INGEST_DISABLE_PLUGINS``) unless ``--tags`` is given, so the numbers are about fetching.
  Articles are the lines the run added to the target.
- ``reader``: a small script run as ``python -c``: ``make_reader(db)``, ``add_feed`` for
  every URL (first run only), then ``update_feeds_iter(scheduled=False)`` (every feed, like
  ``interval = 0``; reader 3.21+ otherwise skips feeds not due); articles are the new entries
  it reports, with one worker (its default: ingest too fetches one source at a time), and
  ``sgmllib3k`` installed beside it (feedparser 6.0.14 no longer brings the ``sgmllib`` that
  reader's vendored feedparser imports). It is a subprocess like ``ingest`` rather than a
  child forked from this process (``benchmarks/forked.py``): a forked child would skip the
  interpreter start that ``ingest`` pays and carry this process's memory, the served feeds
  included, in its peak RSS.

Seconds and peak RSS come from ``wait4`` on each process, started by a small launcher
process rather than by this one, whose high-water RSS (every feed served) Linux would carry
over into the child's across ``exec``. The second run changes nothing on the server, so a
client that keeps its validators sends only conditional requests, gets only 304s and stores
nothing. Run from the repository root::

    python -m benchmarks.bench_cron [--feeds 500] [--corpus ../shared/corpus] [--tags]
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.feedserver import FeedServer, ServerStats, serve_feeds

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"

#: The tag stage's plugins, switched off unless ``--tags``.
TAG_PLUGINS = "language,entities,quotes,keywords,entities_spacy"

#: Content-Type per the manifest's ``format`` column (``atom1.0``, ``rss2.0``, ``jsonfeed``...).
CONTENT_TYPES = {
    "atom": "application/atom+xml",
    "jsonfeed": "application/feed+json",
    "rss-in-json": "application/json",
    "rss0.90-rdf": "application/rdf+xml",
    "rss1.0-rdf": "application/rdf+xml",
}
DEFAULT_CONTENT_TYPE = "application/rss+xml"

READER_SCRIPT = r"""
import json, sys
from reader import make_reader
db, urls, first = sys.argv[1], sys.argv[2], sys.argv[3] == "first"
r = make_reader(db)
if first:
    with open(urls, encoding="utf-8") as lines:
        for url in lines.read().split():
            r.add_feed(url)
new = failed = 0
for result in r.update_feeds_iter(scheduled=False):
    if isinstance(result.value, Exception):
        failed += 1
        print(f"error: {result.url}: {result.value}", file=sys.stderr)
    elif result.value is not None:
        new += result.value.new
r.close()
print(json.dumps({"new": new, "failed": failed}))
"""

#: Imports all of reader (its parser too, lazily imported by ``add_feed``): the check that
#: it works, and the warm-up before its runs.
READER_PROBE = (
    "import reader; r = reader.make_reader(':memory:'); r.add_feed('http://127.0.0.1/probe')"
)
READER_INSTALL = "pip install reader sgmllib3k"

#: Runs a command, then writes its wall seconds, peak RSS (``wait4``) and exit code to a file.
#: Commands are started from this small process, not from the benchmark: on Linux a child
#: keeps its parent's high-water RSS across ``exec``, and the benchmark holds every feed.
LAUNCHER = r"""
import json, os, subprocess, sys, time
report, cmd = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
proc = subprocess.Popen(cmd)
_, status, usage = os.wait4(proc.pid, 0)
seconds = time.perf_counter() - started
code = os.waitstatus_to_exitcode(status)
with open(report, "w", encoding="utf-8") as out:
    json.dump({"seconds": seconds, "peak_mb": usage.ru_maxrss / 1024, "code": code}, out)
"""

# Where a URL, a tag: URI or a urn: takes a label, unless inside an xmlns declaration or a
# JSON Feed's version (group "keep": left whole).
_URL_START = re.compile(
    r"""(?P<keep>xmlns(?::[\w.-]+)?\s*=\s*(?P<q>["']).*?(?P=q)|"version"\s*:\s*"[^"]*")"""
    r"|https?:(?://|\\/\\/)|\btag:(?=[\w.@-]+,\d{4})|\burn:[\w-]+:"
)
_UTF16_BOMS = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}
_FEED_IN_ERROR = re.compile(r"/feeds/(\d{4,})")


# -- the feeds ------------------------------------------------------------------------------


def corpus_feeds(corpus: Path) -> list[tuple[bytes, str]]:
    """(body, content type) of every file in the corpus manifest, in manifest order."""
    folder = corpus if (corpus / "MANIFEST.tsv").is_file() else corpus / "feeds"
    with (folder / "MANIFEST.tsv").open(encoding="utf-8", newline="") as manifest:
        rows = list(csv.DictReader(manifest, delimiter="\t"))
    return [((folder / row["filename"]).read_bytes(), _content_type(row["format"])) for row in rows]


def _content_type(feed_format: str) -> str:
    if feed_format.startswith("atom"):
        return CONTENT_TYPES["atom"]
    return CONTENT_TYPES.get(feed_format, DEFAULT_CONTENT_TYPE)


def distinct_copy(body: bytes, copy: int) -> bytes:
    """Copy number ``copy`` of a feed: its URLs, ``tag:`` and ``urn:`` ids moved to names of
    their own (``copyN.``); copy 0 is the file as it is."""
    if copy == 0:
        return body
    codec = _UTF16_BOMS.get(body[:2], "latin-1")  # latin-1 maps bytes 1:1: ASCII is enough
    bom = body[:2] if codec != "latin-1" else b""
    label = f"copy{copy}."

    def move(match: re.Match[str]) -> str:
        return match[0] if match["keep"] else match[0] + label

    return bom + _URL_START.sub(move, body[len(bom) :].decode(codec)).encode(codec)


def served_feeds(corpus: list[tuple[bytes, str]], count: int) -> tuple[list[bytes], list[str]]:
    """Bodies and content types of ``count`` feeds, cycling through the corpus."""
    picks = [(index // len(corpus), corpus[index % len(corpus)]) for index in range(count)]
    return [distinct_copy(body, copy) for copy, (body, _) in picks], [t for _, (_, t) in picks]


# -- running one process --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Process:
    """How one measured process went."""

    seconds: float
    peak_mb: float
    exit_code: int
    stdout: str
    errors: tuple[str, ...]


def measure(
    cmd: Sequence[str], env: dict[str, str] | None = None, ok: Sequence[int] = (0,)
) -> Process:
    """Run ``cmd`` to its end through :data:`LAUNCHER`: wall seconds, peak RSS, output and
    ``error:`` lines; an exit code not in ``ok`` stops the benchmark."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile(suffix=".json") as report,
    ):
        launcher = [sys.executable, "-c", LAUNCHER, report.name, *cmd]
        subprocess.run(launcher, stdout=out, stderr=err, env=env, check=True)
        measured = json.loads(Path(report.name).read_text(encoding="utf-8"))
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    code = measured["code"]
    if code not in ok:
        raise SystemExit(f"benchmark command failed ({code}): {' '.join(cmd)}\n{stderr}")
    errors = tuple(line for line in stderr.splitlines() if line.startswith("error:"))
    return Process(measured["seconds"], measured["peak_mb"], code, stdout, errors)


# -- the two tools --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Run:
    """One run of one tool against the server."""

    tool: str
    label: str
    stats: ServerStats
    seconds: float
    peak_mb: float
    articles: int
    errors: tuple[str, ...]
    #: Feeds the server answered 200 to in this run.
    full_answers: frozenset[int]


def write_config(folder: Path, urls: Sequence[str]) -> Path:
    """An ``ingest.toml`` in ``folder`` polling ``urls`` at every run into a JSON Lines file."""
    lines = [
        'state = "ingest.sqlite"',
        'targets = ["out/articles.jsonl"]',
        "",
        "[settings]",
        '"http.timeout" = 30',
    ]
    for index, url in enumerate(urls):
        lines += ["", f"[sources.feed-{index:04}]", f"location = {json.dumps(url)}"]
        lines += ['kind = "rss"', "interval = 0"]
    config = folder / "ingest.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def _lines(path: Path) -> int:
    if not path.exists():
        return 0
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def _progress(text: str) -> None:
    print(f"... {text}", file=sys.stderr, flush=True)


def _take(server: FeedServer) -> tuple[ServerStats, frozenset[int]]:
    stats, full = server.stats(), frozenset(server.full_answers())
    server.reset()
    return stats, full


def run_ingest(server: FeedServer, folder: Path, tags: bool) -> list[Run]:
    """``ingest run -c`` twice over every served feed."""
    config = write_config(folder, [server.url(i) for i in range(len(server))])
    env = dict(os.environ)
    if not tags:
        env["INGEST_DISABLE_PLUGINS"] = TAG_PLUGINS
    measure([sys.executable, "-m", "ingest", "plugins"], env)  # warm: .pyc files, page cache
    target = folder / "out" / "articles.jsonl"
    cmd = [sys.executable, "-m", "ingest", "run", "-c", str(config), "-q"]
    runs = []
    server.reset()
    for label in ("first", "second, unchanged"):
        _progress(f"ingest: {label} run")
        before = _lines(target)
        proc = measure(cmd, env, ok=(0, 1))  # 1: some sources failed
        after = _lines(target)
        added = after - before if after >= before else after  # appended, or rewritten
        stats, full = _take(server)
        runs.append(
            Run("ingest", label, stats, proc.seconds, proc.peak_mb, added, proc.errors, full)
        )
    return runs


def run_reader(server: FeedServer, folder: Path) -> list[Run]:
    """reader's ``update_feeds`` twice over every served feed, in a fresh database."""
    urls = folder / "urls.txt"
    urls.write_text("\n".join(server.url(i) for i in range(len(server))) + "\n", encoding="utf-8")
    db = folder / "reader.sqlite"
    runs = []
    server.reset()
    for label, mode in (("first", "first"), ("second, unchanged", "again")):
        _progress(f"reader: {label} run")
        proc = measure([sys.executable, "-c", READER_SCRIPT, str(db), str(urls), mode])
        report = json.loads(proc.stdout.strip().splitlines()[-1])
        stats, full = _take(server)
        runs.append(
            Run(
                "reader", label, stats, proc.seconds, proc.peak_mb, report["new"], proc.errors, full
            )
        )
    return runs


def reader_problem() -> str | None:
    """None when reader imports and can add a feed (warming it up), else what went wrong."""
    if importlib.util.find_spec("reader") is None:
        return "reader is not installed"
    probe = subprocess.run(
        [sys.executable, "-c", READER_PROBE], capture_output=True, text=True, check=False
    )
    if probe.returncode != 0:
        return "reader does not work: " + (probe.stderr.strip().splitlines() or ["?"])[-1]
    return None


# -- the report -----------------------------------------------------------------------------


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.3f}" if b else ("—" if a == 0 else "∞")


def print_table(runs: list[Run]) -> None:
    """The markdown table: a row per run, a second/first row per tool, ingest/reader columns."""
    by_key = {(run.tool, run.label): run for run in runs}
    peers = any(run.tool == "reader" for run in runs)
    head = ["tool", "run", "requests", "conditional", "304s", "200s", "bytes", "seconds"]
    head += ["peak MiB", "articles", "errors"]
    if peers:
        head += ["requests ingest/reader", "bytes ingest/reader", "seconds ingest/reader"]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" if i < 2 else "---:" for i in range(len(head))) + "|")
    for tool in dict.fromkeys(run.tool for run in runs):
        first, second = by_key[tool, "first"], by_key[tool, "second, unchanged"]
        for run in (first, second):
            s = run.stats
            cells = [tool, run.label, f"{s.requests:,}", f"{s.conditional:,}"]
            cells += [f"{s.not_modified:,}", f"{s.ok:,}", f"{s.body_bytes:,}"]
            cells += [f"{run.seconds:.2f}", f"{run.peak_mb:.0f}", f"{run.articles:,}"]
            cells.append(str(len(run.errors)))
            if peers:
                peer = by_key.get(("reader", run.label))
                if tool == "ingest" and peer is not None:
                    cells.append(_ratio(s.requests, peer.stats.requests))
                    cells.append(_ratio(s.body_bytes, peer.stats.body_bytes))
                    cells.append(_ratio(run.seconds, peer.seconds))
                else:
                    cells += ["", "", ""]
            print("| " + " | ".join(cells) + " |")
        a, b = first.stats, second.stats
        cells = [tool, "second/first", _ratio(b.requests, a.requests), "", "", ""]
        cells += [_ratio(b.body_bytes, a.body_bytes), _ratio(second.seconds, first.seconds)]
        cells += ["", "", ""] + (["", "", ""] if peers else [])
        print("| " + " | ".join(cells) + " |")


def verdict(first: Run, second: Run, feeds: int) -> str:
    """One line: did the unchanged second run ask for every feed that worked the first time,
    get only 304s for them, and store nothing?"""
    s = second.stats
    failed = {int(m[1]) for line in first.errors if (m := _FEED_IN_ERROR.search(line))}
    unexplained = second.full_answers - failed
    expected = feeds - len(failed)
    held = second.articles == 0 and s.other == 0 and not unexplained and s.not_modified >= expected
    detail = (
        f"{s.not_modified:,} of {s.requests:,} requests answered 304 "
        f"({s.conditional:,} conditional; {expected:,} feeds worked the first time), "
        f"{second.articles:,} articles stored"
    )
    if second.full_answers and not unexplained:
        detail += f"; the {len(second.full_answers)} full answers went to feeds that failed before"
    elif unexplained:
        shown = ", ".join(f"{i:04}" for i in sorted(unexplained)[:8])
        detail += f"; fetched in full although unchanged: {len(unexplained)} feeds ({shown} ...)"
    return f"{first.tool}: second run {'HELD' if held else 'DID NOT HOLD'}: {detail}"


def print_errors(tool: str, runs: Sequence[Run], shown: int = 3) -> None:
    """How many runs reported errors, and the first few lines."""
    failing = [run for run in runs if run.errors]
    if not failing:
        return
    print(f"{tool}: {len(failing)} of {len(runs)} runs reported errors:")
    for run in failing:
        lines = "error line" if len(run.errors) == 1 else "error lines"
        print(f"  {run.label}: {len(run.errors)} {lines}, e.g.")
        for line in run.errors[:shown]:
            print(f"    {line[:200]}")


def main() -> None:
    """Serve the feeds, run both tools twice, print the table and the verdicts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500, help="feeds to serve (default 500)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--tags", action="store_true", help="keep ingest's tag plugins on")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        raise SystemExit(f"no corpus at {args.corpus}")
    corpus = corpus_feeds(args.corpus)
    bodies, types = served_feeds(corpus, args.feeds)
    no_reader = reader_problem()
    megabytes = sum(map(len, bodies)) / 1e6
    print(
        f"{args.feeds} feeds ({len(corpus)} corpus files, cycled; {megabytes:.1f} MB before gzip) "
        f"served on 127.0.0.1; ingest tag plugins {'on' if args.tags else 'off'}\n"
    )
    if no_reader is not None:
        print(f"{no_reader}, so only ingest is shown; to compare: {READER_INSTALL}\n")
    with serve_feeds(bodies, types) as server, tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "ingest").mkdir()
        runs = run_ingest(server, Path(tmp) / "ingest", args.tags)
        if no_reader is None:
            (Path(tmp) / "reader").mkdir()
            runs += run_reader(server, Path(tmp) / "reader")
    print_table(runs)
    print()
    for tool in dict.fromkeys(run.tool for run in runs):
        first, second = (run for run in runs if run.tool == tool)
        print(verdict(first, second, args.feeds))
        print_errors(tool, (first, second))


if __name__ == "__main__":
    main()
