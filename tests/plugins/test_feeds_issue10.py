"""Feeds nobody on the team wrote (issue 10): each test builds a small input of the shape
that broke, and checks what ``ingest run`` makes of it."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from ingest.testing import CliResult, run_cli
from tests.servers import Reply, serve

#: The tag plugins only slow these tests down: none of them is about tagging.
NO_TAGS = [
    arg
    for name in ("language", "entities", "entities_spacy", "quotes", "keywords")
    for arg in ("--no-plugin", name)
]
CLASS_NAMES = ("Error", "Exception", "Traceback")


def run(*args: str) -> CliResult:
    return run_cli([*NO_TAGS, "run", *args])


def items(count: int, prefix: str = "", start: int = 0) -> str:
    p = prefix
    return "".join(
        f"<{p}item><{p}title>Story {n}</{p}title><{p}link>https://news.example.org/{n}</{p}link>"
        f"<{p}guid>https://news.example.org/g/{n}</{p}guid>"
        f"<{p}pubDate>Mon, 01 Jan 2024 10:00:00 GMT</{p}pubDate></{p}item>\n"
        for n in range(start, start + count)
    )


def write(tmp_path: Path, name: str, text: str | bytes) -> str:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return str(path)


def titles(result: CliResult) -> list[str]:
    return [a["title"] for a in result.articles]


def assert_one_line_messages(result: CliResult) -> None:
    """Errors and warnings: single lines, no exception class names."""
    assert not any(word in result.stderr for word in CLASS_NAMES), result.stderr
    for article in result.articles:
        for warning in article["warnings"]:
            assert "\n" not in warning, warning
            assert len(warning) < 400, warning
            assert not any(word in warning for word in CLASS_NAMES[:2]), warning


# -- 1. a default namespace of its own; items read as nothing -------------------------


def test_rss_in_a_namespace_of_its_own_is_read(tmp_path: Path) -> None:
    feed = write(
        tmp_path,
        "harvard.xml",
        '<?xml version="1.0"?>\n<rss xmlns="https://cyber.harvard.edu/rss/rss.html" '
        f'version="2.0"><channel><title>Law</title>{items(20)}</channel></rss>',
    )
    result = run(feed)
    assert result.exit_code == 0, result.stderr
    assert titles(result) == [f"Story {n}" for n in range(20)]
    assert result.articles[0]["source"]["name"] == "Law"


def test_items_no_reader_understands_are_an_error_not_an_empty_success(
    tmp_path: Path,
) -> None:
    feed = write(
        tmp_path,
        "odd.rss",
        '<rss version="2.0"><channel><title>x</title>'
        '<x:item xmlns:x="urn:example:other"><title>a</title></x:item></channel></rss>',
    )
    result = run(feed)
    assert result.exit_code == 1
    (line,) = result.error_lines
    assert "no entries could be read from its 1 item or entry tags" in line


# -- 2. items nested inside one another ----------------------------------------------


def test_items_nested_inside_one_another_are_all_read(tmp_path: Path) -> None:
    # Feedburner's shape: every second item opens inside the one before it.
    nested = "".join(
        f"<item><title>Story {n}</title><guid>https://news.example.org/g/{n}</guid>"
        + ("</item></item>\n" if n % 2 else "")
        for n in range(20)
    )
    feed = write(
        tmp_path,
        "burner.xml",
        f'<rss version="2.0"><channel><title>B</title>{nested}</channel></rss>',
    )
    result = run(feed)
    assert result.exit_code == 0, result.stderr
    assert sorted(titles(result)) == sorted(f"Story {n}" for n in range(20))


# -- 3. prefixed RSS behind a broken prolog ------------------------------------------


def test_prefixed_rss_with_a_broken_prolog_is_read(tmp_path: Path) -> None:
    feed = write(
        tmp_path,
        "prefixed.xml",
        '<?xml?xml version="1.0" encoding="utf-8"??>\n<rss rss:version=2.0><rss:channel>'
        f"<rss:title>Prefixed</rss:title>{items(5, 'rss:')}</rss:channel></rss>",
    )
    result = run(feed)
    assert result.exit_code == 0, result.stderr
    assert titles(result) == [f"Story {n}" for n in range(5)]
    assert result.articles[0]["url"] == "https://news.example.org/0"
    assert result.articles[0]["published"] == "2024-01-01T10:00:00Z"
    assert_one_line_messages(result)


# -- 4. a document cut off inside its last item --------------------------------------

HEAD = '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Cut</title>'
CUT = (
    HEAD + items(3) + "<item><title>Half a story</title><link>https://news.example.org/half"
    "</link><description>It was a dark and storm"
)


def assert_truncation_reported(result: CliResult) -> None:
    assert result.exit_code == 1
    assert titles(result) == ["Story 0", "Story 1", "Story 2"]
    assert {a["id_basis"] for a in result.articles} == {"origin"}
    (line,) = result.error_lines
    assert "truncated" in line, line
    assert '"Half a story"' in line, line
    warnings = result.articles[0]["warnings"]
    assert any("truncated" in w and "Half a story" in w for w in warnings), warnings


def test_a_file_cut_off_inside_an_item_drops_it_and_fails_the_source(tmp_path: Path) -> None:
    assert_truncation_reported(run(write(tmp_path, "cut.rss", CUT)))


def test_a_response_cut_off_inside_an_item_drops_it_and_fails_the_source() -> None:
    xml = {"Content-Type": "application/rss+xml"}
    with serve({"/cut.rss": lambda _: Reply(200, CUT.encode(), xml)}) as server:
        result = run(server.url("/cut.rss"))
    assert_truncation_reported(result)


def test_a_document_cut_after_its_last_item_closed_drops_nothing(tmp_path: Path) -> None:
    result = run(write(tmp_path, "short.rss", HEAD + items(3)))
    assert result.exit_code == 0, result.stderr
    assert titles(result) == ["Story 0", "Story 1", "Story 2"]


# -- 5. fuzzing: what reached the user as exception names and multi-line messages -----

# Items after the root's end: lxml stops at </rss>, so the fallback reader runs.
AFTER_END = HEAD + items(3) + "</channel></rss>\n" + items(2, start=3)


@pytest.mark.parametrize("reference", ["&#x110000;", "&#99999999999999999999;", "&#xD800;"])
def test_forbidden_character_references_on_the_fallback_path(
    tmp_path: Path, reference: str
) -> None:
    text = AFTER_END.replace("Story 4<", f"Story 4 {reference}<")
    result = run(write(tmp_path, "refs.rss", text))
    assert_one_line_messages(result)
    assert result.exit_code == 0, result.stderr
    assert titles(result)[:3] == ["Story 0", "Story 1", "Story 2"]
    assert len(result.articles) == 5
    assert result.articles[4]["title"] == "Story 4 \ufffd"


def test_a_fallback_parser_crash_keeps_the_fast_reading(tmp_path: Path) -> None:
    # A stray </width> in the feed image crashes feedparser's loose parser.
    image = "<image><url>https://news.example.org/logo.png</url></width></image>"
    text = AFTER_END.replace("<title>Cut</title>", f"<title>Cut</title>{image}")
    result = run(write(tmp_path, "width.rss", text))
    assert_one_line_messages(result)
    assert result.exit_code == 0, result.stderr
    assert titles(result)[:3] == ["Story 0", "Story 1", "Story 2"]
    assert any("fallback parser failed" in w for w in result.articles[0]["warnings"])


def test_parser_messages_quoting_the_document_stay_on_one_line(tmp_path: Path) -> None:
    text = HEAD + items(2) + "<item><title>x</title><description><![CDATA[one\ntwo\nthree"
    text += "\n</description></item></channel></rss>"
    result = run(write(tmp_path, "cdata.rss", text))
    assert_one_line_messages(result)
    assert len(result.articles) >= 2
    assert any("\\n" in w for w in result.articles[0]["warnings"])  # escaped, not dropped
    nothing = run(write(tmp_path, "nothing.rss", "<rss><channel><![CDATA[a\nb\nc"))
    assert nothing.exit_code == 1
    assert len(nothing.stderr.splitlines()) == 2  # the error line and the summary


def test_a_bytes_to_bytes_codec_declared_as_the_encoding_is_ignored(tmp_path: Path) -> None:
    text = HEAD.replace('version="1.0"?>', 'version="1.0" encoding="base64"?>') + items(2)
    result = run(write(tmp_path, "b64.rss", text + "</channel></rss>"))
    assert_one_line_messages(result)
    assert result.exit_code == 0, result.stderr
    assert titles(result) == ["Story 0", "Story 1"]
    assert any("not a text encoding" in w for w in result.articles[0]["warnings"])


def test_an_atom_feed_cut_off_inside_an_entry_drops_it(tmp_path: Path) -> None:
    entry = "<entry><id>tag:e.example,2024:{n}</id><title>Entry {n}</title></entry>"
    text = '<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
    text += entry.format(n=1) + entry.format(n=2) + "<entry><id>tag:e.example,2024:3</id><ti"
    result = run(write(tmp_path, "cut.atom", text))
    assert result.exit_code == 1
    assert titles(result) == ["Entry 1", "Entry 2"]
    (line,) = result.error_lines
    assert '<entry> "tag:e.example,2024:3"' in line, line


# -- 6. bounded fallback ---------------------------------------------------------------


def timed(*args: str) -> tuple[CliResult, float]:
    started = time.perf_counter()
    result = run(*args)
    return result, time.perf_counter() - started


def test_fifty_thousand_attributes_skip_the_fallback_quickly(tmp_path: Path) -> None:
    attributes = " ".join(f'a{n}="v"' for n in range(50_000))
    text = AFTER_END.replace("<channel>", f"<channel {attributes}>", 1)
    result, seconds = timed(write(tmp_path, "attributes.rss", text))
    assert seconds < 5, seconds
    assert titles(result) == ["Story 0", "Story 1", "Story 2"]
    warning = next(w for w in result.articles[0]["warnings"] if "fallback parser was skipped" in w)
    assert "50,000 attributes" in warning


def test_a_million_unclosed_tags_skip_the_fallback_quickly(tmp_path: Path) -> None:
    text = AFTER_END.replace("<title>Story 2</title>", "<title>Story 2" + "<b>" * 1_000_000)
    result, seconds = timed(write(tmp_path, "unclosed.rss", text))
    assert seconds < 8, seconds
    assert titles(result)[:2] == ["Story 0", "Story 1"]
    assert any("tag bound" in w for w in result.articles[0]["warnings"])


def test_the_fallback_bounds_do_not_cost_a_complete_reading(tmp_path: Path) -> None:
    # Over the tag bound but well-formed: lxml reads every entry, the fallback is not needed.
    many = "".join(f"<item><title>{n}</title></item>" for n in range(10_500))
    result = run(
        write(tmp_path, "many.rss", f"<rss><channel><title>M</title>{many}</channel></rss>")
    )
    assert result.exit_code == 0
    assert len(result.articles) == 10_500


# -- 7. entity declarations behind a comment -------------------------------------------


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE rss [<!-- ]> -->\n<!ENTITY e "EXPANDED">\n]>',
        '<!DOCTYPE rss [<!ATTLIST rss x CDATA "]>">\n<!ENTITY e "EXPANDED">\n]>',
        '<!DOCTYPE rss [<?pi ]> ?>\n<!ENTITY e "EXPANDED">\n]>',
    ],
)
def test_entity_declarations_hidden_from_a_naive_scan_are_refused(
    tmp_path: Path, doctype: str
) -> None:
    text = (
        f'<?xml version="1.0"?>\n{doctype}\n<rss version="2.0"><channel><title>D</title>'
        "<item><title>before &e; after</title></item></channel></rss>"
    )
    result = run(write(tmp_path, "hidden.rss", text))
    assert result.exit_code == 1
    (line,) = result.error_lines
    assert "refused: the document declares XML entities" in line
    assert result.articles == []


def test_a_doctype_quoted_inside_an_entry_is_not_a_refusal(tmp_path: Path) -> None:
    text = (
        '<rss version="2.0"><channel><title>XML tips</title><item><title>Entities</title>'
        '<description><![CDATA[<!DOCTYPE x [<!ENTITY e "v">]>]]></description></item>'
        "</channel></rss>"
    )
    result = run(write(tmp_path, "tips.rss", text))
    assert result.exit_code == 0, result.stderr
    assert titles(result) == ["Entities"]


# -- 8. JSON Feed over HTTP -----------------------------------------------------------

JSON_FEED = json.dumps(
    {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Wire",
        "items": [
            {"id": "w-1", "url": "https://wire.example.org/1", "content_text": "First."},
            {"id": "w-2", "url": "https://wire.example.org/2", "content_text": "Second."},
        ],
    }
).encode()


@pytest.mark.parametrize("media_type", ["application/feed+json", "application/json"])
def test_a_json_feed_served_over_http_is_read_as_a_feed(media_type: str) -> None:
    routes = {"/wire": lambda _: Reply(200, JSON_FEED, {"Content-Type": media_type})}
    with serve(routes) as server:
        forced = run(f"rss:{server.url('/wire')}")
        sniffed = run(server.url("/wire"))
    for result in (forced, sniffed):
        assert result.exit_code == 0, result.stderr
        assert [a["text"] for a in result.articles] == ["First.", "Second."]
        assert result.articles[0]["source"]["kind"] == "rss"
