"""Keeping only some articles: ``--language de,fr``, or ``language = "de,fr"`` for one
source of ``ingest.toml``.

A filter names a field of the record and the values to keep. The pipeline checks it in the
tag stage after each tag plugin, as soon as the field is decided (``language`` is decided by
the language plugin, which runs first), so that a dropped article costs none of the later,
costlier plugins; an article whose field is still undecided after the last plugin is dropped
too. Values match as language ranges do (RFC 4647 basic filtering): ``de`` keeps ``de`` and
``de-AT``. A dropped article is counted as filtered, never as a failure.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.errors import Skip, UsageError
from ingest.langtags import bcp47
from ingest.model import Article


@dataclass(frozen=True, slots=True)
class Keep:
    """Keep the articles whose ``field`` is one of ``values`` (or a subtag of one)."""

    #: A field of the record: ``language``, or a dotted path (``source.kind``).
    field: str
    values: frozenset[str]

    @classmethod
    def languages(cls, codes: str, where: str = "--language") -> Keep:
        """The filter of ``--language de,fr``; :class:`UsageError` names what is not a code."""
        found = [(code.strip(), bcp47(code)) for code in codes.split(",") if code.strip()]
        bad = [code for code, tag in found if tag is None]
        if bad:
            raise UsageError(f"{where}: not language codes: {', '.join(bad)}")
        return cls("language", frozenset(tag.lower() for _, tag in found if tag))

    def value(self, article: Article) -> str | None:
        """The article's value of the field, None while undecided."""
        value: object = article
        for part in self.field.split("."):
            value = getattr(value, part, None)
        return value if isinstance(value, str) else None

    def check(self, article: Article, *, final: bool) -> None:
        """Raise :class:`~ingest.Skip` when the article is decided and not kept, or when it
        is still undecided at the end (``final``)."""
        value = self.value(article)
        if value is None and not final:
            return
        lowered = (value or "").lower()
        if value is None or not any(
            lowered == kept or lowered.startswith(kept + "-") for kept in self.values
        ):
            raise Skip(
                f"{self.field} {value or 'unknown'} is not one of {', '.join(sorted(self.values))}"
            )
