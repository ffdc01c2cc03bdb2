from __future__ import annotations

import os

from ingest.seen import SeenItems


def test_remembers_in_memory_then_on_disk() -> None:
    seen = SeenItems(memory_limit=100)
    for n in range(250):
        seen.put(n.to_bytes(8, "big"), b"v1")
    seen.put((5).to_bytes(8, "big"), b"v2")
    assert seen._db is not None  # spilled to the scratch file
    path = seen._path
    assert path is not None
    assert os.path.exists(path)
    assert seen.get((5).to_bytes(8, "big")) == b"v2"
    assert seen.get((249).to_bytes(8, "big")) == b"v1"
    assert seen.get((999).to_bytes(8, "big")) is None
    seen.close()
    assert not os.path.exists(path)


def test_small_runs_never_touch_the_disk() -> None:
    seen = SeenItems(memory_limit=100)
    seen.put(b"k", b"d")
    assert (seen.get(b"k"), seen._db) == (b"d", None)
    seen.close()


def test_releasing_free_memory_is_safe_to_call() -> None:
    import platform

    from ingest.memory import release_free_memory

    expected = platform.libc_ver()[0] == "glibc"  # malloc_trim is glibc's
    assert release_free_memory() is expected
