"""Full text for feed entries: the page behind an entry, fetched and read as a page, fills in
what the feed leaves out (``--full-text``, or ``full_text = true`` for a source of
``ingest.toml``).

It runs in the enrich stage, which the core calls only for entries a run will deliver: in runs
on state an entry the ledger holds as the feed states it is not fetched again. The feed's own
values win wherever the feed states them; the page gives the text (when it says more than the
feed), and what the feed lacks: authors, dates, language, images, embedded posts, links. A page
that cannot be had (gone, not HTML, disallowed by robots.txt, no text) leaves the entry as the
feed gave it, with a warning: it never drops the entry.
"""

from __future__ import annotations

from ingest import Article, Config, SourceError, Tag, canonical_url
from ingest.helpers import fetch_page, word_count
from ingest_plugins.sources.pages.decode import NotAPage
from ingest_plugins.sources.pages.page import KIND, MEDIA_TYPES, is_html_document, page_article

#: The source kinds whose entries point at pages: feeds.
ENTRY_KINDS = frozenset({"rss"})
_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"


def complete_entry(article: Article, config: Config) -> bool | None:
    """With ``html.full_text`` on, complete a feed entry from the page its URL names: True
    when the page was had; False (a warning added) when not; None when not a feed entry."""
    if not config.get("html.full_text") or article.source.kind not in ENTRY_KINDS:
        return None
    if not article.url or not article.url_is_identity:
        return False  # no page of its own (entries that all link to one page)
    try:
        page = fetch_page_article(article.url, config)
    except SourceError as exc:
        article.warnings.append(f"full text: {exc.reason}; the feed's text is kept")
        return False
    merge_page(article, page)
    return True


def fetch_page_article(url: str, config: Config) -> Article:
    """The article of the page at ``url``, fetched politely (robots.txt, per-host delay).

    :raises SourceError: the page cannot be had, is not HTML, or holds no article text;
        one line naming ``url``.
    """
    response = fetch_page(url, config, accept=_ACCEPT)
    media_type = response.content_type
    if media_type not in MEDIA_TYPES and not (
        media_type in ("", "text/plain", "application/octet-stream")
        and is_html_document(response.content[:4096])
    ):
        raise SourceError(url, f"not an HTML page ({media_type or 'no Content-Type'})")
    try:
        return page_article(response.content, response.url, url, response.charset)
    except NotAPage as exc:
        raise SourceError(url, str(exc)) from None


def merge_page(article: Article, page: Article) -> None:
    """Fill ``article`` (a feed entry) from ``page``: the feed's stated values stay."""
    fields = article.provenance.fields
    if page.text and word_count(page.text) > word_count(article.text):
        if not article.summary and article.text:
            article.summary = article.text  # the feed's teaser
        article.text = page.text
        article.embeds.extend(e for e in page.embeds if e not in article.embeds)
        fields["text"] = "page"
    for name in ("title", "summary", "published", "updated", "language"):
        if getattr(article, name) is None and getattr(page, name) is not None:
            setattr(article, name, getattr(page, name))
            fields[name] = "page:" + page.provenance.fields.get(name, KIND)
    if not article.authors and page.authors:
        article.authors = list(page.authors)
        fields["authors"] = "page:" + page.provenance.fields.get("authors", KIND)
    known_media = {m.url for m in article.media}
    article.media.extend(m for m in page.media if m.url not in known_media)
    known_links = set(article.links)
    article.links.extend(link for link in page.links if link not in known_links)
    have = {(t.kind, t.value) for t in article.tags}
    article.tags.extend(
        Tag(t.kind, t.value, t.score, t.by) for t in page.tags if (t.kind, t.value) not in have
    )
    article.warnings.extend(f"page: {w}" for w in page.warnings)
    page_url = canonical_url(page.url)
    if page_url and page_url != article.url:
        article.extra.setdefault(KIND, {})["page_url"] = page_url
    if article.provenance.encoding is None:
        article.provenance.encoding = page.provenance.encoding
