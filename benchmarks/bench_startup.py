"""Benchmark: how long commands take to start, against Python itself and a peer's import.

Each command runs ``--runs`` times (7) in a fresh process; the table gives the best and the
median wall time, in seconds. ``python -c pass`` is the floor; ``import feedparser`` is a
peer of similar scope (a feed parser), timed in the same run. Run from the repository root::

    python -m benchmarks.bench_startup              # as this environment runs Python
    python -m benchmarks.bench_startup --bytecode   # with compiled bytecode cached

Where ``PYTHONDONTWRITEBYTECODE`` is set, every module of the repository (an editable
install) is compiled from source at each start; ``--bytecode`` caches the compiled modules
in a temporary ``PYTHONPYCACHEPREFIX`` (filled by one untimed run of each command), as an
installed package would have them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "samples" / "text" / "council-budget-vote.txt"


def commands(out: Path) -> list[tuple[str, list[str]]]:
    """(label, argv) of each command timed, the references first."""
    python = sys.executable
    ingest = str(Path(python).with_name("ingest"))
    run = [ingest, "run", str(SAMPLE), "-q", "-o", f"jsonl:{out}"]
    return [
        ("python -c pass", [python, "-c", "pass"]),
        ("python -c 'import feedparser'", [python, "-c", "import feedparser"]),
        ("python -c 'import ingest'", [python, "-c", "import ingest"]),
        ("ingest --version", [ingest, "--version"]),
        ("ingest --help", [ingest, "--help"]),
        (f"ingest run samples/text/{SAMPLE.name}", run),
    ]


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    """Wall seconds of one run of ``argv`` in ``cwd``, which must succeed."""
    started = time.perf_counter()
    subprocess.run(argv, env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    """Time each command and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per command (7)")
    parser.add_argument("--bytecode", action="store_true", help="cache compiled bytecode")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        if args.bytecode:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        cached = "PYTHONDONTWRITEBYTECODE" not in env
        print(f"bytecode cached: {'yes' if cached else 'no (compiled at each start)'}")
        print(f"{'command':<48} {'best s':>7} {'median s':>9}")
        # Run from an empty folder: `python -c` would import the repository's own ingest/
        # from the current directory, whatever is installed.
        for label, argv in commands(Path(tmp) / "out.jsonl"):
            timed(argv, env, Path(tmp))  # untimed: fills the bytecode cache, warms the disks
            times = [timed(argv, env, Path(tmp)) for _ in range(args.runs)]
            print(f"{label:<48} {min(times):>7.3f} {statistics.median(times):>9.3f}")


if __name__ == "__main__":
    main()
