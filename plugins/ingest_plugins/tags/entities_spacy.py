"""People, places and organizations from a spaCy pipeline, when the user has one installed.

Off by default: with ``entities.model`` empty this plugin does nothing and spaCy is never
imported. Set it to an installed pipeline package or to a directory saved with
``nlp.to_disk``::

    ingest run news/ --set entities.model=en_core_web_sm

The pipeline is loaded once per value and runs on the title and text; its ``PERSON``,
``GPE``/``LOC`` and ``ORG`` entities become ``person``, ``place`` and ``organization`` tags,
counted by mention. ``NORP`` (nationalities, religious and political groups) and every other
label are left out. Nothing is ever downloaded.

The built-in ``entities`` plugin still tags too; the pipeline keeps the first of two tags with
the same kind and value. To use only spaCy's entities, block the rule-based tagger with
``--no-plugin entities``.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from ingest import Article, Config, Settings, Tag, UsageError, hookimpl

if TYPE_CHECKING:
    from spacy.language import Language

BY = "entities_spacy"
SETTING = "entities.model"
_MAX_TEXT = 100_000
_KINDS = {"PERSON": "person", "GPE": "place", "LOC": "place", "ORG": "organization"}
# Pipelines by setting value: a loaded one, or the one-line reason it could not be loaded.
_PIPELINES: dict[str, Language | str] = {}


@hookimpl
def ingest_add_settings(settings: Settings) -> None:
    """Declare ``entities.model``."""
    settings.add(
        SETTING,
        "",
        "spaCy pipeline (package name or nlp.to_disk directory) for entity tags; empty: off.",
    )


@hookimpl
def ingest_tag(article: Article, config: Config) -> list[Tag] | bool | None:
    """People, places and organizations that the spaCy pipeline finds, with their counts."""
    value = str(config.get(SETTING) or "").strip()
    if not value:
        return False  # switched off: not in provenance either
    text = "\n\n".join(filter(None, (article.title, article.text)))[:_MAX_TEXT]
    if not text:
        return None
    counts: Counter[tuple[str, str]] = Counter()
    for ent in pipeline(value)(text).ents:
        kind = _KINDS.get(ent.label_)
        name = " ".join(ent.text.split())
        if kind and name:
            counts[kind, name] += 1
    return [
        Tag(kind, name, None, BY, count) for (kind, name), count in counts.most_common()
    ] or None


def pipeline(value: str) -> Language:
    """The spaCy pipeline named by ``value``, loaded on first use.

    :raises UsageError: spaCy is not installed or cannot load ``value`` (one line, cached, so
        every later article fails the same way without trying again).
    """
    loaded = _PIPELINES.get(value)
    if loaded is None:
        loaded = _PIPELINES[value] = _load(value)
    if isinstance(loaded, str):
        raise UsageError(f"{SETTING}: cannot load spaCy pipeline {value!r}: {loaded}")
    return loaded


def _load(value: str) -> Language | str:
    try:
        import spacy  # noqa: PLC0415 - imported only when a pipeline is asked for
    except ImportError:
        return "spaCy is not installed (pip install spacy)"
    try:
        return spacy.load(value)
    except Exception as exc:  # spaCy raises OSError, ValueError, registry and config errors
        return " ".join(str(exc).split()) or type(exc).__name__
