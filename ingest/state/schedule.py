"""When a source is read next: after its interval, or a server's ``max-age``, or, when it
fails, a backoff that doubles per consecutive failure (honouring ``Retry-After``); and where:
a permanent redirect moves it, and a moved source that keeps failing goes back to the
configured location. :func:`settle` updates a source's ledger record after a fetch."""

from __future__ import annotations

from datetime import datetime, timedelta

from ingest.http import HttpState
from ingest.state.configfile import SourceConfig
from ingest.state.records import SourceState

#: The longest a failing source waits between two attempts.
BACKOFF_CAP = 24 * 3600.0
#: The longest a ``Cache-Control: max-age`` (or ``Expires``) keeps a source from being fetched.
MAX_AGE_CAP = 24 * 3600.0
#: Failures at a location a permanent redirect led to before the configured one is tried again.
REVERT_AFTER = 3


def backoff(failures: int, interval: float, cap: float) -> timedelta:
    """How long a source that failed ``failures`` times in a row waits: its interval (at
    least a minute) doubled per failure, at most ``cap`` seconds."""
    base = max(interval, 60.0)
    # The exponent is bounded: 2**1025 overflows a float, and 2**40 minutes is past any cap.
    return timedelta(seconds=min(cap, base * 2 ** min(max(0, failures - 1), 40)))


def settle(
    state: SourceState,
    config: SourceConfig,
    http: HttpState,
    moment: datetime,
    *,
    error: str | None,
) -> list[str]:
    """Update ``state`` after a fetch at ``moment`` that failed with ``error`` (or did not);
    the notices worth a line (a source that moved)."""
    notices = []
    state.kind = config.kind or state.kind
    state.last_attempt = moment
    if error is not None:
        state.failures += 1
        state.last_status = "failed"
        state.last_error = error
        wait = backoff(state.failures, config.interval, BACKOFF_CAP)
        if http.retry_after:
            wait = max(wait, timedelta(seconds=min(http.retry_after, BACKOFF_CAP)))
        state.next_fetch = moment + wait
        if state.location != config.location and state.failures >= REVERT_AFTER:
            notices.append(
                f"source {config.name}: {state.location}, where it had moved, failed "
                f"{state.failures} times; trying {config.location} again from now on"
            )
            state.location = config.location
            state.etag = state.last_modified = None
        return notices  # the validators stay: the next attempt must fetch it all again
    state.failures = 0
    state.last_error = None
    state.last_success = moment
    state.last_status = "not-modified" if http.not_modified else "ok"
    if http.status is not None:
        state.etag, state.last_modified = http.etag, http.last_modified
    if http.moved_to and http.moved_to != state.location:
        notices.append(
            f"source {config.name}: {state.location} moved permanently to {http.moved_to}; "
            "fetching it there from now on"
        )
        state.location = http.moved_to
    fresh = max(config.interval, min(http.max_age or 0.0, MAX_AGE_CAP))
    state.next_fetch = moment + timedelta(seconds=fresh) if fresh > 0 else None
    return notices
