"""Measuring a piece of work in a child forked from the benchmark process: every contender
starts from the same parent (modules imported, files in the page cache), and the child's
own peak memory comes from ``wait4``."""

from __future__ import annotations

import json
import os
import time
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def run_forked(work: Callable[[T], Any], argument: T) -> tuple[Any, float, float] | None:
    """Run ``work(argument)`` in a forked child: (what it returns, as JSON carries it;
    seconds; peak RSS MiB), or None when the child dies."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: measure, report, leave without running the parent's cleanup
        os.close(read)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            started = time.perf_counter()
            result = work(argument)
            seconds = time.perf_counter() - started
        with os.fdopen(write, "w") as pipe:
            json.dump([result, seconds], pipe)
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        report = pipe.read()
    _, status, usage = os.wait4(pid, 0)
    if not report or os.waitstatus_to_exitcode(status) != 0:
        return None
    result, seconds = json.loads(report)
    return result, seconds, usage.ru_maxrss / 1024


def measure(work: Callable[[T], int], argument: T) -> tuple[int, float, float]:
    """Run ``work(argument)`` in a forked child: (items it reports, seconds, peak RSS MiB)."""
    done = run_forked(work, argument)
    if done is None:
        raise SystemExit(f"{work.__name__} failed in its child process")
    items, seconds, peak = done
    return int(items), seconds, peak
