"""Every hook a plugin may implement: the plugin API reference.

Implement a hook with the :data:`ingest.hookimpl` marker, in a module or class registered
through the ``ingest`` entry-point group (or ``-p MODULE``). An implementation may accept
fewer arguments than the spec lists. Plugins registered later are called first, so a
third-party plugin can claim a kind, a target or a stage before the built-in that would.
Use only what :mod:`ingest` and :mod:`ingest.helpers` export: the built-ins do too.

The life of one item::

    ingest_detect_kind   which kind reads a location (unless KIND: or --kind says)
    ingest_fetch         the item, raw; HTML left in ``article.markup``
    ingest_clean         HTML to text (``markup``, first), ..., ``normalize`` (last)
      (the core)         id, content hash, word count
    ingest_enrich        only for what the run will deliver: the page behind an entry...
    ingest_tag           language first, then entities, quotes, keywords...
    ingest_export        every target

Rules that hold for every stage hook (fetch, clean, tag):

* ``config`` holds the settings in force for the source at hand: a source of
  ``ingest.toml`` may set its own, so read it on every call and never cache it.
* Wrapper implementations (``wrapper=True``, ``hookwrapper=True``) are refused when the
  pipeline is built: the stages call one implementation at a time, to name the plugin
  that failed; order yours with ``tryfirst``/``trylast``.
* An unexpected exception drops the item at hand only, with an error naming your plugin
  (kept as a dead letter in runs on state); the run goes on.
* In clean and tag, raise :class:`~ingest.Skip` to leave an article out on purpose (a
  filter): it is counted as filtered, not as a failure.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import typer

    from ingest.config import Config, Settings
    from ingest.errors import SourceError
    from ingest.export import Exporter
    from ingest.locations import Source, SourceKind, Target, TargetKind
    from ingest.model import Article, Tag

PROJECT = "ingest"
hookspec = pluggy.HookspecMarker(PROJECT)


@hookspec
def ingest_add_settings(settings: Settings) -> None:
    """Declare the configuration keys your plugin reads.

    Called for every plugin each time a pipeline is built (once per run; ``ingest plugins``
    and the checks of ``--set`` build one too), each time with a fresh ``settings``: declare
    keys and do nothing else, and expect no order relative to other hooks.

    :param settings: call ``settings.add("myplugin.key", default, "help")``; the part before
        the dot must be your plugin's name. Users set keys with ``--set myplugin.key=VALUE``
        (``ingest plugins`` lists them) or in ``ingest.toml``.
    """


@hookspec
def ingest_register_commands(app: typer.Typer) -> None:
    """Add subcommands to the ``ingest`` command line.

    Called once, for every plugin, when the CLI is built.

    :param app: the root :class:`typer.Typer`; add commands with ``@app.command()``.
    """


@hookspec
def ingest_source_kinds() -> Iterable[SourceKind] | None:
    """Declare the source kinds your ``ingest_fetch`` reads.

    :returns: :class:`~ingest.SourceKind` records (name, one line of help, file suffixes,
        HTTP media types), or None.

    ``ingest plugins`` and ``ingest run --help`` list them, a location of unknown kind gets
    a message naming them, and a URL whose kind its name does not tell is fetched once and
    read by the kind that alone declares its ``Content-Type``. A plugin that declares kinds
    has its ``ingest_fetch`` called only for sources of those kinds. Called for every
    plugin, at any time: return the same records each time.
    """


@hookspec
def ingest_target_kinds() -> Iterable[TargetKind] | None:
    """Declare the target schemes your ``ingest_export`` writes.

    :returns: :class:`~ingest.TargetKind` records (scheme, help, ``exactly_once``), or None.

    Runs on state (``-c``/``--state``) accept a target only when its scheme is declared
    with ``exactly_once=True``, and refuse the others before they create or read anything.
    Called for every plugin, at any time: return the same records each time.
    """


@hookspec(firstresult=True)
def ingest_detect_kind(location: str, head: bytes) -> str | None:
    """Tell the kind of a location that the user gave without ``KIND:`` or ``--kind``.

    :param location: a file path, ``-`` for stdin, or a URL.
    :param head: the first bytes (up to 4 KiB) of a local file or stdin. For a URL, first
        empty (claim it by its name, ``/feed.xml``, without fetching); when no plugin does,
        the URL is fetched once and the hook is called again with the first bytes of the
        response (the kind that alone declares the response's media type in
        ``ingest_source_kinds`` is taken without asking).
    :returns: a kind your plugin reads (``"text"``), or None when it is not yours.

    Must be cheap and must not read the location itself. Use ``trylast=True`` for a
    catch-all guess. Stops at the first non-None result.
    """


@hookspec(firstresult=True)
def ingest_fetch(source: Source, config: Config) -> Iterator[Article | SourceError] | None:
    """Read ``source`` and yield its items as raw articles, or return None if it is not yours.

    :param source: what to read; ``source.kind`` says which kind was detected or asked for.
        A URL is fetched with :func:`ingest.helpers.fetch_source`, which sends and records
        the HTTP validators of runs on state (return no article on ``not_modified``).
    :param config: the settings in force for this source.
    :returns: an iterator of :class:`~ingest.Article`, or None, without reading anything,
        when you do not handle ``source.kind`` (not needed when you declare your kinds with
        ``ingest_source_kinds``: you are then called for those only).

    Yield lazily, one item at a time: sources can be larger than memory. Set
    ``article.source.origin_id`` or ``article.url`` when the input has them, so ids stay
    stable. Leave HTML in ``article.markup`` (:class:`~ingest.Markup`: body, summary, base
    URL) rather than converting it: the ``markup`` clean plugin turns it into ``text``,
    ``summary``, ``embeds``, ``links`` and ``media`` the same way for every source.

    For bad input raise :class:`~ingest.SourceError` (``SourceError(source.label(),
    "one-line reason")``): the source ends there, and articles yielded before are kept. When
    only one item is bad (a broken line of a JSON Lines file), *yield* a ``SourceError``
    naming it (``f"{source.label()}:{line}"``) instead of an article, and go on with the
    next; give it ``raw=`` (the item's bytes, capped) so that runs on state keep it as a dead
    letter whose retry reads it again. Quote input in a reason with :func:`ingest.quoted`.
    Stops at the first non-None result.
    """


@hookspec
def ingest_clean(article: Article, config: Config) -> bool | None:
    """Normalize ``article`` in place: HTML to text, Unicode, whitespace, dates, URLs, embeds.

    :param article: the article to change. ``article.markup``, when set, is HTML a fetch
        plugin left for the ``markup`` plugin (``tryfirst``), which converts it and clears it.
    :param config: the settings in force for the article's source.
    :returns: None (or True): cleaned; False when the article was not yours to clean
        (nothing of your concern in it), which leaves your plugin out of
        ``provenance.clean``.

    Every implementation is called, one after the other; order them with ``tryfirst`` /
    ``trylast`` (the built-in ``markup`` runs first, ``normalize`` last). Raise
    :class:`~ingest.Skip` to leave the article out on purpose.
    """


@hookspec
def ingest_enrich(article: Article, config: Config) -> bool | None:
    """Complete a cleaned article from elsewhere: the page behind a feed entry (``--full-text``)
    or a sitemap URL, a lookup in a database, a costly service.

    Called after the clean stage and the identity (``article.id`` is set), before the tag
    stage, and only for an article the run will deliver: one it has not met before with the
    same content, and in runs on state one the ledger does not hold as its source stated it.
    A cron run over a feed of 50 entries, one of them new, calls it once.

    :param article: the article to complete in place (text, authors, media...).
    :param config: the settings in force for the article's source.
    :returns: True when you changed the article (your plugin goes to ``provenance.enrich``
        and the content hash is computed again); False when you tried and could not; None
        when it is not yours. After True or False, runs on state remember the item by the
        hash it had before this stage, so it is not tried again until its source changes it.

    Raise :class:`~ingest.SourceError` (``SourceError(article.url, "reason")``) to fail the
    item with one line (a sitemap URL whose page is gone); to keep it as it is, add a line to
    ``article.warnings`` and return False (a feed entry whose page is gone keeps its teaser).
    Every implementation is called, one after the other.
    """


@hookspec
def ingest_tag(article: Article, config: Config) -> Iterable[Tag] | bool | None:
    """Return tags for a cleaned article (people, places, keywords...), or None.

    :param article: the cleaned article, with its id and content hash; may also be changed
        in place (``language``, ``quotes``).
    :param config: the settings in force for the article's source.
    :returns: tags to add; None or True: ran, no tags to add; False: switched off, or
        nothing of your concern, which leaves your plugin out of ``provenance.tag``. The
        pipeline merges the tags with those of other plugins and drops exact duplicates.

    A tag's kind is one of the schema's (``person``, ``place``, ``organization``,
    ``keyword``, ``category``, ``hashtag``, ``mention``, ``topic``) or your own named
    ``x-NAME``; :class:`~ingest.Tag` refuses any other when it is made. Every implementation
    is called; raise :class:`~ingest.Skip` to leave the article out on purpose (the
    ``language`` plugin does, for ``--language``).
    """


@hookspec(firstresult=True)
def ingest_export(target: Target, config: Config) -> Exporter | None:
    """Return a streaming writer for ``target``, or None if its scheme is not yours.

    :param target: ``target.scheme`` (``jsonl``, ``json``, ``dir``...) and ``target.location``.
    :param config: the run's settings.
    :returns: an :class:`~ingest.Exporter`, created before any source is read, or None.

    Raise :class:`~ingest.UsageError` when the target is yours but malformed. Stops at the
    first non-None result.

    Runs on state (``ingest run -c``) set ``target.incremental`` (and ``target.owner``, the
    state's id): return an exporter whose ``incremental`` is True, which appends rather than
    replaces and implements :meth:`~ingest.Exporter.checkpoint` and
    :meth:`~ingest.Exporter.recover`, so that each article reaches the target exactly once
    across runs and kills. Upserting by id (a database) is the simplest way to get there.
    """
