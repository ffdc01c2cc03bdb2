from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

import pluggy
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from ingest import Article, Author, Embed, Markup, Media, Pipeline, canonical_url
from ingest_plugins.clean.markup import HtmlText, html_to_line, html_to_text

BASE = "https://news.example.com/world/story.html"

# The blockquote twitter's "embed this post" gives, with its widgets.js script beside it.
TWEET = (
    '<p>Kyiv said the call lasted an hour.</p><blockquote class="twitter-tweet tw-align-center">'
    '<p lang="uk" dir="ltr">Провів довгу і змістовну телефонну розмову з Головою КНР '
    'Сі Цзіньпіном. <a href="https://t.co/xyz">pic.twitter.com/xyz</a></p>&mdash; '
    "Володимир Зеленський (@ZelenskyyUa) "
    '<a href="https://twitter.com/ZelenskyyUa/status/1651215383422013440?ref_src=twsrc%5Etfw">'
    "April 26, 2023</a></blockquote> "
    '<script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>'
    "<p>Beijing confirmed it the same evening.</p>"
)


def text(fragment: str, base_url: str | None = None) -> str:
    return html_to_text(fragment, base_url).text


# -- text ----------------------------------------------------------------------------------


def test_paragraphs_line_breaks_and_inline_elements() -> None:
    fragment = "<p>One <b>bold</b> and <a href='/x'>linked</a> line<br>next line</p><p>Two</p>"
    assert text(fragment) == "One bold and linked line\nnext line\n\nTwo"


def test_an_empty_line_of_breaks_splits_the_paragraph() -> None:
    assert text("<p>first<br><br>second<br/> <br />third<br></p>") == "first\n\nsecond\n\nthird"


def test_white_space_collapses_and_entities_are_decoded() -> None:
    fragment = "<p>  Fish\n\t&amp;&nbsp;chips &lt;cheap&gt;  &#8212; &eacute;t&eacute; </p>"
    assert text(fragment) == "Fish & chips <cheap> — été"


@pytest.mark.parametrize(
    "tag",
    ["script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas",
     "form", "button", "select", "textarea"],
)  # fmt: skip
def test_dropped_elements_lose_their_text_but_keep_their_tail(tag: str) -> None:
    result = text(f"<div>before <{tag}><span>hidden</span> words</{tag}> after</div>")
    assert "hidden" not in result
    assert "words" not in result
    assert result.split() == ["before", "after"]


def test_head_title_meta_and_link_of_a_whole_document_are_dropped() -> None:
    document = (
        "<!DOCTYPE html><html><head><title>Page title</title><meta charset='iso-8859-1'>"
        "<link rel='stylesheet' href='/s.css'><style>p {}</style></head>"
        "<body><p>Body text, été.</p></body></html>"
    )
    assert text(document) == "Body text, été."


@pytest.mark.parametrize(
    "tag",
    ["p", "div", "section", "article", "header", "footer", "aside", "main", "nav", "h1", "h2",
     "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "pre", "figure",
     "figcaption", "table", "tr", "address", "details", "summary"],
)  # fmt: skip
def test_block_elements_end_paragraphs(tag: str) -> None:
    assert text(f"inline <{tag}>block</{tag}> tail") == "inline\n\nblock\n\ntail"


def test_hr_ends_a_paragraph() -> None:
    assert text("above<hr>below") == "above\n\nbelow"


def test_lists_quotes_tables_and_pre() -> None:
    fragment = (
        "<ul><li>one</li><li>two <em>items</em><ul><li>nested</li></ul></li></ul>"
        "<blockquote><p>Quoted.</p>Still quoted.</blockquote>"
        "<table><tr><th>City</th><th>Votes</th></tr><tr><td>Lviv</td><td>12</td></tr></table>"
        "<pre>def f():\n    return 1\n\nf()</pre>"
    )
    assert text(fragment) == (
        "one\n\ntwo items\n\nnested\n\nQuoted.\n\nStill quoted.\n\nCity Votes\n\nLviv 12"
        "\n\ndef f():\nreturn 1\n\nf()"
    )


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("", ""),
        ("   \n ", ""),
        ("<p></p><div> </div>", ""),
        ("plain text, no tags", "plain text, no tags"),
        ("lead text <p>then a paragraph</p>tail", "lead text\n\nthen a paragraph\n\ntail"),
        ("<p>one</p><p>two", "one\n\ntwo"),
        ("<p>unclosed <b>bold <i>both</p>after", "unclosed bold both\n\nafter"),
        ("<div>stray </span>close</div></p>", "stray close"),
        ("<p>a < b and c > d</p>", "a < b and c > d"),
        ("<<>>&&;<!-- comment --><p>ok", "<<>>&&;\n\nok"),
        ("<p>x</p><!-- <p>hidden</p> --><?php echo 1; ?>", "x"),
    ],
)
def test_fragments_and_broken_markup(fragment: str, expected: str) -> None:
    assert text(fragment) == expected


def test_deep_nesting_keeps_all_text() -> None:
    deep = "<p>start</p>" + "<div>" * 10_000 + "deep <a href='https://x.example/'>link</a>"
    result = html_to_text(deep + "</div>" * 10_000 + "end")
    assert result.text == "start\n\ndeep link\n\nend"
    assert result.links == ["https://x.example/"]
    assert text("<span>" * 10_000 + "inline depth") == "inline depth"


@given(st.text(alphabet=st.sampled_from("<>/&;#ab p=\"'\n\ue000\x00")) | st.text())
def test_any_input_gives_clean_paragraphs(fragment: str) -> None:
    assert "\ue000" not in text("<p>" + fragment)  # the private paragraph marker
    result = text(fragment)
    assert "  " not in result
    for paragraph in result.split("\n\n") if result else ():
        assert paragraph
        assert paragraph == paragraph.strip()


# -- embedded posts -------------------------------------------------------------------------


def test_tweet_blockquote_becomes_an_embed_and_leaves_the_text() -> None:
    result = html_to_text(TWEET, BASE)
    assert result.text == (
        "Kyiv said the call lasted an hour.\n\nBeijing confirmed it the same evening."
    )
    assert result.embeds == [
        Embed(
            kind="tweet",
            url="https://twitter.com/ZelenskyyUa/status/1651215383422013440",
            author=Author("Володимир Зеленський", "ZelenskyyUa"),
            text="Провів довгу і змістовну телефонну розмову з Головою КНР Сі Цзіньпіном. "
            "pic.twitter.com/xyz",
            published="2023-04-26",
        )
    ]
    assert result.links == []  # the tweet's links belong to the tweet


def test_tweet_variants() -> None:
    bare = (
        '<blockquote class="twitter-tweet"><a href="https://x.com/Spa_Eng/status/20237?s=46"></a>'
    )
    [embed] = html_to_text(bare + "</blockquote><p>after</p>").embeds
    assert embed == Embed("tweet", "https://x.com/Spa_Eng/status/20237", Author(None, "Spa_Eng"))
    divs = (
        '<blockquote class="twitter-tweet" data-lang="en"><div dir="ltr">West of '
        "<a href='https://twitter.com/hashtag/Baltic'>#Baltic</a><br>over the sea</div>"
        "&mdash; CivMilAir (@CivMilAir) <a href='https://twitter.com/CivMilAir/status/8369'>"
        "March 1, 2017</a></blockquote>"
    )
    [embed] = html_to_text(divs).embeds
    assert (embed.text, embed.author, embed.published) == (
        "West of #Baltic\nover the sea",
        Author("CivMilAir", "CivMilAir"),
        "2017-03-01",
    )


def test_mastodon_and_bluesky_embeds() -> None:
    toot = (
        '<iframe src="https://mastodon.social/@Gargron/99662106175542726/embed" '
        'class="mastodon-embed" width="400"></iframe><script src="https://mastodon.social/embed.js">'
        "</script><blockquote class='mastodon-embed' data-embed-url="
        "'https://fosstodon.org/@anna/1134/embed'><a href='https://fosstodon.org/@anna/1134'>"
        "<div>Post by @anna@fosstodon.org</div><div>View on Mastodon</div></a></blockquote>"
    )
    gargron = Author(None, "Gargron@mastodon.social")
    assert html_to_text(toot).embeds == [
        Embed("post", "https://mastodon.social/@Gargron/99662106175542726", gargron),
        Embed("post", "https://fosstodon.org/@anna/1134", Author(None, "anna@fosstodon.org")),
    ]
    skeet = (
        '<blockquote class="bluesky-embed"><p lang="en">Launch day!<br><br>'
        '<a href="https://bsky.app/profile/did:plc:z72/post/3kx?ref_src=embed">[image or embed]'
        "</a></p>&mdash; Jay (<a href='https://bsky.app/profile/did:plc:z72'>@jay.bsky.team</a>)"
        ' <a href="https://bsky.app/profile/did:plc:z72/post/3kx?ref_src=embed">'
        "May 4, 2024 at 10:00 AM</a></blockquote>"
    )
    assert html_to_text(skeet) == HtmlText(
        "",
        [
            Embed(
                "post",
                "https://bsky.app/profile/did:plc:z72/post/3kx",
                Author("Jay", "jay.bsky.team"),
                "Launch day!",
                "2024-05-04",
            )
        ],
    )


def test_an_ordinary_blockquote_stays_text() -> None:
    result = html_to_text('<blockquote class="pullquote"><p>Not a post.</p></blockquote>')
    assert (result.text, result.embeds) == ("Not a post.", [])


# -- links and media ------------------------------------------------------------------------


def test_links_are_resolved_canonical_deduplicated_and_in_order() -> None:
    fragment = (
        "<a href='../europe/vote.html?utm_source=rss&amp;id=7#top'>a</a>"
        "<a href='https://Other.EXAMPLE:443/path'>b</a><a href='#footnote'>c</a>"
        "<a href='mailto:desk@example.com'>d</a><a href='javascript:void(0)'>e</a>"
        "<a href='//cdn.example.net/x'>f</a><a href='/europe/vote.html?id=7'>again</a>"
        "<a href=' https://example.org '>g</a><a>no href</a>"
    )
    assert html_to_text(fragment, BASE).links == [
        "https://news.example.com/europe/vote.html?id=7",
        "https://other.example/path",
        "https://cdn.example.net/x",
        "https://example.org/",
    ]
    assert html_to_text("<a href='/relative'>x</a><a href='//cdn.example.net/y'>y</a>").links == [
        "https://cdn.example.net/y"
    ]


@pytest.mark.parametrize(
    "url",
    ["https://example.com/a/b.html", "https://Example.com/A", "https://example.com",
     "http://example.com:80/x", "https://example.com./x", "https://user@example.com/x",
     "https://example.com/a?b=1&utm_medium=x", "https://[::1]/x", "https://example.com/é"],
)  # fmt: skip
def test_links_match_canonical_url(url: str) -> None:
    assert html_to_text(f"<a href='{html.escape(url)}'>x</a>").links == [canonical_url(url)]


def test_images_captions_pixels_and_players() -> None:
    fragment = (
        "<figure><div><img src='/img/vote.jpg' alt='Alt text'></div>"
        "<figcaption>Voters in <b>Lviv</b>.</figcaption></figure>"
        "<img src='photo.PNG?w=640' alt='  A   photo '><img src='https://cdn.example.com/raw'>"
        "<img src='data:image/gif;base64,R0lGOD'><img src='/t.gif' width='1' height='1'>"
        "<img src='/t2.gif' height='0'><img src='http://feeds.feedburner.com/~r/World/~4/abc'>"
        "<img src='https://feeds.example.com/~ff/World?d=yIl2AUoC8zA'>"
        "<img src='https://stats.example.com/pixel.gif?u=1'>"
        "<img src='https://example.com/i.jpg?utm_source=feed'>"
        "<img srcset='/small.webp 480w, /large.webp 1080w'><img data-src='/lazy.jpg' src='data:x'>"
        "<figure><img src='/g.gif' alt='Only alt'></figure>"
        "<img src='/img/vote.jpg'><video poster='/p.jpg'><source src='/v.webm'>"
        "<source src='/v.mp4'>Your browser cannot play this.</video>"
        "<audio src='/a.mp3'>No audio.</audio><video src='clip.ogg'></video>"
    )
    result = html_to_text(fragment, BASE)
    assert result.text == "Voters in Lviv."
    assert result.media == [
        Media("image", "https://news.example.com/img/vote.jpg", "Voters in Lviv.", "image/jpeg"),
        Media("image", "https://news.example.com/world/photo.PNG?w=640", "A photo", "image/png"),
        Media("image", "https://cdn.example.com/raw"),
        Media("image", "https://news.example.com/small.webp", None, "image/webp"),
        Media("image", "https://news.example.com/lazy.jpg", None, "image/jpeg"),
        Media("image", "https://news.example.com/g.gif", "Only alt", "image/gif"),
        Media("video", "https://news.example.com/v.webm", None, "video/webm"),
        Media("audio", "https://news.example.com/a.mp3", None, "audio/mpeg"),
        Media("video", "https://news.example.com/world/clip.ogg"),
    ]


# -- one line ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Fish &amp; chips", "Fish & chips"),
        ("AT&T and R&D &copy 2024", "AT&T and R&D © 2024"),
        ("  Tom &  Jerry\n return ", "Tom & Jerry return"),
        ("if a < b and c > d", "if a < b and c > d"),
        ("x<y", "x<y"),
        ("<p>Council <b>votes</b></p><p>Budget &amp; more</p>", "Council votes Budget & more"),
        ("Line<br>break<script>x()</script>", "Line break"),
        ("", ""),
    ],
)
def test_html_to_line(value: str, expected: str) -> None:
    assert html_to_line(value) == expected


# -- the hook -------------------------------------------------------------------------------


def test_hook_converts_markup_before_normalize(
    plugin_manager: pluggy.PluginManager, make_article: Callable[..., Article]
) -> None:
    body = TWEET.replace("an hour.", "an\u00a0 hour.\u200b")  # for normalize to clean up
    article = make_article(
        text="", kind="rss", markup=Markup(body, "Call &amp; <b>talks</b>", BASE)
    )
    Pipeline(plugin_manager).clean(article)
    assert article.markup is None
    assert article.text == (
        "Kyiv said the call lasted an hour.\n\nBeijing confirmed it the same evening."
    )
    assert article.summary == "Call & talks"
    assert [e.url for e in article.embeds] == [
        "https://twitter.com/ZelenskyyUa/status/1651215383422013440"
    ]
    assert article.provenance.clean == ["markup", "normalize"]
    assert article.warnings == []


def test_hook_keeps_given_text_and_summary_and_merges_without_duplicates(
    plugin_manager: pluggy.PluginManager, make_article: Callable[..., Article]
) -> None:
    body = "<p>Other.</p><a href='/a'>a</a><a href='/b'>b</a><img src='/i.jpg'><img src='/j.jpg'>"
    article = make_article(
        text="Better plain text.",
        summary="Given summary",
        links=["https://example.com/a"],
        media=[Media("image", "https://example.com/i.jpg", "kept")],
        markup=Markup(body, "<p>ignored</p>", "https://example.com/"),
    )
    Pipeline(plugin_manager).clean(article)
    assert (article.text, article.summary) == ("Better plain text.", "Given summary")
    assert article.links == ["https://example.com/a", "https://example.com/b"]
    assert [(m.url, m.caption) for m in article.media] == [
        ("https://example.com/i.jpg", "kept"),
        ("https://example.com/j.jpg", None),
    ]


def test_hook_warns_about_markup_without_text_and_ignores_articles_without_markup(
    plugin_manager: pluggy.PluginManager, make_article: Callable[..., Article]
) -> None:
    empty = make_article(text="", markup=Markup("<p><img src='https://e.com/x.png'></p>"))
    plain = make_article(text="Plain  text.")
    pipeline = Pipeline(plugin_manager)
    pipeline.clean(empty)
    pipeline.clean(plain)
    assert (empty.text, empty.warnings) == ("", ["content HTML has no text"])
    assert empty.media == [Media("image", "https://e.com/x.png", None, "image/png")]
    assert (plain.text, plain.warnings, plain.markup) == ("Plain text.", [], None)


# -- real feeds -----------------------------------------------------------------------------

CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
LEAKS = ("<script", "<p>", "<div", "&nbsp;", "&amp;")


def test_corpus_feed_content_converts_cleanly(corpus: Path) -> None:
    inputs = converted = 0
    for path in sorted((corpus / "feeds").glob("*.xml")):
        parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
        root = etree.parse(str(path), parser).getroot()
        for element in root.iter(CONTENT) if root is not None else ():
            source = element.text or ""
            if not source.strip():
                continue
            result = html_to_text(source, "https://feed.example/")
            inputs += 1
            converted += bool(result.text)
            # Markup must not leak; a post about HTML may show escaped tags as text, though.
            leaks = [s for s in LEAKS if s in result.text and html.escape(s) not in source]
            assert not leaks, f"{path.name}: {leaks} in {result.text[:300]!r}"
    assert inputs > 100
    assert converted >= 0.9 * inputs


def test_profile_and_hashtag_links_are_not_content_links() -> None:
    html = (
        '<p>Hi <span class="h-card"><a href="https://m.example/@ana" class="u-url mention">@ana</a>'
        '</span> see <a href="https://news.example.org/story">the story</a> '
        '<a href="https://m.example/tags/ferry" class="mention hashtag" rel="tag">#ferry</a></p>'
    )
    assert html_to_text(html).links == ["https://news.example.org/story"]
