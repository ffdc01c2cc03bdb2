"""ingest-hello: the smallest useful third-party plugin for ``ingest``.

* a source kind ``hello``: ``*.hello`` files, one greeting per line, one article per line;
* a tag: any article whose text greets someone gets the keyword ``greeting``;
* an exporter ``hello:PATH``: one ``id<TAB>first words`` line per article, written atomically;
* a command: ``ingest hello NAME``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import typer

from ingest import (
    Article,
    ArticleSource,
    Config,
    Exporter,
    FileExporter,
    Settings,
    Source,
    SourceError,
    SourceKind,
    Tag,
    Target,
    TargetKind,
    hookimpl,
)

_GREETING = re.compile(r"\b(hello|hi|hey|good (morning|evening))\b", re.IGNORECASE)


@hookimpl
def ingest_add_settings(settings: Settings) -> None:
    settings.add("hello.keyword", "greeting", "The keyword given to articles that greet.")


@hookimpl
def ingest_register_commands(app: typer.Typer) -> None:
    @app.command()
    def hello(name: str = "world") -> None:
        """Say hello from a third-party plugin."""
        typer.echo(f"Hello, {name}, from ingest-hello!")


@hookimpl
def ingest_source_kinds() -> list[SourceKind]:
    return [SourceKind("hello", "greetings, one per line", suffixes=(".hello",))]


@hookimpl
def ingest_target_kinds() -> list[TargetKind]:
    # Appends with checkpoints in runs on state (AppendingHelloExporter): exactly once.
    return [
        TargetKind(
            "hello", "one id<TAB>first words line per article (hello:PATH)", exactly_once=True
        )
    ]


@hookimpl
def ingest_detect_kind(location: str, head: bytes) -> str | None:
    return "hello" if location.endswith(".hello") else None


@hookimpl
def ingest_fetch(source: Source, config: Config) -> Iterator[Article]:
    # Called only for the kinds ingest_source_kinds declares: "hello".
    return _greetings(source)


def _greetings(source: Source) -> Iterator[Article]:
    try:
        lines = Path(source.location).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(source.label(), f"cannot read: {exc}") from None
    for number, line in enumerate(lines, start=1):
        if line.strip():
            yield Article(
                source=ArticleSource(
                    kind="hello",
                    location=source.location,
                    origin_id=f"{Path(source.location).name}:{number}",
                ),
                text=line,
            )


@hookimpl
def ingest_tag(article: Article, config: Config) -> list[Tag] | None:
    if _GREETING.search(article.text):
        return [Tag("keyword", config.get("hello.keyword"), 1.0)]
    return None


def _line(article: Article) -> str:
    return f"{article.id}\t{' '.join(article.text.split()[:5])}\n"


class HelloExporter(FileExporter):
    """A one-off run: written beside the target and moved into place at the end."""

    def write(self, article: Article) -> None:
        self.stream.write(_line(article))


class AppendingHelloExporter(Exporter):
    """A run on state: appends; a checkpoint is the file's length once it is on disk, and
    recovering cuts off what a killed run wrote after it. Each article lands once."""

    incremental = True

    def __init__(self, path: Path) -> None:
        self.stream = path.open("a", encoding="utf-8")

    def write(self, article: Article) -> None:
        self.stream.write(_line(article))

    def checkpoint(self) -> str:
        self.stream.flush()
        os.fsync(self.stream.fileno())
        return str(os.fstat(self.stream.fileno()).st_size)

    def recover(self, checkpoint: str | None) -> str | None:
        size = os.fstat(self.stream.fileno()).st_size
        if checkpoint is None or size <= int(checkpoint):
            return None
        os.truncate(self.stream.fileno(), int(checkpoint))
        return f"{self.label}: cut back to its last commit; those articles come again now"

    def close(self) -> None:
        self.checkpoint()
        self.stream.close()

    def abort(self) -> None:
        self.stream.close()


@hookimpl
def ingest_export(target: Target, config: Config) -> Exporter | None:
    if target.scheme != "hello":
        return None
    if target.incremental:
        return AppendingHelloExporter(Path(target.location))
    return HelloExporter(Path(target.location))
