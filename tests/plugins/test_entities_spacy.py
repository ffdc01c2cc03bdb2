"""The optional spaCy entity tagger, with a real pipeline built here (nothing downloaded)."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from ingest.testing import run_cli

spacy = pytest.importorskip("spacy", reason="spaCy is not installed (pip install spacy)")

PATTERNS = [
    {"label": "PERSON", "pattern": "Olaf Scholz"},
    {"label": "PERSON", "pattern": "Ada Lovelace"},
    {"label": "GPE", "pattern": "Paris"},
    {"label": "LOC", "pattern": "the Alps"},
    {"label": "ORG", "pattern": "European Central Bank"},
    {"label": "NORP", "pattern": "Germans"},
    {"label": "NORP", "pattern": "French"},
    {"label": "DATE", "pattern": "Monday"},
]
TEXT = """Scholz visits Paris

Olaf Scholz arrived in Paris on Monday to meet the European Central Bank.
Germans and French officials joined him. Ada Lovelace was not there.
Olaf Scholz later flew over the Alps, leaving Paris behind.
"""


def _plugin_args() -> list[str]:
    """``-p ingest_plugins.tags.entities_spacy`` until the package declares the entry point."""
    if entry_points(group="ingest", name="entities_spacy"):
        return []
    return ["-p", "ingest_plugins.tags.entities_spacy"]


@pytest.fixture
def article_file(tmp_path: Path) -> Path:
    path = tmp_path / "article.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


@pytest.fixture
def pipeline_dir(tmp_path: Path) -> Path:
    """A blank English pipeline whose entity ruler knows a few names, saved to disk."""
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(PATTERNS)
    path = tmp_path / "pipeline"
    nlp.to_disk(path)
    return path


def test_tags_from_a_spacy_pipeline(article_file: Path, pipeline_dir: Path) -> None:
    args = ["--no-plugin", "entities", *_plugin_args(), "run", str(article_file)]
    result = run_cli([*args, "-s", f"entities.model={pipeline_dir}"])
    assert result.exit_code == 0, result.stderr
    (article,) = result.articles
    tags = {(t["kind"], t["value"]): t for t in article["tags"] if t["by"] == "entities_spacy"}
    assert {key: t["count"] for key, t in tags.items()} == {
        ("person", "Olaf Scholz"): 2,
        ("person", "Ada Lovelace"): 1,
        ("place", "Paris"): 3,  # once in the title
        ("place", "the Alps"): 1,
        ("organization", "European Central Bank"): 1,
    }
    assert all(t["score"] is None for t in tags.values())
    values = {t["value"] for t in article["tags"]}
    assert not values & {"Germans", "French", "Monday"}
    assert not any(t["by"] == "entities" for t in article["tags"])  # blocked


def test_off_by_default_and_spacy_not_imported(article_file: Path) -> None:
    script = (
        "import atexit, runpy, sys\n"
        "atexit.register(lambda: print('modules:',"
        " 'ingest_plugins.tags.entities_spacy' in sys.modules,"
        " 'spacy' in sys.modules, file=sys.stderr))\n"
        "runpy.run_module('ingest', run_name='__main__', alter_sys=True)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *_plugin_args(), "run", str(article_file)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "modules: True False" in done.stderr  # the plugin loaded; spaCy did not
    (article,) = (json.loads(line) for line in done.stdout.splitlines())
    assert article["tags"]  # the other taggers ran
    assert not any(t["by"] == "entities_spacy" for t in article["tags"])


def test_bad_model_is_one_clear_error(article_file: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-pipeline"
    args = [*_plugin_args(), "run", str(article_file), "-s", f"entities.model={missing}"]
    result = run_cli(args)
    assert result.exit_code in (1, 4)
    assert result.articles == []
    (line,) = result.error_lines
    assert f"entities.model: cannot load spaCy pipeline {str(missing)!r}" in line
    assert "entities_spacy' failed in tag: UsageError: entities.model:" in line
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 2  # the error and the run summary
