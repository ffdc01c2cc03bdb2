"""The plugin-manager factory: order, -p, blocking."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ingest import PluginLoadError, get_plugin_manager
from ingest.cli import preparse
from ingest.manager import describe_plugins
from ingest.testing import run_cli

ONE_OFF = """
from ingest import hookimpl

@hookimpl(tryfirst=True)
def ingest_detect_kind(location, head):
    return "text" if location.endswith(".note") else None

@hookimpl
def ingest_tag(article):
    from ingest import Tag
    return [Tag("keyword", "one-off")]
"""


@pytest.fixture
def one_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "one_off_plugin.py").write_text(ONE_OFF, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "one_off_plugin"
    sys.modules.pop("one_off_plugin", None)


def test_builtins_register_first_so_others_are_called_before_them() -> None:
    pm = get_plugin_manager(["ingest_plugins.sources.text"], blocked=["text"])
    assert not pm.has_plugin("text")
    names = [info.name for info in describe_plugins(get_plugin_manager())]
    assert names[: len(names)] == sorted(names)  # only built-ins installed here: alphabetical


def test_dash_p_loads_a_module_as_a_plugin(tmp_path: Path, one_off: str) -> None:
    note = tmp_path / "a.note"
    note.write_text("Plain words here.\n", encoding="utf-8")
    result = run_cli(["-p", one_off, "run", str(note)])
    assert result.exit_code == 0, result.stderr
    (article,) = result.articles
    assert article["tags"] == [
        {
            "kind": "keyword",
            "value": "one-off",
            "score": None,
            "by": "one_off_plugin",
            "count": None,
        }
    ]
    assert "one_off_plugin" in article["provenance"]["tag"]


def test_blocking_a_builtin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    story = tmp_path / "s.txt"
    story.write_text("A  b.\n", encoding="utf-8")
    assert run_cli(["--no-plugin", "normalize", "run", str(story)]).articles[0]["text"] == "A  b."
    monkeypatch.setenv("INGEST_DISABLE_PLUGINS", "normalize, jsonfiles")
    assert run_cli(["run", str(story)]).articles[0]["provenance"]["clean"] == []


def test_unimportable_dash_p_module_is_a_load_error() -> None:
    with pytest.raises(PluginLoadError, match=r"plugin 'no_such_module_x' .* ModuleNotFoundError"):
        get_plugin_manager(["no_such_module_x"])


def test_preparse_reads_only_global_options() -> None:
    opts = preparse(["-p", "a", "--no-plugin=b", "--debug", "run", "-p", "c", "x"])
    assert (opts.modules, opts.blocked, opts.debug) == (["a"], ["b"], True)
