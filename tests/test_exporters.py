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
    assert len(from_jsonl) == 33  # 5 plain texts, 11 feed entries, 16 posts, 1 page
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


# -- file modes, values JSON cannot carry, a reader that goes away -------------------------


def test_output_files_honour_the_umask_and_a_replaced_file_keeps_its_mode(
    tmp_path: Path,
) -> None:
    story = tmp_path / "story.txt"
    story.write_text("Harbour reopens\n\nThe harbour reopened on Monday.\n", encoding="utf-8")
    jsonl, array, folder = tmp_path / "a.jsonl", tmp_path / "a.json", tmp_path / "d"
    targets = ["-o", str(jsonl), "-o", f"json:{array}", "-o", f"dir:{folder}"]
    previous = os.umask(0o022)
    try:
        assert run_cli(["run", str(story), *targets, "-q"]).exit_code == 0
        modes = [p.stat().st_mode & 0o777 for p in (jsonl, array, *folder.iterdir())]
        assert modes == [0o644] * 3
        jsonl.chmod(0o640)
        os.umask(0o077)
        assert run_cli(["run", str(story), *targets, "-q"]).exit_code == 0
        assert jsonl.stat().st_mode & 0o777 == 0o640  # replaced: keeps its mode
        assert array.stat().st_mode & 0o777 == 0o644
    finally:
        os.umask(previous)


UNENCODABLE_PLUGIN = """
from ingest import hookimpl

@hookimpl
def ingest_tag(article):
    if "odd" in article.text:
        article.extra["odd"] = {"name": "caf\\ud800", "count": 10**30, "when": object()}
"""


def test_a_value_json_cannot_carry_is_repaired_on_that_article_alone(tmp_path: Path) -> None:
    (tmp_path / "odd_values.py").write_text(UNENCODABLE_PLUGIN, encoding="utf-8")
    for name, text in (("a", "An odd story about the harbour."), ("b", "A plain story.")):
        (tmp_path / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "ingest", "-p", "odd_values", "run", str(tmp_path), "-o", "-",
         "-o", str(tmp_path / "out.jsonl")],
        capture_output=True, text=True, cwd=tmp_path, check=False, timeout=120,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "2 articles exported" in result.stderr
    printed = [json.loads(line) for line in result.stdout.splitlines()]
    written = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert printed == written
    odd = next(a for a in printed if "odd" in a["text"])
    assert odd["extra"]["odd"] == {"name": "caf\ufffd", "count": None, "when": None}
    assert len([w for w in odd["warnings"] if w.startswith("at export:")]) == 3
    plain = next(a for a in printed if "plain" in a["text"])
    assert plain["warnings"] == []
    assert all(article_errors(a) == [] for a in printed)


def test_a_closed_stdout_ends_the_run_quietly(tmp_path: Path) -> None:
    for n in range(400):
        (tmp_path / f"{n:03}.txt").write_text(f"Story {n}\n\nBody of story {n}.\n" * 40)
    target = tmp_path / "kept.jsonl"
    target.write_text("previous\n")
    command = (
        f"{sys.executable} -m ingest run {tmp_path} -o - -o {target} | head -1; "
        "echo ${PIPESTATUS[0]} >&2"
    )
    result = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, check=False, timeout=120,
        env={**os.environ, "INGEST_DISABLE_PLUGINS": "language,entities,quotes,keywords"},
    )  # fmt: skip
    assert json.loads(result.stdout)["schema_version"] == 1  # head got its line
    assert result.stderr.strip() == "141"  # 128 + SIGPIPE, and nothing else said
    assert target.read_text() == "previous\n"  # the run ended early: other targets untouched
