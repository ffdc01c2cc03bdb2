"""Dates as sources write them, to timezone-aware UTC datetimes.

Feeds use RFC 822 (``Wed, 26 Apr 2023 16:02:11 EST``), ISO 8601 / W3C-DTF
(``2023-04-26T16:02:11+02:00``), and much that is neither. A date that cannot be read is
``None`` with a warning: never the fetch time. A date without a zone is taken as UTC, with
a warning that says so. :func:`parse_date` never raises, whatever the string: fuzzing found
zones of ``-2400`` and 30-digit minutes that made the parsers underneath raise (issue 10).
"""

from __future__ import annotations

import email.utils
import re
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from dateutil import parser as dateutil_parser

# Zones that RFC 822 does not name but feeds use anyway (email.utils knows the US ones).
# Ambiguous abbreviations (IST, CST) take the reading most common in news feeds.
_ZONES = {
    "CET": 1, "CEST": 2, "MEZ": 1, "MESZ": 2, "BST": 1, "IST": 5.5, "WET": 0, "WEST": 1,
    "EET": 2, "EEST": 3, "MSK": 3, "JST": 9, "KST": 9, "HKT": 8, "SGT": 8, "AWST": 8,
    "ACST": 9.5, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13, "PKT": 5, "WIB": 7,
    "BRT": -3, "ART": -3, "AKST": -9, "AKDT": -8, "HST": -10,
}  # fmt: skip
_RFC822_ZONES = frozenset(
    {"UT", "UTC", "GMT", "Z", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT"}
)
_RFC822_RE = re.compile(
    r"^(?:[A-Za-z]{2,9}\.?,?\s*)?\d{1,2}\s+[A-Za-z]{3,9}\.?\s+\d{2,4}\s+"
    r"\d{1,2}:\d{2}(?::\d{2})?(?:\s+(?P<zone>\S+))?$"
)
_NUMERIC_ZONE_RE = re.compile(r"^[+-]\d{4}$")
# datetime.timezone takes offsets strictly within a day; "-2400" is none.
_MAX_OFFSET = 24 * 3600
# The longest date text worth parsing: real ones are under 60 characters, and dateutil's
# cost grows with the length of what it is handed.
_MAX_CHARS = 200
_SHOWN_CHARS = 60
_DATE_ONLY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FUTURE_SLACK = timedelta(days=2)


@dataclass(frozen=True, slots=True)
class ParsedDate:
    """A parsed date and, when something had to be assumed, a warning."""

    value: datetime | None
    warning: str | None = None


def _shown(text: str) -> str:
    """``text`` quoted for a warning: escaped by repr, shortened."""
    return repr(text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…")


def _rfc822(value: str) -> ParsedDate | None:
    match = _RFC822_RE.match(value)
    parts = email.utils.parsedate_tz(value) if match else None
    if match is None or parts is None:
        return None
    zone = (match["zone"] or "").upper()
    warning = None
    if zone in _ZONES:
        offset = int(_ZONES[zone] * 3600)
    elif zone in _RFC822_ZONES or _NUMERIC_ZONE_RE.match(zone):
        offset = parts[9] or 0
    else:  # email.utils silently reads a missing or unknown zone as +0000
        offset, warning = 0, f"date {_shown(value)} has no known time zone; taken as UTC"
    if not -_MAX_OFFSET < offset < _MAX_OFFSET:
        return None
    try:
        naive = datetime(*parts[:6])
    except ValueError:
        return None
    return ParsedDate(naive.replace(tzinfo=timezone(timedelta(seconds=offset))), warning)


def _iso(value: str) -> ParsedDate | None:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if _DATE_ONLY_RE.match(value):
        warning = f"date {_shown(value)} has no time of day; midnight UTC assumed"
        return ParsedDate(parsed.replace(tzinfo=UTC), warning)
    if parsed.tzinfo is None:
        return ParsedDate(
            parsed.replace(tzinfo=UTC), f"date {_shown(value)} has no time zone; taken as UTC"
        )
    return ParsedDate(parsed)


_DOTTED_RE = re.compile(r"\s*\d{1,2}\.\d{1,2}\.\d{2,4}\b")


def _lenient(value: str) -> ParsedDate | None:
    tzinfos = {k: int(v * 3600) for k, v in _ZONES.items()}
    # Dotted numeric dates (01.04.2025) are written day first wherever they are written.
    dayfirst = _DOTTED_RE.match(value) is not None
    try:
        with warnings.catch_warnings():
            # dateutil drops a zone name it does not know with a warning (printed on stderr,
            # found by fuzzing); such a date is taken as UTC and says so, as RFC 822 ones are.
            warnings.simplefilter("error", dateutil_parser.UnknownTimezoneWarning)
            parsed = dateutil_parser.parse(value, tzinfos=tzinfos, dayfirst=dayfirst)
    except dateutil_parser.UnknownTimezoneWarning:
        try:
            parsed = dateutil_parser.parse(value, ignoretz=True, dayfirst=dayfirst)
        except (ValueError, ArithmeticError):
            return None
        unknown = f"date {_shown(value)} has no known time zone; taken as UTC"
        return ParsedDate(parsed.replace(tzinfo=UTC), unknown)
    except (ValueError, ArithmeticError):  # a 30-digit minute: decimal.InvalidOperation
        return None
    if parsed.tzinfo is None:
        return ParsedDate(
            parsed.replace(tzinfo=UTC), f"date {_shown(value)} has no time zone; taken as UTC"
        )
    return ParsedDate(parsed)


def parse_date(value: str | None, *, now: datetime | None = None) -> ParsedDate:
    """Parse a date as a source wrote it. Never raises, for any string.

    :param now: the reference for "in the future" warnings (default: the current time);
        timezone-aware.
    :returns: ``value`` a timezone-aware datetime in UTC (``tzinfo is UTC``), with a
        ``warning`` when something was assumed; or ``value=None``: with no warning when
        ``value`` is None or blank, else with the one-line warning ``unreadable date '…'``
        (the caller keeps the item, without this date).
    """
    if value is None or not value.strip():
        return ParsedDate(None)
    text = " ".join(value.split())
    if len(text) > _MAX_CHARS:
        return ParsedDate(None, f"unreadable date {_shown(text)}")
    # ISO dates start with the year; trying the likelier format first saves an exception.
    first, second = (_iso, _rfc822) if text[:4].isdigit() else (_rfc822, _iso)
    parsed = first(text) or second(text) or _lenient(text)
    if parsed is None or parsed.value is None:
        return ParsedDate(None, f"unreadable date {_shown(text)}")
    try:
        utc = parsed.value.astimezone(UTC)
    except (OverflowError, ValueError):
        return ParsedDate(None, f"unreadable date {_shown(text)}")
    if utc > (now or datetime.now(UTC)) + _FUTURE_SLACK:
        return ParsedDate(utc, f"date {_shown(text)} lies in the future")
    return ParsedDate(utc, parsed.warning)
