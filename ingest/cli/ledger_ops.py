"""The work of ``ingest status`` and ``ingest dead-letters list|retry|purge``, loaded when
one of them runs: the ledger, the state's lock and the config file are no cost to the other
commands. :mod:`ingest.cli.ledger` declares the commands and their options."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pluggy
import typer

from ingest.cli.exits import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from ingest.cli.reporter import Reporter
from ingest.cli.state import check_exactly_once, check_targets
from ingest.errors import UsageError, inert
from ingest.locations import NO_SUFFIXES, Target, parse_target, split_kind
from ingest.pipeline import Pipeline
from ingest.state.configfile import ProjectConfig, load_config, parse_interval, resolve_target
from ingest.state.ledger import Ledger
from ingest.state.lock import StateLock, is_held
from ingest.state.records import DeadLetter, SourceState, now, stamp
from ingest.state.run import StatefulRun

DEFAULT_CONFIG = Path("ingest.toml")


def _state_from(
    config: Path | None, state: Path | None, suffixes: Mapping[str, str] = NO_SUFFIXES
) -> tuple[Path, ProjectConfig | None]:
    """The state file named by ``--state``, the config, or ``./ingest.toml``."""
    if config is None and state is None and DEFAULT_CONFIG.exists():
        config = DEFAULT_CONFIG
    project = load_config(config, suffixes) if config else None
    path = state or (project.state if project else None)
    if path is None:
        raise UsageError("give -c ingest.toml or --state PATH (no ingest.toml here)")
    return path, project


def _open_existing(path: Path, *, readonly: bool = False) -> Ledger:
    if not path.exists():
        raise UsageError(f"no state at {path}: no run on state has happened yet")
    return Ledger(path, readonly=readonly)


def _source_rows(ledger: Ledger, project: ProjectConfig | None) -> list[dict[str, Any]]:
    known = {state.name: state for state in ledger.sources()}
    names = [s.name for s in project.sources] if project else []
    names += [name for name in sorted(known) if name not in names]
    moment = now()
    configured_names = {s.name for s in project.sources} if project else set(known)
    rows = []
    for name in names:
        state = known.get(name)
        configured = name in configured_names
        if state is None:
            rows.append({"source": name, "status": "never fetched", "configured": True})
            continue
        rows.append(_row(state, moment, configured))
    return rows


def _row(state: SourceState, moment: datetime, configured: bool) -> dict[str, Any]:
    original = split_kind(state.configured)[1]
    if state.failures:
        status = f"failing ({state.failures}x)"
    else:
        status = state.last_status or "never fetched"
    return {
        "source": state.name,
        "status": status,
        "location": state.location,
        "moved_from": original if state.location != original else None,
        "last_success": stamp(state.last_success),
        "last_attempt": stamp(state.last_attempt),
        "failures": state.failures,
        "last_error": state.last_error,
        "next_fetch": stamp(state.next_fetch) if not state.due(moment) else "next run",
        "articles": state.articles,
        "configured": configured,
    }


def show_status(
    config: Path | None, state: Path | None, suffixes: Mapping[str, str], *, as_json: bool
) -> int:
    """``ingest status``: print the state's sources; the exit code."""
    try:
        path, project = _state_from(config, state, suffixes)
        ledger = _open_existing(path, readonly=True)
    except UsageError as exc:
        typer.echo(f"error: {exc}", err=True)
        return EXIT_USAGE
    try:
        rows = _source_rows(ledger, project)
        letters = ledger.dead_letter_count()
        waiting = ledger.outbox_size()
        last = ledger.last_run()
        retry = ledger.last_run("retry")
        total = ledger.article_count()
    finally:
        ledger.close()
    failing = sum(1 for r in rows if str(r.get("status", "")).startswith("failing"))
    killed = last is not None and last["status"] == "running" and not is_held(path)
    if killed and last is not None:
        last["status"] = "killed: it ended without finishing; the next run redoes its rest"
    if as_json:
        report = {
            "state": str(path),
            "last_run": last,
            "last_retry": retry,
            "articles": total,
            "dead_letters": letters,
            "outbox": waiting,
            "sources": rows,
        }
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        totals = {"articles": total, "dead_letters": letters, "outbox": waiting}
        _print_status(path, rows, last, totals, retry)
    return EXIT_FAILED if failing or letters or waiting or killed else EXIT_OK


def list_letters(
    config: Path | None, state: Path | None, suffixes: Mapping[str, str], *, as_json: bool
) -> None:
    """``ingest dead-letters list``: one line (or JSON line) per dead letter."""
    ledger = _ledger_or_exit(config, state, suffixes, readonly=True)
    try:
        count = 0
        for letter in ledger.iter_dead_letters():
            count += 1
            _print_letter(letter, as_json=as_json)
    finally:
        ledger.close()
    if not count and not as_json:
        typer.echo("no dead letters", err=True)


def _print_letter(letter: DeadLetter, *, as_json: bool) -> None:
    if as_json:
        item = letter.item.decode("utf-8", "replace") if letter.item else None
        record = {
            "id": letter.id,
            "created": stamp(letter.created),
            "source": letter.source,
            "stage": letter.stage,
            "plugin": letter.plugin,
            "error": letter.error,
            "item": item,
        }
        typer.echo(json.dumps(record, ensure_ascii=False))
    else:
        typer.echo(
            inert(
                f"{letter.id:>5}  {stamp(letter.created)}  {letter.source}  "
                f"{letter.stage}/{letter.plugin or '-'}  {letter.error}"
            )
        )


def retry_letters(
    pm: pluggy.PluginManager,
    ids: list[int] | None,
    *,
    config: Path | None,
    state: Path | None,
    output: list[str],
    suffixes: Mapping[str, str],
    lock_timeout: float,
) -> int:
    """``ingest dead-letters retry``: ``ids`` (None: all) through the stages again; the exit
    code."""
    try:
        path, project = _state_from(config, state, suffixes)
        specs = [resolve_target(t, Path.cwd(), suffixes) for t in output]
        specs = specs or (project.targets if project else [])
        check_targets(specs, path)
        targets = [parse_target(t, suffixes) for t in specs]
        pipeline = Pipeline(pm, dict(project.settings) if project else {})
        for target in targets:
            check_exactly_once(target, pipeline.target_kinds())
    except UsageError as exc:
        typer.echo(f"error: {exc}", err=True)
        return EXIT_USAGE
    with StateLock(path, lock_timeout):
        ledger = _open_existing(path)
        try:
            return _retry(ledger, pipeline, targets, project, ids)
        finally:
            ledger.close()


def _retry(
    ledger: Ledger,
    pipeline: Pipeline,
    targets: list[Target],
    project: ProjectConfig | None,
    ids: list[int] | None,
) -> int:
    """Retry the dead letters ``ids`` (None: all); the exit code."""
    reporter = Reporter()
    total = ledger.dead_letter_count() if ids is None else len(set(ids))
    missing: list[int] = []
    if ids is not None:
        found = {letter.id for letter in ledger.iter_dead_letters(ids)}
        missing = sorted(set(ids) - found)
        if missing:
            typer.echo(f"error: no dead letters {missing}", err=True)
    run = StatefulRun(pipeline, ledger, targets, on_error=reporter.error, on_notice=reporter.notice)
    letters = ledger.iter_dead_letters(ids)
    summary, done = run.retry(letters, project.sources if project else ())
    message = f"ingest: {len(done)} of {total} dead letters settled"
    if run.refetched:
        names = ", ".join(sorted(run.refetched))
        message += (
            f"; items of {names} that could not be read are read again, with the whole "
            "source, on the next run"
        )
    typer.echo(message, err=True)
    reporter.finish(summary)
    return EXIT_FAILED if summary.failed or missing else EXIT_OK


def purge_letters(
    ids: list[int] | None,
    older_than: str | None,
    config: Path | None,
    state: Path | None,
    suffixes: Mapping[str, str],
) -> int:
    """``ingest dead-letters purge``: delete ``ids`` (None: all, or those older than
    ``older_than``); the exit code."""
    try:
        age = parse_interval(older_than, "--older-than") if older_than else None
    except UsageError as exc:
        typer.echo(f"error: {exc}", err=True)
        return EXIT_USAGE
    ledger = _ledger_or_exit(config, state, suffixes)
    try:
        if ids:
            count = ledger.remove_dead_letters(ids)
        else:
            count = ledger.purge_dead_letters(
                now() - timedelta(seconds=age) if age is not None else None
            )
    finally:
        ledger.close()
    typer.echo(f"ingest: {count} dead letter{'s' if count != 1 else ''} deleted", err=True)
    return EXIT_OK


def _ledger_or_exit(
    config: Path | None,
    state: Path | None,
    suffixes: Mapping[str, str],
    *,
    readonly: bool = False,
) -> Ledger:
    try:
        path, _ = _state_from(config, state, suffixes)
        return _open_existing(path, readonly=readonly)
    except UsageError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None


def _count(n: object, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _print_status(
    path: Path,
    rows: list[dict[str, Any]],
    last: dict[str, Any] | None,
    totals: dict[str, int],
    retry: dict[str, Any] | None = None,
) -> None:
    typer.echo(f"state: {path}")
    if last:
        typer.echo(
            f"last run: {last['started']} ({last['status']}): "
            f"{_count(last['articles'], 'article')} exported, {last['unchanged']} unchanged, "
            f"{last['not_modified']} not modified, {_count(last['failures'], 'failure')}"
        )
    if retry and (last is None or retry["id"] > last["id"]):
        typer.echo(
            f"last retry of dead letters: {retry['started']} ({retry['status']}): "
            f"{_count(retry['articles'], 'article')} delivered, "
            f"{_count(retry['failures'], 'failure')}"
        )
    typer.echo(
        f"articles known: {totals['articles']:,} · dead letters: {totals['dead_letters']} · "
        f"waiting for a target: {totals['outbox']}\n"
    )
    # EXPORTED counts deliveries, updates included; "articles known" counts distinct ids.
    headers = ("SOURCE", "STATUS", "LAST SUCCESS", "NEXT FETCH", "EXPORTED")
    table = [
        (
            r["source"],
            r["status"],
            r.get("last_success") or "never",
            r.get("next_fetch") or "next run",
            str(r.get("articles", 0)),
        )
        for r in rows
    ]
    widths = [max(len(h), *(len(row[i]) for row in table)) for i, h in enumerate(headers)]
    typer.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in table:
        typer.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    for r in rows:
        if r.get("last_error"):
            typer.echo("\n" + inert(f"{r['source']}: {r['last_error']}"))
        if r.get("moved_from"):
            typer.echo(f"\n{r['source']}: moved from {r['moved_from']} to {r['location']}")
        if r.get("configured") is False:
            typer.echo(f"\n{r['source']}: in the state but no longer in the config")
