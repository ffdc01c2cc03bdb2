"""Benchmark: the tag plugins against the hand-labeled paragraphs of ``tests/labeled``.

Each paragraph becomes a plain-text article that goes through the real pipeline with every
installed plugin; the person, place and organization tags, the quotes and the language it
comes out with are compared with the labels. Run from the repository root::

    python -m benchmarks.bench_tags                # precision, recall, F1, and every error
    python -m benchmarks.bench_tags --table-only   # just the table
    python -m benchmarks.bench_tags --stages       # seconds per stage, 20,000 synthetic articles
    python -m benchmarks.bench_tags --stages --on ../shared/corpus/feeds  # real feed entries
    python -m benchmarks.bench_tags --stages --on ../shared/corpus/feeds --digest tags.jsonl

With ``--stages`` the cost of each tag plugin is printed too, in ms per article. The digest
holds what the tag plugins decided for each article: two runs whose digests are equal tag
alike.

Matching rules (the labeling rules are in ``tests/labeled/README.md``):

* entities: a tag matches a label of the same kind when both are equal after Unicode NFC,
  collapsing white space, case folding and stripping one leading ``"the "``: ``"The
  United Nations"`` matches ``"united nations"``, ``"UN"`` does not. A value counts once
  per paragraph however often it is tagged.
* quotes: a produced quote matches a labeled one when their words (case-folded, punctuation
  ignored) overlap by at least 80% of the shorter of the two, and the speakers match by the
  entity rule (None only matches None). Each labeled quote is matched at most once.
  ``quote text`` scores the text alone; ``quote speaker`` scores only the quotes that name a
  speaker, on both sides: attribution, not extraction.
* language: the primary subtag of ``article.language`` (``pt-BR`` -> ``pt``) against the label.

Entities and quotes are scored on the paragraphs whose entities were labeled (the English
ones); language on all. Scores are micro-averaged: counts are summed over paragraphs first.
Precision over nothing produced, or recall over nothing labeled, is 1 when the other side is
empty too and 0 otherwise, so a plugin that is not written yet scores zero.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import pluggy

from benchmarks.corpus import write_corpus
from ingest import Article, Exporter, Pipeline, Quote, Target, get_plugin_manager, hookimpl
from ingest.engine import run_once
from ingest.locations import parse_target

LABELED = Path(__file__).resolve().parent.parent / "tests" / "labeled" / "paragraphs.jsonl"
#: Tag kind -> the key of its labels in a paragraph record.
ENTITY_KINDS = {"person": "persons", "place": "places", "organization": "organizations"}
ROWS = (*ENTITY_KINDS, "quote", "quote text", "quote speaker", "language")
QUOTE_OVERLAP = 0.8
_SCHEME = "bench-tags"
#: The tag plugins whose tags the digest holds (sources' own tags are left out).
TAGGERS = frozenset({"entities", "quotes", "keywords", "language", "entities_spacy"})


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One labeled paragraph of ``paragraphs.jsonl``."""

    id: str
    language: str
    text: str
    #: Tag kind -> labeled values; empty lists when ``entities_labeled`` is false.
    entities: dict[str, list[str]]
    quotes: list[Quote]
    entities_labeled: bool


@dataclass(frozen=True, slots=True)
class Produced:
    """What the pipeline made of one paragraph."""

    language: str | None = None
    #: Tag kind -> tag values, for the entity kinds only.
    entities: dict[str, list[str]] = field(default_factory=dict)
    quotes: list[Quote] = field(default_factory=list)


@dataclass(slots=True)
class Tally:
    """Counts for one row of the table, and the errors behind them, by paragraph id."""

    labeled: int = 0
    produced: int = 0
    correct: int = 0
    false_positives: list[tuple[str, str]] = field(default_factory=list)
    false_negatives: list[tuple[str, str]] = field(default_factory=list)

    def ratios(self) -> tuple[float, float, float]:
        """Precision, recall and F1 of the summed counts."""
        return ratios(self.correct, self.produced, self.labeled)


def ratios(correct: int, produced: int, labeled: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from counts; see the module docstring for the empty cases."""
    precision = correct / produced if produced else float(labeled == 0)
    recall = correct / labeled if labeled else float(produced == 0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def score(expected: set[str], produced: set[str]) -> tuple[float, float, float]:
    """Precision, recall and F1 of ``produced`` against ``expected`` (exact members).

    Both empty is a perfect score; either one empty alone scores zero.
    """
    return ratios(len(expected & produced), len(produced), len(expected))


def normalize(value: str) -> str:
    """An entity value or speaker as the matching rule compares it."""
    folded = " ".join(unicodedata.normalize("NFC", value).split()).casefold()
    return folded.removeprefix("the ")


def _words(text: str) -> list[str]:
    cleaned = "".join(ch if ch.isalnum() else " " for ch in text.casefold())
    return cleaned.split()


def quote_overlap(a: str, b: str) -> float:
    """The share of the shorter quote's words that the two quotes have in common, in order."""
    words_a, words_b = _words(a), _words(b)
    if not words_a or not words_b:
        return 0.0
    matcher = SequenceMatcher(None, words_a, words_b, autojunk=False)
    shared = sum(block.size for block in matcher.get_matching_blocks())
    return shared / min(len(words_a), len(words_b))


def _same_speaker(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a is b
    return normalize(a) == normalize(b)


def match_quotes(
    expected: Sequence[Quote], produced: Sequence[Quote], *, speaker: bool = True
) -> tuple[list[Quote], list[Quote]]:
    """Pair produced quotes with labeled ones; return (unmatched produced, unmatched labeled).

    Greedy, in the order produced: each takes the best-overlapping labeled quote still free.
    """
    free = list(expected)
    spurious: list[Quote] = []
    for quote in produced:
        candidates = [
            (quote_overlap(quote.text, label.text), index)
            for index, label in enumerate(free)
            if not speaker or _same_speaker(quote.speaker, label.speaker)
        ]
        best = max(candidates, default=(0.0, -1))
        if best[0] >= QUOTE_OVERLAP:
            del free[best[1]]
        else:
            spurious.append(quote)
    return spurious, free


def _show_quote(quote: Quote) -> str:
    text = quote.text if len(quote.text) <= 70 else quote.text[:67] + "..."
    return f"“{text}” — {quote.speaker or '(no speaker)'}"


def _tally_entities(tally: Tally, pid: str, labels: Iterable[str], values: Iterable[str]) -> None:
    expected = {normalize(v): v for v in labels}
    produced: dict[str, str] = {}
    for value in values:
        produced.setdefault(normalize(value), value)
    tally.labeled += len(expected)
    tally.produced += len(produced)
    tally.correct += len(expected.keys() & produced.keys())
    tally.false_positives += [(pid, v) for k, v in produced.items() if k not in expected]
    tally.false_negatives += [(pid, v) for k, v in expected.items() if k not in produced]


def _tally_quotes(
    tally: Tally, pid: str, labels: Sequence[Quote], quotes: Sequence[Quote], *, speaker: bool
) -> None:
    spurious, missed = match_quotes(labels, quotes, speaker=speaker)
    tally.labeled += len(labels)
    tally.produced += len(quotes)
    tally.correct += len(quotes) - len(spurious)
    tally.false_positives += [(pid, _show_quote(q)) for q in spurious]
    tally.false_negatives += [(pid, _show_quote(q)) for q in missed]


def evaluate(paragraphs: Sequence[Paragraph], produced: dict[str, Produced]) -> dict[str, Tally]:
    """One :class:`Tally` per row of :data:`ROWS`; a paragraph missing from ``produced``
    (the pipeline dropped it) counts as nothing produced."""
    tallies = {row: Tally() for row in ROWS}
    for paragraph in paragraphs:
        pid, out = paragraph.id, produced.get(paragraph.id, Produced())
        language = tallies["language"]
        language.labeled += 1
        if out.language is not None:
            language.produced += 1
            if out.language == paragraph.language:
                language.correct += 1
            else:
                language.false_positives.append((pid, f"{out.language} (is {paragraph.language})"))
        if out.language != paragraph.language:
            language.false_negatives.append((pid, f"{paragraph.language} (got {out.language})"))
        if not paragraph.entities_labeled:
            continue
        for kind in ENTITY_KINDS:
            _tally_entities(
                tallies[kind], pid, paragraph.entities[kind], out.entities.get(kind, [])
            )
        labels, quotes = paragraph.quotes, out.quotes
        _tally_quotes(tallies["quote"], pid, labels, quotes, speaker=True)
        _tally_quotes(tallies["quote text"], pid, labels, quotes, speaker=False)
        _tally_quotes(
            tallies["quote speaker"],
            pid,
            [q for q in labels if q.speaker],
            [q for q in quotes if q.speaker],
            speaker=True,
        )
    return tallies


def load_paragraphs(path: Path = LABELED) -> list[Paragraph]:
    """The labeled set, one :class:`Paragraph` per line."""
    paragraphs = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            record = json.loads(line)
            paragraphs.append(
                Paragraph(
                    id=record["id"],
                    language=record["language"],
                    text=record["text"],
                    entities={kind: list(record[key]) for kind, key in ENTITY_KINDS.items()},
                    quotes=[Quote(q["text"], q.get("speaker")) for q in record["quotes"]],
                    entities_labeled=record.get("entities_labeled", True),
                )
            )
    return paragraphs


def produced_from(article: Article) -> Produced:
    """The scored parts of a processed article."""
    entities: dict[str, list[str]] = {kind: [] for kind in ENTITY_KINDS}
    for tag in article.tags:
        if tag.kind in entities:
            entities[tag.kind].append(tag.value)
    language = None
    if article.language:
        language = article.language.replace("_", "-").split("-")[0].casefold() or None
    return Produced(language=language, entities=entities, quotes=list(article.quotes))


class _Collector(Exporter):
    def __init__(self) -> None:
        self.articles: list[Article] = []

    def write(self, article: Article) -> None:
        self.articles.append(article)


class _CollectorPlugin:
    def __init__(self, exporter: _Collector) -> None:
        self.exporter = exporter

    @hookimpl(tryfirst=True)
    def ingest_export(self, target: Target) -> Exporter | None:
        return self.exporter if target.scheme == _SCHEME else None


def run_pipeline(
    paragraphs: Sequence[Paragraph], workdir: Path
) -> tuple[dict[str, Produced], list[str], list[str]]:
    """Each paragraph through the pipeline as ``<id>.txt``; returns what came out by id, the
    errors of the run, and the tag plugins that ran."""
    for paragraph in paragraphs:
        (workdir / f"{paragraph.id}.txt").write_text(paragraph.text + "\n", encoding="utf-8")
    collector = _Collector()
    pm = get_plugin_manager()
    pm.register(_CollectorPlugin(collector), name="bench-tags-collector")
    errors: list[str] = []
    run_once(
        Pipeline(pm),
        [str(workdir)],
        [Target(_SCHEME, "-")],
        kind="text",
        on_error=lambda exc: errors.append(str(exc)),
    )
    produced = {Path(a.source.location or "").stem: produced_from(a) for a in collector.articles}
    taggers = sorted({name for a in collector.articles for name in a.provenance.tag})
    return produced, errors, taggers


def _grouped(errors: list[tuple[str, str]]) -> list[str]:
    by_id: dict[str, list[str]] = {}
    for pid, value in errors:
        by_id.setdefault(pid, []).append(value)
    return [f"    {pid:<6} {' | '.join(values)}" for pid, values in by_id.items()]


def print_report(
    paragraphs: Sequence[Paragraph], tallies: dict[str, Tally], *, details: bool = True
) -> None:
    """The table, then (with ``details``) every false positive and false negative."""
    labeled = sum(p.entities_labeled for p in paragraphs)
    languages = len({p.language for p in paragraphs})
    print(
        f"{len(paragraphs)} labeled paragraphs in {languages} languages; entities and quotes "
        f"scored on the {labeled} with entities labeled\n"
    )
    print(
        f"{'kind':<14} {'labeled':>7} {'produced':>8} {'correct':>7} "
        f"{'precision':>9} {'recall':>7} {'F1':>6}"
    )
    for row in ROWS:
        tally = tallies[row]
        precision, recall, f1 = tally.ratios()
        print(
            f"{row:<14} {tally.labeled:>7} {tally.produced:>8} {tally.correct:>7} "
            f"{precision:>9.3f} {recall:>7.3f} {f1:>6.3f}"
        )
    language = tallies["language"]
    print(
        f"\nlanguage accuracy: {language.correct}/{language.labeled} = {language.ratios()[1]:.3f}"
    )
    if not details:
        return
    for row in ROWS:
        tally = tallies[row]
        if not (tally.false_positives or tally.false_negatives):
            continue
        print(f"\n{row}:")
        if tally.false_positives:
            print(f"  false positives ({len(tally.false_positives)}):")
            print("\n".join(_grouped(tally.false_positives)))
        if tally.false_negatives:
            print(f"  false negatives ({len(tally.false_negatives)}):")
            print("\n".join(_grouped(tally.false_negatives)))


def _timed(function: Callable[..., Any], name: str, spent: dict[str, float]) -> Callable[..., Any]:
    def timed(*args: Any) -> Any:
        start = time.perf_counter()
        try:
            return function(*args)
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - start

    return timed


def time_taggers(pm: pluggy.PluginManager) -> dict[str, float]:
    """Time every ``ingest_tag`` implementation of ``pm`` from now on: returns the dict of
    seconds by plugin name that the calls add to."""
    spent: dict[str, float] = {}
    for impl in pm.hook.ingest_tag.get_hookimpls():
        # HookImpl.function is Final to type checkers; a benchmark may wrap it all the same.
        setattr(impl, "function", _timed(impl.function, impl.plugin_name, spent))  # noqa: B010
    return spent


def write_digest(jsonl: Path, digest: Path) -> str:
    """What the tag plugins decided for each exported article, one JSON line per article
    (with a hash of the text they read, to tell a tagger's change from an input's);
    returns the SHA-256 of the digest file."""
    with jsonl.open(encoding="utf-8") as lines, digest.open("w", encoding="utf-8") as out:
        for line in lines:
            record = json.loads(line)
            text = "\n".join(record[key] or "" for key in ("title", "summary", "text"))
            tags = [t for t in record["tags"] if t["by"] in TAGGERS]
            picked = {
                "id": record["id"],
                "input": hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:16],
                "language": record["language"],
                "detection": record["extra"].get("language"),
                "tags": tags,
                "quotes": record["quotes"],
                "warnings": record["warnings"],
            }
            out.write(json.dumps(picked, ensure_ascii=False, sort_keys=True) + "\n")
    return hashlib.sha256(digest.read_bytes()).hexdigest()


def bench_stages(count: int, inputs: Path | None = None, digest: Path | None = None) -> None:
    """Run ``count`` synthetic articles (or every input under ``inputs``, real ones) in-process
    to a JSON Lines file, with every built-in plugin on; print the seconds of each stage and
    the cost of each tag plugin per article; write the tags' ``digest`` if asked."""
    errors: list[str] = []
    pm = get_plugin_manager()
    spent = time_taggers(pm)
    with tempfile.TemporaryDirectory(prefix="ingest-bench-tags-") as tmp:
        corpus, out = inputs or Path(tmp) / "corpus", Path(tmp) / "out.jsonl"
        if inputs is None:
            for _ in write_corpus(corpus, count):
                pass
        summary = run_once(
            Pipeline(pm),
            [str(corpus)],
            [parse_target("jsonl:" + str(out))],
            on_error=lambda exc: errors.append(str(exc)),
        )
        if digest is not None:
            print(f"digest of the tags: {digest}, sha256 {write_digest(out, digest)}\n")
    count = summary.articles if inputs else count
    seconds = dict(summary.stage_seconds)
    seconds["other"] = summary.seconds - sum(seconds.values())
    what = f"articles from {inputs}" if inputs else "synthetic articles"
    print(f"seconds per stage, {summary.articles:,} {what} (in-process, summed):")
    print(" ".join(f"{stage:>8}" for stage in seconds) + f" {'total':>8}")
    print(" ".join(f"{value:>8.2f}" for value in seconds.values()) + f" {summary.seconds:>8.2f}")
    rest = summary.seconds - seconds["tag"]
    per = 1000 / max(summary.articles, 1)
    print("\nms per article, by tag plugin:")
    for name, value in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"  {name:<16} {value * per:>6.3f}")
    print(f"  {'tag stage':<16} {seconds['tag'] * per:>6.3f}")
    print(f"  {'the rest':<16} {rest * per:>6.3f}")
    verdict = "yes" if seconds["tag"] < rest else "NO"
    print(f"\ntag {seconds['tag']:.2f} s < the rest of the run {rest:.2f} s: {verdict}")
    if errors or summary.articles != count:
        print(f"{len(errors)} errors, {summary.articles:,} of {count:,} articles exported")
        for message in errors[:10]:
            print(f"  {message}")


def main() -> None:
    """Print the scores, or with ``--stages`` the stage timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--stages",
        nargs="?",
        const=20_000,
        type=int,
        metavar="N",
        help="instead of scoring, time each stage on N synthetic articles (default 20,000)",
    )
    parser.add_argument(
        "--on",
        type=Path,
        metavar="PATH",
        help="with --stages: time real inputs instead (../shared/corpus/feeds)",
    )
    parser.add_argument(
        "--digest",
        type=Path,
        metavar="FILE",
        help="with --stages: write what the tag plugins decided, one JSON line per article",
    )
    parser.add_argument("--labeled", type=Path, default=LABELED, help="the labeled JSON Lines")
    parser.add_argument("--table-only", action="store_true", help="leave out the error lists")
    args = parser.parse_args()
    if args.stages is not None:
        bench_stages(args.stages, args.on, args.digest)
        return
    paragraphs = load_paragraphs(args.labeled)
    with tempfile.TemporaryDirectory(prefix="ingest-bench-tags-") as tmp:
        produced, errors, taggers = run_pipeline(paragraphs, Path(tmp))
    print(f"tag plugins that ran: {', '.join(taggers) or 'none'}")
    for message in errors:
        print(f"error: {message}", file=sys.stderr)
    print_report(paragraphs, evaluate(paragraphs, produced), details=not args.table_only)


if __name__ == "__main__":
    main()
