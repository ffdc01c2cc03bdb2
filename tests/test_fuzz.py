"""Fuzzing (issue 10): every reader, fed damaged and hostile input through the real CLI, keeps
the contract: exit 0 or 1, one plain line per error, valid article JSON Lines, and the other
inputs of the run still exported. See tests/fuzzing/contract.py for the rules.

The default pass is brief and fixed-seed. At length::

    INGEST_FUZZ_CASES=2000 INGEST_FUZZ_SEED=7 python -m pytest tests/test_fuzz.py
    python -m tests.fuzzing --cases 5000 --seed 7 --out fuzz-failures/
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.fuzzing import tokens as T
from tests.fuzzing.contract import CONTROL_TEXT, Outcome, check, isolate
from tests.fuzzing.mutate import Case
from tests.fuzzing.runner import Findings, batches, fuzz, save_failures
from tests.fuzzing.seeds import Group, load_groups, seed_dirs
from tests.fuzzing.templates import JSON_TEMPLATES, set_path, sweep_cases

SEED = int(os.environ.get("INGEST_FUZZ_SEED", "20261202"))
#: Mutated cases in all: the first 16 from samples/, the rest from the shared corpora.
CASES = max(16, int(os.environ.get("INGEST_FUZZ_CASES", "48")))
BATCH = 8
SAMPLE_CASES = 16
CORPUS_BATCHES = -(-(CASES - SAMPLE_CASES) // BATCH)


def _assert_kept(findings: Findings, tmp_path: Path) -> None:
    if findings.violations:
        saved = save_failures(findings, tmp_path / "failures")
        pytest.fail(
            f"{len(findings.violations)} contract violations (seed {findings.seed}; "
            f"inputs in {saved[0].parent if saved else '-'}):\n{findings.report()}",
            pytrace=False,
        )


@pytest.mark.parametrize("number", range(SAMPLE_CASES // BATCH))
def test_mutated_samples_keep_the_contract(number: int, tmp_path: Path) -> None:
    groups = load_groups(seed_dirs(corpus=False))
    assert len(groups) == 8, "samples/ should seed every reader kind"
    start = number * BATCH
    (cases,) = batches(SEED, range(start, start + BATCH), groups, BATCH)
    # One batch with every plugin on: the tag plugins read what the fetchers let through.
    plan = [(cases, number == 1)]
    _assert_kept(fuzz(SEED, tmp_path, plan, corpus=False), tmp_path)


@pytest.mark.parametrize("number", range(CORPUS_BATCHES))
def test_mutated_corpus_keeps_the_contract(number: int, corpus: Path, tmp_path: Path) -> None:
    groups = load_groups(seed_dirs(corpus=True))
    start = SAMPLE_CASES + number * BATCH
    indices = range(start, min(CASES, start + BATCH))
    (cases,) = batches(SEED, indices, groups, BATCH)
    _assert_kept(fuzz(SEED, tmp_path, [(cases, number % 5 == 4)]), tmp_path)


SWEEP = sweep_cases(start=90_000)


@pytest.mark.parametrize("part", range(3))
def test_every_nasty_token_keeps_the_contract(part: int, tmp_path: Path) -> None:
    """Each token of tests/fuzzing/tokens.py once, planted in a template of its reader."""
    cases = SWEEP[part::3]
    assert {case.group.name for case in cases} >= {"feeds-xml", "tweets-v1", "text"}
    _assert_kept(fuzz(SEED, tmp_path, [(cases, False)]), tmp_path)


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([10**30, -(10**30), 2**63, 2**64]),
    st.floats(),  # NaN and infinities included: json.dumps writes them as Python does
    st.text(st.characters(codec=None, categories=None), max_size=30),  # lone surrogates too
    st.sampled_from([token.decode("utf-8", "surrogateescape") for token in T.DATES]),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)


def _leaf_paths(tree: Any, prefix: str = "") -> list[str]:
    if isinstance(tree, dict):
        items: list[tuple[str, Any]] = list(tree.items())
    elif isinstance(tree, list):
        items = [(str(i), value) for i, value in enumerate(tree)]
    else:
        return [prefix[:-1]]
    paths = [prefix + key for key, _ in items]
    for key, value in items:
        paths += _leaf_paths(value, f"{prefix}{key}.") if isinstance(value, dict | list) else []
    return paths


@st.composite
def _posts(draw: st.DrawFn, index: int) -> Case:
    """A post or JSON Feed template with one field, anywhere, set to an odd JSON value."""
    group, tree, suffix, *_ = draw(st.sampled_from(JSON_TEMPLATES))
    path = draw(st.sampled_from(_leaf_paths(tree)))
    value = draw(_VALUES)
    data = json.dumps(set_path(tree, path, value, prefix=False)).encode()
    kind = "rss" if group == "jsonfeed" else "tweets"
    name = f"f{index:05d}-hypothesis-{group}{suffix}"
    recipe = (f"{path} = {json.dumps(value)[:200]}",)
    return Case(index, Group(group, kind, "json", ()), Path("template"), name, data, recipe, True)


@settings(
    max_examples=int(os.environ.get("INGEST_FUZZ_EXAMPLES", "2")),
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],  # a shrink step is a CLI run: the recipe says enough
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.tuples(*(_posts(95_000 + i) for i in range(10))))
def test_odd_json_values_in_any_field_keep_the_contract(
    tmp_path: Path, cases: tuple[Case, ...]
) -> None:
    """Hypothesis sets one field of each post template to any JSON value (ten per run)."""
    _assert_kept(fuzz(SEED, tmp_path, [(list(cases), False)]), tmp_path)


# The checker itself: each broken promise it must see, on outputs we write.

_FOLDER = Path("/fuzz")
_CASE = Case(
    7, Group("text", "text", "text", ()), Path("seed.txt"), "f00007-text.txt", b"x", (), True
)
_CONTROLS = (
    b'{"schema_version":1,"id":"0123456789abcdef0123456789abcdef","id_basis":"content",'
    b'"url":null,"source":{"kind":"text","name":null,"location":"/fuzz/control.txt",'
    b'"origin_id":null},"title":"Fuzz control: lighthouse keeper retires","summary":null,'
    b'"text":"x","authors":[],"published":null,"updated":null,'
    b'"fetched":"2024-01-01T00:00:00Z","language":null,"tags":[],"quotes":[],"embeds":[],'
    b'"media":[],"links":[],"relations":[],"metrics":{"words":1},'
    b'"content_hash":"0123456789abcdef0123456789abcdef","version":1,"warnings":[],'
    b'"provenance":{"ingest":"0.1.0","fetch":"text","clean":[],"tag":[]},"extra":{}}\n'
)


def _rules(code: int, stderr: str, stdout: bytes = _CONTROLS) -> set[str]:
    outcome = Outcome([], code, stdout, stderr.encode("utf-8", "surrogateescape"), 0.1)
    return {violation.rule for violation in check(outcome, _FOLDER, [_CASE])}


ERR = "error: text:/fuzz/f00007-text.txt: empty file\n"
SUMMARY = "ingest: 3 sources, 2 articles exported, 1 failure in 0.01 s\n"


@pytest.mark.parametrize(
    ("code", "stderr", "rule"),
    [
        (3, "error: internal error: KeyError: 'x' (rerun with --debug)\n", "exit-code"),
        (1, ERR + "Traceback (most recent call last):\n" + SUMMARY, "stray-stderr-line"),
        (1, ERR.replace("empty file", "ValueError: bad") + SUMMARY, "exception-name-in-message"),
        (1, ERR.replace("empty", "\x1b[31mempty") + SUMMARY, "control-character-in-message"),
        (1, ERR + "error: forged\n" + SUMMARY, "error-line-names-no-input"),
        (1, ERR + ERR + SUMMARY, "error-lines-not-one-per-failure"),
        (0, ERR + SUMMARY, "exit-0-with-errors"),
        (1, SUMMARY, "exit-1-without-error-line"),
        (1, ERR, "summary-missing"),
    ],
)
def test_checker_sees_each_broken_stderr_promise(code: int, stderr: str, rule: str) -> None:
    assert rule in _rules(code, stderr)
    assert _rules(1, ERR + SUMMARY) == {"control-feed-not-exported"}  # only the one we left out


@pytest.mark.parametrize(
    ("stdout", "rule"),
    [
        (_CONTROLS + b'{"id": NaN}\n', "stdout-not-json"),
        (_CONTROLS + b'{"title": "\\ud800"}\n', "stdout-not-json"),
        (_CONTROLS + b'{"source": {"location": "/fuzz/f00007-text.txt"}}\n', "schema"),
        (_CONTROLS + b"{", "stdout-last-line-unterminated"),
        (b"", "control-text-not-exported"),
    ],
)
def test_checker_sees_each_broken_stdout_promise(stdout: bytes, rule: str) -> None:
    assert rule in _rules(1, ERR + SUMMARY, stdout)


def test_a_failure_no_error_line_names_is_pinned_on_its_input(tmp_path: Path) -> None:
    """A case with the control's very text takes its id first, so the control goes missing
    with no error line naming anyone: running halves apart pins it on that one case."""
    group = Group("text", "text", "text", ())

    def text(index: int, data: bytes) -> Case:
        return Case(index, group, Path("ours"), f"f{index:05d}-text.txt", data, (), True)

    cases = [text(1, b"Ferry news\n\nThe ferry runs again.\n"), text(99, CONTROL_TEXT.encode())]
    found = isolate(cases, tmp_path, all_plugins=False)
    assert [(v.rule, v.cases) for v in found if v.rule.startswith("control")] == [
        ("control-text-not-exported", (99,))
    ]
