"""Run the real ``ingest run`` on mutated inputs and check the CLI contract (issue 10):

* exit code 0 or 1, never 3 (internal error) or a crash, within a time bound;
* stderr: only ``error:``/``warning:``/``ingest:`` lines, one per error (their count is the
  summary's failure count), each naming the input it is about, with no traceback, no Python
  exception class name and no control character;
* stdout: JSON Lines (strict: orjson, which refuses NaN and lone surrogates), every line
  an article the schema accepts, from one of the inputs;
* the known-good control inputs of the run are exported all the same;
* nothing an external entity could pull in (our marker file) reaches the output.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import orjson

from ingest.schema import article_errors
from tests.fuzzing.mutate import Case
from tests.fuzzing.tokens import SECRET_MARKER, SECRET_NAME

#: The tag plugins are slow and read no input format: off except in ``all_plugins`` runs.
FAST_ENV = {"INGEST_DISABLE_PLUGINS": "language,entities,quotes,keywords"}
#: Seconds one input may take: generous, this catches hangs, not slowness.
SECONDS_PER_INPUT = 10.0
#: Seconds for the interpreter and plugins to start, on a busy two-core machine.
STARTUP_SECONDS = 20.0

CONTROL_TEXT_NAME = "control.txt"
CONTROL_TITLE = "Fuzz control: lighthouse keeper retires"
CONTROL_TEXT = f"{CONTROL_TITLE}\n\nThe keeper of the north lighthouse retired on Friday.\n"
CONTROL_FEED_NAME = "control.rss"
CONTROL_URL = "https://control.example.org/fuzz/lighthouse"
CONTROL_FEED = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Fuzz control feed</title><link>https://control.example.org/</link>
<item><title>Lighthouse keeper retires</title><link>{CONTROL_URL}</link>
<guid>{CONTROL_URL}</guid><pubDate>Fri, 01 Mar 2024 09:00:00 +0000</pubDate>
<description>The keeper of the north lighthouse retired on Friday.</description></item>
</channel></rss>
"""

_CASE_ID = re.compile(r"f(\d{5})-")
_EXCEPTION = re.compile(
    r"\b(?:[A-Z][A-Za-z]*(?:Error|Exception|Warning)|KeyboardInterrupt|StopIteration)\b"
)
_PREFIXES = ("error: ", "warning: ", "ingest: ")
_SUMMARY = re.compile(r"^ingest: .*\b([\d,]+) failures? in [\d.]+ s$")


@dataclass(frozen=True)
class Violation:
    """One broken promise: which rule, what was seen, and the cases it is pinned on
    (empty when it could not be pinned on one input)."""

    rule: str
    detail: str
    cases: tuple[int, ...] = ()

    def signature(self) -> str:
        """The rule and the detail with file names and numbers blurred, to group alike."""
        detail = re.sub(r"f\d{5}-[^\s'\":]*", "FILE", self.detail)
        return f"{self.rule}: " + re.sub(r"\d+", "N", detail)[:160]


@dataclass(frozen=True)
class Outcome:
    """What one ``ingest run`` did."""

    argv: list[str]
    code: int | None  # None: killed after the time bound
    stdout: bytes
    stderr: bytes
    seconds: float


def _shown(text: str, folder: Path, limit: int = 300) -> str:
    text = text.replace(str(folder), "DIR")
    return repr(text if len(text) <= limit else text[:limit] + "...")


def write_inputs(folder: Path, cases: Sequence[Case]) -> list[str]:
    """Write the cases, the two controls and the marker file; return the locations."""
    (folder / SECRET_NAME).write_text(SECRET_MARKER + "\n", encoding="utf-8")
    (folder / CONTROL_TEXT_NAME).write_text(CONTROL_TEXT, encoding="utf-8")
    (folder / CONTROL_FEED_NAME).write_text(CONTROL_FEED, encoding="utf-8")
    for case in cases:
        (folder / case.name).write_bytes(case.data)
    # The controls come last: everything before them must not stop the run.
    return [case.location(folder) for case in cases] + [
        str(folder / CONTROL_TEXT_NAME),
        str(folder / CONTROL_FEED_NAME),
    ]


def run_ingest(folder: Path, locations: list[str], *, all_plugins: bool) -> Outcome:
    """``python -m ingest run LOCATIONS`` in ``folder`` (external entities resolve there)."""
    argv = [sys.executable, "-m", "ingest", "run", *locations]
    env = {**os.environ, **({} if all_plugins else FAST_ENV)}
    if all_plugins:
        env.pop("INGEST_DISABLE_PLUGINS", None)
    timeout = STARTUP_SECONDS + SECONDS_PER_INPUT * len(locations)
    started = time.perf_counter()
    try:
        done = subprocess.run(
            argv, check=False, cwd=folder, env=env, capture_output=True, timeout=timeout
        )
    except subprocess.TimeoutExpired as exc:
        took = time.perf_counter() - started
        return Outcome(argv, None, exc.stdout or b"", exc.stderr or b"", took)
    return Outcome(argv, done.returncode, done.stdout, done.stderr, time.perf_counter() - started)


def _pinned(text: str, indices: set[int]) -> tuple[int, ...]:
    return tuple(sorted({int(n) for n in _CASE_ID.findall(text)} & indices))


def _bad_char(line: str) -> str | None:
    for char in line:
        if (unicodedata.category(char) == "Cc" and char != "\t") or char in "\u2028\u2029":
            return f"U+{ord(char):04X}"
    return None


def _check_line(line: str, folder: Path, cases: tuple[int, ...]) -> list[Violation]:
    shown = _shown(line, folder)
    found = []
    if not line.startswith(_PREFIXES):
        found.append(Violation("stray-stderr-line", shown, cases))
    if "Traceback" in line or _EXCEPTION.search(line):
        found.append(Violation("exception-name-in-message", shown, cases))
    if bad := _bad_char(line):
        found.append(Violation("control-character-in-message", f"{bad} in {shown}", cases))
    return found


def check_stderr(outcome: Outcome, folder: Path, indices: set[int]) -> list[Violation]:
    """The stderr rules, the exit code, and one line per failure."""
    try:
        text = outcome.stderr.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [Violation("stderr-not-utf8", str(exc))]
    found: list[Violation] = []
    errors, last, failures = 0, (), None
    for line in text.split("\n")[:-1] if text.endswith("\n") else text.split("\n"):
        pinned = _pinned(line, indices)
        if line.startswith("error: "):
            errors += 1
            last = pinned
            if not pinned and CONTROL_TEXT_NAME not in line and CONTROL_FEED_NAME not in line:
                found.append(Violation("error-line-names-no-input", _shown(line, folder)))
            elif not pinned:
                found.append(Violation("error-on-control-input", _shown(line, folder)))
        if match := _SUMMARY.match(line):
            failures = int(match[1].replace(",", ""))
        found += _check_line(line, folder, pinned or last)
    tail = _shown(text[-400:], folder, 400)
    if outcome.code not in (0, 1):
        found.append(Violation("exit-code", f"exit {outcome.code}; stderr ends {tail}"))
    elif failures is None:
        found.append(Violation("summary-missing", f"stderr ends {tail}"))
    elif outcome.code == 0 and errors:
        found.append(Violation("exit-0-with-errors", f"{errors} error lines"))
    elif outcome.code == 1 and not errors:
        found.append(Violation("exit-1-without-error-line", f"stderr ends {tail}"))
    elif failures != errors:
        found.append(Violation("error-lines-not-one-per-failure", f"{errors} for {failures}"))
    return found


def _check_record(raw: bytes, folder: Path, indices: set[int]) -> tuple[Any, list[Violation]]:
    shown = _shown(raw.decode("utf-8", "replace"), folder)
    try:
        record = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return None, [Violation("stdout-not-json", f"{exc}: {shown}", _pinned(shown, indices))]
    source = record.get("source") if isinstance(record, dict) else None
    location = str(source.get("location")) if isinstance(source, dict) else ""
    pinned = _pinned(location, indices)
    found = [Violation("schema", f"{p}: {shown}", pinned) for p in article_errors(record)[:3]]
    controls = (str(folder / CONTROL_TEXT_NAME), str(folder / CONTROL_FEED_NAME))
    if not pinned and location not in controls:
        found.append(Violation("article-from-no-input", shown))
    return record, found


def check_stdout(outcome: Outcome, folder: Path, indices: set[int]) -> list[Violation]:
    """Every stdout line a schema-valid article from an input; both controls there."""
    lines = outcome.stdout.split(b"\n")
    found = []
    if lines[-1]:
        found.append(Violation("stdout-last-line-unterminated", _shown(str(lines[-1]), folder)))
    exported: dict[str, dict[str, Any]] = {}
    for raw in lines[:-1]:
        record, problems = _check_record(raw, folder, indices)
        found += problems
        if isinstance(record, dict) and isinstance(record.get("source"), dict):
            exported[str(record["source"].get("location"))] = record
    text = exported.get(str(folder / CONTROL_TEXT_NAME), {})
    if text.get("title") != CONTROL_TITLE:
        found.append(Violation("control-text-not-exported", f"exit {outcome.code}"))
    if exported.get(str(folder / CONTROL_FEED_NAME), {}).get("url") != CONTROL_URL:
        found.append(Violation("control-feed-not-exported", f"exit {outcome.code}"))
    return found


def check(outcome: Outcome, folder: Path, cases: Sequence[Case]) -> list[Violation]:
    """Every contract rule over one run of ``cases``."""
    indices = {case.index for case in cases}
    if outcome.code is None:
        return [Violation("timeout", f"killed after {outcome.seconds:.0f} s")]
    found = check_stderr(outcome, folder, indices) + check_stdout(outcome, folder, indices)
    if SECRET_MARKER.encode() in outcome.stdout + outcome.stderr:
        leaky = tuple(c.index for c in cases if SECRET_NAME.encode() in c.data)
        found.append(Violation("external-entity-resolved", "marker file content in output", leaky))
    return found


def run_cases(cases: Sequence[Case], workdir: Path, *, all_plugins: bool) -> list[Violation]:
    """Write ``cases`` into a fresh folder under ``workdir``, run, check, clean up."""
    folder = Path(tempfile.mkdtemp(prefix="run-", dir=workdir))
    try:
        locations = write_inputs(folder, cases)
        return check(run_ingest(folder, locations, all_plugins=all_plugins), folder, cases)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def isolate(cases: Sequence[Case], workdir: Path, *, all_plugins: bool) -> list[Violation]:
    """Run ``cases`` together; pin what no error line pins by running halves apart."""
    found = run_cases(cases, workdir, all_plugins=all_plugins)
    if len(cases) == 1:
        return [v if v.cases else replace(v, cases=(cases[0].index,)) for v in found]
    loose = [v for v in found if not v.cases]
    if not loose:
        return found
    middle = len(cases) // 2
    parts = isolate(cases[:middle], workdir, all_plugins=all_plugins) + isolate(
        cases[middle:], workdir, all_plugins=all_plugins
    )
    rules = {v.rule for v in parts}
    # What shows only when these inputs run together stays pinned on all of them.
    together = tuple(case.index for case in cases)
    kept = [replace(v, cases=together) for v in loose if v.rule not in rules]
    return _unique([v for v in found if v.cases] + parts + kept)


def _unique(violations: list[Violation]) -> list[Violation]:
    seen: dict[tuple[str, tuple[int, ...]], Violation] = {}
    for violation in violations:
        seen.setdefault((violation.signature(), violation.cases), violation)
    return list(seen.values())
