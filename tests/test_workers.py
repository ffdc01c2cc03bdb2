"""``--workers N``: inputs read in worker processes give the articles of a one-process run,
in the same order, on the real corpora, over HTTP, on state, and when a worker dies."""

from __future__ import annotations

import json
import os
import pickle
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from ingest import hookimpl
from ingest.errors import SourceError
from ingest.parallel.work import bare
from ingest.testing import CliResult, run_cli
from tests.servers import Reply, serve
from tests.test_cron import _check_exactly_once, _posts, _spawn, _wait_until_it_writes, write_config

# What two runs of the same input may differ in: when they ran.
_RUN_TIME = ("fetched",)


def _comparable(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in _RUN_TIME}


def _run(*args: str | Path) -> CliResult:
    return run_cli(["run", *map(str, args)])


def _same_run(*args: str | Path) -> tuple[CliResult, CliResult]:
    """The same run with one process and with two workers: every article equal, in order."""
    one = _run(*args, "--workers", "1")
    two = _run(*args, "--workers", "2")
    assert one.exit_code == two.exit_code, two.stderr
    assert [_comparable(a) for a in two.articles] == [_comparable(a) for a in one.articles]
    assert sorted(two.error_lines) == sorted(one.error_lines)
    return one, two


@pytest.mark.parametrize("part", ["feeds", "tweets", "text", "article-metadata"])
def test_every_corpus_reads_the_same_with_two_workers(corpus: Path, part: str) -> None:
    one, _ = _same_run(corpus / part)
    assert len(one.articles) > 0
    # The summary lines (sources, articles, failures) agree too.
    if one.exit_code:
        assert one.error_lines


def test_filters_and_settings_reach_the_workers(corpus: Path) -> None:
    one, _ = _same_run(corpus / "feeds", "--language", "de,fr", "-s", "keywords.count=3")
    assert one.articles
    assert {a["language"].split("-")[0] for a in one.articles} <= {"de", "fr"}
    assert all(sum(t["kind"] == "keyword" for t in a["tags"]) <= 3 for a in one.articles)


def _feed(name: str, count: int, link: str = "") -> bytes:
    items = "".join(
        f"<item><guid>{name}-{i}</guid><title>{name} story {i}</title>"
        f"<link>{link or 'https://news.example/'}{name}/{i}</link>"
        f"<description>Body of {name} story {i} about the harbour council.</description></item>"
        for i in range(count)
    )
    return (
        f"<rss version='2.0'><channel><title>{name}</title><link>https://news.example/</link>"
        f"{items}</channel></rss>"
    ).encode()


def test_urls_fetched_ahead_are_read_by_workers_and_remember_their_validators(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INGEST_DISABLE_PLUGINS", "language,entities,quotes,keywords")

    def route(name: str) -> Any:
        def answer(handler: Any) -> Reply:
            if handler.headers.get("If-None-Match") == f'"{name}"':
                return Reply(304)
            return Reply(200, _feed(name, 5), {"ETag": f'"{name}"'})

        return answer

    names = [f"f{i}" for i in range(6)]
    with serve({f"/{n}.xml": route(n) for n in names}) as server:
        urls = [server.url(f"/{n}.xml") for n in names]
        one, _ = _same_run(*urls)
        assert len(one.articles) == 30
        sources = {n: {"location": u} for n, u in zip(names, urls, strict=True)}
        config = write_config(tmp_path, sources)
        first = run_cli(["run", "-c", str(config), "--workers", "2"])
        assert first.exit_code == 0, first.stderr
        out = tmp_path / "out" / "articles.jsonl"
        assert len(out.read_text().splitlines()) == 30
        server.requests.clear()
        again = run_cli(["run", "-c", str(config), "--workers", "2", "--force", "-v"])
        assert again.exit_code == 0, again.stderr
        # The worker's fetch learned the ETag; the run stored it: every fetch is a 304.
        assert len(server.requests) == 6
        assert all(h.get("if-none-match") for _, h in server.requests)
        assert "6 not modified" in again.stderr, again.stderr
        assert len(out.read_text().splitlines()) == 30


_PAGE = (
    "<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
    + "<p>{title}: the full story of the harbour council, told in a paragraph long enough "
    "to be the body of an article page, with the names and numbers it needs.</p>"
    * 4
    + "</article></body></html>"
)


def test_items_whose_stages_fetch_go_back_to_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--full-text fetches each entry's page in the enrich stage: workers hand those items
    back, and the run completes them politely, as with one process."""
    monkeypatch.setenv("INGEST_DISABLE_PLUGINS", "language,entities,quotes,keywords")
    routes: dict[str, Any] = {"/robots.txt": lambda h: Reply(404)}
    with serve(routes) as server:
        for i in range(4):
            page = _PAGE.format(title=f"Page {i}").encode()
            routes[f"/p/{i}"] = lambda h, page=page: Reply(200, page, {"Content-Type": "text/html"})
        (tmp_path / "feed.rss").write_bytes(_feed("p", 4, link=server.url("/")))
        args = [tmp_path / "feed.rss", "--full-text", "-s", "http.host_delay=0"]
        one, two = _same_run(*args)
    assert len(one.articles) == 4
    assert all("the full story of the harbour council" in a["text"] for a in two.articles)
    assert all(a["provenance"].get("enrich") == ["html"] for a in two.articles)


def test_dead_letters_are_kept_by_the_run(tmp_path: Path) -> None:
    posts = tmp_path / "posts.jsonl"
    _posts(posts, 20)
    with posts.open("a") as out:
        out.write('{"id": "broken", "content": \n')
    config = write_config(tmp_path, {"posts": {"location": "posts.jsonl", "kind": "tweets"}})
    result = run_cli(["run", "-c", str(config), "--workers", "2"])
    assert result.exit_code == 1
    assert len(result.error_lines) == 1, result.stderr
    letters = run_cli(["dead-letters", "list", "-c", str(config), "--json"])
    found = [json.loads(line) for line in letters.stdout.splitlines()]
    assert len(found) == 1, letters.stdout
    assert "broken" in json.dumps(found)


class _Killer(ModuleType):
    """A tag plugin that kills the worker process reading ``doomed.txt``, once."""

    def __init__(self, parent: int, mark: Path) -> None:
        super().__init__("killer")
        self.parent, self.mark = parent, mark

        @hookimpl
        def ingest_tag(article: Any) -> None:
            if os.getpid() != self.parent and "doomed" in article.text and not mark.exists():
                mark.write_text("killed")
                os.kill(os.getpid(), signal.SIGKILL)

        self.ingest_tag = ingest_tag


@pytest.fixture
def killer(tmp_path: Path) -> Iterator[Path]:
    """``-p killer`` loads the plugin (an importable module, as ``-p`` wants)."""
    mark = tmp_path / "killed"
    sys.modules["killer"] = _Killer(os.getpid(), mark)
    try:
        yield mark
    finally:
        sys.modules.pop("killer", None)


def test_a_worker_that_dies_loses_nothing(tmp_path: Path, killer: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(8):
        word = "doomed" if i == 5 else "fine"
        (folder / f"{i}.txt").write_text(f"Story {i}\n\nA {word} story number {i} of the day.\n")
    args = ["-p", "killer", "run", str(folder), "--kind", "text"]
    two = run_cli([*args, "--workers", "2"])
    assert killer.exists()  # a worker did die
    assert two.exit_code == 0, two.stderr
    assert "died" in two.stderr
    one = run_cli([*args, "--workers", "1"])
    assert [_comparable(a) for a in two.articles] == [_comparable(a) for a in one.articles]
    assert len(one.articles) == 8


def test_kill_9_of_the_run_with_workers_is_exactly_once(tmp_path: Path) -> None:
    for part in range(4):
        _posts(tmp_path / "in" / f"{part}.jsonl", 400)
    config = write_config(
        tmp_path,
        {"posts": {"location": "in", "kind": "tweets"}},
        ["out/articles.jsonl", "sqlite:out/articles.sqlite", "dir:out/dir"],
    )
    out = tmp_path / "out" / "articles.jsonl"
    victim = _spawn(config, "--workers", "2")
    _wait_until_it_writes(victim, out, 0)
    time.sleep(0.05)
    victim.kill()
    victim.communicate(timeout=60)
    rerun = _spawn(config, "--workers", "2")
    _, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err.decode()
    # The four files hold the same 400 post ids: 400 articles, each once.
    assert _check_exactly_once(tmp_path / "out", 400) == 400


def test_ctrl_c_with_workers_is_an_interruption(tmp_path: Path) -> None:
    for part in range(4):
        _posts(tmp_path / "in" / f"{part}.jsonl", 500, edition=part)
    config = write_config(tmp_path, {"posts": {"location": "in", "kind": "tweets"}})
    out = tmp_path / "out" / "articles.jsonl"
    victim = _spawn(config, "--workers", "2")
    _wait_until_it_writes(victim, out, 0)
    victim.send_signal(signal.SIGINT)
    _, err = victim.communicate(timeout=60)
    assert victim.returncode == 2, err.decode()
    assert "Traceback" not in err.decode()
    rerun = _spawn(config, "--workers", "2")
    _, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err.decode()
    ids = [json.loads(line)["id"] for line in out.read_text().splitlines()]
    versions = [
        (json.loads(line)["id"], json.loads(line)["version"])
        for line in out.read_text().splitlines()
    ]
    assert len(versions) == len(set(versions))
    assert len(set(ids)) == 500


def test_bad_worker_counts_are_usage_errors() -> None:
    result = _run("-", "--workers", "0")
    assert result.exit_code == 4
    assert "--workers" in result.stderr
    assert "Traceback" not in result.stderr
    result = _run("-", "--executor", "threads")
    assert result.exit_code == 4
    assert "--executor" in result.stderr


def test_stdin_is_read_by_the_run_itself() -> None:
    text = b"A headline\n\nA short story read from standard input by the run.\n"
    result = run_cli(["run", "-", "--kind", "text", "--workers", "2"], stdin=text)
    assert result.exit_code == 0, result.stderr
    assert [a["title"] for a in result.articles] == ["A headline"]


def test_page_urls_go_back_to_the_run_for_robots_txt_and_keep_their_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A page URL is fetched politely: its worker hands it back at once (robots.txt is a
    fetch), and the run reads it, and the inputs after it, in order."""
    monkeypatch.setenv("INGEST_DISABLE_PLUGINS", "language,entities,quotes,keywords")
    routes: dict[str, Any] = {"/robots.txt": lambda h: Reply(404)}
    with serve(routes) as server:
        for i in range(6):
            page = _PAGE.format(title=f"Page {i}").encode()
            routes[f"/p/{i}.html"] = lambda h, page=page: Reply(
                200, page, {"Content-Type": "text/html"}
            )
        urls = [server.url(f"/p/{i}.html") for i in range(6)]
        _, two = _same_run(*urls, "-s", "http.host_delay=0")
    assert [a["title"] for a in two.articles] == [f"Page {i}" for i in range(6)]


class _Strict(Exception):
    def __init__(self, message: str, *, where: int) -> None:
        super().__init__(message)
        self.where = where


def test_errors_travel_without_what_they_were_raised_from() -> None:
    """Dask's pickler (tblib) sends exception chains; a cause whose constructor takes other
    arguments would not unpickle in the run (it did: a warc file's cut gzip member), so
    workers send errors bare, their message whole."""
    error = SourceError("warc:x.warc.gz", "cut short")
    error.__context__ = _Strict("cut at byte 7", where=7)
    error.__cause__ = _Strict("cut at byte 7", where=7)
    sent = bare(error)
    assert (sent.__cause__, sent.__context__, sent.__traceback__) == (None, None, None)
    back = pickle.loads(pickle.dumps(sent))
    assert str(back) == "warc:x.warc.gz: cut short"
    assert back.reason == "cut short"
