"""The pipeline: a typed facade over the plugin hooks, and the stages one item goes through
(:meth:`Pipeline.items`); :mod:`ingest.engine` runs it over sources and targets.

The rest of the code never touches ``pm.hook`` directly. The stage hooks are called one
implementation at a time (in pluggy's own order: LIFO, ``tryfirst``/``trylast`` honoured) so
that an unexpected exception can name the plugin that raised it and the item it was
handling, and so that ``provenance`` records which plugins ran.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any, TypeVar, cast

import pluggy

from ingest._version import __version__
from ingest.config import Config, Settings
from ingest.errors import (
    IngestError,
    PluginHookError,
    PluginLoadError,
    Skip,
    SourceError,
    UsageError,
)
from ingest.export import Exporter
from ingest.http import probe_kind
from ingest.identity import assign_identity, canonical_url, content_hash, stated_hash
from ingest.keep import Keep
from ingest.locations import Source, SourceKind, Target, TargetKind, iter_sources
from ingest.model import Article, Tag
from ingest.rawitems import raw_article
from ingest.seen import SeenItems
from ingest.stages import read_items
from ingest.summary import (
    DeadLetterHandler,
    ErrorHandler,
    RunSummary,
)
from ingest.words import word_count

_ONE_AT_A_TIME = ("ingest_fetch", "ingest_clean", "ingest_enrich", "ingest_tag")
#: Asked before the enrich stage: does the run already hold this id with this stated hash?
Known = Callable[[str, str], bool]
_T = TypeVar("_T")


def _latest(by_name: dict[str, _T]) -> list[_T]:
    """The declarations by name, sorted (pluggy lists the latest plugin first: reversed, the
    latest is written last and wins)."""
    return [by_name[name] for name in sorted(by_name)]


def _call(impl: pluggy.HookImpl, args: dict[str, Any]) -> Any:
    # pluggy lets an implementation take fewer arguments than the spec: pass only its own.
    return impl.function(*(args[name] for name in impl.argnames))


class Pipeline:
    """Typed access to the hooks of one plugin manager, and :meth:`run`.

    :param pm: a manager from :func:`ingest.manager.get_plugin_manager`.
    :param values: user settings (``--set``), checked against what plugins declared.
    :param keep: filters (``--language``): articles they do not keep are dropped in the
        tag stage, as soon as the field is decided (:mod:`ingest.keep`).
    """

    def __init__(
        self,
        pm: pluggy.PluginManager,
        values: dict[str, Any] | None = None,
        keep: Sequence[Keep] = (),
    ) -> None:
        self.pm = pm
        self.keep = tuple(keep)
        self.settings = Settings()
        pm.hook.ingest_add_settings(settings=self.settings)
        self.values = dict(values or {})
        self._check_disabled(self.values)
        self.config = Config(self.settings, values)
        self._impl_cache: dict[str, tuple[list[pluggy.HookImpl], list[pluggy.HookImpl]]] = {}
        self._frozen: dict[str, list[pluggy.HookImpl]] | None = None
        self._readers: dict[str, frozenset[str]] | None = None
        for hook in _ONE_AT_A_TIME:
            for impl in getattr(pm.hook, hook).get_hookimpls():
                if impl.hookwrapper or impl.wrapper:
                    raise PluginLoadError(
                        f"plugin {impl.plugin_name!r}: wrapper implementations of {hook} are "
                        "not supported; order it with tryfirst/trylast instead"
                    )

    def _check_disabled(self, values: Mapping[str, Any]) -> None:
        """A setting of a plugin that is switched off: say so, rather than "unknown"."""
        for name in values:
            plugin = name.split(".", 1)[0]
            if name not in self.settings and self.pm.is_blocked(plugin):
                raise UsageError(
                    f"setting {name!r} belongs to the plugin {plugin!r}, which is disabled "
                    "(--no-plugin or INGEST_DISABLE_PLUGINS): enable it or drop the setting"
                )

    @contextlib.contextmanager
    def configured(self, values: Mapping[str, Any], keep: Sequence[Keep] = ()) -> Iterator[Config]:
        """Within the block, stage hooks get ``values`` over the pipeline's own, and ``keep``
        replaces the filters of the same fields (one source's settings from ``ingest.toml``)."""
        if not values and not keep:
            yield self.config
            return
        saved, saved_keep = self.config, self.keep
        self._check_disabled(values)
        self.config = Config(self.settings, {**self.values, **values})
        fields = {k.field for k in keep}
        self.keep = (*(k for k in saved_keep if k.field not in fields), *keep)
        try:
            yield self.config
        finally:
            self.config, self.keep = saved, saved_keep

    @contextlib.contextmanager
    def frozen(self) -> Iterator[None]:
        """Within the block (a run), the stage hooks' implementations are fixed: they are
        called for every article, and re-reading pluggy's lists each time costs. Plugins
        registered meanwhile join the next run."""
        self._frozen = {hook: self._impls(hook) for hook in _ONE_AT_A_TIME}
        self._readers = None  # plugins registered since are taken into account
        try:
            yield
        finally:
            self._frozen = None

    def _impls(self, hook: str) -> list[pluggy.HookImpl]:
        # get_hookimpls() lists in registration order with tryfirst last; calls go in reverse.
        # During a run the lists are fixed (see frozen()); outside one, checked at each call.
        if self._frozen is not None:
            return self._frozen[hook]
        caller = getattr(self.pm.hook, hook)
        impls = caller.get_hookimpls()
        cached = self._impl_cache.get(hook)
        if cached is None or cached[0] != impls:
            cached = self._impl_cache[hook] = (impls, list(reversed(impls)))
        return cached[1]

    # -- the hooks, typed ---------------------------------------------------------------

    def detect_kind(self, location: str, head: bytes) -> str | None:
        """The kind a plugin claims for ``location``, or None."""
        kind: str | None = self.pm.hook.ingest_detect_kind(location=location, head=head)
        return kind

    def source_kinds(self) -> list[SourceKind]:
        """Every source kind the plugins declare, by name (a later plugin's wins)."""
        results = self.pm.hook.ingest_source_kinds()
        return _latest({kind.name: kind for found in reversed(results) for kind in found or ()})

    def target_suffixes(self) -> dict[str, str]:
        """File name endings that name a target scheme (``.jsonl`` -> ``jsonl``), as the
        exporters declare them."""
        return {suffix: kind.scheme for kind in self.target_kinds() for suffix in kind.suffixes}

    def readers(self) -> dict[str, frozenset[str]]:
        """The kinds each plugin that declares any reads, by plugin name (fixed during a
        run, like the stage hooks)."""
        if self._readers is not None and self._frozen is not None:
            return self._readers
        readers = {}
        for impl in self.pm.hook.ingest_source_kinds.get_hookimpls():
            declared = cast("Iterable[SourceKind] | None", impl.function()) or ()
            readers[impl.plugin_name] = frozenset(kind.name for kind in declared)
        self._readers = readers
        return readers

    def target_kinds(self) -> list[TargetKind]:
        """Every target scheme the plugins declare, by scheme (a later plugin's wins)."""
        results = self.pm.hook.ingest_target_kinds()
        return _latest({kind.scheme: kind for found in reversed(results) for kind in found or ()})

    def exporter(self, target: Target) -> Exporter:
        """An open exporter for ``target``; :class:`UsageError` when no plugin writes it."""
        exporter: Exporter | None = self.pm.hook.ingest_export(target=target, config=self.config)
        if exporter is None:
            raise UsageError(
                f"no plugin writes targets of kind {target.scheme!r} ({target.label()})"
            )
        exporter.label = exporter.label or target.label()
        return exporter

    def fetch(self, source: Source) -> tuple[str, Iterator[Article | SourceError]]:
        """The name of the plugin that reads ``source`` and its iterator of raw articles."""
        args = {"source": source, "config": self.config}
        readers = self.readers()
        for impl in self._impls("ingest_fetch"):
            kinds = readers.get(impl.plugin_name)
            if kinds is not None and source.kind not in kinds:
                continue  # it declared the kinds it reads, and this is not one
            try:
                result = _call(impl, args)
            except IngestError:
                raise
            except Exception as exc:
                raise PluginHookError("fetch", impl.plugin_name, source.label(), exc) from exc
            if result is not None:
                items: Iterator[Article | SourceError] = iter(result)
                return impl.plugin_name, items
        raise SourceError(source.label(), f"no plugin reads sources of kind {source.kind!r}")

    def clean(self, article: Article) -> None:
        """Run every ``ingest_clean`` implementation on ``article``, in order."""
        args = {"article": article, "config": self.config}
        for impl in self._impls("ingest_clean"):
            try:
                applied = _call(impl, args)
            except Skip:
                raise
            except Exception as exc:
                raise PluginHookError("clean", impl.plugin_name, article.describe(), exc) from exc
            if applied is not False:
                article.provenance.clean.append(impl.plugin_name)

    def enrich(self, article: Article, known: Known | None = None) -> None:
        """Run every ``ingest_enrich`` implementation on ``article`` unless ``known`` says the
        run holds it already as its source states it (then the item is not completed again,
        and the keeper finds it unchanged)."""
        impls = self._impls("ingest_enrich")
        if not impls:
            return
        stated = stated_hash(article)
        if known is not None and known(article.id, stated):
            article.stated_hash = stated
            return
        args = {"article": article, "config": self.config}
        tried = False
        for impl in impls:
            try:
                changed = _call(impl, args)
            except (Skip, SourceError):
                raise
            except Exception as exc:
                raise PluginHookError("enrich", impl.plugin_name, article.describe(), exc) from exc
            tried = tried or changed is not None
            if changed:
                article.provenance.enrich.append(impl.plugin_name)
        if tried:  # remembered as stated, completed or not: tried again when it changes
            article.stated_hash = stated
        if article.provenance.enrich:
            article.url = canonical_url(article.url)
            article.content_hash = content_hash(article.title, article.text)

    def tag(self, article: Article) -> None:
        """Run every ``ingest_tag`` implementation and merge their tags into ``article.tags``."""
        args = {"article": article, "config": self.config}
        seen = {(t.kind, t.value) for t in article.tags}
        for impl in self._impls("ingest_tag"):
            try:
                result = _call(impl, args)
                if result is False:  # not this plugin's business: no mention in provenance
                    continue
                tags: Iterable[Tag] = () if result is None or result is True else result
                for tag in tags:
                    if (tag.kind, tag.value) not in seen:
                        seen.add((tag.kind, tag.value))
                        by = tag.by or impl.plugin_name
                        article.tags.append(tag if tag.by else replace(tag, by=by))
            except Skip:
                raise
            except Exception as exc:
                raise PluginHookError("tag", impl.plugin_name, article.describe(), exc) from exc
            article.provenance.tag.append(impl.plugin_name)
            for keep in self.keep:  # as soon as the field is decided: later plugins cost
                keep.check(article, final=False)
        for keep in self.keep:
            keep.check(article, final=True)

    # -- the run ------------------------------------------------------------------------

    def sources(
        self, locations: Sequence[str], kind: str | None = None
    ) -> Iterator[Source | SourceError]:
        """Every source named by ``locations``, lazily, with errors as values."""
        kinds = self.source_kinds()
        names = [k.name for k in kinds]
        media_types: dict[str, list[str]] = {}
        for declared in kinds:
            for media_type in declared.media_types:
                media_types.setdefault(media_type, []).append(declared.name)

        def probe(location: str) -> Source | SourceError:
            return probe_kind(location, self.config, self.detect_kind, media_types)

        for spec in locations:
            yield from iter_sources(spec, kind, self.detect_kind, probe=probe, kinds=names)

    def process(
        self,
        article: Article,
        plugin: str,
        stage_seconds: dict[str, float],
        known: Known | None = None,
    ) -> None:
        """Clean, identify, enrich and tag one raw article in place; ``known`` is asked
        before the enrich stage (see :meth:`enrich`)."""
        started = time.perf_counter()
        article.provenance.ingest = __version__
        article.provenance.fetch = plugin
        self.clean(article)
        assign_identity(article)
        cleaned = time.perf_counter()
        self.enrich(article, known)
        article.metrics["words"] = word_count(article.text)
        enriched = time.perf_counter()
        self.tag(article)
        stage_seconds["clean"] += cleaned - started
        stage_seconds["enrich"] += enriched - cleaned
        stage_seconds["tag"] += time.perf_counter() - enriched

    def settle(
        self,
        article: Article,
        plugin: str,
        summary: RunSummary,
        on_error: ErrorHandler,
        *,
        keep: DeadLetterHandler | None = None,
        raw: Article | None = None,
        known: Known | None = None,
    ) -> bool:
        """Run the stages on one raw item (:meth:`process`); False when it was filtered or
        failed, which is counted in ``summary``, told to ``on_error`` and, with ``keep``,
        kept with ``raw`` (the item before any stage) as a dead letter."""
        try:
            self.process(article, plugin, summary.stage_seconds, known)
        except Skip:
            summary.filtered += 1
            return False
        except (SourceError, PluginHookError) as exc:  # a SourceError: enrich failed the item
            summary.items_failed += 1
            on_error(exc)
            if keep is not None and raw is not None:
                if isinstance(exc, PluginHookError):
                    keep(exc.stage, exc.plugin, exc, raw_article(raw))
                else:
                    keep("enrich", plugin, exc, raw_article(raw))
            return False
        return True

    def items(
        self,
        source: Source,
        summary: RunSummary,
        on_error: ErrorHandler,
        keep: DeadLetterHandler | None = None,
        *,
        fetched_before: SeenItems | None = None,
        known: Known | None = None,
        on_driver: Callable[[Article, str], None] | None = None,
    ) -> Iterator[Article]:
        """Fetch ``source`` and yield its articles cleaned, identified and tagged.

        Errors go to ``on_error`` and are counted in ``summary``; the source goes on after a
        bad item. With ``keep``, each failed item is also handed over with its raw form (the
        bytes a fetch plugin read, or the article as fetched, before any clean plugin).
        With ``fetched_before`` (the run's memory of raw items), an item fetched exactly as
        before in this run is counted as a duplicate before the costly stages run on it, and
        ``known`` spares the enrich stage what the run already holds. In a worker process,
        ``on_driver`` gets each raw item whose stages would go over the network
        (:class:`~ingest.errors.NeedsDriver`): the run's own process handles it.
        """
        return read_items(
            self.fetch,
            self.settle,
            source,
            summary,
            on_error,
            keep,
            fetched_before=fetched_before,
            known=known,
            on_driver=on_driver,
        )
