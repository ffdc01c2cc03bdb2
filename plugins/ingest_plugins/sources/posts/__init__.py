"""Social-post formats read by the ``tweets`` plugin (this package is not a plugin itself).

Every reader maps its platform's JSON to articles with :func:`make_post`, so that posts
from Twitter, Mastodon and Bluesky share one shape: no title, the full text, the author with
handle and profile URL, the canonical status URL, ``source.origin_id`` = ``platform:id``
(stable across files and runs), hashtags and mentions as tags, engagement counts in
``extra.tweets``, and relations to the posts they repost, quote or answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from ingest import (
    Article,
    ArticleSource,
    Author,
    Markup,
    Media,
    Relation,
    Source,
    Tag,
    canonical_url,
)
from ingest.helpers import bcp47, origin_article_id, parse_date

KIND = "tweets"
#: The ``extra`` namespace for engagement counts and platform details.
EXTRA = "tweets"


def post_origin(platform: str, post_id: str) -> str:
    """The origin id of a post: ``twitter:1651215383422013440``, ``bluesky:at://…``."""
    return f"{platform}:{post_id}"


def relation(kind: str, platform: str, post_id: str) -> Relation:
    """A relation to another post, by the article id that post has (or will have)."""
    return Relation(kind, origin_article_id(KIND, post_origin(platform, post_id)))


@dataclass
class Post:
    """What a reader knows about one post, before it becomes an article."""

    platform: str
    #: The platform's own id (tweet id, Mastodon URI, Bluesky at:// URI); None for a bare
    #: record, whose id then comes from its content.
    post_id: str | None
    text: str = ""
    #: HTML to convert instead of ``text`` (Mastodon ``content``).
    html: str | None = None
    url: str | None = None
    author: Author | None = None
    published: datetime | None = None
    updated: datetime | None = None
    language: str | None = None
    #: Content warning or spoiler text, kept as the summary.
    summary: str | None = None
    hashtags: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    cashtags: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    media: list[Media] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    #: Engagement counts and details, stored under ``extra.tweets``.
    counts: Mapping[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _unique(values: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def dated(text: str | None, post: Post) -> datetime | None:
    """``text`` parsed as a date; a date that cannot be read is a missing one, with a
    warning on ``post``: one post's bad date never ends the source (issue 10)."""
    try:
        parsed = parse_date(text)
    except (ValueError, OverflowError, ArithmeticError):
        post.warnings.append("unreadable date")
        return None
    if parsed.warning:
        post.warnings.append(parsed.warning)
    return parsed.value


def make_post(post: Post, source: Source) -> Article:
    """The article for ``post``, read from ``source``."""
    tags = [Tag("hashtag", tag.lstrip("#"), None, KIND) for tag in _unique(post.hashtags)]
    tags += [Tag("hashtag", f"${tag.lstrip('$')}", None, KIND) for tag in _unique(post.cashtags)]
    tags += [Tag("mention", m.lstrip("@"), None, KIND) for m in _unique(post.mentions)]
    origin = post_origin(post.platform, post.post_id) if post.post_id else None
    return Article(
        source=ArticleSource(KIND, post.platform, source.location, origin),
        text=post.text,
        markup=Markup(body=post.html, base_url=post.url) if post.html else None,
        summary=post.summary or None,
        url=post.url,
        authors=[post.author] if post.author else [],
        published=post.published,
        updated=post.updated,
        language=bcp47(post.language),
        tags=[t for t in tags if t.value.strip("$")],
        media=post.media,
        links=_unique(map(canonical_url, post.links)),
        relations=post.relations,
        warnings=post.warnings,
        extra={EXTRA: {"platform": post.platform, **post.counts}},
    )


class NotAPost(ValueError):
    """A JSON value that is not a post this reader knows, or a post missing its id or text.

    The message is one line, without the location (the plugin adds file and line).
    """
