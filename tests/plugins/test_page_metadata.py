"""Page metadata (issue 12, item 3): pages we write, and the article-metadata corpus."""

from __future__ import annotations

import gzip
import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pytest

from ingest_plugins.sources.pages.metadata import PageMetadata, read_metadata
from tests.conftest import CORPUS

DEFAULT_DIR = CORPUS / "article-metadata"


# --- scoring on the corpus (the benchmark uses these too) --------------------------------


@dataclass(frozen=True, slots=True)
class Page:
    """One corpus page and its truth."""

    id: str
    url: str
    html: str
    title: str
    authors: tuple[str, ...]
    date: str


@dataclass(frozen=True, slots=True)
class Guess:
    """What an extractor found on a page."""

    title: str | None
    authors: tuple[str, ...]
    published: datetime | None


@dataclass(frozen=True, slots=True)
class Scores:
    """Shares of pages right; ``time`` over the ``timed`` pages whose truth has an offset."""

    title: float
    authors: float
    day: float
    time: float
    timed: int


def split_ids(ids: Sequence[str], part: str) -> list[str]:
    """The fixed split, made once before tuning: sorted ids, every third one is test."""
    ordered = sorted(ids)
    if part == "all":
        return ordered
    test = [i for n, i in enumerate(ordered) if n % 3 == 2]
    return test if part == "test" else [i for i in ordered if i not in set(test)]


def load_pages(folder: Path, part: str) -> list[Page]:
    """The pages of one part ("dev", "test" or "all") with their truth."""
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    ids = (folder / "open-ids.txt").read_text(encoding="utf-8").split()
    pages = []
    for page_id in split_ids(ids, part):
        row = truth[page_id]
        html = gzip.decompress((folder / "html" / f"{page_id}.html.gz").read_bytes())
        pages.append(
            Page(
                page_id,
                row["url"],
                html.decode("utf-8"),
                row["headline"],
                tuple(row.get("author", ())),
                row["datePublished"],
            )
        )
    return pages


def _text(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).split())


def _name(value: str) -> str:
    return _text(value).casefold()


def _checks(page: Page, guess: Guess) -> tuple[bool, bool, bool, bool | None]:
    """(title, authors, day, time) right; time None when the truth states no zone."""
    title = guess.title is not None and _text(guess.title) == _text(page.title)
    authors = {_name(a) for a in guess.authors} == {_name(a) for a in page.authors}
    truth = datetime.fromisoformat(page.date)
    found = guess.published
    if found is None:
        return title, authors, False, None if truth.tzinfo is None else False
    if truth.tzinfo is None:  # local time of an unknown zone: the day only
        return title, authors, found.astimezone(UTC).date() == truth.date(), None
    day = found.astimezone(truth.tzinfo).date() == truth.date()
    minute = found.astimezone(UTC).replace(second=0, microsecond=0, tzinfo=None)
    return (
        title,
        authors,
        day,
        minute == truth.astimezone(UTC).replace(second=0, microsecond=0, tzinfo=None),
    )


def score(pages: Sequence[Page], guesses: Sequence[Guess]) -> Scores:
    """Shares of pages whose title, author set, day and minute are right."""
    checks = [_checks(p, g) for p, g in zip(pages, guesses, strict=True)]
    timed = [c[3] for c in checks if c[3] is not None]
    return Scores(
        sum(c[0] for c in checks) / len(checks),
        sum(c[1] for c in checks) / len(checks),
        sum(c[2] for c in checks) / len(checks),
        sum(timed) / len(timed) if timed else 0.0,
        len(timed),
    )


def show_misses(pages: Sequence[Page], guesses: Sequence[Guess]) -> None:
    """Print what was missed, page by page (for tuning on the dev part)."""
    for page, guess in zip(pages, guesses, strict=True):
        title, authors, day, minute = _checks(page, guess)
        if not title:
            print(f"{page.id} TITLE {guess.title!r}\n{'':>30} want {page.title!r}")
        if not authors:
            print(f"{page.id} AUTHORS {list(guess.authors)}\n{'':>30} want {list(page.authors)}")
        if not day or minute is False:
            print(f"{page.id} DATE {guess.published}  want {page.date}")


# --- pages we write ------------------------------------------------------------------------


def _read(
    page: str, url: str | None = "https://news.example.org/a/story?utm_source=x"
) -> PageMetadata:
    return read_metadata(lxml.html.document_fromstring(page), url)


GRAPH_PAGE = """<!doctype html><html lang="de-de"><head>
<title>Ignored title tag | Example News</title>
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "@id": "https://news.example.org/#site", "name": "Example News"},
  {"@type": "Person", "@id": "https://news.example.org/#anna", "name": "Anna Berg"},
  {"@type": ["NewsArticle"], "headline": "Rivers rise in the north",
   "author": [{"@id": "https://news.example.org/#anna"},
              {"@type": "Person", "name": "Ben Ode"},
              {"@type": "Organization", "name": "Example News"}],
   "publisher": {"@id": "https://news.example.org/#site"},
   "datePublished": "2024-05-03T17:47:42+02:00", "dateModified": "2024-05-04T08:00:00Z",
   "inLanguage": "en", "articleSection": ["Weather"], "keywords": "floods, rivers",
   "image": {"@type": "ImageObject", "url": "/img/lead.jpg"},
   "description": "Water levels.", "articleBody": "  The rivers rose.  "}
]}
</script>
<link rel="canonical" href="/a/story?utm_source=feed&amp;id=7">
</head><body><h1>Rivers rise in the north</h1></body></html>"""


def test_json_ld_graph_with_an_author_reference() -> None:
    found = _read(GRAPH_PAGE)
    assert found.title == "Rivers rise in the north"
    # The @id reference resolved through @graph; the site itself is no author.
    assert found.authors == ("Anna Berg", "Ben Ode")
    assert found.published == datetime(2024, 5, 3, 15, 47, 42, tzinfo=UTC)
    assert found.published is not None
    assert found.published.tzinfo is UTC
    assert found.modified == datetime(2024, 5, 4, 8, 0, tzinfo=UTC)
    assert found.language == "de-DE"  # <html lang> first, as the brief orders them
    assert found.site_name == "Example News"
    assert found.canonical_url == "https://news.example.org/a/story?id=7"
    assert found.image == "https://news.example.org/img/lead.jpg"
    assert (found.section, found.keywords) == ("Weather", ("floods", "rivers"))
    assert (found.description, found.body) == ("Water levels.", "The rivers rose.")
    assert found.sources["title"] == "json-ld"
    assert found.sources["authors"] == "json-ld"
    assert found.sources["canonical_url"] == "link"


OPENGRAPH_PAGE = """<html><head>
<meta property="og:title" content="Markets calm after the vote">
<meta property="og:site_name" content="The Daily Example">
<meta property="og:url" content="https://daily.example.com/markets?fbclid=abc">
<meta property="og:locale" content="en_GB">
<meta property="og:image" content="https://cdn.example.com/m.jpg">
<meta property="article:published_time" content="2025-02-01T09:30:00-05:00">
<meta property="article:author" content="https://daily.example.com/staff/jo">
<meta property="article:tag" content="markets"><meta property="article:tag" content="votes">
<meta name="author" content="Jo Park and Lee Ray">
</head><body><p>Text.</p></body></html>"""


def test_opengraph_only() -> None:
    found = _read(OPENGRAPH_PAGE, "https://daily.example.com/markets")
    assert found.title == "Markets calm after the vote"
    assert found.authors == ("Jo Park", "Lee Ray")  # the article:author URL is no name
    assert found.published == datetime(2025, 2, 1, 14, 30, tzinfo=UTC)
    assert found.language == "en-GB"
    assert found.canonical_url == "https://daily.example.com/markets"
    assert found.keywords == ("markets", "votes")
    assert found.sources["title"] == "opengraph"
    assert found.sources["authors"] == "meta"
    assert found.body is None


def test_byline_only() -> None:
    page = """<html><head><title>Council approves budget</title></head><body>
    <article><h1>Council approves budget</h1>
    <p class="article-byline">By Maria Lopez, Tom Hart and Sam Lee</p>
    <time datetime="2023-04-28T13:53:25+01:00">28 April</time>
    <p>The council met.</p></article></body></html>"""
    found = _read(page)
    assert found.authors == ("Maria Lopez", "Tom Hart", "Sam Lee")
    assert found.sources["authors"] == "byline"
    assert found.published == datetime(2023, 4, 28, 12, 53, 25, tzinfo=UTC)
    assert found.sources["published"] == "time"
    assert found.title == "Council approves budget"
    assert found.sources["title"] == "title-tag"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Storm hits coast | Example News", "Storm hits coast"),
        ("Storm hits coast - Example News", "Storm hits coast"),
        ("Example News – Storm hits coast", "Storm hits coast"),
        ("Storm hits coast | Weather | Example News | 28.04.2023", "Storm hits coast"),
        # Not the site's name: the dash is part of the headline.
        ("Storm hits coast - residents flee", "Storm hits coast - residents flee"),
        ("Example News", "Example News"),
    ],
)
def test_title_without_the_site_suffix(title: str, expected: str) -> None:
    page = f"""<html><head><title>{title}</title>
    <meta property="og:site_name" content="Example News">
    <meta property="article:section" content="Weather"></head><body></body></html>"""
    assert _read(page).title == expected


def test_a_day_alone_gives_way_to_a_stated_time() -> None:
    page = """<html><head><script type="application/ld+json">
    {"@type": "NewsArticle", "headline": "H", "datePublished": "2024-10-23"}</script>
    <meta property="article:published_time" content="2024-10-23T15:48:15+02:00">
    </head><body></body></html>"""
    found = _read(page)
    assert found.published == datetime(2024, 10, 23, 13, 48, 15, tzinfo=UTC)
    assert found.sources["published"] == "opengraph"


BROKEN_SCRIPTS = [
    # trailing commas
    '{"@type": "NewsArticle", "headline": "Fixed", "author": {"name": "Ann Lee",},}',
    # HTML comment and CDATA wrappers
    '<!-- //<![CDATA[\n{"@type": "NewsArticle", "headline": "Fixed", '
    '"author": "Ann Lee"}\n//]]> -->',
    # two objects in one script, the first a breadcrumb
    '{"@type": "BreadcrumbList"} {"@type": "NewsArticle", "headline": "Fixed", '
    '"author": ["Ann Lee"]}',
]


@pytest.mark.parametrize("script", BROKEN_SCRIPTS)
def test_broken_json_ld_is_repaired(script: str) -> None:
    page = f"""<html><head><script type="application/ld+json">{{"@type": </script>
    <script type="application/ld+json">{script}</script>
    <script type="application/ld+json">[1, "x", null, {{"@graph": 5}}]</script>
    </head><body></body></html>"""
    found = _read(page)
    assert (found.title, found.authors) == ("Fixed", ("Ann Lee",))
    assert found.sources["title"] == "json-ld"


@pytest.mark.parametrize(
    "script",
    ["{", "[[[[", '{"@type": 7, "author": {"@id": 3}, "datePublished": ["x"]}', "\x00", ""],
)
def test_unreadable_json_ld_never_raises(script: str) -> None:
    page = f"""<html><head><title>Plain</title>
    <script type="application/ld+json">{script}</script></head><body></body></html>"""
    found = _read(page, None)
    assert found.title == "Plain"
    assert found.published is None
    assert found.authors == ()


SITE_AUTHOR_SCRIPT = """<script type="application/ld+json">
{"@type": "NewsArticle", "headline": "Ferry timetable changes",
 "author": {"@type": "Organization", "name": "example.org"},
 "publisher": {"@type": "Organization", "name": "Example News"}}</script>"""


def test_a_page_crediting_only_the_site_keeps_the_site() -> None:
    page = f"""<html><head>{SITE_AUTHOR_SCRIPT}
    <meta property="og:site_name" content="Example News"></head><body>
    <h1>Ferry timetable changes</h1><p>Text.</p></body></html>"""
    found = _read(page, "https://www.example.org/ferry")
    # No person is named anywhere: the site's own credit is the page's only author.
    assert found.authors == ("example.org",)
    assert found.sources["authors"] == "json-ld"


def test_the_site_gives_way_to_a_person_named_in_the_byline() -> None:
    page = f"""<html><head>{SITE_AUTHOR_SCRIPT}</head><body>
    <h1>Ferry timetable changes</h1>
    <p class="byline">von Ida Nord, EXAMPLE NORDLAND</p><p>Text.</p></body></html>"""
    found = _read(page, "https://www.example.org/ferry")
    # The site's regional desk ("EXAMPLE NORDLAND" on example.org) is no person either.
    assert found.authors == ("Ida Nord",)
    assert found.sources["authors"] == "byline"


def test_a_link_to_an_author_page_after_the_headline_is_a_byline() -> None:
    page = """<html><head><title>Court rules on exports</title>
    <meta name="author" content="Example"></head><body>
    <nav><a href="/autoren/name/other-writer">Other Writer</a></nav>
    <h1>Court rules on exports</h1>
    <p class="meta-info">von <a href="/autoren/name/max-muster">Dr. Max Muster</a></p>
    <aside><a href="/autoren/name/third-writer">Third Writer</a></aside>
    </body></html>"""
    found = _read(page, "https://www.example.de/recht/exports")
    assert found.authors == ("Dr. Max Muster",)
    assert found.sources["authors"] == "author-link"


# --- the corpus ----------------------------------------------------------------------------

# Test-part scores reached (issue 12 targets: title 0.85, authors 0.80, day 0.95, time 0.9);
# the rules were tuned on the dev part only. Measured: title 0.818, authors 0.818.
FLOOR = Scores(title=0.81, authors=0.81, day=1.0, time=1.0, timed=64)


def test_corpus_test_part_scores_hold(corpus: Path) -> None:
    folder = corpus / "article-metadata"
    if not folder.is_dir():
        pytest.skip(f"article-metadata corpus not found at {folder}")
    pages = load_pages(folder, "test")
    guesses = []
    for page in pages:
        found = read_metadata(lxml.html.document_fromstring(page.html), page.url)
        guesses.append(Guess(found.title, found.authors, found.published))
    scores = score(pages, guesses)
    assert scores.timed == FLOOR.timed
    assert scores.title >= FLOOR.title
    assert scores.authors >= FLOOR.authors
    assert scores.day >= FLOOR.day
    assert scores.time >= FLOOR.time
