"""HTTP failures as one line each: :class:`HttpError`, error statuses (with their
``Retry-After``), and the OS, TLS and protocol errors beneath httpx's exceptions."""

from __future__ import annotations

import re
import time
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

_SSL_NOISE_RE = re.compile(r"^\[SSL: [A-Z0-9_]+\] | \(_ssl\.c:\d+\)$")


class HttpError(Exception):
    """A fetch failed; ``str()`` is the one-line reason, without the URL."""

    def __init__(
        self, reason: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(reason)
        #: One line: ``HTTP 404 Not Found``, ``connection refused``, ``redirect loop``...
        self.reason = reason
        #: The HTTP status of an error response; None when no response decided the failure.
        self.status = status
        #: Seconds to wait before retrying, from ``Retry-After`` on a 429 or 503, else None.
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[Any, ...]:
        # Fetched ahead, an error may travel to a worker process with its status.
        return _http_error, (self.reason, self.status, self.retry_after)


def _http_error(reason: str, status: int | None, retry_after: float | None) -> HttpError:
    return HttpError(reason, status=status, retry_after=retry_after)


def status_error(response: httpx.Response, detail: str = "") -> HttpError:
    import httpx  # noqa: PLC0415 - loaded by the first request (ingest.http.client)

    status = response.status_code
    phrase = response.reason_phrase or httpx.codes.get_reason_phrase(status)
    retry_after = None
    if status in (429, 503):
        retry_after = retry_after_seconds(response.headers.get("retry-after", ""))
    reason = one_line(f"HTTP {status} {phrase}".rstrip() + detail)
    return HttpError(reason, status=status, retry_after=retry_after)


def retry_after_seconds(value: str) -> float | None:
    """Seconds from a ``Retry-After`` value: delta-seconds or an HTTP-date."""
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - time.time())


def describe(exc: Exception, timeout: float) -> str:
    """One line for an httpx exception, from the OS error beneath it when there is one."""
    import httpx  # noqa: PLC0415 - loaded by the first request (ingest.http.client)

    if isinstance(exc, httpx.ConnectTimeout):
        return f"timed out after {timeout:g} s connecting"
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out after {timeout:g} s waiting for a response"
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, OSError):
        cause = cause.__cause__ or cause.__context__
    if isinstance(cause, OSError):
        return one_line(_describe_os_error(cause, exc))
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return one_line(f"invalid URL: {exc}")
    if isinstance(exc, httpx.RemoteProtocolError):
        return one_line(f"broken HTTP response: {exc}")
    return one_line(f"{type(exc).__name__}: {exc}".rstrip(": "))


def _describe_os_error(error: OSError, exc: Exception) -> str:
    import socket  # noqa: PLC0415 - with httpx, which loads them anyway
    import ssl  # noqa: PLC0415

    if isinstance(error, socket.gaierror):
        try:
            return f"cannot resolve host {exc.request.url.host}"  # type: ignore[attr-defined]
        except (AttributeError, RuntimeError):  # no request attached
            return "cannot resolve host"
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"TLS error: certificate verify failed: {error.verify_message}"
    if isinstance(error, ssl.SSLError):
        return f"TLS error: {_SSL_NOISE_RE.sub('', str(error.strerror or error))}"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, ConnectionResetError):
        return "connection reset by the server"
    return str(error.strerror or error)


def one_line(text: str) -> str:
    return " ".join(text.split())
