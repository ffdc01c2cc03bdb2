"""Measure: the ``person`` tags of the entities plugin on the English entries of the shared
feed corpus, to judge their precision by hand (issue 10, item 8).

Each English entry (the manifest's language, ``en`` and its regions) is fetched and cleaned
by the pipeline as ``ingest`` does, then its title and text go through
:func:`ingest_plugins.tags.entities.find_entities`, the plugin's own call. Prints how many
person tags came out (distinct per entry, and mentions), and a seeded random sample of them with the
entry's title, for a reader to mark right or wrong. Run from the repository root::

    python -m benchmarks.entity_noise [--corpus ../shared/corpus] [--sample 50] [--seed 10]
    python -m benchmarks.entity_noise --all     # every person tag, with the feed it came from
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from benchmarks.bench_language import DEFAULT_CORPUS
from ingest import Article
from ingest_plugins.tags.entities import find_entities
from tests.plugins.test_language import known_feed_entries


def english_entries(corpus: Path) -> list[Article]:
    """The fetched and cleaned articles of the corpus feeds whose language is English."""
    return [article for language, article in known_feed_entries(corpus) if language == "en"]


def person_tags(articles: list[Article]) -> list[tuple[str, int, Article]]:
    """(person, mentions, article) for every person tag of every article."""
    found = []
    for article in articles:
        text = "\n\n".join(filter(None, (article.title, article.text)))[:100_000]
        for (kind, value), count in find_entities(text).items():
            if kind == "person":
                found.append((value, count, article))
    return found


def main() -> None:
    """Print the counts and a sample (or all) of the person tags."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--sample", type=int, default=50)
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--all", action="store_true", help="list every person tag")
    args = parser.parse_args()
    articles = english_entries(args.corpus)
    tags = person_tags(articles)
    mentions, names = sum(c for _, c, _ in tags), len({v for v, _, _ in tags})
    print(f"{len(articles)} English entries: {len(tags)} person tags (distinct per entry),")
    print(f"{mentions} mentions, {names} distinct names")
    shown = tags if args.all else random.Random(args.seed).sample(tags, min(args.sample, len(tags)))
    for value, count, article in shown:
        title = " ".join((article.title or "").split())[:60]
        feed = Path(article.source.location or "").name[:28]
        print(f"  {value:<32} {count:>3}  {feed:<28}  {title}")


if __name__ == "__main__":
    main()
