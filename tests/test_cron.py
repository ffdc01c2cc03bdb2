"""Runs on state, the way cron makes them: a real HTTP server on 127.0.0.1 that serves feeds
with validators and counts requests, a real ledger file, real targets."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from ingest.state.ledger import Ledger
from ingest.state.lock import StateLock
from ingest.state.schedule import backoff
from ingest.testing import CliResult, run_cli
from tests.conftest import SAMPLES
from tests.lockholder import lock_holder
from tests.servers import Reply, Server, serve

PLUGIN = "tests.cron_plugin"
DISABLE_TAGS = "language,entities,quotes,keywords,entities_spacy"


@dataclass
class Feed:
    """One served feed: its entries (guid -> (title, text)) and how it answers."""

    entries: dict[str, tuple[str, str]] = field(default_factory=dict)
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> bytes:
        items = "".join(
            f"<item><guid isPermaLink='false'>{guid}</guid><title>{title}</title>"
            f"<description>{text}</description></item>"
            for guid, (title, text) in self.entries.items()
        )
        return (
            "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
            f"<title>Test feed</title><link>http://example.invalid/</link>{items}"
            "</channel></rss>"
        ).encode()


class Site:
    """Feeds by path, answering conditional requests with 304 when nothing changed."""

    def __init__(self) -> None:
        self.feeds: dict[str, Feed] = {}
        self.answers: list[tuple[str, int]] = []
        self.server: Server | None = None

    def route(self, path: str) -> Callable[[BaseHTTPRequestHandler], Reply]:
        def answer(handler: BaseHTTPRequestHandler) -> Reply:
            feed = self.feeds[path]
            if feed.status != 200:
                self.answers.append((path, feed.status))
                return Reply(feed.status, b"broken", dict(feed.headers))
            body = feed.body()
            etag = '"' + hashlib.sha1(body).hexdigest() + '"'
            headers = {"ETag": etag, "Content-Type": "application/rss+xml", **feed.headers}
            if handler.headers.get("If-None-Match") == etag:
                self.answers.append((path, 304))
                return Reply(304, b"", headers)
            self.answers.append((path, 200))
            return Reply(200, body, headers)

        return answer

    def add(self, path: str, feed: Feed) -> str:
        assert self.server is not None
        self.feeds[path] = feed
        self.server.routes[path] = self.route(path)
        return self.server.url(path)

    @property
    def requests(self) -> list[tuple[str, dict[str, str]]]:
        assert self.server is not None
        return self.server.requests

    def reset(self) -> None:
        self.requests.clear()
        self.answers.clear()


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("INGEST_DISABLE_PLUGINS", DISABLE_TAGS)
    state = Site()
    with serve({}) as server:
        state.server = server
        yield state


def write_config(
    folder: Path, sources: dict[str, dict[str, Any]], targets: list[str] | None = None
) -> Path:
    lines = [f"targets = {json.dumps(targets or ['out/articles.jsonl'])}", ""]
    for name, table in sources.items():
        lines.append(f"[sources.{name}]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in table.items()]
        lines.append("")
    path = folder / "ingest.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def lines(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def guid(article: dict[str, Any]) -> str:
    """The feed's guid of an article (origin ids are scoped: ``FEED-LINK#GUID``)."""
    return str(article["source"]["origin_id"]).rsplit("#", 1)[-1]


def status(config: Path) -> dict[str, Any]:
    result = run_cli(["status", "-c", str(config), "--json"])
    report: dict[str, Any] = json.loads(result.stdout)
    report["exit_code"] = result.exit_code
    report["by_name"] = {row["source"]: row for row in report["sources"]}
    return report


def run(config: Path, *args: str, plugin: str | None = None) -> CliResult:
    return run_cli([*(["-p", plugin] if plugin else []), "run", "-c", str(config), *args])


def entries(prefix: str, count: int) -> dict[str, tuple[str, str]]:
    return {
        f"{prefix}-{i}": (f"{prefix} story {i}", f"Body of {prefix} story {i}.")
        for i in range(count)
    }


# -- incremental fetching ------------------------------------------------------------------


def test_second_run_is_all_conditional_and_exports_nothing(site: Site, tmp_path: Path) -> None:
    a = site.add("/a.xml", Feed(entries("a", 3)))
    b = site.add("/b.xml", Feed(entries("b", 2)))
    config = write_config(tmp_path, {"a": {"location": a}, "b": {"location": b}})
    out = tmp_path / "out" / "articles.jsonl"

    first = run(config)
    assert (first.exit_code, first.stderr) == (0, "")  # quiet when nothing is wrong
    assert len(lines(out)) == 5
    assert all(headers.get("if-none-match") is None for _, headers in site.requests)
    exported = out.read_bytes()

    site.reset()
    second = run(config)
    assert (second.exit_code, second.stderr) == (0, "")
    assert len(site.requests) == 2
    assert all(headers.get("if-none-match") for _, headers in site.requests)
    assert sorted(site.answers) == [("/a.xml", 304), ("/b.xml", 304)]
    assert out.read_bytes() == exported
    report = status(config)
    assert report["exit_code"] == 0
    assert {row["status"] for row in report["sources"]} == {"not-modified"}
    assert report["by_name"]["a"]["articles"] == 3


def test_a_new_entry_is_one_new_article(site: Site, tmp_path: Path) -> None:
    feed = Feed(entries("n", 3))
    config = write_config(tmp_path, {"news": {"location": site.add("/n.xml", feed)}})
    out = tmp_path / "out" / "articles.jsonl"
    assert run(config).exit_code == 0
    feed.entries["n-new"] = ("Fresh story", "Something happened just now.")

    result = run(config, "-v")
    assert result.exit_code == 0
    new = lines(out)[3:]
    assert [guid(a) for a in new] == ["n-new"]
    assert (new[0]["version"], new[0]["relations"]) == (1, [])
    assert "1 article exported" in result.stderr
    assert "3 unchanged" in result.stderr


def test_an_edited_entry_is_one_update(site: Site, tmp_path: Path) -> None:
    feed = Feed(entries("e", 3))
    url = site.add("/e.xml", feed)
    db = tmp_path / "out" / "articles.sqlite"
    config = write_config(
        tmp_path, {"edits": {"location": url}}, ["out/articles.jsonl", f"sqlite:{db}"]
    )
    out = tmp_path / "out" / "articles.jsonl"
    assert run(config).exit_code == 0
    original = {guid(a): a for a in lines(out)}
    feed.entries["e-1"] = ("e story 1 (corrected)", "The corrected body of story 1.")

    assert run(config).exit_code == 0
    update = lines(out)[3:]
    assert len(update) == 1
    article = update[0]
    assert article["id"] == original["e-1"]["id"]
    assert article["version"] == 2
    assert article["relations"] == [{"kind": "update_of", "id": article["id"]}]
    assert article["content_hash"] != original["e-1"]["content_hash"]
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT id, version FROM articles ORDER BY id").fetchall()
    assert len(rows) == 3
    assert dict(rows)[article["id"]] == 2


def test_a_failing_source_backs_off_shows_in_status_and_recovers(
    site: Site, tmp_path: Path
) -> None:
    good = site.add("/good.xml", Feed(entries("g", 1)))
    broken = Feed(entries("x", 2), status=500)
    config = write_config(
        tmp_path,
        {"good": {"location": good}, "broken": {"location": site.add("/broken.xml", broken)}},
    )
    first = run(config)
    assert first.exit_code == 1
    assert first.error_lines == [
        f"error: broken: rss:{site.server.url('/broken.xml')}: HTTP 500 Internal Server Error"
    ]  # type: ignore[union-attr]
    report = status(config)
    assert report["exit_code"] == 1
    row = report["by_name"]["broken"]
    assert (row["status"], row["failures"]) == ("failing (1x)", 1)
    assert "HTTP 500" in row["last_error"]
    waited = _seconds_until(row["next_fetch"])
    assert 30 < waited <= 61

    site.reset()
    assert run(config).exit_code == 0  # backing off: not even asked
    assert [path for path, _ in site.requests] == ["/good.xml"]

    assert run(config, "--force").exit_code == 1
    row = status(config)["by_name"]["broken"]
    assert row["failures"] == 2
    assert 90 < _seconds_until(row["next_fetch"]) <= 121  # doubled

    broken.status = 200
    assert run(config, "--force").exit_code == 0
    report = status(config)
    assert report["exit_code"] == 0
    assert (report["by_name"]["broken"]["failures"], report["by_name"]["broken"]["articles"]) == (
        0,
        2,
    )


def test_retry_after_is_honoured(site: Site, tmp_path: Path) -> None:
    busy = Feed(entries("r", 1), status=503, headers={"Retry-After": "3600"})
    config = write_config(tmp_path, {"busy": {"location": site.add("/busy.xml", busy)}})
    assert run(config).exit_code == 1
    assert 3500 < _seconds_until(status(config)["by_name"]["busy"]["next_fetch"]) <= 3601


def test_cache_control_max_age_is_honoured(site: Site, tmp_path: Path) -> None:
    feed = Feed(entries("m", 1), headers={"Cache-Control": "public, max-age=600"})
    config = write_config(tmp_path, {"cached": {"location": site.add("/m.xml", feed)}})
    assert run(config).exit_code == 0
    site.reset()
    assert run(config, "-v").exit_code == 0
    assert site.requests == []
    assert 590 < _seconds_until(status(config)["by_name"]["cached"]["next_fetch"]) <= 601


def test_a_permanent_redirect_updates_the_stored_location(site: Site, tmp_path: Path) -> None:
    new = site.add("/new.xml", Feed(entries("p", 2)))
    assert site.server is not None
    site.server.routes["/old.xml"] = lambda _: Reply(301, b"", {"Location": new})
    config = write_config(tmp_path, {"moved": {"location": site.server.url("/old.xml")}})
    first = run(config)
    assert first.exit_code == 0
    assert "moved permanently" in first.stderr  # a notice, worth knowing from cron
    site.reset()
    assert run(config).exit_code == 0
    assert [path for path, _ in site.requests] == ["/new.xml"]
    assert site.answers == [("/new.xml", 304)]
    row = status(config)["by_name"]["moved"]
    assert row["location"] == new
    assert row["moved_from"] == site.server.url("/old.xml")


def _seconds_until(stamp: str) -> float:
    moment = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return (moment - datetime.now(UTC)).total_seconds()


# -- targets, dead letters, logs -----------------------------------------------------------


def test_a_failing_target_gets_what_it_missed_next_run(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed = Feed(entries("t", 3))
    flaky = tmp_path / "flaky.jsonl"
    config = write_config(
        tmp_path,
        {"t": {"location": site.add("/t.xml", feed)}},
        ["out/articles.jsonl", f"flaky:{flaky}"],
    )
    monkeypatch.setenv("CRON_TEST_FLAKY", "fail")
    first = run(config, plugin=PLUGIN)
    assert first.exit_code == 1
    assert len(first.error_lines) == 1
    assert f"flaky:{flaky}" in first.error_lines[0]
    assert len(lines(tmp_path / "out" / "articles.jsonl")) == 3  # the other target went on
    assert lines(flaky) == []
    assert status(config)["outbox"] == 3

    monkeypatch.setenv("CRON_TEST_FLAKY", "ok")
    feed.entries["t-new"] = ("A later story", "Published after the outage.")
    second = run(config, "-v", plugin=PLUGIN)
    assert second.exit_code == 0
    assert "+3 redelivered" in second.stderr
    assert sorted(guid(a) for a in lines(flaky)) == ["t-0", "t-1", "t-2", "t-new"]
    assert len(lines(tmp_path / "out" / "articles.jsonl")) == 4
    assert status(config)["outbox"] == 0


def test_dead_letters_keep_the_raw_item_and_retry_it(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed = Feed({"ok-1": ("Fine story", "All good."), "bad-1": ("POISON story", "Toxic.")})
    config = write_config(tmp_path, {"mixed": {"location": site.add("/d.xml", feed)}})
    out = tmp_path / "out" / "articles.jsonl"
    first = run(config, plugin=PLUGIN)
    assert first.exit_code == 1
    assert "poisoned article" in first.error_lines[0]
    assert [a["title"] for a in lines(out)] == ["Fine story"]

    listed = run_cli(["dead-letters", "list", "-c", str(config), "--json"])
    letters = [json.loads(line) for line in listed.stdout.splitlines()]
    assert len(letters) == 1
    letter = letters[0]
    assert (letter["source"], letter["stage"], letter["plugin"]) == (
        "mixed",
        "tag",
        "tests.cron_plugin",
    )
    assert json.loads(letter["item"])["article"]["title"] == "POISON story"
    assert status(config)["exit_code"] == 1  # dead letters waiting

    # The feed answers 304 now: the dead letter is the only way back for that item.
    assert run(config, plugin=PLUGIN).exit_code == 0
    # When the feed changes, the poisoned entry fails again, and updates its letter.
    feed.entries["ok-2"] = ("Second fine story", "Also good.")
    assert run(config, plugin=PLUGIN).exit_code == 1
    assert len(run_cli(["dead-letters", "list", "-c", str(config)]).stdout.splitlines()) == 1

    monkeypatch.setenv("CRON_TEST_POISON", "cured")
    retried = run_cli(
        ["-p", "tests.cron_plugin", "dead-letters", "retry", "--all", "-c", str(config)]
    )
    assert retried.exit_code == 0, retried.stderr
    assert "1 of 1 dead letters settled" in retried.stderr
    assert [a["title"] for a in lines(out)] == ["Fine story", "Second fine story", "POISON story"]
    assert run_cli(["dead-letters", "list", "-c", str(config)]).stdout == ""
    report = status(config)
    assert report["last_retry"]["articles"] == 1  # the retry is told apart from the runs
    assert report["last_run"]["articles"] == 1  # the last run of sources, as it was
    shown = run_cli(["status", "-c", str(config)]).stdout
    assert "last retry of dead letters: " in shown
    assert "(ok): 1 article delivered, 0 failures" in shown
    # Delivered through the ledger: the next fetch finds it unchanged.
    feed.entries["ok-3"] = ("Third fine story", "Fine too.")
    assert run(config, plugin=PLUGIN).exit_code == 0
    assert [a["title"] for a in lines(out)][3:] == ["Third fine story"]


def test_fetch_dead_letters_hold_the_raw_line_and_can_be_purged(tmp_path: Path) -> None:
    posts = tmp_path / "posts.jsonl"
    posts.write_text(
        '{"id": "1", "content": "<p>Hello</p>", "url": "https://m.example/@a/1", '
        '"created_at": "2024-01-01T00:00:00Z", "account": {"acct": "a", "username": "a", '
        '"display_name": "A", "url": "https://m.example/@a"}}\n{broken json\n',
        encoding="utf-8",
    )
    config = write_config(tmp_path, {"posts": {"location": str(posts), "kind": "tweets"}})
    result = run(config)
    assert result.exit_code == 1
    listed = run_cli(["dead-letters", "list", "-c", str(config), "--json"])
    letters = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(x["stage"], x["item"]) for x in letters] == [("fetch", "{broken json\n")]
    purged = run_cli(["dead-letters", "purge", "--all", "-c", str(config)])
    assert purged.exit_code == 0
    assert "1 dead letter deleted" in purged.stderr
    assert run_cli(["dead-letters", "list", "-c", str(config), "--json"]).stdout == ""


def test_retrying_a_fetch_dead_letter_reads_its_source_whole_again(tmp_path: Path) -> None:
    posts = tmp_path / "posts.jsonl"
    _posts(posts, 3)
    with posts.open("a", encoding="utf-8") as out:
        out.write("{broken json\n")
    config = write_config(tmp_path, {"posts": {"location": "posts.jsonl", "kind": "tweets"}})
    assert run(config).exit_code == 1
    assert run(config).exit_code == 0  # unchanged file: not read again, the letter waits
    retried = run_cli(["dead-letters", "retry", "--all", "-c", str(config)])
    assert retried.exit_code == 0, retried.stderr
    assert "items of posts that could not be read are read again" in retried.stderr
    assert run_cli(["dead-letters", "list", "-c", str(config)]).stdout == ""
    again = run(config, "-v")  # read whole: the good posts unchanged, the bad line back
    assert again.exit_code == 1
    assert "3 unchanged" in again.stderr
    assert len(run_cli(["dead-letters", "list", "-c", str(config)]).stdout.splitlines()) == 1


def test_status_tells_a_killed_run_from_a_running_one(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A story with enough words in it to be an article.\n")
    config = write_config(tmp_path, {"a": {"location": "a.txt"}})
    assert run(config).exit_code == 0
    ledger = Ledger(tmp_path / "ingest.sqlite")
    ledger.start_run(pid=999_999)  # a run that never ended
    ledger.close()
    with StateLock(tmp_path / "ingest.sqlite", 0):  # ... and is alive
        alive = status(config)
    assert (alive["last_run"]["status"], alive["exit_code"]) == ("running", 0)
    dead = status(config)  # nobody holds the lock: it was killed
    assert dead["last_run"]["status"].startswith("killed")
    assert dead["exit_code"] == 1


def test_json_logs(site: Site, tmp_path: Path) -> None:
    broken = site.add("/gone.xml", Feed(status=404))
    config = write_config(tmp_path, {"gone": {"location": broken}})
    result = run(config, "--log-format", "json")
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stderr.splitlines()]
    assert [r["event"] for r in records] == ["error", "summary"]
    assert records[0]["level"] == "error"
    assert records[0]["location"] == f"rss:{broken}"
    assert records[0]["reason"] == "HTTP 404 Not Found"
    assert (records[1]["sources_failed"], records[1]["articles"]) == (1, 0)


def test_config_mistakes_are_one_line_usage_errors(tmp_path: Path) -> None:
    config = tmp_path / "ingest.toml"
    config.write_text('targets = ["out.jsonl"]\n[sources.a]\nlocaton = "x"\n', encoding="utf-8")
    result = run(config)
    assert result.exit_code == 4
    assert result.stderr.count("\n") == 1
    assert "unknown key 'locaton'" in result.stderr
    assert str(config) in result.stderr


def test_non_appendable_targets_are_refused_on_state(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Some text that is long enough to be an article.\n")
    result = run_cli(
        [
            "run",
            str(tmp_path / "a.txt"),
            "--state",
            str(tmp_path / "s.sqlite"),
            "-o",
            str(tmp_path / "x.json"),
        ]
    )
    assert result.exit_code == 4
    assert "cannot be appended to across runs" in result.stderr
    assert "use dir:PATH, jsonl:PATH, sqlite:PATH" in result.stderr  # as plugins declare
    assert list(tmp_path.glob(".x.json.*")) == []  # the refused target left nothing behind
    assert not (tmp_path / "s.sqlite").exists()  # refused before the state was created


@pytest.mark.parametrize("target", ["-", "nope:x", "json:x.json"])
def test_a_refused_target_touches_nothing(tmp_path: Path, target: str) -> None:
    (tmp_path / "a.txt").write_text("Some text that is long enough to be an article.\n")
    config = write_config(tmp_path, {"a": {"location": "a.txt"}}, [target])
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run(config)
    assert result.exit_code == 4
    assert len(result.stderr.splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no state, lock or file


def test_summary_counts_configured_sources_and_errors_name_them(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    for n in range(3):
        (notes / f"{n}.txt").write_text(f"Note {n}\n\nThe body of note {n}, long enough.\n")
    config = write_config(
        tmp_path,
        {"notes": {"location": "notes", "kind": "text"}, "gone": {"location": "gone.xml"}},
    )
    result = run(config, "-v")
    assert result.exit_code == 1
    assert result.error_lines == [f"error: gone: rss:{tmp_path / 'gone.xml'}: no such file"]
    assert result.stderr.splitlines()[-1].startswith(
        "ingest: 2 sources (4 inputs), 3 articles exported, "
    )


# -- kills, locks and concurrent runs ----------------------------------------------------


def _posts(path: Path, count: int, edition: int = 0) -> None:
    """``count`` Mastodon posts in one JSON Lines file; every seventh is edited in each new
    edition (same id, new text: an update)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            text = f"<p>Harbour council report {i}, edition {edition if i % 7 == 0 else 0}.</p>"
            post = {
                "id": str(100000 + i),
                "content": text,
                "url": f"https://m.example/@desk/{100000 + i}",
                "created_at": "2024-01-01T00:00:00Z",
                "account": {"acct": "desk", "username": "desk", "url": "https://m.example/@desk"},
            }
            out.write(json.dumps(post) + "\n")


def _spawn(config: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "INGEST_DISABLE_PLUGINS": DISABLE_TAGS}
    return subprocess.Popen(
        [sys.executable, "-m", "ingest", "run", "-c", str(config), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )


def _wait_until_it_writes(process: subprocess.Popen[bytes], out: Path, size: int) -> None:
    """Until ``out`` grows past ``size`` bytes (or the process ends)."""
    deadline = time.monotonic() + 60
    while (not out.exists() or out.stat().st_size <= size) and process.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.002)


def _check_exactly_once(out: Path, count: int) -> int:
    """Every target holds each (article, version) once, and the latest of every article."""
    records = lines(out / "articles.jsonl")
    pairs = [(r["id"], r["version"]) for r in records]
    assert len(pairs) == len(set(pairs)), "a JSON line was delivered twice"
    latest: dict[str, dict[str, Any]] = {}
    for record in records:
        if record["id"] not in latest or record["version"] > latest[record["id"]]["version"]:
            latest[record["id"]] = record
    assert len(latest) == count
    versions = {i: sorted(v for j, v in pairs if j == i) for i in latest}
    assert all(v == list(range(1, len(v) + 1)) for v in versions.values()), "a version is missing"
    with sqlite3.connect(out / "articles.sqlite") as connection:
        rows = dict(connection.execute("SELECT id, content_hash FROM articles").fetchall())
    assert rows == {i: r["content_hash"] for i, r in latest.items()}
    files = list((out / "dir").iterdir())
    assert all(p.suffix == ".json" and not p.name.startswith(".") for p in files)
    written = {p.stem: json.loads(p.read_text())["content_hash"] for p in files}
    assert written == rows
    return len(records)


def test_kill_9_at_random_points_never_loses_or_duplicates(tmp_path: Path) -> None:
    posts = tmp_path / "posts.jsonl"
    _posts(posts, 300)
    config = write_config(
        tmp_path,
        {"posts": {"location": "posts.jsonl", "kind": "tweets"}},
        ["out/articles.jsonl", "sqlite:out/articles.sqlite", "dir:out/dir"],
    )
    started = time.monotonic()
    baseline = _spawn(config)
    _, err = baseline.communicate(timeout=120)
    assert baseline.returncode == 0, err.decode()
    duration = time.monotonic() - started
    _check_exactly_once(tmp_path / "out", 300)

    rng = random.Random(6)
    cut_short = 0
    jsonl = tmp_path / "out" / "articles.jsonl"
    for edition in range(1, 11):
        _posts(posts, 300 + 40 * edition, edition)  # new posts and edited ones
        before = jsonl.stat().st_size
        victim = _spawn(config)
        if edition % 3:
            # Once this round's first lines are out, a random moment into the export.
            _wait_until_it_writes(victim, jsonl, before)
            time.sleep(rng.uniform(0, 0.08))
        else:
            time.sleep(rng.uniform(0, 1) * duration)  # anywhere: startup, reading, export
        victim.kill()
        victim.communicate(timeout=60)
        if victim.returncode != 0 and jsonl.stat().st_size > before:
            cut_short += 1  # killed after it had delivered some of this round's articles
        rerun = _spawn(config)
        _, err = rerun.communicate(timeout=120)
        assert rerun.returncode == 0, err.decode()
        _check_exactly_once(tmp_path / "out", 300 + 40 * edition)
    assert cut_short >= 2, "no kill landed in the middle of exporting; the test proved nothing"


def test_two_concurrent_runs_never_export_twice(tmp_path: Path) -> None:
    _posts(tmp_path / "posts.jsonl", 150)
    config = write_config(
        tmp_path,
        {"posts": {"location": "posts.jsonl", "kind": "tweets"}},
        ["out/articles.jsonl", "sqlite:out/articles.sqlite", "dir:out/dir"],
    )
    runs = [_spawn(config, "--lock-timeout", "120") for _ in range(2)]
    for process in runs:
        _, err = process.communicate(timeout=180)
        assert process.returncode == 0, err.decode()
    assert _check_exactly_once(tmp_path / "out", 150) == 150


def test_a_run_on_a_busy_state_waits_then_exits_5(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A short article with enough words in it to count.\n")
    config = write_config(tmp_path, {"a": {"location": "a.txt"}})
    with StateLock(tmp_path / "ingest.sqlite", 0):
        started = time.monotonic()
        result = run(config, "--lock-timeout", "0.5")
        waited = time.monotonic() - started
    assert result.exit_code == 5
    assert 0.5 <= waited < 5
    assert result.error_lines == [result.stderr.strip()]
    assert "in use by another ingest run" in result.stderr
    assert "--lock-timeout" in result.stderr
    assert run(config).exit_code == 0  # free again


def test_a_lock_left_by_a_killed_run_is_taken_over(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A short article with enough words in it to count.\n")
    config = write_config(tmp_path, {"a": {"location": "a.txt"}})
    with lock_holder(tmp_path / "ingest.sqlite") as holder:
        holder.kill()
        holder.wait()
    result = run(config, "--lock-timeout", "5")
    assert result.exit_code == 0
    assert f"pid {holder.pid}" in result.stderr
    assert "took over the lock" in result.stderr


# -- the sample config, one source, per-source settings ----------------------------------


def test_the_sample_config_works_and_a_second_run_is_silent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    samples = tmp_path / "samples"
    shutil.copytree(SAMPLES, samples, ignore=shutil.ignore_patterns("plugins"))
    monkeypatch.setenv("INGEST_DISABLE_PLUGINS", DISABLE_TAGS)
    config = samples / "ingest.toml"
    first = run(config, "-v")
    assert first.exit_code == 0, first.stderr
    exported = lines(tmp_path / "out" / "articles.jsonl")
    one_off = run_cli(["run", str(samples)]).articles
    assert sorted(a["id"] for a in exported) == sorted({a["id"] for a in one_off})
    with sqlite3.connect(tmp_path / "out" / "articles.sqlite") as connection:
        assert connection.execute("SELECT count(*) FROM articles").fetchone()[0] == len(exported)
    second = run(config, "--force")
    assert (second.exit_code, second.stderr) == (0, "")
    assert len(lines(tmp_path / "out" / "articles.jsonl")) == len(exported)


def test_source_runs_only_the_named_sources(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / f"{name}.txt").write_text(f"Story {name}, with enough words to count here.\n")
    config = write_config(tmp_path, {"a": {"location": "a.txt"}, "b": {"location": "b.txt"}})
    result = run(config, "--source", "b")
    assert result.exit_code == 0
    assert [a["source"]["location"] for a in lines(tmp_path / "out" / "articles.jsonl")] == [
        str(tmp_path / "b.txt")
    ]
    assert status(config)["by_name"]["a"]["status"] == "never fetched"
    unknown = run(config, "--source", "c")
    assert unknown.exit_code == 4
    assert "no source named 'c' (known: a, b)" in unknown.stderr


def test_per_source_settings_apply_to_that_source_only(tmp_path: Path) -> None:
    german = "Der Stadtrat hat am Montag den Haushalt für das kommende Jahr beschlossen."
    english = "The city council approved the budget for the coming year on Monday evening."
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        # Texts are identified by their content: each folder's must differ.
        (tmp_path / folder / "de.txt").write_text(f"{german} ({folder})\n", encoding="utf-8")
        (tmp_path / folder / "en.txt").write_text(f"{english} ({folder})\n", encoding="utf-8")
    config = write_config(
        tmp_path,
        {
            "only-german": {"location": "one", "kind": "text", "language": "de"},
            "everything": {"location": "two", "kind": "text"},
        },
    )
    result = run(config, "-v")
    assert result.exit_code == 0, result.stderr
    found = sorted(
        (Path(a["source"]["location"]).parent.name, a["language"])
        for a in lines(tmp_path / "out" / "articles.jsonl")
    )
    assert found == [("one", "de"), ("two", "de"), ("two", "en")]
    assert "1 filtered out" in result.stderr


def test_a_setting_of_a_disabled_plugin_says_so(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A story with enough words in it to be an article.\n")
    result = run_cli(
        ["--no-plugin", "keywords", "run", str(tmp_path / "a.txt"), "-s", "keywords.count=3"]
    )
    assert result.exit_code == 4
    assert "belongs to the plugin 'keywords', which is disabled" in result.stderr


def test_state_without_a_config_takes_locations_and_kind(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("A note long enough to be read as an article by ingest.\n")
    args = ["run", str(notes), "--kind", "text", "--state", str(tmp_path / "s.sqlite")]
    first = run_cli([*args, "-o", str(tmp_path / "out.jsonl")])
    assert first.exit_code == 0, first.stderr
    assert len(lines(tmp_path / "out.jsonl")) == 1
    second = run_cli([*args, "-o", str(tmp_path / "out.jsonl"), "-v"])
    assert second.exit_code == 0
    assert "1 not modified" in second.stderr  # the same size and time: not read again
    assert len(lines(tmp_path / "out.jsonl")) == 1
    forced = run_cli([*args, "-o", str(tmp_path / "out.jsonl"), "-v", "--force"])
    assert "1 unchanged" in forced.stderr  # read again, found the same
    report = json.loads(run_cli(["status", "--state", str(tmp_path / "s.sqlite"), "--json"]).stdout)
    assert [row["source"] for row in report["sources"]] == [str(notes)]


# -- what a review found -------------------------------------------------------------------


def test_a_first_run_killed_before_its_first_commit_is_not_repeated(tmp_path: Path) -> None:
    posts = tmp_path / "posts.jsonl"
    _posts(posts, 3000)
    config = write_config(
        tmp_path, {"posts": {"location": "posts.jsonl", "kind": "tweets"}}, ["out/a.jsonl"]
    )
    out = tmp_path / "out" / "a.jsonl"
    victim = _spawn(config)
    _wait_until_it_writes(victim, out, 0)
    victim.kill()
    victim.communicate(timeout=60)
    assert out.exists()
    rerun = _spawn(config)
    _, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err.decode()
    ids = [a["id"] for a in lines(out)]
    assert len(ids) == len(set(ids)) == 3000


def test_two_states_cannot_share_a_json_lines_target(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A story with enough words in it to be an article.\n")
    shared = tmp_path / "shared.jsonl"
    first = write_config(tmp_path, {"a": {"location": "a.txt"}}, [str(shared)])
    other = tmp_path / "other"
    other.mkdir()
    second = write_config(other, {"a": {"location": str(tmp_path / "a.txt")}}, [str(shared)])
    assert run(first).exit_code == 0
    refused = run(second)
    assert refused.exit_code == 4
    assert "written by another ingest state" in refused.stderr
    assert len(lines(shared)) == 1
    assert run(first, "--force").exit_code == 0  # its owner goes on


def test_one_id_with_two_contents_in_a_run_is_not_an_update_every_run(
    site: Site, tmp_path: Path
) -> None:
    # One feed carrying an entry twice, worded differently: the first sighting wins, every
    # run, rather than the two wordings taking turns as new versions.
    twice = (
        b"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>"
        b"<link>http://example.invalid/</link>"
        b"<item><guid isPermaLink='false'>same</guid><title>A</title>"
        b"<description>The first wording.</description></item>"
        b"<item><guid isPermaLink='false'>same</guid><title>A</title>"
        b"<description>The second wording.</description></item>"
        b"</channel></rss>"
    )
    assert site.server is not None
    site.server.routes["/twice.xml"] = lambda _: Reply(200, twice)  # no validators: read
    config = write_config(tmp_path, {"twice": {"location": site.server.url("/twice.xml")}})
    first = run(config, "-v")
    assert first.exit_code == 0
    assert "1 duplicate skipped" in first.stderr
    for _ in range(2):
        again = run(config, "-v")
        assert again.exit_code == 0
        assert "0 articles exported" in again.stderr
    exported = lines(tmp_path / "out" / "articles.jsonl")
    assert [a["text"] for a in exported] == ["The first wording."]


def test_a_redirect_whose_target_keeps_failing_is_given_up(site: Site, tmp_path: Path) -> None:
    assert site.server is not None
    old = site.add("/old.xml", Feed(entries("o", 1)))
    new = site.add("/moved.xml", Feed(entries("o", 1)))
    site.server.routes["/old.xml"] = lambda _: Reply(301, b"", {"Location": new})
    config = write_config(tmp_path, {"feed": {"location": old}})
    assert run(config).exit_code == 0
    site.feeds["/moved.xml"].status = 404
    site.server.routes["/old.xml"] = site.route("/old.xml")  # the old place works again
    for _ in range(3):
        assert run(config, "--force").exit_code == 1
    assert status(config)["by_name"]["feed"]["location"] == old
    assert run(config, "--force").exit_code == 0


def test_backoff_does_not_overflow_after_years_of_failures() -> None:
    assert backoff(1100, 60.0, 86400.0).total_seconds() == 86400.0
    assert backoff(1, 60.0, 86400.0).total_seconds() == 60.0
    assert backoff(3, 300.0, 86400.0).total_seconds() == 1200.0


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        (["o.jsonl", "jsonl:./o.jsonl"], "given twice"),
        (["sqlite:ingest.sqlite"], "is the state file itself"),
    ],
)
def test_repeated_targets_and_the_state_as_a_target_are_refused(
    tmp_path: Path, targets: list[str], message: str
) -> None:
    (tmp_path / "a.txt").write_text("A story with enough words in it to be an article.\n")
    config = write_config(tmp_path, {"a": {"location": "a.txt"}}, targets)
    result = run(config)
    assert result.exit_code == 4
    assert message in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_state_that_cannot_be_created_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A story with enough words in it to be an article.\n")
    (tmp_path / "blocker").write_text("a file, not a folder")
    config = write_config(tmp_path, {"a": {"location": "a.txt"}})
    result = run(config, "--state", str(tmp_path / "blocker" / "s.sqlite"))
    assert result.exit_code == 4
    assert result.error_lines == [result.stderr.strip()]
    assert "cannot create its lock file" in result.stderr


def test_a_target_that_cannot_be_opened_fails_alone(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A story with enough words in it to be an article.\n")
    (tmp_path / "blocker").write_text("a file, not a folder")
    config = write_config(
        tmp_path, {"a": {"location": "a.txt"}}, ["out/good.jsonl", "blocker/bad.jsonl"]
    )
    result = run(config)
    assert result.exit_code == 1
    assert len(result.error_lines) == 1
    assert "blocker/bad.jsonl" in result.error_lines[0]
    assert len(lines(tmp_path / "out" / "good.jsonl")) == 1
    report = status(config)
    assert (report["outbox"], report["exit_code"]) == (1, 1)


def test_a_bad_per_source_setting_stops_the_run_before_any_fetch(
    site: Site, tmp_path: Path
) -> None:
    good = site.add("/g.xml", Feed(entries("g", 1)))
    config = tmp_path / "ingest.toml"
    config.write_text(
        f'targets = ["out.jsonl"]\n[sources.good]\nlocation = "{good}"\n'
        f'[sources.typo]\nlocation = "{good}"\nsettings = {{ "http.timout" = 5 }}\n',
        encoding="utf-8",
    )
    result = run(config)
    assert result.exit_code == 4
    assert "source typo: unknown setting 'http.timout'" in result.stderr
    assert site.requests == []


def test_local_files_are_read_again_only_when_they_change(tmp_path: Path) -> None:
    folder = tmp_path / "texts"
    folder.mkdir()
    for name in ("a", "b", "c"):
        (folder / f"{name}.txt").write_text(f"Story {name}, with enough words in it to count.\n")
    config = write_config(tmp_path, {"texts": {"location": "texts", "kind": "text"}})
    assert run(config).exit_code == 0
    second = run(config, "-v")
    assert "0 articles exported, 3 not modified" in second.stderr
    (folder / "b.txt").write_text("Story b, rewritten with other words entirely this time.\n")
    (folder / "d.txt").write_text("Story d, a new file in the folder with enough words.\n")
    third = run(config, "-v")
    assert "2 articles exported" in third.stderr
    assert "2 not modified" in third.stderr
    assert len(lines(tmp_path / "out" / "articles.jsonl")) == 5


def test_a_local_file_that_failed_is_read_again(tmp_path: Path) -> None:
    (tmp_path / "bad.rss").write_bytes(b"\x00\x01binary, not a feed")
    config = write_config(tmp_path, {"bad": {"location": "bad.rss", "kind": "rss"}})
    assert run(config).exit_code == 1
    ledger = Ledger(tmp_path / "ingest.sqlite", readonly=True)
    try:
        assert ledger.file_stamp("bad", str(tmp_path / "bad.rss")) is None  # read again
        assert ledger.file_stamp("bad", str(tmp_path / "nothing")) is None
    finally:
        ledger.close()
    good = write_config(tmp_path, {"bad": {"location": "bad.rss", "kind": "rss"}})
    (tmp_path / "bad.rss").write_text(
        "<rss version='2.0'><channel><title>T</title><item><guid>g</guid>"
        "<title>Now a feed</title></item></channel></rss>"
    )
    assert run(good, "--force").exit_code == 0
    ledger = Ledger(tmp_path / "ingest.sqlite", readonly=True)
    try:
        assert ledger.file_stamp("bad", str(tmp_path / "bad.rss")) is not None
    finally:
        ledger.close()


def test_ctrl_c_keeps_what_was_committed_and_the_rerun_completes(tmp_path: Path) -> None:
    _posts(tmp_path / "posts.jsonl", 3000)
    config = write_config(
        tmp_path,
        {"posts": {"location": "posts.jsonl", "kind": "tweets"}},
        ["out/articles.jsonl", "sqlite:out/articles.sqlite", "dir:out/dir"],
    )
    out = tmp_path / "out" / "articles.jsonl"
    victim = _spawn(config)
    _wait_until_it_writes(victim, out, 0)
    victim.send_signal(signal.SIGINT)
    _, err = victim.communicate(timeout=60)
    assert victim.returncode == 2, err.decode()
    assert "interrupted; what was committed stays" in err.decode()
    assert "Traceback" not in err.decode()
    rerun = _spawn(config)
    _, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err.decode()
    assert _check_exactly_once(tmp_path / "out", 3000) == 3000


def test_a_source_folder_holding_the_state_and_targets_skips_them(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A story with enough words in it to be an article.\n")
    config = write_config(
        tmp_path,
        {"here": {"location": ".", "kind": "text"}},
        ["a.jsonl", "sqlite:a.sqlite", "dir:copies"],
    )
    for _ in range(2):
        result = run(config, "-v", "--force")
        assert result.exit_code == 0, result.stderr
        assert result.error_lines == []
        # Only a.txt: not the config, nor anything ingest writes.
        assert result.stderr.startswith("ingest: 1 source,"), result.stderr
    assert len(lines(tmp_path / "a.jsonl")) == 1


def test_usage_errors_are_json_too_under_json_logs(tmp_path: Path) -> None:
    result = run(tmp_path / "missing.toml", "--log-format", "json")
    assert result.exit_code == 4
    (record,) = [json.loads(line) for line in result.stderr.splitlines()]
    assert (record["level"], record["error"]) == ("error", "UsageError")
    assert "no such config file" in record["message"]
