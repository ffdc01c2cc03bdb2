"""Helpers for plugin authors: what the built-in plugins use, and all they use, besides the
records and hooks of :mod:`ingest`. A built-in plugin imports from ``ingest`` and
``ingest.helpers`` only, so that a third party can write any of them
(``tests/test_public_api.py`` keeps it so).

Reading input
    :func:`read_bytes` (a local file or stdin, capped), :func:`fetch_source` (a URL, with the
    ``http.*`` settings and, in runs on state, conditional requests), :func:`fetch_page` (a
    page URL, politely: robots.txt and a per-host pace), :func:`decode_text`,
    :func:`sniff_text` and :func:`text_codec` (bytes of unknown encoding), and
    :mod:`jsonvalues` (typed access to untrusted JSON: ``jsonvalues.text(v)``...), and
    :func:`inflate` (gzip or deflate under a byte cap, a stream cut short refused).
Values
    :func:`parse_date` (RFC 822, ISO 8601 and the rest, never raising), :func:`bcp47`,
    :func:`resolve_url`, :func:`origin_article_id` (the id of another item, for relations),
    :func:`word_count`, :func:`repaired` (values JSON cannot carry).
Writing
    :func:`dumps`, :func:`dumps_bytes` (an article as one JSON line), :func:`format_datetime`,
    :func:`write_atomic`.
Messages
    :func:`~ingest.quoted` and :func:`~ingest.inert` are in :mod:`ingest` itself.
"""

from ingest import jsonvalues
from ingest.articlejson import dumps, dumps_bytes, format_datetime
from ingest.dates import parse_date
from ingest.encoding import BOMS, NotAnEncoding, NotText, decode_text, sniff_text, text_codec
from ingest.export import write_atomic
from ingest.http import (
    DEFAULT_CONCURRENCY,
    DEFAULT_DEADLINE,
    DEFAULT_HOST_CONCURRENCY,
    DEFAULT_HOST_DELAY,
    DEFAULT_MAX_BYTES,
    DEFAULT_TIMEOUT,
    DEFAULT_USER_AGENT,
    HttpResponse,
    fetch_page,
    fetch_source,
)
from ingest.http.body import BodyRefused, inflate
from ingest.identity import origin_article_id, resolve_url
from ingest.jsonvalues import decode_error, repaired
from ingest.langtags import bcp47
from ingest.locations import HEAD_BYTES, read_bytes
from ingest.words import word_count

__all__ = [
    "BOMS",
    "DEFAULT_CONCURRENCY",
    "DEFAULT_DEADLINE",
    "DEFAULT_HOST_CONCURRENCY",
    "DEFAULT_HOST_DELAY",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_TIMEOUT",
    "DEFAULT_USER_AGENT",
    "HEAD_BYTES",
    "BodyRefused",
    "HttpResponse",
    "NotAnEncoding",
    "NotText",
    "bcp47",
    "decode_error",
    "decode_text",
    "dumps",
    "dumps_bytes",
    "fetch_page",
    "fetch_source",
    "format_datetime",
    "inflate",
    "jsonvalues",
    "origin_article_id",
    "parse_date",
    "read_bytes",
    "repaired",
    "resolve_url",
    "sniff_text",
    "text_codec",
    "word_count",
    "write_atomic",
]
