"""Politeness for page fetching: robots.txt (RFC 9309) and a per-host pace.

* :class:`RobotsFile`: one host's robots.txt, parsed; :meth:`RobotsFile.rules_for` picks the
  group of a product token (``ingest``), else ``*``, and answers with :class:`RobotsRules`.
* :class:`RobotsCache`: each host's robots.txt fetched once per process (and day), keyed by
  scheme, host and port, as RFC 9309 scopes it. A 4xx answer means no rules; a 5xx, a
  timeout or an unreachable host means every page of the host is disallowed.
* :class:`HostPacer`: at most ``concurrency`` requests to one host at a time, and at least
  ``interval`` seconds between the starts of two of them. Thread-safe.

Fetching itself is the caller's (:func:`ingest.http.sources.fetch_page`): the cache is given
a function that fetches the robots.txt URL, so it goes through the same client and limits.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import quote

from ingest.http.errors import HttpError
from ingest.http.state import HttpResponse

#: Seconds between the starts of two requests to one host (``http.host_delay``).
DEFAULT_HOST_DELAY = 1.0
#: Most requests to one host at a time (``http.host_concurrency``).
DEFAULT_HOST_CONCURRENCY = 2
#: The product token matched against ``User-agent`` lines when the User-Agent names none.
PRODUCT_TOKEN = "ingest"
#: The longest ``Crawl-delay`` honoured, in seconds: a larger one is taken as this.
MAX_CRAWL_DELAY = 30.0
#: How much of a robots.txt is read (RFC 9309 asks for at least 500 KiB).
MAX_ROBOTS_BYTES = 512 * 1024
#: How long a host's robots.txt is reused (RFC 9309: not longer than 24 hours).
ROBOTS_TTL = 24 * 3600.0

_DEFAULT_PORTS = {"http": 80, "https": 443}
_TOKEN_RE = re.compile(r"[A-Za-z_-]+")
_ESCAPE_RE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

HostKey = tuple[str, str, int]


def host_key(url: str) -> HostKey:
    """``(scheme, host, port)`` of an http(s) URL: the scope of a robots.txt and of a pace.

    :raises HttpError: for a URL that is not http(s) or has no host.
    """
    import httpx  # noqa: PLC0415 - loaded by the first request (ingest.http.client)

    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise HttpError(f"invalid URL: {exc}") from None
    if parsed.scheme not in _DEFAULT_PORTS or not parsed.raw_host:
        raise HttpError("not an http(s) URL")
    host = parsed.raw_host.decode("ascii").lower()
    return parsed.scheme, host, parsed.port or _DEFAULT_PORTS[parsed.scheme]


def robots_url(key: HostKey) -> str:
    """The robots.txt URL of a host."""
    scheme, host, port = key
    shown = f"[{host}]" if ":" in host else host  # an IPv6 address
    netloc = shown if port == _DEFAULT_PORTS[scheme] else f"{shown}:{port}"
    return f"{scheme}://{netloc}/robots.txt"


def product_token(user_agent: str) -> str:
    """The product token of a User-Agent (``ingest/1.2 (...)`` -> ``ingest``), else
    :data:`PRODUCT_TOKEN`."""
    return _token(user_agent) or PRODUCT_TOKEN


def _token(value: str) -> str:
    found = _TOKEN_RE.match(value.strip())
    return found.group(0).lower() if found else ""


def request_target(url: str) -> str:
    """The path and query of ``url``, as robots.txt rules are matched against them."""
    import httpx  # noqa: PLC0415 - loaded by the first request (ingest.http.client)

    raw = httpx.URL(url).raw_path.decode("ascii")
    return _normalize(raw or "/")


def _normalize(text: str) -> str:
    """Percent-encoding made comparable (RFC 9309 2.2.2): escapes of unreserved characters
    decoded, other escapes in upper case, non-ASCII and controls escaped as UTF-8."""

    def unescape(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    decoded = _ESCAPE_RE.sub(unescape, text)
    return "".join(c if 32 < ord(c) < 127 else quote(c, safe="") for c in decoded)


def _glob(pattern: str, text: str) -> bool:
    """Whether ``pattern`` (``*`` matches any run of characters) matches all of ``text``.
    Backtracks to the last ``*`` only: at most len(pattern) x len(text) steps, whatever
    the pattern (a regular expression could be made to take exponential time)."""
    p = t = 0
    star, mark = -1, 0
    while t < len(text):
        if p < len(pattern) and pattern[p] == "*":
            star, mark, p = p, t, p + 1
        elif p < len(pattern) and pattern[p] == text[t]:
            p, t = p + 1, t + 1
        elif star >= 0:
            mark += 1
            p, t = star + 1, mark
        else:
            return False
    return all(char == "*" for char in pattern[p:])


@dataclass(frozen=True, slots=True)
class _Rule:
    allow: bool
    pattern: str  # normalized, without a trailing "$"
    anchored: bool  # the pattern ended with "$": it must match up to the end

    def matches(self, target: str) -> bool:
        if "*" not in self.pattern:
            return target == self.pattern if self.anchored else target.startswith(self.pattern)
        return _glob(self.pattern if self.anchored else self.pattern + "*", target)

    @property
    def length(self) -> int:
        return len(self.pattern) + self.anchored


@dataclass(frozen=True, slots=True)
class RobotsRules:
    """What one robots.txt says to one product token."""

    #: The robots.txt these rules come from, for messages.
    url: str
    rules: tuple[_Rule, ...] = ()
    #: ``Crawl-delay`` of the group, capped at :data:`MAX_CRAWL_DELAY`; None without one.
    crawl_delay: float | None = None
    #: Why every page is disallowed (robots.txt unreachable); None when the rules decide.
    refusal: str | None = None

    def allows(self, target: str) -> bool:
        """Whether a path (with its query, from :func:`request_target`) may be fetched: the
        longest matching rule decides, Allow winning a tie; no match allows."""
        if self.refusal is not None:
            return False
        best: _Rule | None = None
        for rule in self.rules:
            if rule.matches(target) and (
                best is None
                or rule.length > best.length
                or (rule.length == best.length and rule.allow)
            ):
                best = rule
        return best is None or best.allow


@dataclass(slots=True)
class _Group:
    agents: list[str] = field(default_factory=list)
    lines: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RobotsFile:
    """A host's robots.txt, parsed into its groups (or a refusal of the whole host)."""

    url: str
    groups: tuple[_Group, ...] = ()
    refusal: str | None = None

    @classmethod
    def parse(cls, url: str, content: bytes) -> RobotsFile:
        """Parse a robots.txt body; lines that mean nothing are skipped, as RFC 9309 asks."""
        text = content[:MAX_ROBOTS_BYTES].decode("utf-8", "replace").lstrip("\ufeff")
        groups: list[_Group] = []
        for raw in text.splitlines():
            name, sep, value = raw.split("#", 1)[0].partition(":")
            name, value = name.strip().lower(), value.strip()
            if not sep:
                continue
            if name == "user-agent":
                if not groups or groups[-1].lines:
                    groups.append(_Group())
                groups[-1].agents.append("*" if value == "*" else _token(value))
            elif name in ("allow", "disallow", "crawl-delay") and groups:
                groups[-1].lines.append((name, value))
        return cls(url, tuple(groups))

    def rules_for(self, token: str) -> RobotsRules:
        """The rules of the groups naming ``token`` (case-insensitive), else of ``*``."""
        if self.refusal is not None:
            return RobotsRules(self.url, refusal=self.refusal)
        token = token.lower()
        chosen = [g for g in self.groups if token in g.agents]
        chosen = chosen or [g for g in self.groups if "*" in g.agents]
        rules: list[_Rule] = []
        delays: list[float] = []
        for name, value in (line for group in chosen for line in group.lines):
            if name == "crawl-delay":
                delays += _seconds(value)
            elif value:  # an empty Disallow disallows nothing
                pattern = _normalize(value)
                anchored = pattern.endswith("$")
                rules.append(_Rule(name == "allow", pattern.rstrip("$"), anchored))
        delay = min(max(delays), MAX_CRAWL_DELAY) if delays else None
        return RobotsRules(self.url, tuple(rules), delay)


def _seconds(value: str) -> list[float]:
    try:
        seconds = float(value)
    except ValueError:
        return []
    return [seconds] if math.isfinite(seconds) and seconds >= 0 else []


def load_robots(url: str, fetch: Callable[[str], HttpResponse]) -> RobotsFile:
    """Fetch and parse a robots.txt, mapping failures as RFC 9309 does: a 4xx (but 429) is
    no robots.txt (everything allowed); a 429, a 5xx or no answer disallows the whole host."""
    try:
        response = fetch(url)
    except HttpError as exc:
        if exc.status is not None and 400 <= exc.status < 500 and exc.status != 429:
            return RobotsFile(url)
        refusal = (
            f"disallowed: {url} could not be fetched ({exc.reason}), so every page of the "
            "host counts as disallowed this run"
        )
        return RobotsFile(url, refusal=refusal)
    return RobotsFile.parse(url, response.content)


@dataclass(slots=True)
class _CacheEntry:
    lock: threading.Lock = field(default_factory=threading.Lock)
    robots: RobotsFile | None = None
    loaded: float = 0.0


class RobotsCache:
    """Each host's robots.txt, fetched once (per :data:`ROBOTS_TTL`) however many threads
    ask for it at once: the first fetches, the others wait for its answer."""

    def __init__(self, ttl: float = ROBOTS_TTL) -> None:
        self._ttl = ttl
        self._lock = threading.Lock()
        self._entries: dict[HostKey, _CacheEntry] = {}

    def robots(self, key: HostKey, fetch: Callable[[str], HttpResponse]) -> RobotsFile:
        """The robots.txt of the host ``key``; ``fetch`` GETs its URL when not cached."""
        with self._lock:
            entry = self._entries.setdefault(key, _CacheEntry())
        with entry.lock:
            now = time.monotonic()
            if entry.robots is None or now - entry.loaded > self._ttl:
                entry.robots = load_robots(robots_url(key), fetch)
                entry.loaded = now
            return entry.robots

    def clear(self) -> None:
        """Forget every host's robots.txt."""
        with self._lock:
            self._entries.clear()


@dataclass(slots=True)
class _Host:
    busy: threading.Condition = field(default_factory=threading.Condition)
    active: int = 0
    turn: threading.Lock = field(default_factory=threading.Lock)
    last_start: float | None = None


class HostPacer:
    """Per host: at most ``concurrency`` requests at a time, and their starts at least
    ``interval`` seconds apart. A request waits only for what is left of the interval.

    :param sleep: how to wait (``time.sleep``); given to observe the waits.
    """

    def __init__(self, sleep: Callable[[float], None] = time.sleep) -> None:
        self._sleep = sleep
        self._lock = threading.Lock()
        self._hosts: dict[HostKey, _Host] = {}

    @contextmanager
    def slot(self, key: HostKey, *, interval: float, concurrency: int) -> Iterator[None]:
        """Within the block, one request to ``key`` may run: entered once fewer than
        ``concurrency`` others run and ``interval`` seconds have passed since the last
        start."""
        with self._lock:
            host = self._hosts.setdefault(key, _Host())
        limit = max(1, concurrency)
        with host.busy:
            host.busy.wait_for(lambda: host.active < limit)
            host.active += 1
        try:
            # Held while waiting: the next request's wait starts from this one's start.
            with host.turn:
                if host.last_start is not None:
                    wait = host.last_start + max(0.0, interval) - time.monotonic()
                    if wait > 0:
                        self._sleep(wait)
                host.last_start = time.monotonic()
            yield
        finally:
            with host.busy:
                host.active -= 1
                host.busy.notify_all()


#: The process's robots.txt cache and host pacer, shared by every page fetch.
ROBOTS = RobotsCache()
PACER = HostPacer()
