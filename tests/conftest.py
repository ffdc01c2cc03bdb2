"""Shared fixtures: where the repository, its samples and the shared corpora are."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
SEED = CORPUS / "text" / "xi-zelenskyy-call.txt"


@pytest.fixture
def corpus() -> Path:
    """The read-only shared corpora; tests that need them skip, saying why, when absent."""
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS} (expected beside the repository)")
    return CORPUS


@pytest.fixture
def seed(corpus: Path) -> Path:
    """The seed article: a plain text with an embedded tweet and quoted speech."""
    return corpus / "text" / "xi-zelenskyy-call.txt"
