"""The labeled paragraphs of ``tests/labeled`` are well formed, and the tag benchmark scores
them the way its docstring says."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from benchmarks.bench_tags import (
    ENTITY_KINDS,
    Paragraph,
    Produced,
    evaluate,
    load_paragraphs,
    match_quotes,
    normalize,
    quote_overlap,
    score,
)
from ingest import Quote

LABELED = Path(__file__).parent / "labeled" / "paragraphs.jsonl"
KEYS = {
    "id": str,
    "language": str,
    "text": str,
    "persons": list,
    "places": list,
    "organizations": list,
    "quotes": list,
    "entities_labeled": bool,
}
REQUIRED_LANGUAGES = {"en", "de", "fr", "es", "it", "pt", "nl", "ru", "pl"}
PLATFORMS = {
    "twitter",
    "x",
    "facebook",
    "telegram",
    "instagram",
    "youtube",
    "tiktok",
    "whatsapp",
    "threads",
    "bluesky",
    "mastodon",
    "weibo",
    "vkontakte",
    "truth social",
}


def records() -> list[dict[str, Any]]:
    lines = LABELED.read_text(encoding="utf-8").splitlines()
    assert all(line.strip() for line in lines), "blank line in paragraphs.jsonl"
    parsed = [json.loads(line) for line in lines]
    assert all(isinstance(record, dict) for record in parsed)
    return parsed


def labeled_entities(record: dict[str, Any]) -> list[str]:
    return [value for key in ENTITY_KINDS.values() for value in record[key]]


def test_every_line_is_a_record_with_the_required_keys() -> None:
    for record in records():
        assert set(record) == set(KEYS), record.get("id")
        for key, kind in KEYS.items():
            assert isinstance(record[key], kind), (record["id"], key)
        for value in labeled_entities(record):
            assert isinstance(value, str)
            assert value, record["id"]
        for quote in record["quotes"]:
            assert set(quote) == {"text", "speaker"}, record["id"]
            assert isinstance(quote["text"], str)
            assert quote["text"]
            assert quote["speaker"] is None or isinstance(quote["speaker"], str)


def test_ids_are_unique_and_name_the_language() -> None:
    ids = [record["id"] for record in records()]
    assert len(ids) == len(set(ids))
    for record in records():
        assert record["id"].startswith(record["language"] + "-"), record["id"]


def test_size_and_languages() -> None:
    parsed = records()
    languages = Counter(record["language"] for record in parsed)
    english = [r for r in parsed if r["language"] == "en" and r["entities_labeled"]]
    assert len(parsed) >= 40
    assert len(english) >= 25
    assert len(parsed) - languages["en"] >= 15
    assert len(languages) >= 8
    assert set(languages) >= REQUIRED_LANGUAGES


def test_unlabeled_paragraphs_have_no_entities_or_quotes() -> None:
    for record in records():
        if not record["entities_labeled"]:
            assert not labeled_entities(record), record["id"]
            assert not record["quotes"], record["id"]


def test_every_label_occurs_in_its_paragraph() -> None:
    for record in records():
        text = record["text"]
        for value in labeled_entities(record):
            assert value in text, (record["id"], value)
        for quote in record["quotes"]:
            assert quote["text"] in text, (record["id"], quote["text"])
            assert quote["speaker"] is None or quote["speaker"] in text, (record["id"], quote)


def test_each_entity_is_listed_once_under_one_kind_without_the_article() -> None:
    for record in records():
        values = [normalize(value) for value in labeled_entities(record)]
        assert len(values) == len(set(values)), record["id"]
        for value in labeled_entities(record):
            assert value == value.strip(), (record["id"], value)
            assert not value.lower().startswith("the "), (record["id"], value)


def test_no_platform_names_among_the_labels() -> None:
    for record in records():
        for value in labeled_entities(record):
            assert normalize(value) not in PLATFORMS, (record["id"], value)


def test_the_benchmark_loads_every_paragraph() -> None:
    paragraphs = load_paragraphs(LABELED)
    assert [p.id for p in paragraphs] == [r["id"] for r in records()]
    first = paragraphs[0]
    assert first.entities["person"] == records()[0]["persons"]


# -- the scoring ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "produced", "ratios"),
    [
        ({"a", "b"}, {"a", "b"}, (1.0, 1.0, 1.0)),
        ({"a", "b", "c", "d"}, {"a", "b", "x"}, (2 / 3, 1 / 2, 4 / 7)),
        ({"a"}, {"x"}, (0.0, 0.0, 0.0)),
        (set(), set(), (1.0, 1.0, 1.0)),
        ({"a"}, set(), (0.0, 0.0, 0.0)),
        (set(), {"x"}, (0.0, 0.0, 0.0)),
    ],
)
def test_score(expected: set[str], produced: set[str], ratios: tuple[float, float, float]) -> None:
    assert score(expected, produced) == pytest.approx(ratios)


def test_entity_matching_ignores_case_spacing_and_a_leading_the() -> None:
    assert normalize("The  United Nations") == normalize("united nations")
    assert normalize("the Hague") == normalize("Hague")
    assert normalize("UN") != normalize("United Nations")


def test_quote_overlap_is_measured_on_the_shorter_quote() -> None:
    labeled = "We agree that Europe must carry more of the burden itself"
    assert (
        quote_overlap(labeled, "“We agree that Europe must carry more of the burden itself,”") == 1
    )
    assert quote_overlap(labeled, "Europe must carry more of the burden") == 1
    assert quote_overlap(labeled, "We agree that Asia must pay") < 0.8
    assert quote_overlap(labeled, "") == 0


def test_quotes_match_once_and_need_the_speaker() -> None:
    labels = [Quote("We will not back down", "Olaf Scholz"), Quote("No farmers, no food", None)]
    produced = [
        Quote("we will not back down.", "olaf scholz"),
        Quote("We will not back down", "Olaf Scholz"),  # a second copy matches nothing
        Quote("No farmers, no food", "Farmers"),
    ]
    spurious, missed = match_quotes(labels, produced)
    assert spurious == produced[1:]
    assert missed == labels[1:]
    spurious, missed = match_quotes(labels, produced, speaker=False)
    assert (spurious, missed) == ([produced[1]], [])


def test_evaluate_on_a_hand_made_example() -> None:
    paragraphs = [
        Paragraph(
            id="en-01",
            language="en",
            text="…",
            entities={
                "person": ["Olaf Scholz", "Emmanuel Macron"],
                "place": ["Paris"],
                "organization": ["NATO"],
            },
            quotes=[Quote("We agree on this", "Olaf Scholz"), Quote("Not now, not ever", None)],
            entities_labeled=True,
        ),
        Paragraph("de-01", "de", "…", {kind: [] for kind in ENTITY_KINDS}, [], False),
        Paragraph("fr-01", "fr", "…", {kind: [] for kind in ENTITY_KINDS}, [], False),
    ]
    produced = {
        "en-01": Produced(
            language="en",
            entities={
                "person": ["Olaf Scholz", "Scholz"],
                "place": ["the Paris", "Paris", "Tuesday"],
                "organization": [],
            },
            quotes=[Quote("We agree on this.", "Scholz"), Quote("Not now, not ever", None)],
        ),
        # Entities in a paragraph whose entities were not labeled are not scored.
        "de-01": Produced(language="de", entities={"person": ["Robert Habeck"]}),
        "fr-01": Produced(language="it"),
    }
    tallies = evaluate(paragraphs, produced)
    person, place, organization = (tallies[kind] for kind in ENTITY_KINDS)
    assert (person.labeled, person.produced, person.correct) == (2, 2, 1)
    assert person.false_positives == [("en-01", "Scholz")]
    assert person.false_negatives == [("en-01", "Emmanuel Macron")]
    assert (place.labeled, place.produced, place.correct) == (1, 2, 1)
    assert place.ratios() == pytest.approx((0.5, 1.0, 2 / 3))
    assert organization.ratios() == (0.0, 0.0, 0.0)
    assert [(t.labeled, t.produced, t.correct) for t in (tallies["quote"],)] == [(2, 2, 1)]
    assert tallies["quote text"].ratios() == (1.0, 1.0, 1.0)
    speaker = tallies["quote speaker"]
    assert (speaker.labeled, speaker.produced, speaker.correct) == (1, 1, 0)
    language = tallies["language"]
    assert (language.labeled, language.produced, language.correct) == (3, 3, 2)
    assert language.false_negatives == [("fr-01", "fr (got it)")]


def test_evaluate_with_nothing_produced_scores_zero() -> None:
    paragraphs = load_paragraphs(LABELED)
    tallies = evaluate(paragraphs, {})
    for tally in tallies.values():
        assert tally.produced == 0
        assert tally.ratios() == (0.0, 0.0, 0.0)
