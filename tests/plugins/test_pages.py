"""The html source plugin: one web page, one article (issue 12 items 1, 2, 4, 5)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path

import lxml.html
import pytest

from ingest.testing import CliResult
from ingest_plugins.sources.pages.body import extract_body
from ingest_plugins.sources.pages.plugin import ingest_detect_kind
from tests.servers import Reply, serve

SAMPLES = Path(__file__).parents[2] / "samples"
PAGE = SAMPLES / "pages" / "harbour-bridge-reopens.html"
LOAD: list[str] = []  # the `html` entry point is installed with the project

Cli = Callable[..., CliResult]


def run(ingest_cli: Cli, *args: str, stdin: bytes = b"") -> CliResult:
    return ingest_cli([*LOAD, "run", *args], stdin=stdin)


def test_sample_page_is_one_clean_article(ingest_cli: Cli) -> None:
    result = run(ingest_cli, str(PAGE))
    assert result.exit_code == 0, result.stderr
    [article] = result.articles
    text = article["text"]
    assert text.startswith("The harbour bridge in Eastport carried traffic")  # no headline
    assert "Repairs came in under budget" in text.split("\n\n")  # a subheading, a paragraph
    assert "the expansion joints at both ends of the deck," in text.split("\n\n")  # a list item
    assert text.endswith("once its surface has cured.")
    for boilerplate in (
        "cookies", "Share on", "Sport", "newsletter", "Related stories", "Ring road queues",
        "comments", "took them long enough", "All rights reserved", "Photo: Jonas Pell",
        "Thank you for your patience",
    ):  # fmt: skip
        assert boilerplate not in text
    assert article["source"]["kind"] == "html"
    canonical = "https://gazette.example.org/news/2024/05/06/harbour-bridge-reopens"
    assert article["url"] == canonical
    assert article["source"]["origin_id"] == canonical
    assert article["title"] == "Harbour bridge reopens after eight months of repairs"
    assert [a["name"] for a in article["authors"]] == ["Mira Castell"]
    assert article["published"] == "2024-05-06T08:30:00Z"
    assert article["provenance"]["encoding"] == "utf-8"
    # What the body links to; not the navigation, share buttons or related stories.
    assert article["links"] == ["https://gazette.example.org/reports/harbour-bridge-2024.pdf"]
    [image] = article["media"]
    assert image["url"] == "https://gazette.example.org/images/2024/harbour-bridge.jpg"
    assert image["caption"].endswith("Photo: Jonas Pell")
    tweet, video = article["embeds"]
    assert tweet["url"] == "https://twitter.com/EastportPort/status/1787000000000000020"
    assert tweet["author"]["handle"] == "EastportPort"
    assert tweet["text"] == "The harbour bridge is open again. Thank you for your patience!"
    assert tweet["published"] == "2024-05-06"
    assert video["url"] == "https://www.youtube.com/watch?v=aBcDeFgHiJk"
    assert video["text"].startswith("Timelapse")


def test_tweet_embed_pages_stay_with_the_tweets_kind(ingest_cli: Cli) -> None:
    result = run(ingest_cli, str(SAMPLES / "posts" / "embedded-tweets.html"), str(PAGE))
    assert result.exit_code == 0, result.stderr
    kinds = [a["source"]["kind"] for a in result.articles]
    assert kinds.count("html") == 1
    assert kinds.count("tweets") == len(kinds) - 1 >= 2
    # The rule itself, whatever order the plugins are asked in:
    head = (SAMPLES / "posts" / "embedded-tweets.html").read_bytes()[:4096]
    assert ingest_detect_kind(location="x.html", head=head) is None
    article_head = b"<!doctype html><article><blockquote class='twitter-tweet'>"
    assert ingest_detect_kind(location="x.html", head=article_head) == "html"


def test_samples_directory_keeps_its_articles(ingest_cli: Cli) -> None:
    result = run(ingest_cli, str(SAMPLES))
    assert result.exit_code == 0, result.stderr
    kinds = [a["source"]["kind"] for a in result.articles]
    assert len(kinds) - kinds.count("html") == 32
    assert kinds.count("html") == len(list((SAMPLES / "pages").glob("*.html")))


def test_gzipped_page_and_stdin(ingest_cli: Cli, tmp_path: Path) -> None:
    packed = tmp_path / "story.html.gz"
    packed.write_bytes(gzip.compress(PAGE.read_bytes()))
    from_gz = run(ingest_cli, str(packed))
    from_stdin = run(ingest_cli, "-", stdin=PAGE.read_bytes())
    assert from_gz.exit_code == from_stdin.exit_code == 0, from_gz.stderr + from_stdin.stderr
    assert from_gz.articles[0]["text"] == from_stdin.articles[0]["text"]
    assert "carried traffic again" in from_gz.articles[0]["text"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "binary data"),
        (b"", "empty file"),
        (b"  \n ", "empty file"),
        (
            b"<!doctype html><html><head><script>var a = 1;</script></head>"
            b"<body><script>render()</script><div id='app'></div></body></html>",
            "no article text found",
        ),
    ],
)
def test_unreadable_pages_are_one_error_line(
    ingest_cli: Cli, tmp_path: Path, content: bytes, reason: str
) -> None:
    bad = tmp_path / "bad.html"
    bad.write_bytes(content)
    result = run(ingest_cli, str(bad), str(PAGE))
    assert result.exit_code == 1
    [line] = result.error_lines
    assert line.startswith(f"error: html:{bad}: "), line
    assert reason in line, line
    assert "Traceback" not in result.stderr
    assert len(result.articles) == 1  # the other page is still read


def test_size_caps(ingest_cli: Cli, tmp_path: Path) -> None:
    page = PAGE.read_bytes()
    packed = tmp_path / "big.html.gz"
    packed.write_bytes(gzip.compress(page + b" " * 50_000))
    plain = tmp_path / "big.html"
    plain.write_bytes(page + b" " * 30_000)
    result = run(ingest_cli, str(plain), str(packed), "-s", "html.max_bytes=20000")
    assert result.exit_code == 1
    assert sorted(result.error_lines) == [
        f"error: html:{packed}: larger than the 20,000-byte limit once decompressed",
        f"error: html:{plain}: larger than the 20,000-byte limit",
    ]


def test_javascript_shell_takes_json_ld_article_body(ingest_cli: Cli, tmp_path: Path) -> None:
    shell = tmp_path / "shell.html"
    body = "First paragraph of the story.\\nSecond paragraph, with more detail."
    shell.write_text(
        "<!doctype html><html><head><title>Shell</title>"
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Shell",'
        f' "articleBody": "{body}"}}</script></head>'
        "<body><div id='root'></div><script>hydrate()</script></body></html>"
    )
    result = run(ingest_cli, str(shell))
    assert result.exit_code == 0, result.stderr
    [article] = result.articles
    assert article["text"] == (
        "First paragraph of the story.\n\nSecond paragraph, with more detail."
    )
    assert any("JSON-LD articleBody" in w for w in article["warnings"])


def _story(declared: str) -> bytes:
    text = (
        "<!doctype html><html><head>"
        + declared
        + "<title>Café</title></head><body><article>"
        + "".join(
            f"<p>Paragraph {n}: the café on the quay served crème brûlée to the "
            "harbour workers again this week, its owner said on Monday.</p>"
            for n in range(6)
        )
        + "</article></body></html>"
    )
    return text.encode("cp1252")


def test_charset_over_http_lying_header_and_meta(ingest_cli: Cli) -> None:
    cp1252 = _story('<meta charset="windows-1252">')
    utf8 = _story("").decode("cp1252").encode("utf-8")
    routes = {
        # The server claims UTF-8; the bytes (and the page's meta) are cp1252.
        "/lying.html": lambda _: Reply(200, cp1252, {"Content-Type": "text/html; charset=utf-8"}),
        # The server's default Latin-1 over a UTF-8 page.
        "/default.html": lambda _: Reply(
            200, utf8, {"Content-Type": "text/html; charset=ISO-8859-1"}
        ),
        # A page whose kind only its Content-Type tells.
        "/story": lambda _: Reply(200, utf8, {"Content-Type": "text/html"}),
    }
    with serve(routes) as server:
        result = run(
            ingest_cli, server.url("/lying.html"), server.url("/default.html"), server.url("/story")
        )
    assert result.exit_code == 0, result.stderr
    lying, default, plain = result.articles
    for article in (lying, default, plain):
        assert "crème brûlée" in article["text"]
        assert article["source"]["kind"] == "html"
    assert lying["provenance"]["encoding"] == "cp1252"
    assert lying["provenance"]["fields"]["encoding"] == "meta"  # the header lied
    assert any("http charset" in w for w in lying["warnings"])
    assert default["provenance"]["encoding"] == "utf-8"
    assert default["provenance"]["fields"]["encoding"] == "detected"
    assert plain["url"] == server.url("/story")


def test_instagram_tiktok_and_mastodon_embeds() -> None:
    html = (
        "<html><body><article><p>" + "Words of the story itself. " * 20 + "</p>"
        '<blockquote class="instagram-media" data-instgrm-permalink='
        '"https://www.instagram.com/p/C6xYz12AbCd/?utm_source=ig_embed"><div>'
        "<p>Sunrise over the quay</p>"
        '<p><a href="https://www.instagram.com/p/C6xYz12AbCd/">A post shared by Eastport'
        ' Harbour (@eastportharbour)</a></p><time datetime="2024-05-06T07:00:00+00:00">'
        "May 6, 2024</time></div></blockquote>"
        '<blockquote class="tiktok-embed" cite="https://www.tiktok.com/@quaybakery/video/'
        '7365000000000000000"><section><a title="@quaybakery" href='
        '"https://www.tiktok.com/@quaybakery">@quaybakery</a> Fresh bread at dawn'
        "</section></blockquote>"
        '<iframe src="https://mastodon.example/@harbour/112345678901234567/embed"'
        ' class="mastodon-embed"></iframe>'
        "<p>" + "More words of the story. " * 20 + "</p></article></body></html>"
    )
    body = extract_body(lxml.html.document_fromstring(html), "https://news.example/a")
    instagram, tiktok, mastodon = body.embeds
    assert instagram.url == "https://www.instagram.com/p/C6xYz12AbCd/"
    assert instagram.author is not None
    assert instagram.author.handle == "eastportharbour"
    assert instagram.text == "Sunrise over the quay"
    assert instagram.published == "2024-05-06T07:00:00+00:00"
    assert tiktok.kind == "video"
    assert tiktok.text == "Fresh bread at dawn"
    assert tiktok.author is not None
    assert tiktok.author.handle == "quaybakery"
    assert mastodon.url == "https://mastodon.example/@harbour/112345678901234567"
    text = "\n\n".join(body.paragraphs)
    assert "Words of the story itself." in text
    assert "More words of the story." in text
    assert "Sunrise" not in text
    assert "Fresh bread" not in text
    assert "shared by" not in text


def test_corpus_pages_all_give_a_body(corpus: Path) -> None:
    articles = corpus / "articles"
    ids = (articles / "open-ids.txt").read_text().split()
    truth = json.loads((articles / "ground-truth.json").read_text())
    empty = []
    for page_id in ids:
        html = gzip.decompress((articles / "html" / f"{page_id}.html.gz").read_bytes())
        text = html.decode("utf-8")
        body = extract_body(lxml.html.document_fromstring(text), truth[page_id]["url"])
        if not body.paragraphs:
            empty.append(page_id)
    assert len(ids) == 125
    assert empty == []


STORY = (
    "<p>The council voted on Monday to reopen the harbour bridge to lorries, after a year "
    "of repairs that cost less than planned.</p>" * 6
)


def _page(body: str, head: str = "") -> str:
    return (
        f"<!doctype html><html><head><title>Bridge</title>{head}</head><body>{body}</body></html>"
    )


def test_relative_media_resolve_against_the_base_href(ingest_cli: Cli, tmp_path: Path) -> None:
    page = tmp_path / "base.html"
    figure = '<figure><img src="img/bridge.jpg"><figcaption>The bridge</figcaption></figure>'
    page.write_text(
        _page(f"<article>{figure}{STORY}</article>", '<base href="https://cdn.example.org/a/">')
    )
    [article] = run(ingest_cli, str(page)).articles
    assert [m["url"] for m in article["media"]] == ["https://cdn.example.org/a/img/bridge.jpg"]


def test_a_figure_with_a_video_is_the_video_not_its_poster(tmp_path: Path) -> None:
    figure = (
        '<figure><video poster="/poster.jpg"><source src="/clip.mp4"></video>'
        "<img src='/poster.jpg'><figcaption>The first lorry</figcaption></figure>"
    )
    html = _page(f"<article>{figure}{STORY}</article>")
    body = extract_body(lxml.html.document_fromstring(html), "https://news.example/a")
    assert [(m.kind, m.url) for m in body.media] == [("video", "https://news.example/clip.mp4")]


def test_an_html_article_body_in_json_ld_becomes_text(ingest_cli: Cli, tmp_path: Path) -> None:
    ld = {"@type": "NewsArticle", "headline": "Bridge", "articleBody": "<p>First &amp; more.</p>"
          "<p>Second paragraph of the story.</p>"}  # fmt: skip
    page = tmp_path / "shell.html"
    page.write_text(
        _page(
            '<div id="root"></div><script>render()</script>',
            f'<script type="application/ld+json">{json.dumps(ld)}</script>',
        )
    )
    [article] = run(ingest_cli, str(page)).articles
    assert article["text"] == "First & more.\n\nSecond paragraph of the story."


def test_a_page_nested_past_the_parser_limit_says_so(ingest_cli: Cli, tmp_path: Path) -> None:
    deep = tmp_path / "deep.html"
    deep.write_text(
        _page(f"<article>{STORY}</article>" + "<div>" * 3000 + "lost" + "</div>" * 3000)
    )
    result = run(ingest_cli, str(deep))
    assert result.exit_code == 0, result.stderr
    [article] = result.articles
    assert any("deeper than 2,048 levels" in w for w in article["warnings"])
    only_deep = tmp_path / "only-deep.html"
    only_deep.write_text(_page("<div>" * 3000 + STORY + "</div>" * 3000))
    failed = run(ingest_cli, str(only_deep))
    assert failed.exit_code == 1
    assert failed.error_lines == [
        f"error: html:{only_deep}: no article text above 2,048 levels of nesting, "
        "where parsing stops"
    ]


def test_a_big_page_is_read_in_one_fast_pass(ingest_cli: Cli, tmp_path: Path) -> None:
    page = tmp_path / "big.html"
    paragraphs = "".join(
        f"<p>Paragraph {i} of the council report on the bridge.</p>" for i in range(25_000)
    )
    page.write_text(_page(f"<article>{paragraphs}</article>"))
    [article] = run(ingest_cli, str(page)).articles
    assert len(article["text"].split("\n\n")) > 20_000
    assert any("largest block of paragraphs" in w for w in article["warnings"])


def test_a_page_marked_for_subscribers_says_its_text_may_be_a_teaser(
    ingest_cli: Cli, tmp_path: Path
) -> None:
    ld = (
        '<script type="application/ld+json">{"@context": "https://schema.org", '
        '"@type": "NewsArticle", "headline": "Budget talks stall", '
        '"isAccessibleForFree": false, "hasPart": {"@type": "WebPageElement", '
        '"isAccessibleForFree": false, "cssSelector": ".locked"}}</script>'
    )
    paragraphs = "".join(
        f"<p>The opening paragraph {i} of the budget story, before the paywall.</p>"
        for i in range(3)
    )
    page = tmp_path / "locked.html"
    page.write_text(_page(f"<article>{paragraphs}<div class='locked'></div></article>", ld))
    [article] = run(ingest_cli, str(page)).articles
    [warning] = [w for w in article["warnings"] if w.startswith("paywall")]
    assert "isAccessibleForFree" in warning
    assert "only what non-subscribers see" in warning


def test_a_50_mb_page_is_one_line_and_the_run_goes_on(ingest_cli: Cli, tmp_path: Path) -> None:
    paragraph = b"<p>Another paragraph of the endless live report from the harbour.</p>\n"
    huge = tmp_path / "huge.html"
    with huge.open("wb") as out:
        out.write(b"<!doctype html><html><head><title>Live</title></head><body><article>")
        for _ in range(50_000_000 // (len(paragraph) * 1000)):
            out.write(paragraph * 1000)
        out.write(b"</article></body></html>")
    assert huge.stat().st_size > 49_000_000
    routes = {"/huge.html": lambda _: Reply(200, huge.read_bytes(), {"Content-Type": "text/html"})}
    with serve(routes) as server:
        result = run(ingest_cli, str(huge), server.url("/huge.html"), str(PAGE))
    assert result.exit_code == 1
    file_line, url_line = sorted(result.error_lines)  # "/tmp..." before "http..."
    assert file_line == f"error: html:{huge}: larger than the 33,554,432-byte limit"
    assert url_line.startswith(f"error: html:{server.url('/huge.html')}: "), url_line
    assert "larger than" in url_line
    assert len(result.articles) == 1  # the sample page, read after them
