"""Another process holding a state's lock, for the tests of overlapping runs."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import REPO

_HOLDER = """
import sys, time
from pathlib import Path
from ingest.state.lock import StateLock
lock = StateLock(Path(sys.argv[1]), 0)
lock.acquire()
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
lock.release()
time.sleep(60)
"""


@contextmanager
def lock_holder(state: Path, release_after: float = 60.0) -> Iterator[subprocess.Popen[str]]:
    """A child process that takes the lock of ``state`` (yielded once it holds it), releases
    it after ``release_after`` seconds, and lives on until the block ends (or is killed)."""
    child = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(state), str(release_after)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    try:
        assert child.stdout.readline().strip() == "locked"
        yield child
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
        child.stdout.close()
