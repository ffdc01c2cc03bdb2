"""The example third-party package, really installed with pip, driven through the CLI."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLES

PLUGIN = SAMPLES / "plugins" / "ingest-hello"
DISABLE_TAGS = "language,entities,quotes,keywords"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ingest-hello installed by pip into a directory of its own (no network needed)."""
    target = tmp_path_factory.mktemp("site")
    source = tmp_path_factory.mktemp("src") / PLUGIN.name
    shutil.copytree(PLUGIN, source)  # setuptools writes build files beside the sources
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", "--target", str(target), str(source)],
        check=True,
        timeout=300,
        capture_output=True,
    )  # fmt: skip
    assert (target / "ingest_hello.py").is_file()
    return target


def ingest(
    site: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "PYTHONPATH": str(site), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "ingest", *args],
        capture_output=True, text=True, env=environ, cwd=REPO, check=False, timeout=120,
    )  # fmt: skip


def test_installed_plugin_is_listed_as_third_party(site: Path) -> None:
    result = ingest(site, "plugins", "--json")
    infos = {p["name"]: p for p in json.loads(result.stdout)}
    assert infos["hello"]["builtin"] is False
    assert infos["hello"]["version"] == "0.1.0"
    assert set(infos["hello"]["hooks"]) == {
        "ingest_add_settings", "ingest_register_commands", "ingest_detect_kind",
        "ingest_fetch", "ingest_tag", "ingest_export", "ingest_source_kinds",
        "ingest_target_kinds",
    }  # fmt: skip
    assert list(infos)[-1] == "hello"  # registered after the built-ins, so called first


def test_plugin_adds_a_source_kind_a_tag_and_an_exporter(site: Path, tmp_path: Path) -> None:
    greetings = PLUGIN / "greetings.hello"
    tsv = tmp_path / "out.tsv"
    result = ingest(
        site, "run", str(greetings), str(SAMPLES / "text"), "-o", f"hello:{tsv}", "-o", "-"
    )
    assert result.returncode == 0, result.stderr
    articles = [json.loads(line) for line in result.stdout.splitlines()]
    hello = [a for a in articles if a["source"]["kind"] == "hello"]
    assert [a["text"] for a in hello] == [
        "Hello from the newsroom!",
        "The presses are rolling.",
        "Good morning, readers.",
    ]
    assert hello[0]["tags"] == [
        {"kind": "keyword", "value": "greeting", "score": 1.0, "by": "hello", "count": None}
    ]
    assert hello[1]["tags"] == []
    assert hello[0]["source"]["origin_id"] == "greetings.hello:1"
    assert len(articles) == 3 + 5  # built-in kinds still work beside it
    rows = tsv.read_text(encoding="utf-8").splitlines()
    assert [row.split("\t")[0] for row in rows] == [a["id"] for a in articles]


def test_plugin_setting_and_command(site: Path) -> None:
    greetings = str(PLUGIN / "greetings.hello")
    tagged = ingest(site, "run", greetings, "-s", "hello.keyword=salutation")
    assert json.loads(tagged.stdout.splitlines()[0])["tags"][0]["value"] == "salutation"
    command = ingest(site, "hello", "--name", "Ada")
    assert (command.returncode, command.stdout) == (0, "Hello, Ada, from ingest-hello!\n")


def test_plugin_can_be_switched_off(site: Path) -> None:
    result = ingest(site, "--no-plugin", "hello", "run", str(PLUGIN / "greetings.hello"))
    assert result.returncode == 1
    assert "cannot tell what kind of input this is" in result.stderr


def _greetings(path: Path, count: int) -> None:
    path.write_text("".join(f"Hello, reader number {n}!\n" for n in range(count)), "utf-8")


def test_the_plugin_target_delivers_exactly_once_across_kills(site: Path, tmp_path: Path) -> None:
    """The third-party scheme in runs on state, killed at random points: no edit in ingest/
    was needed for it, only what its plugin declares."""
    source, out = tmp_path / "lines.hello", tmp_path / "out.tsv"
    command = [sys.executable, "-m", "ingest", "run", str(source), "--state",
               str(tmp_path / "s.sqlite"), "-o", f"hello:{out}"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(site), "INGEST_DISABLE_PLUGINS": DISABLE_TAGS}
    rng = random.Random(11)
    cut_short = 0
    for round_ in range(1, 7):
        count = 1500 * round_
        _greetings(source, count)
        before = out.stat().st_size if out.exists() else 0
        victim = subprocess.Popen(command, env=env, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while (not out.exists() or out.stat().st_size <= before) and victim.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 0.05))
        victim.kill()
        victim.communicate(timeout=60)
        cut_short += victim.returncode != 0 and out.stat().st_size > before
        rerun = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert rerun.returncode == 0, rerun.stderr
        ids = [line.split("\t")[0] for line in out.read_text("utf-8").splitlines()]
        assert len(ids) == len(set(ids)) == count, "an article was lost or delivered twice"
    assert cut_short >= 2, "no kill landed in the middle of exporting; the test proved nothing"
