"""``ingest run --executor dask``: a real ``dask scheduler`` and two ``dask worker``
processes on 127.0.0.1 (ports from the OS), runs through the command line, and a worker
killed in the middle of a run on state.

This module is also a plugin (``-p tests.test_dask``): a tag plugin that takes its time over
the articles of the kill tests, so that a kill lands while workers hold inputs, and that
kills the Dask worker that reads a poisoned article. Dask workers import it as any ``-p``
module (their ``PYTHONPATH`` has the repository).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cloudpickle  # type: ignore[import-untyped]
import dask.config
import pytest
from distributed import Client, LocalCluster, get_worker

from ingest import Article, hookimpl
from ingest.errors import UsageError
from ingest.http import HttpState
from ingest.locations import Source
from ingest.manager import get_plugin_manager
from ingest.parallel.dask import DaskPool, _read, pipeline_spec
from ingest.parallel.work import InputTask, PipelineSpec
from ingest.pipeline import Pipeline
from ingest.testing import run_cli
from tests.conftest import REPO, SAMPLES

#: Articles whose text holds this take :data:`DELAY` seconds in this module's tag plugin.
SLOW = "slow-for-the-dask-tests"
DELAY = 0.025
#: The Dask worker that tags an article whose text holds this dies on the spot.
POISON = "poison-for-the-dask-workers"
#: A cluster in this process, all on free ports of 127.0.0.1 (8787 may be taken).
LOOPBACK: dict[str, Any] = {
    "host": "127.0.0.1",
    "dashboard_address": None,
    "scheduler_kwargs": {"dashboard_address": "127.0.0.1:0"},
    "silence_logs": logging.ERROR,
}


@hookimpl
def ingest_tag(article: Article) -> None:
    """In a Dask worker: take time over the articles of the kill tests, or die (no tags)."""
    if SLOW in article.text and _in_a_dask_worker():
        time.sleep(DELAY)
    if POISON in article.text and _in_a_dask_worker():
        os._exit(70)


def _in_a_dask_worker() -> bool:
    try:
        get_worker()
    except ValueError:
        return False
    return True


@dataclass
class Cluster:
    """A scheduler and its workers, in processes of their own."""

    address: str  # dask://127.0.0.1:PORT
    client: Client  # the test's own, to look at the workers
    processes: list[subprocess.Popen[bytes]]  # the scheduler's first

    def workers(self, count: int = 2) -> None:
        """Wait until ``count`` workers are there (a killed one comes back)."""
        self.client.wait_for_workers(count, timeout=30)


def _spawn(module: str, args: list[str], log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    # A task whose worker dies twice fails (KilledWorker): see the poison test. A worker is
    # given only the task it runs, when there are many (a death counts against them all).
    env["DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES"] = "1"
    env["DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION"] = "1.0"
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", module, *args], cwd=REPO, env=env, stdout=out, stderr=out
        )


@contextlib.contextmanager
def dask_cluster(folder: Path, workers: int) -> Iterator[Cluster]:
    """``dask scheduler`` and ``dask worker`` processes (one thread each, with a nanny)."""
    file = folder / "scheduler.json"
    common = ["--host", "127.0.0.1", "--no-dashboard", "--dashboard-address", "127.0.0.1:0"]
    scheduler = ["--port", "0", "--scheduler-file", str(file)]
    processes = [_spawn("distributed.cli.dask_scheduler", [*common, *scheduler], folder / "s.log")]
    try:
        processes += [
            _spawn(
                "distributed.cli.dask_worker",
                [*common, "--scheduler-file", str(file), "--nthreads", "1"],
                folder / f"worker{i}.log",
            )
            for i in range(workers)
        ]
        deadline = time.monotonic() + 30
        while not file.exists():
            assert time.monotonic() < deadline, (folder / "s.log").read_text()
            time.sleep(0.05)
        time.sleep(0.1)  # written whole
        tcp = json.loads(file.read_text())["address"]
        with Client(tcp, set_as_default=False) as client:
            found = Cluster(tcp.replace("tcp://", "dask://"), client, processes)
            found.workers(workers)
            yield found
            if processes[0].poll() is None:
                client.shutdown()  # the scheduler, and the workers with it
    finally:
        if processes[0].poll() is not None:  # no scheduler to stop the workers
            for process in processes[1:]:
                process.terminate()
        deadline = time.monotonic() + 5
        for process in processes:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A scheduler and two workers for the tests of this module."""
    with dask_cluster(tmp_path_factory.mktemp("dask"), 2) as found:
        yield found


def records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def by_source(path: Path) -> dict[str, list[tuple[str, str]]]:
    """(id, content hash) of each article, in order, by the location it came from."""
    found: dict[str, list[tuple[str, str]]] = {}
    for record in records(path):
        pair = (record["id"], record["content_hash"])
        found.setdefault(record["source"]["location"], []).append(pair)
    return found


def summary(stderr: str) -> str:
    """The summary line, its time aside."""
    return re.sub(r" in [0-9.]+ s$", "", stderr.splitlines()[-1])


def assert_same_articles(one: Path, other: Path) -> None:
    """The same articles (ids and content hashes), in the same order within each source."""
    expected, got = by_source(one), by_source(other)
    assert {p for ps in got.values() for p in ps} == {p for ps in expected.values() for p in ps}
    assert got == expected


# -- a running scheduler -------------------------------------------------------------------


def test_a_running_scheduler_gives_what_one_process_gives(
    cluster: Cluster, corpus: Path, tmp_path: Path
) -> None:
    locations = [str(corpus / "feeds"), str(corpus / "tweets")]
    # The one-process run beside the Dask one: the test takes half the time.
    args = [sys.executable, "-m", "ingest", "run", *locations, "--workers", "1"]
    one = subprocess.Popen(
        [*args, "-o", str(tmp_path / "one.jsonl")],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    executor = ["--executor", cluster.address]
    dask = run_cli(["run", *locations, "-o", str(tmp_path / "dask.jsonl"), *executor])
    _, one_stderr = one.communicate(timeout=120)
    assert dask.exit_code == one.returncode == 1, dask.stderr  # the corpus has broken inputs
    assert dask.error_lines == [e for e in one_stderr.splitlines() if e.startswith("error: ")]
    assert summary(dask.stderr) == summary(one_stderr)
    assert len(records(tmp_path / "dask.jsonl")) > 7000
    assert_same_articles(tmp_path / "one.jsonl", tmp_path / "dask.jsonl")


def test_the_run_filters_reach_the_workers(cluster: Cluster, tmp_path: Path) -> None:
    """--language is the run's, not the pipeline's the workers build: it travels too."""
    common = ["run", str(SAMPLES), "--language", "de,sv", "-q"]
    one = run_cli([*common, "-o", str(tmp_path / "one.jsonl"), "--workers", "1"])
    dask = run_cli([*common, "-o", str(tmp_path / "dask.jsonl"), "--executor", cluster.address])
    assert (dask.exit_code, dask.stderr) == (one.exit_code, one.stderr) == (0, "")
    kept = records(tmp_path / "dask.jsonl")
    assert 0 < len(kept) < 33
    assert {a["language"][:2] for a in kept} <= {"de", "sv"}
    assert_same_articles(tmp_path / "one.jsonl", tmp_path / "dask.jsonl")


def _post(n: int, text: str = "") -> str:
    return json.dumps(
        {
            "id": str(n),
            "content": f"<p>Harbour council report {n}{text}.</p>",
            "url": f"https://m.example/@desk/{n}",
            "created_at": "2024-01-01T00:00:00Z",
            "account": {"acct": "desk", "username": "desk", "url": "https://m.example/@desk"},
        }
    )


def _posts(folder: Path, files: int, per_file: int) -> None:
    """Mastodon posts in JSON Lines files, each input a few slow articles."""
    folder.mkdir()
    for f in range(files):
        lines = [_post(100000 + f * 100 + i, f", {SLOW}") + "\n" for i in range(per_file)]
        (folder / f"posts{f:03d}.jsonl").write_text("".join(lines), encoding="utf-8")


def _run_on_state(posts: Path, state: Path, out: Path, executor: str) -> subprocess.Popen[bytes]:
    """``ingest run`` on state in a process of its own, the slow plugin loaded."""
    args = [sys.executable, "-m", "ingest", "-p", "tests.test_dask", "run", str(posts)]
    args += ["--kind", "tweets", "--state", str(state), "-o", str(out), "--executor", executor]
    return subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait_for_output(run: subprocess.Popen[bytes], out: Path) -> None:
    """Until the first articles are out (or the run is over)."""
    deadline = time.monotonic() + 60
    while (not out.exists() or not out.stat().st_size) and run.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.01)


def _kill_a_busy_worker(cluster: Cluster) -> None:
    """SIGKILL the process of a worker that is reading an input now."""
    deadline = time.monotonic() + 30
    while True:
        busy: list[str] = [w for w, keys in cluster.client.processing().items() if keys]
        if busy:
            break
        assert time.monotonic() < deadline, "no worker ever had an input"
        time.sleep(0.01)
    pid = cluster.client.run(os.getpid, workers=busy[:1])[busy[0]]
    os.kill(pid, signal.SIGKILL)


def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(
    cluster: Cluster, tmp_path: Path
) -> None:
    posts = tmp_path / "posts"
    _posts(posts, files=40, per_file=5)  # 200 articles, 0.125 s an input in a worker
    one = run_cli(["run", str(posts), "--kind", "tweets", "-o", str(tmp_path / "one.jsonl")])
    assert one.exit_code == 0, one.stderr
    expected = {r["id"] for r in records(tmp_path / "one.jsonl")}
    assert len(expected) == 200

    out = tmp_path / "out.jsonl"
    victim = _run_on_state(posts, tmp_path / "state.db", out, cluster.address)
    _wait_for_output(victim, out)
    _kill_a_busy_worker(cluster)
    assert victim.poll() is None, "the run was over before the kill: it proved nothing"
    assert out.read_bytes().count(b"\n") < 200
    _, err = victim.communicate(timeout=60)
    assert victim.returncode == 0, err.decode()
    assert b"Traceback" not in err
    # The scheduler gave the lost worker's inputs to the other: nothing is missing.
    assert sorted(r["id"] for r in records(out)) == sorted(expected)

    cluster.workers()  # the nanny has started it again
    again = _run_on_state(posts, tmp_path / "state.db", out, cluster.address)
    _, err = again.communicate(timeout=60)
    assert again.returncode == 0, err.decode()
    ids = [r["id"] for r in records(out)]
    assert len(ids) == len(set(ids)) == 200
    assert set(ids) == expected


def test_an_input_that_kills_every_worker_fails_alone(cluster: Cluster, tmp_path: Path) -> None:
    """The scheduler gives up on the poisoned input after two deaths (allowed-failures 1):
    one line, and the run goes on. (Inputs queued on the same workers would count the deaths
    too, hence only one input before it.)"""
    folder = tmp_path / "posts"
    folder.mkdir()
    for name, text in (("a", ""), ("b", f", {POISON}")):
        (folder / f"{name}.jsonl").write_text(_post(ord(name), text) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    args = ["-p", "tests.test_dask", "run", str(folder), "--kind", "tweets", "-o", str(out)]
    result = run_cli([*args, "--executor", cluster.address])
    assert result.exit_code == 1
    assert result.error_lines == [
        f"error: tweets:{folder / 'b.jsonl'}: a worker failed reading it: 2 Dask workers "
        "died reading it, one after the other"
    ]
    assert [r["source"]["location"] for r in records(out)] == [str(folder / "a.jsonl")]
    cluster.workers()  # both came back


def test_a_scheduler_killed_mid_run_leaves_the_rest_to_the_run(tmp_path: Path) -> None:
    posts = tmp_path / "posts"
    _posts(posts, files=40, per_file=5)
    (tmp_path / "cluster").mkdir()
    out = tmp_path / "out.jsonl"
    with dask_cluster(tmp_path / "cluster", 1) as small:
        victim = _run_on_state(posts, tmp_path / "state.db", out, small.address)
        _wait_for_output(victim, out)
        small.processes[0].kill()
        assert victim.poll() is None, "the run was over before the kill: it proved nothing"
        _, err = victim.communicate(timeout=60)
    assert victim.returncode == 0, err.decode()
    notices = err.decode().splitlines()
    assert notices  # the inputs the cluster held: read by the run, each said so
    assert all(n.startswith("ingest: ") and n.endswith(" is read by the run") for n in notices)
    ids = [r["id"] for r in records(out)]
    assert len(ids) == len(set(ids)) == 200


# -- what is refused -----------------------------------------------------------------------


def test_no_scheduler_is_a_one_line_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("A story with enough words in it to be read as an article.\n")
    env = {**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}
    started = time.monotonic()
    nobody = subprocess.run(
        [sys.executable, "-m", "ingest", "run", str(path), "--executor", "dask://127.0.0.1:1"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert time.monotonic() - started < 20
    assert nobody.returncode == 4
    assert nobody.stderr.splitlines() == [
        "error: --executor dask://127.0.0.1:1: no Dask scheduler answered at "
        "tcp://127.0.0.1:1 within 2 s"
    ]
    assert nobody.stdout == ""
    bad = run_cli(["run", str(path), "--executor", "dask://127.0.0.1"])
    assert (bad.exit_code, bad.error_lines) == (
        4,
        ["error: --executor: 'dask://127.0.0.1' is not dask://HOST:PORT"],
    )


def test_a_scheduler_without_workers_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("A story with enough words in it to be read as an article.\n")
    with (
        dask.config.set({"distributed.comm.timeouts.connect": "1s"}),
        LocalCluster(n_workers=0, **LOOPBACK) as empty,
    ):
        address = empty.scheduler_address.replace("tcp://", "dask://")
        result = run_cli(["run", str(path), "--executor", address])
    assert result.exit_code == 4
    assert result.error_lines == [
        f"error: --executor {address}: the Dask scheduler has no workers (none joined within 1 s)"
    ]


def test_workers_with_other_plugins_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker without a plugin this run has would give other articles: refused."""
    path = tmp_path / "a.txt"
    path.write_text("A story with enough words in it to be read as an article.\n")
    monkeypatch.setenv("INGEST_DISABLE_PLUGINS", "keywords")  # the workers inherit it
    with LocalCluster(n_workers=1, threads_per_worker=1, **LOOPBACK) as odd:
        monkeypatch.delenv("INGEST_DISABLE_PLUGINS")
        address = odd.scheduler_address.replace("tcp://", "dask://")
        worker = next(iter(odd.scheduler_info["workers"]))
        result = run_cli(["run", str(path), "--executor", address])
    assert result.exit_code == 4
    assert result.error_lines == [
        f"error: --executor {address}: Dask worker {worker}: lacks the plugins keywords "
        "(install the same plugins on the workers)"
    ]


def test_a_plugin_registered_in_process_only_is_refused() -> None:
    class Stamp:
        @hookimpl
        def ingest_tag(self, article: Article) -> None:
            """Nothing."""

    pm = get_plugin_manager()
    pm.register(Stamp(), name="stamp")
    with pytest.raises(UsageError) as caught:
        DaskPool(Pipeline(pm))
    assert str(caught.value) == (
        "--executor dask: plugin 'stamp' is registered in this process only; Dask workers "
        "load installed plugins (entry points) and -p modules only"
    )


# -- what crosses between the processes ------------------------------------------------------


def test_what_a_worker_hands_back_survives_cloudpickle(tmp_path: Path) -> None:
    """Articles, errors, dead letters and the fetch's state, as Dask ships them (pickle, or
    cloudpickle for what pickle cannot do)."""
    path = tmp_path / "posts.jsonl"
    path.write_text(f"{_post(1)}\n{{not json\n{_post(2)}\n", encoding="utf-8")
    spec = pipeline_spec(Pipeline(get_plugin_manager()))
    task = InputTask(Source("tweets", str(path), http=HttpState()), dead_letters=True, spec=spec)
    events = _read(task, os.getcwd())
    assert [e[0] for e in events] == ["article", "error", "dead", "article", "end"]
    back = cloudpickle.loads(cloudpickle.dumps(events))
    assert [back[0][1], back[3][1]] == [events[0][1], events[3][1]]
    assert (
        str(back[1][1])
        == str(events[1][1])
        == (
            f"tweets:{path}:2: not valid JSON: Expecting property name enclosed in double quotes "
            "at column 2"
        )
    )
    assert back[2][:3] == events[2][:3] == ("dead", "fetch", "tweets")
    assert back[2][4] == b"{not json\n"
    assert back[4] == events[4]


def test_a_relative_path_in_another_directory_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker started elsewhere would read another file, or none: the input fails."""
    (tmp_path / "a.jsonl").write_text(_post(1) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    task = InputTask(Source("tweets", "a.jsonl"), spec=PipelineSpec())
    assert [e[0] for e in _read(task, str(tmp_path))] == ["article", "end"]
    assert _read(task, "/srv/news") == [
        (
            "crash",
            f"a relative path, and this Dask worker runs in {tmp_path}, not in /srv/news: give "
            "absolute paths, or start the workers in the run's directory",
        )
    ]


# -- a local cluster -----------------------------------------------------------------------


def test_a_local_cluster_gives_what_one_process_gives(tmp_path: Path) -> None:
    one = run_cli(["run", str(SAMPLES), "-o", str(tmp_path / "one.jsonl"), "--workers", "1"])
    executor = ["--executor", "dask", "--workers", "2"]
    dask = run_cli(["run", str(SAMPLES), "-o", str(tmp_path / "dask.jsonl"), *executor])
    assert dask.exit_code == one.exit_code == 0, dask.stderr
    assert summary(dask.stderr) == summary(one.stderr)
    assert len(records(tmp_path / "dask.jsonl")) == 33
    assert_same_articles(tmp_path / "one.jsonl", tmp_path / "dask.jsonl")


def test_ctrl_c_stops_the_run_and_its_local_cluster_quietly(tmp_path: Path) -> None:
    """Ctrl-C on a terminal reaches the whole process group: the workers leave it to the
    run, which stops, closes its cluster, and says so in one line."""
    posts = tmp_path / "posts"
    _posts(posts, files=40, per_file=5)
    out = tmp_path / "out.jsonl"
    args = [sys.executable, "-m", "ingest", "-p", "tests.test_dask", "run", str(posts)]
    args += ["--kind", "tweets", "--state", str(tmp_path / "state.db"), "-o", str(out)]
    args += ["--executor", "dask", "--workers", "2"]
    run = subprocess.Popen(
        args, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    _wait_for_output(run, out)
    assert run.poll() is None, "the run was over before Ctrl-C"
    os.killpg(run.pid, signal.SIGINT)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 2
    assert err.decode().splitlines() == [
        "ingest: interrupted; what was committed stays, the rest is redone next run"
    ]
    deadline = time.monotonic() + 10
    while _group_alive(run.pid):  # the workers left with the run
        assert time.monotonic() < deadline, "a worker outlived the run"
        time.sleep(0.05)


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True
