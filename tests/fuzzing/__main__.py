"""The fuzzer at length, or one case again::

    python -m tests.fuzzing --cases 5000 --seed 7 --out fuzz-failures/
    python -m tests.fuzzing --seed 7 --case 1234          # rerun one case, show everything
    python -m tests.fuzzing --seed 7 --case 1234 --save case-dir/   # keep its input files

Runs one CLI at a time (the machine is shared); ``--batch`` inputs per run.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from tests.fuzzing.contract import check, run_ingest, write_inputs
from tests.fuzzing.mutate import make_case
from tests.fuzzing.runner import batches, fuzz, save_failures
from tests.fuzzing.seeds import CORPUS, GROUP_NAMES, MAX_SEED_BYTES, load_groups, seed_dirs


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzzing", description=__doc__)
    parser.add_argument("--cases", type=int, default=500, help="how many cases (default 500)")
    parser.add_argument("--start", type=int, default=0, help="first case number")
    parser.add_argument("--seed", type=int, help="run seed (default: a random one, printed)")
    parser.add_argument("--case", type=int, action="append", help="rerun this case alone")
    parser.add_argument("--save", type=Path, help="with --case: write its inputs here")
    parser.add_argument("--batch", type=int, default=8, help="inputs per CLI run (default 8)")
    parser.add_argument("--all-plugins", action="store_true", help="every plugin on, always")
    parser.add_argument(
        "--all-plugins-every", type=int, default=5, help="every Nth batch runs all plugins"
    )
    parser.add_argument("--out", type=Path, help="folder for failing inputs")
    parser.add_argument("--no-corpus", action="store_true", help="seed from samples/ only")
    parser.add_argument("--group", action="append", choices=GROUP_NAMES, help="only these")
    parser.add_argument("--max-seed-bytes", type=int, default=MAX_SEED_BYTES)
    return parser.parse_args(argv)


def _show_case(args: argparse.Namespace, index: int, groups: list, workdir: Path) -> int:
    case = make_case(args.seed, index, groups)
    folder = args.save or Path(tempfile.mkdtemp(prefix=f"case-{index}-", dir=workdir))
    folder.mkdir(parents=True, exist_ok=True)
    locations = write_inputs(folder, [case])
    outcome = run_ingest(folder, locations, all_plugins=args.all_plugins)
    print(case.describe())
    print("$ cd", folder, "&& ingest run", " ".join(repr(loc) for loc in locations))
    print(f"exit {outcome.code} in {outcome.seconds:.1f} s\n--- stderr")
    print(outcome.stderr.decode("utf-8", "backslashreplace").rstrip())
    print("--- stdout (first 2000 bytes)")
    print(outcome.stdout[:2000].decode("utf-8", "backslashreplace").rstrip())
    found = check(outcome, folder, [case])
    print("--- contract:", "kept" if not found else "")
    for violation in found:
        print(f"  {violation.rule}: {violation.detail}")
    return 1 if found else 0


def main(argv: list[str] | None = None) -> int:
    """Run the fuzzer; exit 1 when any case broke the contract."""
    args = _arguments(argv)
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1_000_000)
    corpus = not args.no_corpus and CORPUS.is_dir()
    groups = load_groups(seed_dirs(corpus=corpus), args.max_seed_bytes)
    if args.group:
        groups = [group for group in groups if group.name in args.group]
    print(f"seed {args.seed}; corpus {'used' if corpus else 'not used'}; groups:", end=" ")
    print(", ".join(f"{g.name} ({len(g.seeds)})" for g in groups), flush=True)
    with tempfile.TemporaryDirectory(prefix="ingest-fuzz-") as tmp:
        if args.case:
            return max(_show_case(args, index, groups, Path(tmp)) for index in args.case)
        indices = range(args.start, args.start + args.cases)
        every = max(1, args.all_plugins_every)
        plan = [
            (cases, args.all_plugins or number % every == every - 1)
            for number, cases in enumerate(batches(args.seed, indices, groups, args.batch))
        ]
        started = time.perf_counter()

        def progress(number: int, found: list) -> None:
            done = min(len(indices), (number + 1) * args.batch)
            took = time.perf_counter() - started
            print(f"  {done}/{len(indices)} cases, {took:.0f} s, +{len(found)} violations")

        findings = fuzz(args.seed, Path(tmp), plan, progress, corpus=corpus)
    print(f"\n{len(findings.violations)} violations, {len(findings.distinct())} distinct")
    print(findings.report())
    if findings.violations:
        out = args.out or Path(f"fuzz-failures-{args.seed}")
        written = save_failures(findings, out)
        print(f"\n{len(written)} failing inputs (with notes) written to {out}/")
    return 1 if findings.violations else 0


if __name__ == "__main__":
    sys.exit(main())
