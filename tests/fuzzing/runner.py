"""Drive many cases through the CLI in batches and report what broke, grouped by kind."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.fuzzing.contract import Violation, isolate
from tests.fuzzing.mutate import Case, make_case
from tests.fuzzing.seeds import Group


@dataclass
class Findings:
    """What a fuzz run found: violations, and the cases they are pinned on."""

    seed: int
    #: Whether the shared corpora seeded the cases (case numbers mean other inputs without).
    corpus: bool = True
    cases: dict[int, Case] = field(default_factory=dict)
    violations: list[Violation] = field(default_factory=list)
    #: Case indices run with every plugin on.
    all_plugins: set[int] = field(default_factory=set)

    def distinct(self) -> dict[str, list[Violation]]:
        """Violations grouped by signature (rule and blurred detail), first found first."""
        groups: dict[str, list[Violation]] = {}
        for violation in self.violations:
            groups.setdefault(violation.signature(), []).append(violation)
        return groups

    def reproduce(self, index: int) -> str:
        """The command that runs one case again, alone."""
        case = self.cases[index]
        if not case.group.seeds:  # a template case: only its saved input reproduces it
            return f"ingest run {case.group.kind}:FILE (FILE: its saved input)"
        flags = " --all-plugins" if index in self.all_plugins else ""
        flags += "" if self.corpus else " --no-corpus"
        return f"python -m tests.fuzzing --seed {self.seed} --case {index}{flags}"

    def report(self, limit: int = 3) -> str:
        """A readable account: each distinct failure, a few cases and how to rerun them."""
        lines = []
        for signature, found in self.distinct().items():
            lines.append(f"* {signature}  ({len(found)}x)")
            for violation in found[:limit]:
                lines.append(f"    {violation.detail[:400]}")
                for index in violation.cases[:3]:
                    if index in self.cases:
                        lines.append(f"    - {self.cases[index].describe()[:400]}")
                        lines.append(f"      rerun: {self.reproduce(index)}")
        return "\n".join(lines)


def batches(seed: int, indices: Sequence[int], groups: list[Group], size: int) -> list[list[Case]]:
    """The cases of ``indices``, made and cut into batches of ``size``."""
    cases = [make_case(seed, index, groups) for index in indices]
    return [cases[start : start + size] for start in range(0, len(cases), size)]


def fuzz(
    seed: int,
    workdir: Path,
    plan: list[tuple[list[Case], bool]],
    on_batch: Callable[[int, list[Violation]], None] | None = None,
    *,
    corpus: bool = True,
) -> Findings:
    """Run each ``(cases, all_plugins)`` batch of ``plan`` and collect the violations."""
    findings = Findings(seed, corpus)
    for number, (cases, all_plugins) in enumerate(plan):
        findings.cases.update((case.index, case) for case in cases)
        if all_plugins:
            findings.all_plugins.update(case.index for case in cases)
        found = isolate(cases, workdir, all_plugins=all_plugins)
        findings.violations += found
        if on_batch is not None:
            on_batch(number, found)
    return findings


def save_failures(findings: Findings, folder: Path) -> list[Path]:
    """Write each failing case's input and a note (recipe, violations, command) to ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for index in sorted({i for v in findings.violations for i in v.cases}):
        case = findings.cases[index]
        path = folder / re.sub(r"[^A-Za-z0-9._-]", "_", case.name)  # no newline, no escape
        path.write_bytes(case.data)
        note = {
            "case": case.describe(),
            "kind": case.group.kind,
            "forced_kind": case.forced,
            "rerun": findings.reproduce(index),
            "violations": [
                {"rule": v.rule, "detail": v.detail}
                for v in findings.violations
                if index in v.cases
            ],
        }
        path.with_name(path.name + ".json").write_text(
            json.dumps(note, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        written.append(path)
    return written
