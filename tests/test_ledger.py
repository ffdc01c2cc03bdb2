"""The ledger: a real SQLite file in WAL mode, its migrations, and what runs commit to it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ingest.errors import UsageError
from ingest.state.ledger import Ledger
from ingest.state.migrations import MIGRATIONS
from ingest.state.records import Batch, Seen, SourceState, now, stamp, unstamp
from ingest.state.schedule import backoff

HASH_A = "a" * 32
HASH_B = "b" * 32


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    opened = Ledger(tmp_path / "state" / "ingest.sqlite")
    yield opened
    opened.close()


def full_state(name: str = "feed") -> SourceState:
    return SourceState(
        name=name,
        configured="https://example.com/feed.xml",
        location="https://example.org/moved.xml",
        kind="rss",
        etag='"abc"',
        last_modified="Sat, 28 Nov 2026 08:00:00 GMT",
        last_attempt=datetime(2026, 11, 29, 8, 0, 5, tzinfo=UTC),
        last_success=datetime(2026, 11, 28, 7, 30, tzinfo=UTC),
        last_status="failed",
        failures=2,
        last_error="HTTP 503",
        next_fetch=datetime(2026, 11, 29, 9, 0, tzinfo=UTC),
        articles=17,
    )


# -- the file --------------------------------------------------------------------------------


def test_new_file_is_wal_and_fully_migrated(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "ingest.sqlite"
    ledger = Ledger(path)
    try:
        assert path.is_file()
        assert ledger.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert ledger.schema_version == len(MIGRATIONS)
    finally:
        ledger.close()
    with sqlite3.connect(path) as other:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # persistent
        assert other.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        tables = {r[0] for r in other.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    other.close()
    assert {"sources", "articles", "targets", "outbox", "runs", "dead_letters"} <= tables


def test_reopening_does_not_migrate_again(tmp_path: Path) -> None:
    path = tmp_path / "ingest.sqlite"
    first = Ledger(path)
    first.commit(Batch(articles=[("id1", "feed", HASH_A, 1)]))
    first.close()
    # Were the migration run again, CREATE TABLE would fail on the existing tables.
    second = Ledger(path)
    try:
        assert second.schema_version == len(MIGRATIONS)
        assert second.seen("id1") == Seen(HASH_A, 1)
    finally:
        second.close()


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ingest.sqlite"
    Ledger(path).close()
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    db.close()
    with pytest.raises(UsageError) as info:
        Ledger(path)
    message = str(info.value)
    assert message.startswith(f"state {path}: ")
    assert "newer" in message
    assert f"schema {len(MIGRATIONS) + 1}" in message


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ingest.sqlite"
    content = b"this is a text file, not a database\n" * 200
    path.write_bytes(content)
    with pytest.raises(UsageError, match=r"not a usable ingest state file"):
        Ledger(path)
    assert path.read_bytes() == content  # left alone


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is a directory"):
        Ledger(tmp_path)


# -- commits ---------------------------------------------------------------------------------


def test_commit_stores_articles_checkpoints_and_outbox(ledger: Ledger) -> None:
    assert ledger.seen("id1") is None
    assert ledger.checkpoint("out.jsonl") is None
    ledger.commit(
        Batch(
            articles=[
                ("id1", "feed", HASH_A, 1),
                ("id2", "feed", HASH_B, 1),
                ("id3", "x", HASH_A, 1),
            ],
            checkpoints={"out.jsonl": '{"length": 10, "inode": 5}', "dir:out": None},
            outbox=[
                ("pg", "id1", b'{"id": "id1"}'),
                ("pg", "id2", b'{"id": "id2"}'),
                ("other", "id1", b'{"id": "id1"}'),
            ],
        )
    )
    assert ledger.seen("id1") == Seen(HASH_A, 1)
    assert ledger.seen("id2") == Seen(HASH_B, 1)
    assert ledger.article_count() == 3
    assert ledger.article_count("feed") == 2
    assert ledger.checkpoint("out.jsonl") == '{"length": 10, "inode": 5}'
    assert ledger.checkpoint("dir:out") is None
    assert _outbox(ledger, "pg") == [("id1", b'{"id": "id1"}'), ("id2", b'{"id": "id2"}')]
    assert ledger.outbox_size("pg") == 2
    assert ledger.outbox_size() == 3

    # A new version, a new checkpoint, one delivery.
    ledger.commit(
        Batch(
            articles=[("id1", "feed", HASH_B, 2)],
            checkpoints={"out.jsonl": '{"length": 99, "inode": 5}'},
            delivered=[("pg", "id1")],
        )
    )
    assert ledger.seen("id1") == Seen(HASH_B, 2)
    assert ledger.article_count() == 3
    assert ledger.checkpoint("out.jsonl") == '{"length": 99, "inode": 5}'
    assert _outbox(ledger, "pg") == [("id2", b'{"id": "id2"}')]
    assert ledger.outbox_size("pg") == 1
    assert ledger.outbox_size("other") == 1


def _outbox(ledger: Ledger, target: str) -> list[tuple[str, bytes]]:
    return [entry for chunk in ledger.outbox(target) for entry in chunk]


def test_outbox_is_streamed_oldest_first_in_chunks(ledger: Ledger) -> None:
    ids = [f"id{n:03}" for n in range(50, 0, -1)]  # not in id order
    ledger.commit(Batch(outbox=[("pg", i, i.encode()) for i in ids]))
    stream = ledger.outbox("pg", limit=20)
    assert isinstance(stream, Iterator)
    chunks = list(stream)
    assert [len(chunk) for chunk in chunks] == [20, 20, 10]
    assert chunks[0][0] == ("id050", b"id050")
    assert [i for chunk in chunks for i, _ in chunk] == ids


def test_outbox_chunks_survive_deliveries_in_between(ledger: Ledger) -> None:
    ids = [f"id{n:03}" for n in range(1, 8)]
    ledger.commit(Batch(outbox=[("pg", i, i.encode()) for i in ids]))
    seen = []
    for chunk in ledger.outbox("pg", limit=3):
        seen += [i for i, _ in chunk]
        ledger.commit(Batch(delivered=[("pg", i) for i, _ in chunk]))
    assert seen == ids
    assert ledger.outbox_size("pg") == 0


def test_an_empty_batch_writes_nothing(ledger: Ledger) -> None:
    assert not Batch()
    changes = ledger.db.total_changes
    ledger.commit(Batch())
    assert ledger.db.total_changes == changes


def test_first_and_last_seen(ledger: Ledger) -> None:
    ledger.commit(Batch(articles=[("id1", "feed", HASH_A, 1)]))
    ledger.db.execute("UPDATE articles SET first_seen = '2020-01-01T00:00:00Z'")
    ledger.db.execute("UPDATE articles SET last_seen = '2020-01-01T00:00:00Z'")
    ledger.touch(["id1"])
    first, last = ledger.db.execute("SELECT first_seen, last_seen FROM articles").fetchone()
    assert first == "2020-01-01T00:00:00Z"
    last_seen = unstamp(last)
    assert last_seen is not None
    assert abs(last_seen - now()) < timedelta(seconds=5)
    ledger.commit(Batch(articles=[("id1", "feed", HASH_B, 2)]))
    assert ledger.db.execute("SELECT first_seen FROM articles").fetchone()[0] == first


def test_a_failing_commit_rolls_back_everything(ledger: Ledger) -> None:
    ledger.commit(Batch(articles=[("old", "feed", HASH_A, 1)], checkpoints={"t": "1"}))
    bad_article: tuple[str, str, str, int] = ("id9", "feed", None, 1)  # type: ignore[assignment]
    batch = Batch(
        articles=[("id1", "feed", HASH_A, 1), ("old", "feed", HASH_B, 2), bad_article],
        checkpoints={"t": "2", "u": "3"},
        outbox=[("pg", "id1", b"{}")],
        sources=[full_state()],
    )
    with pytest.raises(sqlite3.IntegrityError):
        ledger.commit(batch)
    assert not ledger.db.in_transaction
    assert ledger.seen("id1") is None
    assert ledger.seen("old") == Seen(HASH_A, 1)
    assert ledger.article_count() == 1
    assert ledger.checkpoint("t") == "1"
    assert ledger.checkpoint("u") is None
    assert ledger.outbox_size() == 0
    assert ledger.sources() == []
    # The ledger is still usable.
    ledger.commit(Batch(articles=[("id1", "feed", HASH_A, 1)]))
    assert ledger.seen("id1") == Seen(HASH_A, 1)


# -- sources ---------------------------------------------------------------------------------


def test_source_state_round_trips_every_field(ledger: Ledger) -> None:
    state = full_state()
    ledger.commit(Batch(sources=[state]))
    assert ledger.source("feed", "https://example.com/feed.xml") == state
    assert ledger.sources() == [state]


def test_unknown_source_starts_afresh(ledger: Ledger) -> None:
    state = ledger.source("new", "https://example.com/a.xml", kind="rss")
    assert state == SourceState(
        "new", "https://example.com/a.xml", "https://example.com/a.xml", "rss"
    )
    moved = ledger.source("new", "https://example.com/a.xml", "https://example.com/b.xml")
    assert moved.location == "https://example.com/b.xml"
    assert ledger.sources() == []  # reading does not store


def test_changed_configuration_starts_afresh_but_keeps_the_count(ledger: Ledger) -> None:
    ledger.commit(Batch(sources=[full_state()]))
    state = ledger.source("feed", "https://example.com/other.xml")
    assert state == SourceState(
        "feed", "https://example.com/other.xml", "https://example.com/other.xml", articles=17
    )
    assert state.etag is None
    assert state.next_fetch is None
    assert state.due(datetime(2000, 1, 1, tzinfo=UTC))


def test_sources_are_listed_by_name(ledger: Ledger) -> None:
    ledger.commit(Batch(sources=[full_state("zeta"), full_state("alpha"), full_state("mid")]))
    assert [s.name for s in ledger.sources()] == ["alpha", "mid", "zeta"]


def test_refetch_makes_a_source_due_and_forgets_what_skips_reading(ledger: Ledger) -> None:
    ledger.commit(Batch(sources=[full_state()], files=[("feed", "/a.txt", "1:2:3")]))
    assert ledger.file_stamp("feed", "/a.txt") == "1:2:3"
    assert ledger.refetch("feed") is True
    state = ledger.source("feed", "https://example.com/feed.xml")
    assert (state.next_fetch, state.etag, state.last_modified) == (None, None, None)
    assert state.failures == 2  # the record stays: only what would skip a read is gone
    assert ledger.file_stamp("feed", "/a.txt") is None
    assert ledger.refetch("missing") is False


def test_due() -> None:
    moment = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
    state = SourceState("a", "x", "x")
    assert state.due(moment)
    state.next_fetch = moment
    assert state.due(moment)
    assert not state.due(moment - timedelta(seconds=1))
    assert state.due(moment + timedelta(seconds=1))


def test_stamp_and_unstamp() -> None:
    local = datetime(2026, 11, 29, 10, 0, tzinfo=ZoneInfo("Europe/Kyiv"))
    assert stamp(local) == "2026-11-29T08:00:00Z"
    assert unstamp("2026-11-29T08:00:00Z") == local
    assert (stamp(None), unstamp(None)) == (None, None)
    assert now().microsecond == 0
    assert now().tzinfo is UTC


def test_backoff_doubles_and_caps() -> None:
    cap = 6 * 3600.0
    assert backoff(0, 300, cap) == timedelta(seconds=300)
    assert backoff(1, 300, cap) == timedelta(seconds=300)
    assert backoff(2, 300, cap) == timedelta(seconds=600)
    assert backoff(3, 300, cap) == timedelta(seconds=1200)
    assert backoff(4, 300, cap) == timedelta(seconds=2400)
    assert backoff(20, 300, cap) == timedelta(seconds=cap)
    assert backoff(1, 0, cap) == timedelta(seconds=60)  # at least a minute
    assert backoff(3, 10, cap) == timedelta(seconds=240)
    assert backoff(2, 10_000, 3600) == timedelta(seconds=3600)  # capped below the interval
    assert backoff(10_000, 300, cap) == timedelta(seconds=cap)  # no overflow


# -- runs ------------------------------------------------------------------------------------


def test_runs(ledger: Ledger) -> None:
    assert ledger.last_run() is None
    first = ledger.start_run(pid=1234)
    run = ledger.last_run()
    assert run is not None
    assert (run["id"], run["pid"], run["status"], run["ended"]) == (first, 1234, "running", None)
    assert isinstance(run["started"], str)
    ledger.end_run(first, "ok", {"sources": 3, "articles": 10, "failures": 1})
    run = ledger.last_run()
    assert run is not None
    assert run["status"] == "ok"
    assert run["ended"] is not None
    assert (run["sources"], run["articles"], run["updates"], run["failures"]) == (3, 10, 0, 1)

    second = ledger.start_run(pid=5678)
    assert second > first
    run = ledger.last_run()
    assert run is not None
    assert run["id"] == second


def test_reap_runs_marks_running_ones_killed(ledger: Ledger) -> None:
    done = ledger.start_run(pid=1)
    ledger.end_run(done, "ok", {})
    dead1 = ledger.start_run(pid=2)
    dead2 = ledger.start_run(pid=3)
    assert ledger.reap_runs() == 2
    statuses = dict(ledger.db.execute("SELECT id, status FROM runs").fetchall())
    assert statuses == {done: "ok", dead1: "killed", dead2: "killed"}
    ended = ledger.db.execute("SELECT ended FROM runs WHERE id = ?", (dead1,)).fetchone()[0]
    assert ended is not None
    assert ledger.reap_runs() == 0


# -- dead letters ----------------------------------------------------------------------------


def test_dead_letters(ledger: Ledger) -> None:
    run = ledger.start_run(pid=1)
    one = ledger.add_dead_letter(
        run, "feed", stage="fetch", plugin="rss", error="bad XML", item=b"<item"
    )
    two = ledger.add_dead_letter(run, "feed", stage="clean", plugin=None, error="boom", item=None)
    three = ledger.add_dead_letter(
        None, "other", stage="tag", plugin="keywords", error="oops", item=b'{"id": 1}'
    )
    assert len({one, two, three}) == 3
    letters = ledger.dead_letters()
    assert [d.id for d in letters] == [one, two, three]
    first = letters[0]
    assert (first.run, first.source, first.stage, first.plugin, first.error, first.item) == (
        run,
        "feed",
        "fetch",
        "rss",
        "bad XML",
        b"<item",
    )
    assert abs(first.created - now()) < timedelta(seconds=5)
    assert letters[1].plugin is None
    assert letters[1].item is None
    assert letters[2].run is None

    assert [d.id for d in ledger.dead_letters([three, one])] == [one, three]
    assert ledger.dead_letters([]) == []
    assert ledger.dead_letters([9999]) == []

    assert ledger.remove_dead_letters([one, 9999]) == 1
    assert [d.id for d in ledger.dead_letters()] == [two, three]
    assert ledger.purge_dead_letters() == 2
    assert ledger.dead_letters() == []


def test_the_same_failure_twice_is_one_letter(ledger: Ledger) -> None:
    first_run = ledger.start_run(pid=1)
    letter = ledger.add_dead_letter(
        first_run, "feed", stage="tag", plugin="p", error="feed.xml#g1: boom", item=b'{"t": 1}'
    )
    ledger.db.execute("UPDATE dead_letters SET created = '2020-01-01T00:00:00Z'")
    second_run = ledger.start_run(pid=2)
    # The raw item differs (it holds the fetch time); the error names the same item.
    again = ledger.add_dead_letter(
        second_run, "feed", stage="tag", plugin="p", error="feed.xml#g1: boom", item=b'{"t": 2}'
    )
    assert again == letter
    (only,) = ledger.dead_letters()
    assert (only.id, only.run, only.item) == (letter, second_run, b'{"t": 2}')
    assert only.created > datetime(2020, 1, 2, tzinfo=UTC)
    # Also with no plugin and no item (NULLs compare with IS).
    a = ledger.add_dead_letter(None, "feed", stage="clean", plugin=None, error="x", item=None)
    b = ledger.add_dead_letter(None, "feed", stage="clean", plugin=None, error="x", item=None)
    assert a == b
    # Another error (another item), source, stage or plugin is another letter.
    others = {
        ledger.add_dead_letter(
            None, "feed", stage="tag", plugin="p", error="feed.xml#g2: boom", item=None
        ),
        ledger.add_dead_letter(
            None, "feed2", stage="tag", plugin="p", error="feed.xml#g1: boom", item=None
        ),
        ledger.add_dead_letter(
            None, "feed", stage="clean", plugin="p", error="feed.xml#g1: boom", item=None
        ),
        ledger.add_dead_letter(
            None, "feed", stage="tag", plugin="q", error="feed.xml#g1: boom", item=None
        ),
    }
    assert len(others) == 4
    assert len(ledger.dead_letters()) == 6


def test_purge_before(ledger: Ledger) -> None:
    old = ledger.add_dead_letter(None, "a", stage="fetch", plugin=None, error="e1", item=b"1")
    new = ledger.add_dead_letter(None, "a", stage="fetch", plugin=None, error="e2", item=b"2")
    ledger.db.execute(
        "UPDATE dead_letters SET created = '2026-01-01T00:00:00Z' WHERE id = ?", (old,)
    )
    ledger.db.execute(
        "UPDATE dead_letters SET created = '2026-03-01T00:00:00Z' WHERE id = ?", (new,)
    )
    assert ledger.purge_dead_letters(datetime(2026, 3, 1, tzinfo=UTC)) == 1
    assert [d.id for d in ledger.dead_letters()] == [new]
    assert ledger.purge_dead_letters(datetime(2026, 3, 1, 0, 0, 1, tzinfo=UTC)) == 1
    assert ledger.dead_letters() == []


# -- two connections -------------------------------------------------------------------------


def test_a_reader_is_not_blocked_by_an_open_write_transaction(tmp_path: Path) -> None:
    path = tmp_path / "ingest.sqlite"
    writer = Ledger(path)
    reader = Ledger(path)
    try:
        writer.commit(Batch(articles=[("id1", "feed", HASH_A, 1)], sources=[full_state()]))
        writer.db.execute("BEGIN IMMEDIATE")
        writer.db.execute("INSERT INTO articles VALUES ('id2', 'feed', ?, 1, 'x', 'x')", (HASH_B,))
        writer.db.execute("UPDATE sources SET failures = 9")
        reader.db.execute("PRAGMA busy_timeout = 0")  # a blocked read fails at once
        # The reader sees the last committed state, not the writer's pending changes.
        assert reader.seen("id1") == Seen(HASH_A, 1)
        assert reader.seen("id2") is None
        assert [s.failures for s in reader.sources()] == [2]
        assert reader.outbox_size() == 0
        # A second writer would have to wait; with no timeout it fails.
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            reader.db.execute("BEGIN IMMEDIATE")
        writer.db.execute("COMMIT")
        assert reader.seen("id2") == Seen(HASH_B, 1)
        assert [s.failures for s in reader.sources()] == [9]
    finally:
        writer.close()
        reader.close()


def test_opening_while_another_writes(tmp_path: Path) -> None:
    """``ingest status`` opens the ledger while a run holds a write transaction."""
    path = tmp_path / "ingest.sqlite"
    writer = Ledger(path)
    try:
        writer.db.execute("BEGIN IMMEDIATE")
        writer.db.execute("INSERT INTO runs (started, status) VALUES ('x', 'running')")
        reader = Ledger(path)
        try:
            assert reader.schema_version == len(MIGRATIONS)
            assert reader.last_run() is None
        finally:
            reader.close()
        writer.db.execute("ROLLBACK")
    finally:
        writer.close()


def test_a_state_has_a_stable_random_id(tmp_path: Path) -> None:
    first = Ledger(tmp_path / "a.sqlite")
    state_id = first.state_id
    first.close()
    again = Ledger(tmp_path / "a.sqlite")
    assert again.state_id == state_id
    again.close()
    other = Ledger(tmp_path / "b.sqlite")
    assert other.state_id != state_id
    assert len(state_id) == 32
    other.close()


def test_a_version_1_state_is_migrated_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as old:
        for statement in filter(str.strip, MIGRATIONS[0].split(";")):
            old.execute(statement)
        old.execute("INSERT INTO articles VALUES ('a1', 's', 'h', 1, 'x', 'x')")
        old.execute("PRAGMA user_version = 1")
    with pytest.raises(UsageError, match="older ingest"):
        Ledger(path, readonly=True)  # status does not write: it says what to do
    ledger = Ledger(path)
    assert ledger.schema_version == len(MIGRATIONS)
    assert ledger.seen("a1") is not None
    assert len(ledger.state_id) == 32
    ledger.close()


def test_a_read_only_ledger_reads_and_refuses_writes(tmp_path: Path) -> None:
    writer = Ledger(tmp_path / "s.sqlite")
    writer.add_dead_letter(None, "src", stage="fetch", plugin=None, error="e", item=b"x")
    writer.close()
    reader = Ledger(tmp_path / "s.sqlite", readonly=True)
    assert reader.dead_letter_count() == 1
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        reader.add_dead_letter(None, "src", stage="fetch", plugin=None, error="f", item=None)
    reader.close()


def test_dead_letters_by_id_are_read_in_chunks(ledger: Ledger) -> None:
    ids = [
        ledger.add_dead_letter(None, "s", stage="tag", plugin="p", error=f"e{n}", item=None)
        for n in range(1200)
    ]
    wanted = ids[5:1105:2]
    assert [d.id for d in ledger.iter_dead_letters(wanted)] == wanted
    assert [d.id for d in ledger.iter_dead_letters([ids[-1], 999_999])] == [ids[-1]]
    assert sum(1 for _ in ledger.iter_dead_letters()) == ledger.dead_letter_count() == 1200
