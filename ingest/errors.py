"""The exceptions ``ingest`` raises.

Every error a user may see derives from :class:`IngestError` and renders as one line::

    IngestError
    ├── UsageError          a bad option, target, setting or plugin name (exit code 4)
    ├── PluginLoadError     a plugin failed to import or register (exit code 3)
    ├── SourceError         expected bad input: a source could not be read (exit code 1)
    ├── ExportError         a target could not be written (exit code 1)
    ├── OutputClosed        the reader of stdout went away: the run ends quietly (exit 141)
    └── PluginHookError     a plugin raised unexpectedly in a stage (exit code 1)

Errors chain their cause (``raise ... from exc``) so that ``--debug`` shows the traceback.
"""

from __future__ import annotations

import re
from typing import Any

# C0 and C1 controls (newlines and ESC among them), line and paragraph separators, and the
# bidirectional overrides that can make a line read otherwise than it is.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: The longest message line printed; input quoted in it is shortened first (:func:`quoted`).
MAX_LINE = 1000


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char) or f"\\u{ord(char):04x}"


def inert(message: str, limit: int = MAX_LINE) -> str:
    """``message`` made safe to print as one line: control characters (newlines, terminal
    escapes, bidi overrides) escaped as ``\\n``/``\\u001b``, cut to ``limit`` characters.

    Every line the CLI prints goes through it, so that text quoted from an input can neither
    start a forged line nor drive the terminal."""
    line = _UNSAFE.sub(_escape, message)
    return line if len(line) <= limit else line[: limit - 1] + "…"


def quoted(value: object, limit: int = 60) -> str:
    """Input (an id, a tag, a line) quoted for a message: escaped, in quotes, shortened."""
    return f'"{inert(str(value), limit)}"'


class Skip(Exception):
    """Raised by a clean or tag plugin to leave an article out on purpose (a language
    filter): counted as filtered, never reported as a failure."""


class IngestError(Exception):
    """Base class of every error ``ingest`` reports to the user."""

    #: In runs on state, the configured source (``[sources.NAME]``) the error belongs to;
    #: the reporter names it before the message.
    source_name: str | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        # Errors cross from worker processes to the run: pickled as message and attributes,
        # since the subclasses' constructors do not take the message back (the cause, which
        # may not pickle, stays behind; its text is in the message).
        return _rebuilt, (type(self), self.args, dict(self.__dict__))


def _rebuilt(cls: type[IngestError], args: tuple[Any, ...], state: dict[str, Any]) -> IngestError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class NeedsDriver(BaseException):
    """Raised in a worker process (``--workers``) by anything that would go over the
    network: the item or input is handed back to the run's own process, which fetches
    politely and knows what the run holds. A BaseException, so plugins' ``except
    Exception`` lets it through."""


class UsageError(IngestError):
    """The command line, a setting or a target is wrong; nothing was read."""


class PluginLoadError(IngestError):
    """A plugin could not be imported or registered."""


class SourceError(IngestError):
    """A source (file, directory, stream, URL) could not be read.

    :param location: the source as the user named it, with its kind when known (``rss:feed.xml``).
    :param reason: one line saying what is wrong, without the location.
    :param raw: for one bad item yielded by a fetch plugin, the item as read (capped).
    """

    def __init__(self, location: str, reason: str, *, raw: bytes | None = None) -> None:
        super().__init__(f"{location}: {reason}")
        self.location = location
        self.reason = reason
        #: The bad item's bytes, when one item of a source failed (a broken line): runs on
        #: state keep it as a dead letter.
        self.raw = raw


class ExportError(IngestError):
    """A target could not be written."""

    def __init__(self, target: str, reason: str) -> None:
        super().__init__(f"{target}: {reason}")
        self.target = target
        self.reason = reason


class OutputClosed(IngestError):
    """The reader of a target went away (``ingest run … | head``: a closed pipe). Not a
    failure of the data: the run ends at once, quietly, as Unix tools do on SIGPIPE."""


class PluginHookError(IngestError):
    """A plugin raised an unexpected exception while handling one source or item.

    :param stage: ``fetch``, ``clean``, ``tag`` or ``export``.
    :param plugin: the name the plugin is registered under.
    :param item: what was being handled: a source location or an article's location.
    """

    def __init__(self, stage: str, plugin: str, item: str, cause: BaseException) -> None:
        detail = f"{type(cause).__name__}: {cause}".rstrip(": ")
        super().__init__(f"{item}: plugin {plugin!r} failed in {stage}: {detail}")
        self.stage = stage
        self.plugin = plugin
        self.item = item
        self.__cause__ = cause
