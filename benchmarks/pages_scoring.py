"""Scoring rules for the page benchmark (``bench_pages``).

Bodies: the rule of the article-extraction-benchmark (scrapinghub, ``evaluate.py``, MIT),
re-implemented here from its text: ``\\w+`` tokens (case kept), overlapping word 4-gram
shingles counted as a multiset; per page TP/FP/FN normalised by TP+FP+FN; precision is
averaged over the pages with a prediction (TP+FP > 0) and recall over the pages with a truth
(TP+FN > 0), so an empty output counts for recall only; F1 is the harmonic mean of the two
means. A text of fewer than 4 tokens is one shorter shingle, as there.

Metadata (the Fundus-derived corpus): title exact and author set exact after white space is
collapsed (NFC); date on the same day; date exact to the minute where the truth states an
instant (a time with a UTC offset, not 00:00:00).

The articles corpus is split once, before any tuning, by the rule of
``benchmarks/page_metadata.py``: sorted open ids, every third (indexes 2, 5, 8...) is the test
part, the rest the dev part (:func:`split_ids`).
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

_TOKEN = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)

TpFpFn = tuple[float, float, float]
#: The parts of a corpus :func:`split_ids` can give.
PARTS = ("dev", "test", "all")


def split_ids(ids: Iterable[str], part: str) -> list[str]:
    """The ids of one part, sorted: ``test`` is every third sorted id (indexes 2, 5, 8...),
    ``dev`` the others, ``all`` every id."""
    if part not in PARTS:
        raise ValueError(f"unknown part {part!r}: want one of {', '.join(PARTS)}")
    ordered = sorted(ids)
    if part == "all":
        return ordered
    return [i for n, i in enumerate(ordered) if (n % 3 == 2) == (part == "test")]


def tokenize(text: str | None) -> list[str]:
    """The benchmark's tokens: runs of word characters, case kept; None is no text."""
    return _TOKEN.findall(text or "")


def shingles(text: str | None, n: int = 4) -> Counter[tuple[str, ...]]:
    """The multiset of overlapping ``n``-token shingles (one shorter one for a short text)."""
    tokens = tokenize(text)
    grams = (tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)))
    return Counter(gram for gram in grams if gram)


def match(true: str | None, pred: str | None) -> TpFpFn:
    """TP, FP, FN over the shingles of one page, normalised to sum 1 (all 0 when both empty)."""
    truth, guess = shingles(true), shingles(pred)
    tp = float(sum((truth & guess).values()))
    fp = float(sum((guess - truth).values()))
    fn = float(sum((truth - guess).values()))
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def precision(tp: float, fp: float, fn: float) -> float:
    """Page precision, with the benchmark's conventions for empty sides."""
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def recall(tp: float, fp: float, fn: float) -> float:
    """Page recall, with the benchmark's conventions for empty sides."""
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


@dataclass(frozen=True, slots=True)
class BodyScore:
    """Averages over the pages of one extractor."""

    f1: float
    precision: float
    recall: float
    #: Share of pages whose token sequence equals the truth's (the benchmark's "accuracy").
    accuracy: float
    #: Pages with an empty output (left out of the precision mean).
    empty: int


def score_bodies(pairs: Sequence[tuple[str, str | None]]) -> BodyScore:
    """Score ``(truth, prediction)`` pairs, one per page."""
    counts = [match(true, pred) for true, pred in pairs]
    precisions = [precision(*c) for c in counts if c[0] + c[1] > 0]
    recalls = [recall(*c) for c in counts if c[0] + c[2] > 0]
    p = statistics.mean(precisions) if precisions else 0.0
    r = statistics.mean(recalls) if recalls else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    exact = [tokenize(true) == tokenize(pred) for true, pred in pairs]
    empty = sum(1 for _, pred in pairs if not tokenize(pred))
    return BodyScore(f1, p, r, sum(exact) / len(exact) if exact else 0.0, empty)


def clean(text: str) -> str:
    """White space collapsed and trimmed, NFC: the form titles and names are compared in."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def same_title(truth: str, pred: str | None) -> bool:
    """Title exact, up to white space."""
    return pred is not None and clean(truth) == clean(pred)


def same_authors(truth: Iterable[str], pred: Iterable[str]) -> bool:
    """Author set exact, up to white space (an empty truth wants no author)."""
    return {clean(a) for a in truth} - {""} == {clean(a) for a in pred} - {""}


def _parse(stamp: str) -> date | datetime:
    """An ISO 8601 date (``YYYY-MM-DD``) or date-time, offset or not."""
    stamp = stamp.strip()
    if len(stamp) == 10:
        return date.fromisoformat(stamp)
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def states_instant(truth: str) -> bool:
    """True when the truth gives a time with a UTC offset (midnight reads as a date alone)."""
    when = _parse(truth)
    return (
        isinstance(when, datetime)
        and when.tzinfo is not None
        and (when.hour, when.minute, when.second) != (0, 0, 0)
    )


def same_day(truth: str, pred: str | None) -> bool:
    """The truth's calendar date (as written) equals the prediction's, as written or moved
    to the truth's UTC offset (a page's local date and a UTC date both count)."""
    if not pred:
        return False
    want, got = _parse(truth), _parse(pred)
    want_day = want.date() if isinstance(want, datetime) else want
    if not isinstance(got, datetime):
        return got == want_day
    days = {got.date()}
    if got.tzinfo is not None and isinstance(want, datetime) and want.tzinfo is not None:
        days.add(got.astimezone(want.tzinfo).date())
    return want_day in days


def same_minute(truth: str, pred: str | None) -> bool:
    """The same instant to the minute; a prediction without time or offset misses."""
    if not pred:
        return False
    want, got = _parse(truth), _parse(pred)
    if not isinstance(got, datetime) or got.tzinfo is None or not isinstance(want, datetime):
        return False
    return want.replace(second=0, microsecond=0) == got.replace(second=0, microsecond=0)
