"""Every hook, exercised through a real plugin manager with real plugins registered."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pluggy
import pytest
import typer
from typer.testing import CliRunner

from ingest import (
    Article,
    ArticleSource,
    Config,
    Exporter,
    IngestError,
    Pipeline,
    PluginHookError,
    PluginLoadError,
    Settings,
    Source,
    SourceError,
    SourceKind,
    Tag,
    Target,
    TargetKind,
    UsageError,
    hookimpl,
)
from ingest.cli import build_app
from ingest.engine import run_once
from ingest.http import fetch_source
from ingest.identity import content_hash, stated_hash
from ingest.keep import Keep
from ingest.locations import parse_target
from tests.servers import Reply, serve


class ListExporter(Exporter):
    """A real exporter that keeps what it is given, for assertions."""

    def __init__(self) -> None:
        self.articles: list[Article] = []
        self.closed = self.aborted = False

    def write(self, article: Article) -> None:
        self.articles.append(article)

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = True


class MemoryPlugin:
    """Source kind ``mem`` (location = number of items) and target ``mem:``."""

    def __init__(self) -> None:
        self.exporter = ListExporter()

    @hookimpl
    def ingest_detect_kind(self, location: str) -> str | None:
        return "mem" if location.startswith("mem-") else None

    @hookimpl
    def ingest_fetch(self, source: Source) -> Iterator[Article] | None:
        if source.kind != "mem":
            return None
        return (
            Article(
                source=ArticleSource("mem", location=source.location, origin_id=str(i)),
                text=f"item {i}",
            )
            for i in range(int(source.location.removeprefix("mem-")))
        )

    @hookimpl
    def ingest_export(self, target: Target) -> Exporter | None:
        return self.exporter if target.scheme == "mem" else None


@pytest.fixture
def memory(plugin_manager: pluggy.PluginManager) -> MemoryPlugin:
    plugin = MemoryPlugin()
    plugin_manager.register(plugin, name="memory")
    return plugin


def run(pm: pluggy.PluginManager, *locations: str) -> tuple[list[Article], list[IngestError]]:
    errors: list[IngestError] = []
    exporter = ListExporter()

    class Sink:
        @hookimpl(tryfirst=True)
        def ingest_export(self, target: Target) -> Exporter | None:
            return exporter if target.scheme == "test" else None

    pm.register(Sink(), name="sink")
    run_once(Pipeline(pm), list(locations), [Target("test", "x")], on_error=errors.append)
    return exporter.articles, errors


def test_detect_and_fetch_through_the_plugin_manager(
    plugin_manager: pluggy.PluginManager, memory: MemoryPlugin
) -> None:
    pipeline = Pipeline(plugin_manager)
    assert pipeline.detect_kind("mem-3", b"") == "mem"
    assert pipeline.detect_kind("story.txt", b"Hello") == "text"
    assert pipeline.detect_kind("image.png", b"\x89PNG") is None
    plugin, items = pipeline.fetch(Source("mem", "mem-2"))
    assert plugin == "memory"
    assert [a.text for a in items] == ["item 0", "item 1"]


def test_fetch_of_an_unknown_kind_is_a_source_error(plugin_manager: pluggy.PluginManager) -> None:
    with pytest.raises(SourceError, match="no plugin reads sources of kind 'nope'"):
        Pipeline(plugin_manager).fetch(Source("nope", "x"))


def test_clean_runs_in_order_and_records_provenance(
    plugin_manager: pluggy.PluginManager, memory: MemoryPlugin
) -> None:
    calls: list[str] = []

    class First:
        @hookimpl(tryfirst=True)
        def ingest_clean(self, article: Article) -> None:
            calls.append("first")
            article.text = article.text.upper() + "\u00a0 !"

    class Middle:
        @hookimpl
        def ingest_clean(self, article: Article, config: Config) -> None:
            calls.append("middle")

    plugin_manager.register(First(), name="first")
    plugin_manager.register(Middle(), name="middle")
    articles, errors = run(plugin_manager, "mem-1")
    assert errors == []
    assert calls == ["first", "middle"]
    (article,) = articles
    assert article.text == "ITEM 0 !"  # normalize ran last, after the others
    assert article.provenance.clean == ["first", "middle", "normalize"]


def test_tags_from_all_plugins_are_merged(
    plugin_manager: pluggy.PluginManager, memory: MemoryPlugin
) -> None:
    class Shouty:
        @hookimpl
        def ingest_tag(self, article: Article) -> list[Tag]:
            return [Tag("keyword", "item"), Tag("keyword", "loud", 0.5)]

    class Other:
        @hookimpl
        def ingest_tag(self, article: Article) -> list[Tag] | None:
            return [Tag("keyword", "item", by="someone")] if article.text.endswith("0") else None

    plugin_manager.register(Shouty(), name="shouty")
    plugin_manager.register(Other(), name="other")
    articles, _ = run(plugin_manager, "mem-2")
    assert [(t.value, t.by) for t in articles[0].tags] == [("item", "someone"), ("loud", "shouty")]
    assert [(t.value, t.by) for t in articles[1].tags] == [("item", "shouty"), ("loud", "shouty")]
    ours = [name for name in articles[0].provenance.tag if name in ("other", "shouty")]
    assert ours == ["other", "shouty"]  # the built-in tag plugins ran too


def test_a_failing_plugin_drops_only_its_item(
    plugin_manager: pluggy.PluginManager, memory: MemoryPlugin
) -> None:
    class Fragile:
        @hookimpl
        def ingest_tag(self, article: Article) -> None:
            if article.source.origin_id == "1":
                raise ZeroDivisionError("division by zero")

    plugin_manager.register(Fragile(), name="fragile")
    articles, errors = run(plugin_manager, "mem-3")
    assert [a.source.origin_id for a in articles] == ["0", "2"]
    (error,) = errors
    assert isinstance(error, PluginHookError)
    assert (error.stage, error.plugin) == ("tag", "fragile")
    assert (
        str(error)
        == "mem:mem-3#1: plugin 'fragile' failed in tag: ZeroDivisionError: division by zero"
    )


def test_a_source_failing_midway_keeps_what_it_yielded(
    plugin_manager: pluggy.PluginManager,
) -> None:
    class Halting:
        @hookimpl
        def ingest_detect_kind(self, location: str) -> str | None:
            return "halt" if location == "halting" else None

        @hookimpl
        def ingest_fetch(self, source: Source) -> Iterator[Article] | None:
            if source.kind != "halt":
                return None

            def items() -> Iterator[Article]:
                yield Article(source=ArticleSource("halt", origin_id="a"), text="kept")
                raise SourceError(source.label(), "truncated at byte 12")

            return items()

    plugin_manager.register(Halting(), name="halting")
    articles, errors = run(plugin_manager, "halting")
    assert [a.text for a in articles] == ["kept"]
    assert [str(e) for e in errors] == ["halt:halting: truncated at byte 12"]


def test_duplicates_within_a_run_are_exported_once(
    plugin_manager: pluggy.PluginManager, memory: MemoryPlugin
) -> None:
    articles, _ = run(plugin_manager, "mem-2", "mem-3")
    assert [a.source.origin_id for a in articles] == ["0", "1", "2"]


def test_duplicates_are_found_after_the_seen_ids_move_to_disk(
    plugin_manager: pluggy.PluginManager, memory: MemoryPlugin, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ingest.seen.MEMORY_LIMIT", 10)
    summary = run_once(Pipeline(plugin_manager), ["mem-30", "mem-40"], [Target("mem", "")])
    assert (summary.articles, summary.duplicates) == (40, 30)


def test_export_hook_and_unknown_targets(
    plugin_manager: pluggy.PluginManager, memory: MemoryPlugin
) -> None:
    pipeline = Pipeline(plugin_manager)
    summary = run_once(pipeline, ["mem-2"], [parse_target("mem:anything")])
    assert summary.articles == 2
    assert memory.exporter.closed
    assert [a.id for a in memory.exporter.articles] == sorted(
        {a.id for a in memory.exporter.articles}, key=[a.id for a in memory.exporter.articles].index
    )
    with pytest.raises(UsageError, match="no plugin writes targets of kind 'nowhere'"):
        run_once(pipeline, ["mem-1"], [parse_target("nowhere:x")])


def test_interrupt_aborts_every_exporter(
    plugin_manager: pluggy.PluginManager, memory: MemoryPlugin
) -> None:
    class Interrupting:
        @hookimpl
        def ingest_clean(self, article: Article) -> None:
            if article.source.origin_id == "1":
                raise KeyboardInterrupt

    plugin_manager.register(Interrupting(), name="interrupting")
    with pytest.raises(KeyboardInterrupt):
        run_once(Pipeline(plugin_manager), ["mem-3"], [Target("mem", "")])
    assert memory.exporter.aborted
    assert not memory.exporter.closed


def test_settings_are_declared_typed_and_checked(plugin_manager: pluggy.PluginManager) -> None:
    class Configurable:
        @hookimpl
        def ingest_add_settings(self, settings: Settings) -> None:
            settings.add("configurable.limit", 10, "How many.")
            settings.add("configurable.strict", False, "Be strict.")

    plugin_manager.register(Configurable(), name="configurable")
    config = Pipeline(
        plugin_manager, {"configurable.limit": "25", "configurable.strict": "yes"}
    ).config
    assert config.get("configurable.limit") == 25
    assert config.get("configurable.strict") is True
    assert config.get("text.max_bytes") == 16 * 1024 * 1024
    with pytest.raises(UsageError, match="expected int"):
        Pipeline(plugin_manager, {"configurable.limit": "many"})
    with pytest.raises(UsageError, match=r"unknown setting 'configurable\.colour'"):
        Pipeline(plugin_manager, {"configurable.colour": "red"})


def test_register_commands_adds_a_subcommand(plugin_manager: pluggy.PluginManager) -> None:
    class Greeter:
        @hookimpl
        def ingest_register_commands(self, app: typer.Typer) -> None:
            @app.command()
            def greet(name: str) -> None:
                typer.echo(f"hi {name}")

    plugin_manager.register(Greeter(), name="greeter")
    result = CliRunner().invoke(build_app(plugin_manager), ["greet", "Ada"])
    assert result.exit_code == 0
    assert result.output == "hi Ada\n"


def test_wrapper_implementations_of_stage_hooks_are_refused(
    plugin_manager: pluggy.PluginManager,
) -> None:
    class Wrapping:
        @hookimpl(wrapper=True)
        def ingest_clean(self, article: Article) -> Iterator[None]:
            yield

    plugin_manager.register(Wrapping(), name="wrapping")
    with pytest.raises(PluginLoadError, match="wrapper implementations of ingest_clean"):
        Pipeline(plugin_manager)


def test_every_hookspec_is_documented_and_used_by_a_builtin_or_test(
    plugin_manager: pluggy.PluginManager,
) -> None:
    from ingest import hookspecs

    specs = [name for name in dir(hookspecs) if name.startswith("ingest_")]
    assert len(specs) == 10
    source = Path(__file__).read_text(encoding="utf-8")
    for name in specs:
        doc = getattr(hookspecs, name).__doc__ or ""
        assert len(doc) > 80, f"{name} lacks a full docstring"
        assert ":param" in doc or ":returns:" in doc, f"{name} documents no parameter"
        assert f"def {name}(" in source, f"{name} is not exercised in this file"


def test_enrich_runs_between_identity_and_tag_and_is_remembered_by_the_stated_hash(
    plugin_manager: pluggy.PluginManager, memory: MemoryPlugin
) -> None:
    seen_by_tag: list[str] = []

    class Completer:
        @hookimpl
        def ingest_enrich(self, article: Article, config: Config) -> bool | None:
            assert article.id  # after identity
            assert article.content_hash
            if article.source.origin_id == "1":
                return None  # not this plugin's business
            article.text += " (completed)"
            return True

    class Watcher:
        @hookimpl
        def ingest_tag(self, article: Article) -> None:
            seen_by_tag.append(article.text)

    plugin_manager.register(Completer(), name="completer")
    plugin_manager.register(Watcher(), name="watcher")
    articles, errors = run(plugin_manager, "mem-2")
    assert errors == []
    assert seen_by_tag == ["item 0 (completed)", "item 1"]
    completed, untouched = articles
    assert completed.provenance.enrich == ["completer"]
    assert untouched.provenance.enrich == []
    assert completed.metrics["words"] == 3  # counted after the enrich stage
    assert completed.content_hash == content_hash(None, "item 0 (completed)")
    assert completed.stated_hash == stated_hash(replace(completed, text="item 0"))
    assert completed.remembered_hash == completed.stated_hash
    assert untouched.remembered_hash == untouched.content_hash


def test_an_enrich_source_error_fails_its_item_alone(
    plugin_manager: pluggy.PluginManager, memory: MemoryPlugin
) -> None:
    class Gone:
        @hookimpl
        def ingest_enrich(self, article: Article) -> bool:
            if article.source.origin_id == "1":
                raise SourceError("http://127.0.0.1/gone", "HTTP 404 Not Found")
            return False

    plugin_manager.register(Gone(), name="gone")
    articles, errors = run(plugin_manager, "mem-3")
    assert [a.source.origin_id for a in articles] == ["0", "2"]
    assert [str(e) for e in errors] == ["http://127.0.0.1/gone: HTTP 404 Not Found"]


def test_make_article_fixture(make_article: Callable[..., Article]) -> None:
    article = make_article("Body.", title="T")
    assert (article.title, article.text, article.source.kind) == ("T", "Body.", "text")


def test_a_tag_plugin_returning_false_stays_out_of_provenance(
    plugin_manager: pluggy.PluginManager, memory: MemoryPlugin
) -> None:
    class Off:
        @hookimpl
        def ingest_tag(self, article: Article) -> bool:
            return False

    plugin_manager.register(Off(), name="off")
    articles, errors = run(plugin_manager, "mem-1")
    assert errors == []
    assert "off" not in articles[0].provenance.tag
    assert "entities" in articles[0].provenance.tag


# -- declared kinds and targets, and URLs whose name tells nothing -------------------------


class Declaring:
    """A plugin that declares a source kind with a media type, and two target schemes."""

    @hookimpl
    def ingest_source_kinds(self) -> list[SourceKind]:
        return [SourceKind("mem", "items counted by the location", media_types=("x-mem/list",))]

    @hookimpl
    def ingest_target_kinds(self) -> list[TargetKind]:
        return [TargetKind("mem", "a list in memory", exactly_once=True)]


def test_declared_kinds_and_targets_are_listed(
    plugin_manager: pluggy.PluginManager, memory: MemoryPlugin
) -> None:
    plugin_manager.register(Declaring(), name="declaring")
    pipeline = Pipeline(plugin_manager)
    kinds = {kind.name: kind for kind in pipeline.source_kinds()}
    targets = {kind.scheme: kind for kind in pipeline.target_kinds()}
    assert kinds["mem"].media_types == ("x-mem/list",)
    assert targets["mem"].exactly_once
    assert not targets["json"].exactly_once  # an array cannot be appended to
    app = build_app(plugin_manager)
    listing = CliRunner().invoke(app, ["plugins"]).output
    assert "  mem        items counted by the location" in listing
    assert "  mem*       a list in memory" in listing
    assert "a list in memory" in CliRunner().invoke(app, ["run", "--help"]).output


def test_a_location_of_unknown_kind_is_told_the_kinds_that_exist(
    plugin_manager: pluggy.PluginManager, memory: MemoryPlugin, tmp_path: Path
) -> None:
    plugin_manager.register(Declaring(), name="declaring")
    odd = tmp_path / "odd.bin"
    odd.write_bytes(b"\x00\x01\x02")
    _, errors = run(plugin_manager, str(odd))
    assert len(errors) == 1
    assert "name it KIND:PATH or use --kind (kinds: " in str(errors[0])
    assert "mem" in str(errors[0]).rsplit("kinds:", 1)[1]


def test_a_url_whose_name_tells_nothing_is_fetched_once_and_read_by_its_media_type(
    plugin_manager: pluggy.PluginManager, memory: MemoryPlugin
) -> None:
    plugin_manager.register(Declaring(), name="declaring")
    seen: list[bytes] = []

    class ReadsBody:
        @hookimpl
        def ingest_fetch(self, source: Source, config: Config) -> Iterator[Article] | None:
            if source.kind != "mem" or not source.is_url:
                return None
            body = fetch_source(source, config).content
            seen.append(body)
            return iter([Article(ArticleSource("mem", location=source.location), text="hi")])

    plugin_manager.register(ReadsBody(), name="reads_body")
    routes = {"/items": lambda _: Reply(200, b"3", {"Content-Type": "x-mem/list"})}
    with serve(routes) as server:
        articles, errors = run(plugin_manager, server.url("/items"), server.url("/gone"))
        # Once each (fetched ahead, concurrently: in either order).
        assert sorted(path for path, _ in server.requests) == ["/gone", "/items"]
    assert [a.text for a in articles] == ["hi"]
    assert seen == [b"3"]
    assert [str(e) for e in errors] == [f"{server.url('/gone')}: HTTP 404 Not Found"]


def test_a_url_of_unknown_media_type_is_sniffed_by_its_first_bytes(
    plugin_manager: pluggy.PluginManager, memory: MemoryPlugin
) -> None:
    class Sniffs:
        @hookimpl
        def ingest_detect_kind(self, location: str, head: bytes) -> str | None:
            return "sniffed" if head.startswith(b"SNIFF") else None

        @hookimpl
        def ingest_fetch(self, source: Source, config: Config) -> Iterator[Article] | None:
            if source.kind != "sniffed":
                return None
            text = fetch_source(source, config).content.decode()
            return iter([Article(ArticleSource("sniffed", location=source.location), text=text)])

    plugin_manager.register(Sniffs(), name="sniffs")
    routes = {
        "/a": lambda _: Reply(200, b"SNIFF me", {"Content-Type": "application/octet-stream"}),
        "/b": lambda _: Reply(200, b"\x00junk", {"Content-Type": "application/octet-stream"}),
    }
    with serve(routes) as server:
        articles, errors = run(plugin_manager, server.url("/a"), server.url("/b"))
    assert [a.text for a in articles] == ["SNIFF me"]
    assert len(errors) == 1
    assert "/b: no plugin reads what it serves (application/octet-stream)" in str(errors[0])


# -- keeping only some articles: a filter of the contract, not of a plugin ---------------


def test_a_keep_filter_drops_before_the_later_tag_plugins(
    plugin_manager: pluggy.PluginManager, memory: MemoryPlugin
) -> None:
    tagged: list[str] = []

    class Decides:
        @hookimpl(tryfirst=True)
        def ingest_tag(self, article: Article) -> None:
            article.language = {"item 0": "de-AT", "item 1": "fr"}.get(article.text)

    class Costly:
        @hookimpl(trylast=True)
        def ingest_tag(self, article: Article) -> None:
            tagged.append(article.text)

    plugin_manager.register(Decides(), name="decides")
    plugin_manager.register(Costly(), name="costly")
    pipeline = Pipeline(plugin_manager, keep=[Keep.languages("de")])
    summary = run_once(pipeline, ["mem-3"], [Target("mem", "")])
    assert [a.text for a in memory.exporter.articles] == ["item 0"]  # de keeps de-AT
    assert summary.filtered == 2  # fr, and item 2 whose language was never decided
    assert "item 1" not in tagged  # dropped as soon as its language was known


def test_a_source_can_keep_other_languages_than_the_run(
    plugin_manager: pluggy.PluginManager,
) -> None:
    pipeline = Pipeline(plugin_manager, keep=[Keep.languages("de")])
    with pipeline.configured({}, [Keep.languages("fr,uk")]):
        assert [k.values for k in pipeline.keep] == [frozenset({"fr", "uk"})]
    assert [k.values for k in pipeline.keep] == [frozenset({"de"})]
    with pytest.raises(UsageError, match="not language codes: klingon-x"):
        Keep.languages("de, klingon-x")


def test_an_item_fetched_again_is_a_duplicate_before_any_costly_stage(
    plugin_manager: pluggy.PluginManager, memory: MemoryPlugin
) -> None:
    tagged: list[str] = []

    class Repeats:
        @hookimpl
        def ingest_detect_kind(self, location: str) -> str | None:
            return "repeats" if location == "repeats" else None

        @hookimpl
        def ingest_fetch(self, source: Source) -> Iterator[Article] | None:
            if source.kind != "repeats":
                return None
            return (
                Article(ArticleSource("repeats", origin_id=str(i % 2)), text=f"entry {i % 2}")
                for i in range(6)
            )

        @hookimpl
        def ingest_tag(self, article: Article) -> None:
            tagged.append(article.text)

    plugin_manager.register(Repeats(), name="repeats")
    summary = run_once(Pipeline(plugin_manager), ["repeats"], [Target("mem", "")])
    assert [a.text for a in memory.exporter.articles] == ["entry 0", "entry 1"]
    assert summary.duplicates == 4
    assert tagged == ["entry 0", "entry 1"]  # the copies were never cleaned or tagged
