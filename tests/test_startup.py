"""Startup: each command imports only what it uses. These tests check which modules a
fresh interpreter has loaded after a command, never how long it took (timings are in
``benchmarks/bench_startup.py``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ingest
from ingest.cli import build_app
from ingest.cli.version import asks_version, version_line
from ingest.manager import get_plugin_manager
from tests.conftest import REPO

# Runs the ``ingest`` command line in a fresh interpreter, then reports on stderr every module
# it loaded (atexit runs after the command's sys.exit).
PROBE = """
import atexit, json, sys
atexit.register(lambda: sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules))))
from ingest.cli import main
main(sys.argv[1:])
"""
# What plain ``import ingest`` (a library user, a plugin) loads: the same report.
IMPORT_ONLY = """
import json, sys
import ingest
sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)))
"""
#: Costly packages that neither ``--version`` nor ``import ingest`` may load.
HEAVY = (
    *("httpx", "jsonschema", "typer", "pydantic", "pluggy", "ingest_plugins", "lxml"),
    *("trafilatura", "feedparser", "ijson", "importlib.metadata", "sqlite3"),
)


def _run(code: str, *args: str, cwd: Path = REPO) -> tuple[int, str, list[str]]:
    """Exit code, stdout and the report (the loaded modules) of ``python -c code args``."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = done.stderr.rpartition("\nMODULES ")[2]
    assert report.startswith("["), f"no module report; stderr:\n{done.stderr}"
    return done.returncode, done.stdout, json.loads(report)


def _loaded(modules: list[str], names: tuple[str, ...]) -> list[str]:
    """Those of ``names`` loaded as modules, or as the package of one."""
    return sorted(n for n in names if any(m == n or m.startswith(n + ".") for m in modules))


def test_version_prints_the_version_and_loads_no_command_nor_plugin() -> None:
    code, out, modules = _run(PROBE, "--version")
    assert code == 0
    assert out == f"ingest {ingest.__version__}\n"
    assert _loaded(modules, HEAVY) == []
    ours = {m for m in modules if m == "ingest" or m.startswith("ingest.")}
    assert ours == {
        *("ingest", "ingest._version", "ingest.errors"),
        *("ingest.cli", "ingest.cli.exits", "ingest.cli.version"),
    }


def test_the_console_script_answers_version() -> None:
    script = Path(sys.executable).with_name("ingest")
    done = subprocess.run(
        [script, "--version"], capture_output=True, text=True, timeout=120, check=False
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, version_line() + "\n", "")


def test_import_ingest_loads_neither_the_pipeline_nor_http_nor_plugins() -> None:
    _, _, modules = _run(IMPORT_ONLY)
    assert _loaded(modules, HEAVY) == []
    assert _loaded(modules, ("ingest.pipeline", "ingest.manager", "ingest.http")) == []


def test_a_run_on_one_text_file_loads_no_http_schema_nor_ledger(tmp_path: Path) -> None:
    (tmp_path / "note.txt").write_text("The harbour bridge reopened on Monday.\n")
    out = tmp_path / "out.jsonl"
    code, _, modules = _run(PROBE, "run", "note.txt", "-o", str(out), cwd=tmp_path)
    assert code == 0
    assert "harbour bridge" in out.read_text(encoding="utf-8")
    assert "ingest.pipeline" in modules  # the probe saw the run itself
    state = ("ingest.state.ledger", "ingest.state.run", "ingest.state.configfile")
    assert _loaded(modules, ("httpx", "jsonschema", "ingest.cli.ledger_ops", *state)) == []


def test_every_public_name_of_ingest_resolves_to_its_module_s_object() -> None:
    for name in ingest.__all__:
        value = getattr(ingest, name)
        assert value is not None, name
    assert ingest.Pipeline is __import__("ingest.pipeline").pipeline.Pipeline
    assert set(ingest.__all__) <= set(dir(ingest))
    with pytest.raises(AttributeError, match="no attribute 'nonesuch'"):
        _ = ingest.nonesuch


def test_the_hookimpl_marker_is_one_object() -> None:
    from ingest import hookimpl as first
    from ingest import hookimpl as second

    assert first is second is ingest.hookimpl
    assert first.project_name == "ingest"


def test_the_schema_loads_jsonschema_only_to_validate() -> None:
    code = (
        "import json, sys\nimport ingest.schema\nbefore = 'jsonschema' in sys.modules\n"
        "errors = ingest.schema.article_errors({})\n"
        "sys.stderr.write('\\nMODULES ' + json.dumps([str(before), str(bool(errors))]))"
    )
    _, _, report = _run(code)
    assert report == ["False", "True"]  # not loaded by the import; then loaded, finding errors


@pytest.mark.parametrize(
    ("args", "answered"),
    [
        (["--version"], True),
        (["--debug", "--version"], True),
        (["-p", "some.module", "--version"], True),
        (["--plugin=some.module", "--no-plugin", "rss", "--version"], True),
        (["--version", "run", "x.txt"], True),  # eager: no command runs
        (["--version", "--help"], True),  # eager options go in the order given
        (["--help", "--version"], False),
        (["-h", "--version"], False),
        (["run", "--version"], False),  # an option of run, which has none such
        (["--bogus", "--version"], False),  # the app's usage error
        (["--version", "--bogus"], False),
        (["--plugin", "--version"], False),  # --version is the plugin's name
        (["-p"], False),
        ([], False),
    ],
)
def test_the_version_shortcut_answers_only_what_the_app_answers_with_the_version(
    args: list[str], answered: bool
) -> None:
    assert asks_version(args) is answered
    app = build_app(get_plugin_manager(entry_points_group=None))
    result = CliRunner().invoke(app, args)
    if answered:
        assert (result.exit_code, result.output) == (0, version_line() + "\n")
    else:
        assert result.output != version_line() + "\n"
