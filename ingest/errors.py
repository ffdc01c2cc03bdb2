"""The exceptions ``ingest`` raises.

Every error a user may see derives from :class:`IngestError` and renders as one line::

    IngestError
    ├── UsageError          a bad option, target, setting or plugin name (exit code 4)
    ├── PluginLoadError     a plugin failed to import or register (exit code 3)
    ├── SourceError         expected bad input: a source could not be read (exit code 1)
    ├── ExportError         a target could not be written (exit code 1)
    └── PluginHookError     a plugin raised unexpectedly in a stage (exit code 1)

Errors chain their cause (``raise ... from exc``) so that ``--debug`` shows the traceback.
"""

from __future__ import annotations


class Skip(Exception):
    """Raised by a clean or tag plugin to leave an article out on purpose (a language
    filter): counted as filtered, never reported as a failure."""


class IngestError(Exception):
    """Base class of every error ``ingest`` reports to the user."""


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
