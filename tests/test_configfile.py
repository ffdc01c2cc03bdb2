"""``ingest.toml``: loading, path resolution, intervals, and every mistake as a UsageError;
and typed setting values as they come from a config file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ingest.config import Config, Settings
from ingest.errors import UsageError
from ingest.keep import Keep
from ingest.state.configfile import load_config, parse_interval

#: The endings the built-in exporters declare (the core knows none).
SUFFIXES = {".jsonl": "jsonl", ".json": "json"}

FULL = """
state = "state/ledger.sqlite"
targets = ["out/articles.jsonl", "sqlite:out/articles.sqlite", "sqlite:///srv/abs.sqlite", "-"]

[settings]
"keywords.count" = 5
language = { only = ["de", "fr"] }

[settings.text]
encoding = "cp1252"

[sources.ukraine-feed]
location = "https://example.com/feed.xml"
kind = "rss"
interval = "15m"
language = "en,uk"
settings = { "keywords.count" = 3 }
options = { full_text = true }

[sources.notes]
location = "text:notes/today.md"
interval = 90

[sources.local_feed]
location = "feeds/local.xml"
settings = { language = { only = ["en", "uk"] } }
"""


def write_config(folder: Path, text: str, name: str = "ingest.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def usage_error(path: Path) -> str:
    """Load ``path`` expecting a UsageError; its message."""
    with pytest.raises(UsageError) as info:
        load_config(path)
    return str(info.value)


def test_full_example_resolves_against_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path.resolve() / "project"
    path = write_config(project, FULL)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # cron runs from anywhere: the cwd must not matter

    config = load_config(path, SUFFIXES)

    assert config.path == path
    assert config.state == project / "state" / "ledger.sqlite"
    assert config.targets == [
        f"jsonl:{project / 'out' / 'articles.jsonl'}",
        f"sqlite:{project / 'out' / 'articles.sqlite'}",
        "sqlite:///srv/abs.sqlite",  # URLs are left as written
        "-",
    ]
    assert config.settings == {
        "keywords.count": 5,
        "language.only": "de,fr",
        "text.encoding": "cp1252",
    }
    assert [s.name for s in config.sources] == ["ukraine-feed", "notes", "local_feed"]

    feed = config.source("ukraine-feed")
    assert feed.location == "https://example.com/feed.xml"
    assert feed.kind == "rss"
    assert feed.spec == "rss:https://example.com/feed.xml"
    assert feed.interval == 900.0
    assert feed.settings == {"keywords.count": 3}
    assert feed.keep == (Keep("language", frozenset({"en", "uk"})),)  # language = "en,uk"
    assert feed.options == {"full_text": True}

    notes = config.source("notes")
    assert notes.kind == "text"  # from the KIND: prefix of the location
    assert notes.location == str(project / "notes" / "today.md")
    assert notes.spec == f"text:{project / 'notes' / 'today.md'}"
    assert notes.interval == 90.0
    assert notes.settings == {}
    assert notes.options == {}

    local = config.source("local_feed")
    assert local.kind is None
    assert local.location == str(project / "feeds" / "local.xml")
    assert local.spec == local.location
    assert local.interval == 0.0
    assert local.settings == {"language.only": "en,uk"}  # the language plugin's own setting
    assert local.keep == ()
    assert not (elsewhere / "state").exists()  # nothing is created by loading


def test_default_state_is_beside_the_config_named_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path.resolve()
    path = write_config(root / "cfg", 'targets = "news.jsonl"\n', name="news.toml")
    monkeypatch.chdir(root)
    config = load_config(Path("cfg") / "news.toml", SUFFIXES)  # a relative config path
    assert config.state == root / "cfg" / "news.sqlite"
    assert config.state.is_absolute()
    assert config.targets == [f"jsonl:{root / 'cfg' / 'news.jsonl'}"]  # one string is a list
    assert config.sources == []
    assert config.settings == {}
    assert path.exists()


def test_absolute_and_home_paths_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    path = write_config(
        tmp_path / "p",
        f'state = "~/news.sqlite"\n[sources.a]\nlocation = "{tmp_path / "abs.txt"}"\n',
    )
    config = load_config(path)
    assert config.state == home / "news.sqlite"
    assert config.source("a").location == str(tmp_path / "abs.txt")


def test_explicit_kind_key_wins_over_a_location_without_prefix(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[sources.a]\nlocation = "http://example.com/x"\nkind = "rss"\n')
    source = load_config(path).source("a")
    assert (source.kind, source.location) == ("rss", "http://example.com/x")


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ('"30s"', 30.0),
        ('"15m"', 900.0),
        ('"2h"', 7200.0),
        ('"1d"', 86400.0),
        ('"1.5h"', 5400.0),
        ("90", 90.0),
        ('"90"', 90.0),
        ("0", 0.0),
        ("2.5", 2.5),
    ],
)
def test_intervals_are_seconds(tmp_path: Path, value: str, seconds: float) -> None:
    path = write_config(tmp_path, f'[sources.a]\nlocation = "a.txt"\ninterval = {value}\n')
    assert load_config(path).source("a").interval == seconds


@pytest.mark.parametrize("value", ['"soon"', "-5", "true", '"15 minutes"', '""', "[1]"])
def test_bad_interval_names_file_and_key(tmp_path: Path, value: str) -> None:
    path = write_config(tmp_path, f'[sources.a]\nlocation = "a.txt"\ninterval = {value}\n')
    message = usage_error(path)
    assert message.startswith(f"{path}: sources.a: interval: ")


@pytest.mark.parametrize("value", ["inf", "nan", "-inf"])
def test_non_finite_interval_is_a_usage_error(tmp_path: Path, value: str) -> None:
    """TOML has inf and nan; neither is a number of seconds to wait (inf makes the run crash
    with OverflowError after the fetch, computing next_fetch; nan silently means 0)."""
    path = write_config(tmp_path, f'[sources.a]\nlocation = "a.txt"\ninterval = {value}\n')
    message = usage_error(path)
    assert message.startswith(f"{path}: sources.a: interval: ")


def test_parse_interval_directly() -> None:
    assert parse_interval("  45 s ") == 45.0
    with pytest.raises(UsageError, match=r"^--older-than: "):
        parse_interval("yesterday", "--older-than")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('colour = "blue"\n', "unknown key 'colour'"),
        ('[sources.a]\nlocaton = "a.txt"\n', "sources.a: unknown key 'locaton'"),
        ("[sources.a]\ninterval = 5\n", "sources.a: location: required"),
        ('[sources.a]\nlocation = "  "\n', "sources.a: location: required"),
        ("[sources.a]\nlocation = 5\n", "sources.a: location: required"),
        ('[sources.a]\nlocation = "-"\n', "sources.a: location: stdin"),
        ('[sources.a]\nlocation = "text:-"\n', "sources.a: location: stdin"),
        ('[sources."bad name"]\nlocation = "a.txt"\n', "sources.bad name: a source name is"),
        ('[sources."-dash"]\nlocation = "a.txt"\n', "sources.-dash: a source name is"),
        ("sources = 3\n", "sources: expected tables"),
        ('[sources]\na = "a.txt"\n', "sources.a: expected a table"),
        ('[sources.a]\nlocation = "a.txt"\nkind = 3\n', "sources.a: kind: "),
        ('[sources.a]\nlocation = "a.txt"\nlanguage = ["de"]\n', "sources.a: language: "),
        ('[sources.a]\nlocation = "a.txt"\noptions = "x"\n', "sources.a: options: "),
        ('[sources.a]\nlocation = "a.txt"\nsettings = "x"\n', "sources.a.settings: expected"),
        ('settings = "x"\n', "settings: expected a table"),
        ("state = 5\n", "state: expected a file path"),
        ("targets = 5\n", "targets: expected a list"),
        ("targets = [1, 2]\n", "targets: expected a list"),
        ('targets = ["out/articles"]\n', "targets: cannot tell the format of target"),
        ('targets = [""]\n', "targets: empty target"),
    ],
)
def test_every_mistake_names_file_and_key(tmp_path: Path, text: str, expected: str) -> None:
    path = write_config(tmp_path, text)
    message = usage_error(path)
    assert message.startswith(f"{path}: "), message
    assert expected in message, message


def test_unknown_key_lists_the_known_ones(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[sources.a]\nlocaton = "a.txt"\n')
    message = usage_error(path)
    assert "(known: interval, kind, language, location, options, settings)" in message


def test_invalid_toml(tmp_path: Path) -> None:
    path = write_config(tmp_path, "[sources.a\nlocation = \n")
    assert usage_error(path).startswith(f"{path}: not valid TOML: ")


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "ingest.toml"
    assert usage_error(path) == f"{path}: no such config file"


def test_a_directory_is_not_a_config(tmp_path: Path) -> None:
    assert usage_error(tmp_path).startswith(f"{tmp_path}: cannot read: ")


def test_unknown_source_name_lists_known_ones(tmp_path: Path) -> None:
    path = write_config(
        tmp_path, '[sources.alpha]\nlocation = "a.txt"\n[sources.beta]\nlocation = "b.txt"\n'
    )
    config = load_config(path)
    with pytest.raises(UsageError) as info:
        config.source("gamma")
    assert str(info.value) == f"{path}: no source named 'gamma' (known: alpha, beta)"


def test_unknown_source_name_without_sources(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, ""))
    with pytest.raises(UsageError, match=r"\(known: none\)$"):
        config.source("x")


# -- typed values ----------------------------------------------------------------------------


def declared() -> Settings:
    settings = Settings()
    settings.add("demo.count", 5, "an int")
    settings.add("demo.ratio", 0.5, "a float")
    settings.add("demo.flag", False, "a bool")
    settings.add("demo.name", "x", "a str")
    settings.add("demo.maybe", None, "untyped: a str", type=int)
    return settings


@pytest.mark.parametrize(
    ("name", "raw", "value"),
    [
        ("demo.count", 7, 7),
        ("demo.count", "5", 5),
        ("demo.ratio", 2, 2.0),
        ("demo.ratio", 0.25, 0.25),
        ("demo.ratio", "1.5", 1.5),
        ("demo.flag", True, True),
        ("demo.flag", "yes", True),
        ("demo.flag", " Off ", False),
        ("demo.name", 3, "3"),
        ("demo.name", "abc", "abc"),
        ("demo.maybe", "12", 12),
    ],
)
def test_typed_values_are_converted(name: str, raw: Any, value: Any) -> None:
    got = Config(declared(), {name: raw}).get(name)
    assert got == value
    assert type(got) is type(value)


@pytest.mark.parametrize(
    ("name", "raw", "expected"),
    [
        ("demo.count", True, "setting demo.count: expected int, got bool True"),
        ("demo.count", 1.5, "setting demo.count: expected int, got float 1.5"),
        ("demo.count", "five", "setting demo.count: expected int, got 'five'"),
        ("demo.ratio", False, "setting demo.ratio: expected float, got bool False"),
        ("demo.flag", 1, "setting demo.flag: expected bool, got int 1"),
        ("demo.flag", "maybe", "setting demo.flag: expected true or false, got 'maybe'"),
        ("demo.name", True, "setting demo.name: expected str, got bool True"),
        ("demo.name", ["a"], "setting demo.name: expected str, got list ['a']"),
    ],
)
def test_wrong_typed_values_are_refused(name: str, raw: Any, expected: str) -> None:
    with pytest.raises(UsageError) as info:
        Config(declared(), {name: raw})
    assert str(info.value) == expected


def test_defaults_and_unknown_settings() -> None:
    config = Config(declared())
    assert (config.get("demo.count"), config.get("demo.flag")) == (5, False)
    with pytest.raises(KeyError, match="never declared"):
        config.get("demo.other")
    with pytest.raises(UsageError, match=r"^unknown setting 'demo\.other' \(known: demo\.count"):
        Config(declared(), {"demo.other": 1})


def test_config_file_settings_feed_typed_config(tmp_path: Path) -> None:
    """What load_config flattens is what Config takes: a list becomes a comma string."""
    path = write_config(
        tmp_path, '[settings]\ndemo = { count = 3, ratio = 1, name = ["de", "fr"] }\n'
    )
    config = Config(declared(), load_config(path).settings)
    assert config.get("demo.count") == 3
    assert config.get("demo.ratio") == 1.0
    assert isinstance(config.get("demo.ratio"), float)
    assert config.get("demo.name") == "de,fr"


def test_kind_prefix_on_a_url(tmp_path: Path) -> None:
    path = write_config(
        tmp_path, '[sources.a]\nlocation = "rss:https://example.com/feed"\nlanguage = "de"\n'
    )
    source = load_config(path).source("a")
    assert (source.kind, source.location) == ("rss", "https://example.com/feed")
    assert source.spec == "rss:https://example.com/feed"
    assert source.settings == {}
    assert source.keep == (Keep("language", frozenset({"de"})),)
