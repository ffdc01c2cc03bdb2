"""Walking one sitemap source: the sitemap it names, the children of an index (depth-limited,
each sitemap read once), or a site's sitemaps as its robots.txt lists them.

Sitemaps on the web are fetched whole with the ``http.*`` settings (a body is capped by
``http.max_bytes``) and parsed from memory as a stream; local files are streamed from disk.
Trouble with one sitemap (gone, malformed, over a limit, listed twice) is one line naming
it, and the walk goes on with the others.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from io import BytesIO
from urllib.parse import urlsplit

from ingest import Config, Source, SourceError, UsageError, quoted
from ingest.helpers import fetch_source, parse_date, read_bytes, resolve_url
from ingest_plugins.sources.sitemap.parse import (
    Child,
    Entry,
    Invalid,
    Readable,
    SitemapError,
    iter_sitemap,
    robots_sitemaps,
)

KIND = "sitemap"
_ACCEPT = (
    "application/xml, text/xml;q=0.9, application/gzip;q=0.8, application/x-gzip;q=0.8, "
    "text/plain;q=0.5, */*;q=0.1"
)
_ROBOTS_ACCEPT = "text/plain, */*;q=0.5"
_ROBOTS_MAX_BYTES = 1024 * 1024
_WEB = ("http://", "https://")
#: The deepest ``sitemap.max_depth``: each level is one more generator frame, and no real
#: site nests indexes more than twice.
MAX_DEPTH = 32
_SHOWN = 300  # the most characters of a URL or path shown in a message: its end tells most


@dataclass(frozen=True, slots=True)
class Limits:
    """The ``sitemap.*`` settings in force for one source."""

    max_urls: int
    max_bytes: int
    max_depth: int
    #: Entries dated before this are left out (``sitemap.since``); None: no limit.
    since: datetime | None = None

    @classmethod
    def of(cls, config: Config) -> Limits:
        """The limits ``config`` sets.

        :raises UsageError: a count below 1, or a depth outside 0 to :data:`MAX_DEPTH`.
        """
        since = str(config.get("sitemap.since") or "")
        limits = cls(
            int(config.get("sitemap.max_urls")),
            int(config.get("sitemap.max_bytes")),
            int(config.get("sitemap.max_depth")),
            parse_date(since).value if since.strip() else None,
        )
        for name, value, least, most in (
            ("max_urls", limits.max_urls, 1, None),
            ("max_bytes", limits.max_bytes, 1, None),
            ("max_depth", limits.max_depth, 0, MAX_DEPTH),
        ):
            if value < least or (most is not None and value > most):
                bounds = f"from {least} to {most}" if most is not None else f"at least {least}"
                raise UsageError(f"setting sitemap.{name}: expected {bounds}, got {value}")
        return limits


@dataclass(frozen=True, slots=True)
class Listed:
    """A page a sitemap lists, its URL made absolute."""

    entry: Entry
    #: The sitemap (URL or path) that lists it.
    sitemap: str


class Walk:
    """The pages of one source, read lazily: :meth:`pages`."""

    def __init__(self, source: Source, config: Config) -> None:
        self.source = source
        self.config = config
        self.limits = Limits.of(config)
        self._seen: set[str] = set()

    def pages(self) -> Iterator[Listed | SourceError]:
        """Every page the source's sitemaps list (and one error per sitemap in trouble).

        :raises SourceError: the source itself cannot be read at all.
        """
        location = self.source.location
        if (self.source.is_url and is_site_root(location)) or is_robots(location):
            yield from self._from_robots()
        else:
            yield from self._read(location, 0, top="")

    def _from_robots(self) -> Iterator[Listed | SourceError]:
        """A site's sitemaps as its robots.txt lists them, else its ``/sitemap.xml``."""
        location = self.source.location
        if is_robots(location):
            robots = location
        else:
            parts = urlsplit(location)
            robots = f"{parts.scheme}://{parts.netloc}/robots.txt"
        listed = self._robots_lines(robots)
        for url in listed:
            if _key(url) not in self._seen:
                yield from self._read(url, 0)
        if listed:
            return
        if not robots.startswith(_WEB):
            raise SourceError(self.source.label(), "no Sitemap: lines in this robots.txt")
        fallback = resolve_url(robots, "/sitemap.xml")
        yield from self._read(fallback, 0, top=f"robots.txt names no sitemap, and {fallback}: ")

    def _robots_lines(self, robots: str) -> list[str]:
        """The sitemaps a robots.txt names, as absolute http(s) URLs; none when it is gone."""
        if robots.startswith(_WEB):
            try:
                response = fetch_source(Source(KIND, robots), self.config, accept=_ROBOTS_ACCEPT)
            except SourceError:
                return []  # most sites without one answer 404: /sitemap.xml is tried next
            data = response.content
        else:
            data = read_bytes(self.source, _ROBOTS_MAX_BYTES)
        urls = (resolve_url(robots, url) for url in robots_sitemaps(data))
        return [url for url in urls if url.startswith(_WEB)]

    def _read(
        self, location: str, depth: int, top: str | None = None
    ) -> Iterator[Listed | SourceError]:
        """One sitemap's pages, then its children's.

        :param top: for a sitemap the source stands or falls with, what the reason of a
            failure to open it starts with (raised for the source); None: a failure is one
            line, yielded, and the walk goes on.
        """
        self._seen.add(_key(location))
        label = f"{KIND}:{location}"
        children: list[Child] = []
        base = location
        try:
            with self._open(location, top is not None) as (stream, base):
                for item in iter_sitemap(
                    stream, max_urls=self.limits.max_urls, max_bytes=self.limits.max_bytes
                ):
                    if isinstance(item, Child):
                        children.append(item)
                    elif isinstance(item, Invalid):
                        yield SourceError(label, item.reason)
                    else:
                        page = self._page(item, base, location)
                        if page is not None:
                            yield page
        except SitemapError as exc:
            yield SourceError(label, str(exc))
        except SourceError as exc:
            if top is None:
                yield exc
                return
            raise SourceError(self.source.label(), top + exc.reason) from None
        yield from self._children(children, base, label, depth)

    @contextmanager
    def _open(self, location: str, top: bool) -> Iterator[tuple[Readable, str]]:
        """A sitemap's bytes, and what its relative URLs resolve against."""
        if location.startswith(_WEB):
            source = self.source if top and location == self.source.location else None
            if source is None:
                source = Source(KIND, location)
            elif source.http is not None:
                # Always read whole: an index unchanged since the last run may list children
                # that did change.
                source.http.etag = source.http.last_modified = None
            response = fetch_source(source, self.config, accept=_ACCEPT)
            yield BytesIO(response.content), response.url
        elif location == "-":
            yield sys.stdin.buffer, "-"
        else:
            try:
                handle = open(location, "rb")  # noqa: SIM115 (closed by the with below)
            except OSError as exc:
                raise SourceError(f"{KIND}:{location}", _os_reason(exc)) from None
            with handle:
                yield handle, location

    def _page(self, entry: Entry, base: str, sitemap: str) -> Listed | SourceError | None:
        """The page an entry of ``sitemap`` lists, unless ``sitemap.since`` leaves it out."""
        loc = entry.loc
        if not loc.startswith(_WEB) and base.startswith(_WEB):
            loc = resolve_url(base, loc)
        if not loc.startswith(_WEB):
            return SourceError(
                f"{KIND}:{sitemap}", f"{quoted(entry.loc, _SHOWN)} is not an http(s) URL"
            )
        since = self.limits.since
        if since is not None:
            dates = [d for d in (entry.lastmod, entry.news_published) if d is not None]
            if dates and max(dates) < since:
                return None
        return Listed(entry if loc == entry.loc else replace(entry, loc=loc), sitemap)

    def _children(
        self, children: list[Child], base: str, label: str, depth: int
    ) -> Iterator[Listed | SourceError]:
        """The sitemaps an index lists, each read once, down to ``sitemap.max_depth``."""
        too_deep: list[str] = []
        since = self.limits.since
        for child in children:
            target = _child_location(child.loc, base)
            if target is None:
                yield SourceError(
                    label, f"{quoted(child.loc, _SHOWN)} is not a sitemap it may list"
                )
            elif since is not None and child.lastmod is not None and child.lastmod < since:
                continue  # unchanged since: none of its pages can be newer
            elif _key(target) in self._seen:
                yield SourceError(
                    label,
                    f"lists {quoted(target, _SHOWN)}, which this source read already: not again",
                )
            elif depth >= self.limits.max_depth:
                too_deep.append(target)
            else:
                yield from self._read(target, depth + 1)
        if too_deep:
            more = f" and {len(too_deep) - 1:,} more" if len(too_deep) > 1 else ""
            yield SourceError(
                label,
                f"indexes nest deeper than {self.limits.max_depth} (sitemap.max_depth): "
                f"{quoted(too_deep[0], _SHOWN)}{more} not read",
            )


def is_site_root(url: str) -> bool:
    """True for a URL that names a whole site (``https://example.org/``)."""
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query


def is_robots(location: str) -> bool:
    """True for a location that names a robots.txt."""
    return location.split("?", 1)[0].rsplit("/", 1)[-1].lower() == "robots.txt"


def _child_location(loc: str, base: str) -> str | None:
    """Where a child sitemap is: an http(s) URL, or, listed by a local file, a path beside
    it. None for anything else (a web sitemap never names a local file)."""
    if loc.startswith(_WEB):
        return loc
    if base.startswith(_WEB):
        resolved = resolve_url(base, loc)
        return resolved if resolved.startswith(_WEB) else None
    if ":" in loc.split("/", 1)[0]:
        return None  # another scheme (file:, ftp:): not followed
    if base == "-":
        return loc
    return os.path.join(os.path.dirname(base), loc)


def _key(location: str) -> str:
    """What tells two names of one sitemap apart: a URL without fragment, a real path."""
    if location.startswith(_WEB) or location == "-":
        return location.split("#", 1)[0]
    return os.path.realpath(location)


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return f"cannot read: {exc.strerror or exc}"
