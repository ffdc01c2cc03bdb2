"""Benchmark: ``ingest run`` over N synthetic plain-text articles, against the floor.

The floor reads the same files and writes them with ``json.dumps``, nothing else. Each
measurement runs in a fresh child process, whose peak RSS comes from ``wait4``, so the
numbers do not leak into each other. Run from the repository root::

    python -m benchmarks.bench_core                  # 2,000 and 20,000 articles
    python -m benchmarks.bench_core --sizes 500      # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.corpus import write_corpus
from ingest.summary import STAGES as STAGE_NAMES

FLOOR = r"""
import json, os, sys
root, out = sys.argv[1], sys.argv[2]
with open(out, "w", encoding="utf-8") as sink:
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(folder, name)
            with open(path, "rb") as handle:
                text = handle.read().decode("utf-8")
            sink.write(json.dumps({"location": path, "text": text}, ensure_ascii=False) + "\n")
"""

STAGES = r"""
import json, sys
from ingest import Pipeline, get_plugin_manager
from ingest.engine import run_once
from ingest.locations import parse_target
target = parse_target("jsonl:" + sys.argv[2])
summary = run_once(Pipeline(get_plugin_manager()), [sys.argv[1]], [target])
stages = dict(summary.stage_seconds, other=summary.seconds - sum(summary.stage_seconds.values()))
print(json.dumps({"articles": summary.articles, "stages": stages}))
"""


def measure(cmd: list[str]) -> tuple[float, float, str]:
    """Run ``cmd``; return (seconds, peak RSS in MiB, stdout)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    out = proc.stdout.read() if proc.stdout else ""
    err = proc.stderr.read() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(cmd)}\n{err}")
    return seconds, usage.ru_maxrss / 1024, out


def bench(size: int, workdir: Path) -> dict[str, float]:
    corpus = workdir / f"corpus-{size}"
    for _ in write_corpus(corpus, size):
        pass
    megabytes = sum(p.stat().st_size for p in corpus.rglob("*.txt")) / 1e6
    python = sys.executable
    ingest_s, ingest_mb, _ = measure(
        [python, "-m", "ingest", "run", str(corpus), "-o", str(workdir / "out.jsonl"), "-q"]
    )
    floor_s, floor_mb, _ = measure([python, "-c", FLOOR, str(corpus), str(workdir / "floor.jsonl")])
    _, _, stages_out = measure([python, "-c", STAGES, str(corpus), str(workdir / "stages.jsonl")])
    stages = json.loads(stages_out)
    lines = sum(1 for _ in (workdir / "out.jsonl").open(encoding="utf-8"))
    if lines != size or stages["articles"] != size:
        raise SystemExit(f"expected {size} articles, ingest exported {lines}")
    return {
        "size": size,
        "megabytes": megabytes,
        "ingest_rate": size / ingest_s,
        "ingest_mb": ingest_mb,
        "floor_rate": size / floor_s,
        "floor_mb": floor_mb,
        **{f"stage_{k}": v for k, v in stages["stages"].items()},
    }


def main() -> None:
    """Print the benchmark table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,20000", help="comma-separated article counts")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="ingest-bench-") as tmp:
        rows = [bench(size, Path(tmp)) for size in sizes]
    print(f"{'articles':>9} {'MB in':>7} | {'ingest art/s':>12} {'peak MiB':>8} | "
          f"{'json.dumps art/s':>16} {'peak MiB':>8} | {'speed ratio':>11}")  # fmt: skip
    for r in rows:
        print(
            f"{r['size']:>9,} {r['megabytes']:>7.1f} | "
            f"{r['ingest_rate']:>12,.0f} {r['ingest_mb']:>8.1f} | "
            f"{r['floor_rate']:>16,.0f} {r['floor_mb']:>8.1f} | "
            f"{r['ingest_rate'] / r['floor_rate']:>10.3f}x"
        )
    print("\nseconds per stage (in-process run, summed over articles):")
    stages = [*STAGE_NAMES, "other"]
    print(f"{'articles':>9} " + " ".join(f"{s:>8}" for s in stages) + f" {'tag share':>9}")
    for r in rows:
        total = sum(r[f"stage_{s}"] for s in stages)
        print(
            f"{r['size']:>9,} "
            + " ".join(f"{r[f'stage_{s}']:>8.2f}" for s in stages)
            + f" {r['stage_tag'] / total:>9.0%}"
        )
    if len(rows) > 1:
        growth = rows[-1]["ingest_mb"] - rows[0]["ingest_mb"]
        print(
            f"\npeak memory from {rows[0]['size']:,} to {rows[-1]['size']:,} articles: "
            f"{growth:+.1f} MiB"
        )


if __name__ == "__main__":
    main()
