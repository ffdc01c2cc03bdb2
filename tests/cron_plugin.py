"""A plugin for the tests of runs on state, loaded with ``-p tests.cron_plugin``.

* A tag plugin that fails on articles whose title holds ``POISON`` while the environment
  variable ``CRON_TEST_POISON`` is not ``cured``: dead letters, then their retry.
* A ``flaky:PATH`` target, an appending JSON Lines file like ``jsonl:``, whose writes fail
  while ``CRON_TEST_FLAKY`` is ``fail``: the outbox of a failing target.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ingest import Article, Config, Exporter, Target, TargetKind, hookimpl
from ingest.articlejson import dumps_bytes


@hookimpl
def ingest_tag(article: Article) -> None:
    """Fail on poisoned articles, until cured."""
    if "POISON" in (article.title or "") and os.environ.get("CRON_TEST_POISON") != "cured":
        raise RuntimeError("poisoned article")


class FlakyExporter(Exporter):
    """Appends JSON lines; every write fails while ``CRON_TEST_FLAKY=fail``."""

    incremental = True

    def __init__(self, path: Path) -> None:
        self.stream = path.open("ab")

    def recover(self, checkpoint: str | None) -> str | None:
        """Cut what was written after the last checkpoint."""
        if checkpoint is not None:
            os.truncate(self.stream.fileno(), json.loads(checkpoint)["length"])
        return None

    def write(self, article: Article) -> None:
        """Append a line, or fail."""
        if os.environ.get("CRON_TEST_FLAKY") == "fail":
            raise OSError("disk on fire")
        self.stream.write(dumps_bytes(article) + b"\n")

    def checkpoint(self) -> str:
        """Flush; the length."""
        self.stream.flush()
        return json.dumps({"length": self.stream.tell()})

    def close(self) -> None:
        """Close the file."""
        self.stream.close()

    def abort(self) -> None:
        """Close the file."""
        self.stream.close()


@hookimpl
def ingest_target_kinds() -> list[TargetKind]:
    return [TargetKind("flaky", "fails on demand (CRON_TEST_FLAKY)", exactly_once=True)]


@hookimpl
def ingest_export(target: Target, config: Config) -> Exporter | None:
    """Claim ``flaky:`` targets."""
    return FlakyExporter(Path(target.location)) if target.scheme == "flaky" else None
