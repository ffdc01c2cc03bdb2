"""Deterministic synthetic plain-text news articles for benchmarks.

Articles are made from a fixed vocabulary with a seeded generator, so every run and every
machine measures the same bytes. A tenth carry an embedded post, a third a byline.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

_WORDS = [
    "council",
    "minister",
    "harbour",
    "bridge",
    "budget",
    "election",
    "storm",
    "market",
    "police",
    "court",
    "school",
    "hospital",
    "railway",
    "river",
    "farmers",
    "workers",
    "union",
    "company",
    "report",
    "study",
    "government",
    "city",
    "region",
    "country",
    "announced",
    "said",
    "approved",
    "rejected",
    "warned",
    "promised",
    "opened",
    "closed",
    "raised",
    "cut",
    "expected",
    "on",
    "in",
    "at",
    "for",
    "with",
    "after",
    "before",
    "during",
    "while",
    "because",
    "although",
    "the",
    "a",
    "an",
    "of",
    "to",
    "and",
    "but",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "spokesperson",
    "president",
    "mayor",
    "director",
    "officials",
    "percent",
    "million",
    "billion",
    "year",
    "month",
    "week",
    "people",
    "residents",
    "families",
    "prices",
    "taxes",
    "plans",
]
_NAMES = (
    "Ana Lindqvist",
    "Tomas Berg",
    "Priya Natarajan",
    "Hugo Brandt",
    "Mirela Sousa",
    "Jos Almeida",
)


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 24))]
    return " ".join(words).capitalize() + "."


def article_text(index: int) -> str:
    """The text of synthetic article ``index`` (about 2-4 KB)."""
    rng = random.Random(index)
    lines = [" ".join(rng.choice(_WORDS) for _ in range(rng.randint(4, 9))).capitalize(), ""]
    if index % 3 == 0:
        lines += [f"By {rng.choice(_NAMES)}", ""]
    for paragraph in range(rng.randint(6, 14)):
        lines.append(" ".join(_sentence(rng) for _ in range(rng.randint(1, 4))))
        if index % 10 == 0 and paragraph == 2:
            handle = rng.choice(_NAMES).split()[0].lower()
            lines.append(_sentence(rng))
            lines.append(f"— {rng.choice(_NAMES)} (@{handle}) March {rng.randint(1, 28)}, 2024")
    return "\n".join(lines) + "\n"


def write_corpus(directory: Path, count: int, per_folder: int = 1000) -> Iterator[Path]:
    """Write ``count`` articles below ``directory`` (``per_folder`` to a sub-folder)."""
    for index in range(count):
        folder = directory / f"{index // per_folder:04}"
        if index % per_folder == 0:
            folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{index:07}.txt"
        path.write_text(article_text(index), encoding="utf-8")
        yield path
