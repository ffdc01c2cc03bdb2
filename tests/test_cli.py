"""The command line, end to end: commands, exit codes, and every kind of bad input."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ingest.cli import build_app
from ingest.manager import get_plugin_manager
from ingest.schema import article_errors
from ingest.testing import run_cli
from tests.conftest import REPO, SAMPLES

GOOD = "Storm closes harbour\n\nThe harbour closed on Monday as the storm arrived.\n"


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "good.txt"
    path.write_text(GOOD, encoding="utf-8")
    return path


def test_run_samples_gives_valid_articles_and_stable_ids() -> None:
    app = build_app(get_plugin_manager())
    first = CliRunner().invoke(app, ["run", str(SAMPLES)])
    second = CliRunner().invoke(app, ["run", str(SAMPLES)])
    assert first.exit_code == 0, first.output
    lines = [json.loads(line) for line in first.stdout.splitlines()]
    assert len(lines) == 33  # 5 plain texts, 11 feed entries, 16 posts, 1 page
    assert all(article_errors(article) == [] for article in lines)
    assert [a["id"] for a in lines] == [
        json.loads(line)["id"] for line in second.stdout.splitlines()
    ]
    assert (
        "ingest: 16 sources, 33 articles exported, 2 duplicates skipped, 0 failures" in first.stderr
    )


def test_schema_command_prints_draft_2020_12() -> None:
    result = CliRunner().invoke(build_app(get_plugin_manager()), ["schema"])
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "embeds" in schema["properties"]


def test_validate_reports_file_and_line(tmp_path: Path, good: Path) -> None:
    out = tmp_path / "out.jsonl"
    assert run_cli(["run", str(good), "-o", str(out), "-q"]).exit_code == 0
    assert run_cli(["validate", str(out)]).exit_code == 0
    record = json.loads(out.read_text(encoding="utf-8"))
    record["language"] = "not a language!"
    broken = tmp_path / "broken.jsonl"
    broken.write_text(
        out.read_text(encoding="utf-8") + json.dumps(record) + "\n{oops\n", encoding="utf-8"
    )
    result = CliRunner().invoke(build_app(get_plugin_manager()), ["validate", str(broken)])
    assert result.exit_code == 1
    assert f"{broken}:2: language: 'not a language!' does not match" in result.stdout
    assert f"{broken}:3: not JSON" in result.stdout


def test_validate_reads_json_arrays_too(tmp_path: Path) -> None:
    out = tmp_path / "all.json"
    assert run_cli(["run", str(SAMPLES / "text"), "-o", f"json:{out}", "-q"]).exit_code == 0
    assert run_cli(["validate", str(out)]).exit_code == 0
    records = json.loads(out.read_text(encoding="utf-8"))
    assert len(records) == 5
    records[1]["language"] = "not a language!"
    out.write_text(json.dumps(records), encoding="utf-8")
    result = run_cli(["validate", str(out)])
    assert result.exit_code == 1
    (problem,) = result.stdout.splitlines()
    assert problem.startswith(f"{out}[1]: language: 'not a language!' does not match")
    out.write_text('[{"id": 1}, oops', encoding="utf-8")
    broken = run_cli(["validate", str(out)])
    assert broken.exit_code == 1
    assert f"{out}[1]: not JSON" in broken.stdout


def test_plugins_lists_builtins_with_their_hooks() -> None:
    result = run_cli(["plugins", "--json"])
    infos = {p["name"]: p for p in json.loads(result.stdout)}
    assert {"text", "normalize", "jsonl", "jsonfiles"} <= set(infos)
    assert infos["text"]["builtin"] is True
    assert "ingest_fetch" in infos["text"]["hooks"]
    assert infos["normalize"]["hooks"] == ["ingest_clean"]


def test_stdin(tmp_path: Path) -> None:
    result = run_cli(["run", "-"], stdin=GOOD.encode("utf-8"))
    assert result.exit_code == 0
    (article,) = result.articles
    assert article["title"] == "Storm closes harbour"
    assert article["source"]["location"] == "-"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.txt", None, "text:{path}: no such file"),
        ("missing.xyz", None, "{path}: no such file or directory"),
        ("empty.txt", b"", "text:{path}: empty file"),
        ("blank.txt", b" \n\t\n", "text:{path}: no text (only white space)"),
        (
            "binary.txt",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 40,
            "text:{path}: binary data, not text (NUL bytes)",
        ),
        (
            "mixed.txt",
            "Kyiv’s ".encode() + b"\xff\xfe",
            "text:{path}: undecodable bytes: invalid UTF-8",
        ),
        ("legacy.txt", b"abc \x81 def", "text:{path}: undecodable bytes: neither UTF-8 nor cp1252"),
        ("emptydir", "dir", "{path}: no readable files in this directory"),
        (
            "photo.jpg",
            b"\xff\xd8\xff\xe0\x00\x10JFIF",
            "{path}: cannot tell what kind of input this is",
        ),
    ],
)
def test_bad_input_is_one_line_and_the_rest_is_exported(
    tmp_path: Path, good: Path, name: str, content: bytes | str | None, message: str
) -> None:
    bad = tmp_path / name
    if content == "dir":
        bad.mkdir()
        (bad / "notes.bin").write_bytes(b"\x00\x01")
    elif isinstance(content, bytes):
        bad.write_bytes(content)
    out = tmp_path / "out.jsonl"
    result = run_cli(["run", str(good), str(bad), str(good.with_name("good.txt")), "-o", str(out)])
    assert result.exit_code == 1
    (line,) = result.error_lines
    assert line.startswith("error: " + message.format(path=bad)), line
    assert "Traceback" not in result.stderr
    exported = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [a["title"] for a in exported] == ["Storm closes harbour"]  # the same file twice: once
    assert "1 failure" in result.stderr


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "binary.txt"
    bad.write_bytes(b"\x00" * 100)
    plain = run_cli(["run", str(bad)])
    debug = run_cli(["--debug", "run", str(bad)])
    assert "Traceback" not in plain.stderr
    assert "Traceback" in debug.stderr
    assert plain.exit_code == debug.exit_code == 1


def test_usage_errors_exit_4(good: Path) -> None:
    assert run_cli(["run"]).exit_code == 4
    assert run_cli(["run", str(good), "--no-such-option"]).exit_code == 4
    result = run_cli(["run", str(good), "-o", "mystery"])
    assert result.exit_code == 4
    assert result.error_lines == [
        "error: cannot tell the format of target 'mystery': name it SCHEME:mystery "
        "('ingest run --help' lists the schemes), or end it in .json (json), "
        ".jsonl (jsonl), .ndjson (jsonl)"
    ]  # the endings as the exporters declare them
    assert run_cli(["run", str(good), "-s", "text.nope=1"]).exit_code == 4
    assert run_cli(["run", str(good), "-o", "parquet:x"]).error_lines == [
        "error: no plugin writes targets of kind 'parquet' (parquet:x)"
    ]


def test_setting_forces_an_encoding(tmp_path: Path) -> None:
    path = tmp_path / "greek.txt"
    path.write_bytes("Αθήνα\n\nΗ πόλη ξύπνησε νωρίς.".encode("cp1253"))
    result = run_cli(["run", str(path), "-s", "text.encoding=cp1253"])
    assert result.articles[0]["title"] == "Αθήνα"
    assert result.articles[0]["provenance"]["encoding"] == "cp1253"


def test_quiet_prints_nothing_when_all_is_well(good: Path) -> None:
    result = run_cli(["run", str(good), "-q"])
    assert (result.exit_code, result.stderr) == (0, "")


def test_console_script_exit_codes_and_progress_on_a_terminal(tmp_path: Path, good: Path) -> None:
    """The real entry point in a child process, its stderr on a real pseudo-terminal."""
    primary, secondary = pty.openpty()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ingest",
            "run",
            str(good),
            str(tmp_path / "nope.txt"),
            "-o",
            str(tmp_path / "o.jsonl"),
        ],
        stderr=secondary,
        stdout=subprocess.PIPE,
        cwd=REPO,
        check=False,
        timeout=60,
    )
    os.close(secondary)
    screen = os.read(primary, 65536).decode("utf-8")
    os.close(primary)
    assert proc.returncode == 1
    assert "error: " in screen
    assert f"error: text:{tmp_path / 'nope.txt'}: no such file\r\n" in screen
    assert "\x1b[2K" in screen  # the progress line was drawn, then cleared
    assert "ingest: 2 sources, 1 article exported, 1 failure" in screen


def test_broken_plugin_stops_startup_with_one_line(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "broken_plugin.py").parent.mkdir(parents=True)
    (site / "broken_plugin.py").write_text("raise RuntimeError('missing API key module')\n")
    dist = site / "broken_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[ingest]\nbroken = broken_plugin\n")
    env = {**os.environ, "PYTHONPATH": str(site)}
    cmd = [sys.executable, "-m", "ingest", "plugins"]
    broken = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False, timeout=60)
    assert broken.returncode == 3
    assert broken.stderr.strip() == (
        "error: plugin 'broken' (broken_plugin) failed to import: "
        "RuntimeError: missing API key module; "
        "disable it with --no-plugin broken or INGEST_DISABLE_PLUGINS=broken"
    )
    flag = subprocess.run(
        [*cmd[:3], "--no-plugin", "broken", "plugins"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    assert flag.returncode == 0
    assert "text" in flag.stdout
    by_env = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        env={**env, "INGEST_DISABLE_PLUGINS": "broken"},
        check=False,
        timeout=60,
    )
    assert by_env.returncode == 0


def test_directory_walk_skips_hidden_and_tool_folders(tmp_path: Path) -> None:
    for folder in (".git", "__pycache__", "pkg.egg-info", "news"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "story.txt").write_text(f"Story from {folder}.\n", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("Hidden story.\n", encoding="utf-8")
    result = run_cli(["run", str(tmp_path)])
    assert [a["text"] for a in result.articles] == ["Story from news."]


def test_version() -> None:
    result = run_cli(["--version"])
    assert (result.exit_code, result.stdout.strip()) == (0, "ingest 0.1.0")


def test_language_filter_option_is_checked_before_the_run(good: Path) -> None:
    result = run_cli(["run", str(good), "--language", "en,german"])
    assert result.exit_code == 4
    assert result.error_lines == ["error: --language: not language codes: german"]
    kept = run_cli(["run", str(good), "--language", "de"])
    assert (kept.exit_code, kept.articles) == (0, [])
    assert "1 filtered out" in kept.stderr


# -- help, messages and the test fixture ---------------------------------------------------


def test_help_reads_like_a_click_tool() -> None:
    help_text = run_cli(["run", "--help"]).stdout
    assert "<bool>" not in help_text  # flags take no value
    assert "  -q, --quiet " in help_text
    assert "Usage: ingest run [OPTIONS] [LOCATION]..." in help_text
    # Paragraphs are wrapped by the formatter, not where the docstring's lines happen to end:
    # every line but a paragraph's last is filled (a hard wrap left short stubs).
    description = help_text.split("Options:")[0].split("\n\n")[1:]
    assert description
    for paragraph in description:
        assert all(len(line) > 60 for line in paragraph.splitlines()[:-1]), paragraph
    kinds, targets = help_text.split("Source kinds")[1].split("Targets")
    assert {"rss", "text", "tweets"} <= {
        line.split()[0] for line in kinds.splitlines()[1:] if line.strip()
    }
    assert "sqlite*" in targets
    assert "json " in targets


def test_bare_ingest_prints_its_help_as_a_usage_error() -> None:
    result = run_cli([])
    assert result.exit_code == 4
    assert result.stdout.startswith("Usage: ingest [OPTIONS] COMMAND [ARGS]...")
    assert "run " in result.stdout
    assert result.stderr == ""


def test_validate_says_how_many_records_were_valid(tmp_path: Path, good: Path) -> None:
    out = tmp_path / "out.jsonl"
    assert run_cli(["run", str(good), "-o", str(out)]).exit_code == 0
    assert run_cli(["validate", str(out)]).stderr == "ingest validate: 1 of 1 record valid\n"
    out.write_text(out.read_text() + '{"id": 1}\n{"bad json\n', encoding="utf-8")
    result = run_cli(["validate", str(out)])
    assert result.exit_code == 1
    problems = result.stdout.splitlines()
    assert result.stderr == f"ingest validate: 1 of 3 records valid, {len(problems)} problems\n"
    # The standard library's message ends in "at" already: said once, not "at at".
    assert problems[-1] == f"{out}:3: not JSON: Invalid control character at column 11"


def test_error_lines_are_one_inert_line_whatever_the_input_says(tmp_path: Path) -> None:
    forged = tmp_path / "posts.jsonl"
    post = {"id": 1, "user": {"screen_name": "ana"}, "text": "hi"}
    bad_id = "1\nerror: forged line\x1b[31m"
    forged.write_text(
        json.dumps(post)
        + "\n"
        + json.dumps({**post, "id": bad_id, "created_at": "x\ny"})[:-1]
        + "\n",
        encoding="utf-8",
    )
    result = run_cli(["run", f"tweets:{forged}"])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert [line for line in lines if line.startswith("error:")] == lines[:-1]
    assert len(lines) == 2  # the error and the summary: no forged line
    assert "\x1b" not in result.stderr


def test_the_ingest_cli_fixture_takes_lists_and_paths(ingest_cli: Any, good: Path) -> None:
    assert ingest_cli(["run", good]).exit_code == 0
    assert ingest_cli("run", good, "-q").stdout == ingest_cli(["run", str(good), "-q"]).stdout
