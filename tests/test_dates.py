from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ingest.dates import parse_date

NOW = datetime(2026, 11, 29, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Wed, 26 Apr 2023 16:02:11 GMT", "2023-04-26T16:02:11"),
        ("Wed, 26 Apr 2023 16:02:11 +0200", "2023-04-26T14:02:11"),
        ("Wed, 26 Apr 2023 11:02:11 EST", "2023-04-26T16:02:11"),
        ("Wed, 26 Apr 2023 09:02:11 PDT", "2023-04-26T16:02:11"),
        ("Wed, 26 Apr 2023 18:02:11 CEST", "2023-04-26T16:02:11"),
        ("26 Apr 2023 16:02 UT", "2023-04-26T16:02:00"),
        ("2023-04-26T16:02:11Z", "2023-04-26T16:02:11"),
        ("2023-04-26T18:02:11.123+02:00", "2023-04-26T16:02:11.123000"),
        ("  2023-04-26T16:02:11Z \n", "2023-04-26T16:02:11"),
        ("April 26, 2023 4:02 PM UTC", "2023-04-26T16:02:00"),
    ],
)
def test_dates_become_utc(raw: str, expected: str) -> None:
    parsed = parse_date(raw, now=NOW)
    assert parsed.value is not None
    assert parsed.value.tzinfo is UTC
    assert parsed.value.replace(tzinfo=None).isoformat() == expected
    assert parsed.warning is None


@pytest.mark.parametrize(
    ("raw", "warning"),
    [
        ("2023-04-26T16:02:11", "no time zone; taken as UTC"),
        ("2023-04-26", "no time of day; midnight UTC assumed"),
        ("Wed, 26 Apr 2023 16:02:11", "taken as UTC"),
        ("Wed, 26 Apr 2031 16:02:11 GMT", "lies in the future"),
    ],
)
def test_assumptions_are_warned_about(raw: str, warning: str) -> None:
    parsed = parse_date(raw, now=NOW)
    assert parsed.value is not None
    assert parsed.warning is not None
    assert warning in parsed.warning


@pytest.mark.parametrize("raw", ["soon", "32/13/2023", "Wed, 45 Foo 2023", "0000-00-00"])
def test_unreadable_dates_are_none_with_a_warning(raw: str) -> None:
    parsed = parse_date(raw, now=NOW)
    assert parsed.value is None
    assert parsed.warning == f"unreadable date {raw!r}"


def test_missing_date_is_none_without_a_warning() -> None:
    assert parse_date(None).value is None
    assert parse_date("  ").warning is None
