"""The exporters of runs on state (append, checkpoint, recover), and the state lock."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest import Article, ArticleSource, Config, Settings, Target, UsageError
from ingest.articlejson import dumps_bytes
from ingest.export import Exporter
from ingest.identity import assign_identity
from ingest.locations import parse_target
from ingest.state.lock import LockTimeout, StateLock
from ingest_plugins.exporters import jsonfiles, jsonl, sqlite
from ingest_plugins.exporters.jsonfiles import DirectoryExporter
from ingest_plugins.exporters.jsonl import AppendingJsonLinesExporter, JsonLinesFileExporter
from ingest_plugins.exporters.sqlite import SqliteExporter
from tests.lockholder import lock_holder


def article(n: int, text: str | None = None, version: int = 1) -> Article:
    made = Article(
        source=ArticleSource(
            kind="rss", location="https://example.com/feed.xml", origin_id=f"g{n}"
        ),
        title=f"Story {n}",
        text=text if text is not None else f"Body of story {n}.",
        url=f"https://example.com/story/{n}",
        language="en",
        published=datetime(2026, 11, 29, 8, n % 60, tzinfo=UTC),
        version=version,
    )
    assign_identity(made)
    assert len(made.id) >= 32
    assert len(made.content_hash) >= 32
    return made


def line(n: int) -> bytes:
    return dumps_bytes(article(n)) + b"\n"


def config() -> Config:
    return Config(Settings())


def committed_length(checkpoint: str | None) -> int:
    assert checkpoint is not None
    return int(json.loads(checkpoint)["length"])


# -- appending JSON Lines --------------------------------------------------------------------


def test_appends_to_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "out" / "articles.jsonl"
    path.parent.mkdir()
    before = b'{"written": "by someone else"}\n'
    path.write_bytes(before)
    exporter = AppendingJsonLinesExporter(path)
    assert exporter.incremental
    assert exporter.recover(None) is None
    assert path.read_bytes() == before  # recover(None) touches nothing
    exporter.write(article(1))
    exporter.write(article(2))
    exporter.close()
    assert path.read_bytes() == before + line(1) + line(2)
    records = [json.loads(x) for x in path.read_bytes().splitlines()[1:]]
    assert [r["id"] for r in records] == [article(1).id, article(2).id]


def test_creates_the_file_and_its_folder(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "articles.jsonl"
    exporter = AppendingJsonLinesExporter(path)
    exporter.write(article(1))
    exporter.close()
    assert path.read_bytes() == line(1)


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is a directory"):
        AppendingJsonLinesExporter(tmp_path)


def test_checkpoint_is_the_durable_length_and_inode(tmp_path: Path) -> None:
    path = tmp_path / "articles.jsonl"
    path.write_bytes(b"old\n")
    exporter = AppendingJsonLinesExporter(path)
    try:
        exporter.write(article(1))
        checkpoint = exporter.checkpoint()
        data = json.loads(checkpoint)
        assert set(data) == {"length", "inode"}
        assert data["length"] == path.stat().st_size == 4 + len(line(1))
        assert data["inode"] == path.stat().st_ino
        assert path.read_bytes() == b"old\n" + line(1)  # flushed, not left in a buffer
        exporter.write(article(2))
        assert committed_length(exporter.checkpoint()) == path.stat().st_size
    finally:
        exporter.close()


def test_recover_cuts_what_a_killed_run_wrote_after_its_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "articles.jsonl"
    path.write_bytes(b"foreign\n")
    first = AppendingJsonLinesExporter(path)
    first.write(article(1))
    checkpoint = first.checkpoint()
    first.write(article(2))
    first.write(article(3))
    first.stream.flush()  # what the killed run managed to write
    first.abort()
    assert path.read_bytes() == b"foreign\n" + line(1) + line(2) + line(3)

    second = AppendingJsonLinesExporter(path)
    notice = second.recover(checkpoint)
    assert notice is not None
    assert str(path) in notice
    assert f"removed {len(line(2) + line(3)):,} bytes" in notice
    assert path.stat().st_size == committed_length(checkpoint)
    second.write(article(2))  # delivered again, right after the committed line
    second.close()
    assert path.read_bytes() == b"foreign\n" + line(1) + line(2)


def test_recover_at_the_checkpoint_is_silent(tmp_path: Path) -> None:
    path = tmp_path / "articles.jsonl"
    first = AppendingJsonLinesExporter(path)
    first.write(article(1))
    checkpoint = first.checkpoint()
    first.close()
    second = AppendingJsonLinesExporter(path)
    assert second.recover(checkpoint) is None
    second.close()
    assert path.read_bytes() == line(1)


def test_recover_leaves_a_rotated_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "articles.jsonl"
    first = AppendingJsonLinesExporter(path)
    first.write(article(1))
    checkpoint = first.checkpoint()
    first.close()
    path.rename(tmp_path / "articles.jsonl.1")  # logrotate
    fresh = line(7) + line(8) + line(9)  # longer than the checkpoint, so a cut would show
    path.write_bytes(fresh)
    assert path.stat().st_ino != json.loads(checkpoint)["inode"]

    second = AppendingJsonLinesExporter(path)
    notice = second.recover(checkpoint)
    second.close()
    assert notice is not None
    assert str(path) in notice
    assert "replaced" in notice
    assert path.read_bytes() == fresh
    assert (tmp_path / "articles.jsonl.1").read_bytes() == line(1)


def test_recover_leaves_a_shortened_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "articles.jsonl"
    first = AppendingJsonLinesExporter(path)
    first.write(article(1))
    first.write(article(2))
    checkpoint = first.checkpoint()
    first.close()
    os.truncate(path, 5)  # cut by someone else, same inode

    second = AppendingJsonLinesExporter(path)
    notice = second.recover(checkpoint)
    second.close()
    assert notice is not None
    assert str(path) in notice
    assert path.read_bytes() == line(1)[:5]


def test_jsonl_hook_picks_the_appending_exporter_for_runs_on_state(tmp_path: Path) -> None:
    path = tmp_path / "articles.jsonl"
    path.write_bytes(b"kept\n")
    incremental = jsonl.ingest_export(Target("jsonl", str(path), incremental=True), config())
    assert isinstance(incremental, AppendingJsonLinesExporter)
    incremental.write(article(1))
    incremental.close()
    assert path.read_bytes() == b"kept\n" + line(1)

    one_off = jsonl.ingest_export(Target("jsonl", str(path)), config())
    assert isinstance(one_off, JsonLinesFileExporter)
    assert not one_off.incremental
    one_off.write(article(2))
    one_off.close()
    assert path.read_bytes() == line(2)  # replaced as a whole

    assert jsonl.ingest_export(Target("json", str(path)), config()) is None


# -- SQLite ----------------------------------------------------------------------------------


def rows(path: Path) -> list[tuple[str, int, str, str]]:
    """Read with another connection: what is committed."""
    db = sqlite3.connect(path)
    try:
        return db.execute(
            "SELECT id, version, content_hash, record FROM articles ORDER BY id"
        ).fetchall()
    finally:
        db.close()


def test_sqlite_upserts_by_id(tmp_path: Path) -> None:
    path = tmp_path / "out" / "articles.sqlite"
    exporter = SqliteExporter(path)
    assert exporter.incremental
    assert exporter.recover(None) is None
    first = article(1, text="First text.")
    exporter.write(first)
    exporter.checkpoint()
    second = article(1, text="Second, longer text.", version=2)
    assert second.id == first.id
    assert second.content_hash != first.content_hash
    exporter.write(second)
    exporter.write(article(2))
    exporter.close()

    stored = rows(path)
    assert len(stored) == 2
    by_id = {r[0]: r for r in stored}
    _, version, content_hash, record = by_id[first.id]
    assert version == 2
    assert content_hash == second.content_hash
    assert json.loads(record)["text"] == "Second, longer text."
    assert json.loads(record)["version"] == 2
    db = sqlite3.connect(path)
    try:
        columns = db.execute(
            "SELECT url, title, language, published, source_kind, source_location"
            " FROM articles WHERE id = ?",
            (first.id,),
        ).fetchone()
    finally:
        db.close()
    assert columns == (
        "https://example.com/story/1",
        "Story 1",
        "en",
        "2026-11-29T08:01:00Z",
        "rss",
        "https://example.com/feed.xml",
    )


def test_sqlite_checkpoint_commits_and_abort_rolls_back(tmp_path: Path) -> None:
    path = tmp_path / "articles.sqlite"
    exporter: Exporter = SqliteExporter(path)  # checkpoint() as the pipeline sees it
    exporter.write(article(1))
    assert rows(path) == []  # not committed yet
    assert exporter.checkpoint() is None
    assert [r[0] for r in rows(path)] == [article(1).id]
    exporter.write(article(2))
    exporter.write(article(3))
    exporter.abort()
    assert [r[0] for r in rows(path)] == [article(1).id]

    again = SqliteExporter(path)  # the next run finds the committed rows
    again.write(article(2))
    again.close()
    assert sorted(r[0] for r in rows(path)) == sorted([article(1).id, article(2).id])


def test_sqlite_url_form_through_the_hook(tmp_path: Path) -> None:
    path = tmp_path / "url" / "articles.sqlite"
    assert path.is_absolute()
    target = parse_target(f"sqlite://{path}")
    assert target.scheme == "sqlite"
    exporter = sqlite.ingest_export(target, config())
    assert isinstance(exporter, SqliteExporter)
    exporter.write(article(1))
    exporter.close()
    assert [r[0] for r in rows(path)] == [article(1).id]
    assert not (tmp_path / "sqlite:").exists()


def test_sqlite_path_form_through_the_hook(tmp_path: Path) -> None:
    path = tmp_path / "plain.sqlite"
    target = parse_target(f"sqlite:{path}")
    assert (target.scheme, target.location) == ("sqlite", str(path))
    exporter = sqlite.ingest_export(target, config())
    assert isinstance(exporter, SqliteExporter)
    exporter.write(article(1))
    exporter.close()
    assert len(rows(path)) == 1
    assert sqlite.ingest_export(Target("jsonl", str(path)), config()) is None


def test_sqlite_target_that_is_a_directory(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is a directory"):
        SqliteExporter(tmp_path)
    with pytest.raises(UsageError, match="is a directory"):
        sqlite.ingest_export(parse_target(f"sqlite:{tmp_path}"), config())


def test_sqlite_target_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    content = b"plain text, not SQLite\n" * 100
    path.write_bytes(content)
    with pytest.raises(UsageError, match="not a usable SQLite database"):
        SqliteExporter(path)
    assert path.read_bytes() == content


# -- one file per article --------------------------------------------------------------------


def test_directory_exporter_is_incremental_without_checkpoints(tmp_path: Path) -> None:
    folder = tmp_path / "per-article"
    exporter = jsonfiles.ingest_export(Target("dir", str(folder), incremental=True), config())
    assert isinstance(exporter, DirectoryExporter)
    assert exporter.incremental
    assert exporter.recover(None) is None
    exporter.write(article(1))
    as_exporter: Exporter = exporter  # checkpoint() as the pipeline sees it
    assert as_exporter.checkpoint() is None
    assert (folder / f"{article(1).id}.json").is_file()  # durable as soon as written
    exporter.write(article(1, text="New text.", version=2))
    exporter.close()
    files = list(folder.iterdir())
    assert [f.name for f in files] == [f"{article(1).id}.json"]
    record = json.loads(files[0].read_text(encoding="utf-8"))
    assert (record["text"], record["version"]) == ("New text.", 2)


def test_exporters_without_state_support_refuse_checkpoints(tmp_path: Path) -> None:
    exporter: Exporter = JsonLinesFileExporter(tmp_path / "a.jsonl")
    try:
        assert not exporter.incremental
        with pytest.raises(NotImplementedError, match="does not support runs on state"):
            exporter.checkpoint()
    finally:
        exporter.abort()
    assert not (tmp_path / "a.jsonl").exists()


# -- the state lock --------------------------------------------------------------------------


def test_lock_writes_its_pid_and_releases(tmp_path: Path) -> None:
    state = tmp_path / "ingest.sqlite"
    lock = StateLock(state, timeout=0)
    assert lock.path == tmp_path / "ingest.sqlite.lock"
    with lock:
        content = lock.path.read_text()
        assert content.startswith(f"pid {os.getpid()} since ")
        assert lock.previous_holder is None
    assert lock.path.exists()  # never deleted
    assert lock.path.read_text() == ""
    lock.release()  # twice is harmless


def test_a_second_lock_times_out_naming_the_holder(tmp_path: Path) -> None:
    state = tmp_path / "ingest.sqlite"
    holder = StateLock(state, timeout=0)
    holder.acquire()
    try:
        waiter = StateLock(state, timeout=0.3)
        started = time.monotonic()
        with pytest.raises(LockTimeout) as info:
            waiter.acquire()
        waited = time.monotonic() - started
        assert 0.3 <= waited < 2.0
        message = str(info.value)
        assert f"pid {os.getpid()}" in message
        assert "--lock-timeout" in message
        assert str(state) in message
    finally:
        holder.release()
    after = StateLock(state, timeout=0)
    after.acquire()
    try:
        assert after.previous_holder is None  # released cleanly: nobody died
        assert after.path.read_text().startswith(f"pid {os.getpid()} ")
    finally:
        after.release()


def test_a_waiting_lock_gets_it_when_released(tmp_path: Path) -> None:
    state = tmp_path / "ingest.sqlite"
    with lock_holder(state, release_after=0.5):
        lock = StateLock(state, timeout=10)
        started = time.monotonic()
        lock.acquire()
        assert time.monotonic() - started < 5
        assert lock.previous_holder is None
        lock.release()


def test_a_dead_holders_lock_is_taken_over(tmp_path: Path) -> None:
    state = tmp_path / "ingest.sqlite"
    with lock_holder(state) as child:
        with pytest.raises(LockTimeout, match=f"pid {child.pid} "):
            StateLock(state, timeout=0).acquire()  # alive: held
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    lock = StateLock(state, timeout=5)
    started = time.monotonic()
    lock.acquire()
    try:
        assert time.monotonic() - started < 1.0  # at once, not after the timeout
        assert lock.previous_holder is not None
        assert lock.previous_holder.startswith(f"pid {child.pid} since ")
        assert lock.path.read_text().startswith(f"pid {os.getpid()} since ")
    finally:
        lock.release()
