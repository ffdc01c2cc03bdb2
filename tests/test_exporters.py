"""File exports: JSON Lines, one JSON array, one file per article; all atomic."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from ingest.schema import article_errors
from ingest.testing import run_cli
from tests.conftest import REPO, SAMPLES


def test_jsonl_json_and_dir_hold_the_same_articles(tmp_path: Path) -> None:
    jsonl, array, folder = tmp_path / "a.jsonl", tmp_path / "a.json", tmp_path / "per-article"
    result = run_cli(
        ["run", str(SAMPLES), "-o", str(jsonl), "-o", f"json:{array}", "-o", f"dir:{folder}", "-q"]
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""  # an explicit -o replaces the stdout default
    from_jsonl = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    from_array = json.loads(array.read_text(encoding="utf-8"))
    from_dir = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*.json")}
    assert len(from_jsonl) == 32  # 5 plain texts, 11 feed entries, 16 posts
    assert from_array == from_jsonl
    assert from_dir == {a["id"]: a for a in from_jsonl}
    assert all(article_errors(a) == [] for a in from_array)
    assert not list(tmp_path.rglob(".*.tmp"))  # no temporary files left behind


def test_empty_run_writes_an_empty_array(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    run_cli(["run", str(empty), "-o", f"json:{tmp_path / 'a.json'}"])
    assert json.loads((tmp_path / "a.json").read_text(encoding="utf-8")) == []


def test_dir_target_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("x")
    result = run_cli(["run", str(SAMPLES), "-o", f"dir:{tmp_path / 'taken'}"])
    assert result.exit_code == 4
    assert result.error_lines == [f"error: dir:{tmp_path / 'taken'}: exists and is not a directory"]


def test_interrupted_run_leaves_the_previous_file_whole(tmp_path: Path) -> None:
    """SIGINT a real run midway: the old output must survive untouched, no temp file left."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(3000):
        (corpus / f"{i:05}.txt").write_text(
            f"Story {i}\n\nBody of story number {i}.\n", encoding="utf-8"
        )
    out = tmp_path / "out.jsonl"
    out.write_text("previous run\n", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ingest", "run", str(corpus), "-o", str(out)],
        cwd=REPO,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not list(tmp_path.glob(".out.jsonl.*.tmp")) and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 2, stderr
    assert "interrupted" in stderr
    assert "Traceback" not in stderr
    assert out.read_text(encoding="utf-8") == "previous run\n"
    assert not list(tmp_path.glob(".out.jsonl.*"))


def test_killed_run_leaves_the_previous_file_whole(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(2000):
        (corpus / f"{i:05}.txt").write_text(f"Body of story number {i}.\n", encoding="utf-8")
    out = tmp_path / "out.json"
    out.write_text("[]\n", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ingest", "run", str(corpus), "-o", f"json:{out}"], cwd=REPO
    )
    deadline = time.monotonic() + 30
    while not list(tmp_path.glob(".out.json.*.tmp")) and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert json.loads(out.read_text(encoding="utf-8")) == []


def test_a_bad_second_target_leaves_no_temporary_file(tmp_path: Path) -> None:
    result = run_cli(
        ["run", str(SAMPLES / "text"), "-o", str(tmp_path / "a.jsonl"), "-o", "nowhere:x"]
    )
    assert result.exit_code == 4
    assert list(tmp_path.iterdir()) == []
