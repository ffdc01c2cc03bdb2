"""The ``warc`` source: WARC (and ARC) files we write ourselves with warcio, read back
through the real command line: gzip per record, plain, gzip whole, cut short, junk, served
over HTTP on 127.0.0.1, and on stdin."""

from __future__ import annotations

import gzip
import io
import json
import re
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from warcio.statusandheaders import StatusAndHeaders  # type: ignore[import-untyped]
from warcio.warcwriter import WARCWriter  # type: ignore[import-untyped]

from ingest import Source
from ingest.testing import CliResult, run_cli
from ingest_plugins.sources.warc import WarcPages, ingest_detect_kind, is_warc_head
from ingest_plugins.sources.warc.members import WarcBytes
from tests.servers import Reply, serve

PAGE = """<!doctype html><html lang="en"><head><title>{title}</title></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav><article><h1>{title}</h1>
<p>{lead} The harbour authority said on Monday that the storm had closed the port for two
days, leaving dozens of cargo ships waiting at anchor outside the breakwater.</p>
<p>Officials expect the weather to improve by Wednesday, when the first ferries should sail
again from the northern pier, the authority's spokeswoman told reporters.</p>
<p>Fishermen said the losses would be heavy, because the season had only just begun and
prices at the market were already lower than they had been for years.</p>
</article><footer>Copyright the Harbour Gazette</footer></body></html>"""
SCRIPT_ONLY = (
    b"<!doctype html><html><head><title>App</title></head><body><script>x()</script></body></html>"
)


def page(title: str, lead: str = "") -> bytes:
    """An article page with enough text for the extractor."""
    return PAGE.format(title=title, lead=lead).encode()


@dataclass
class Rec:
    """One record to write: a response by default."""

    uri: str
    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    kind: str = "response"
    date: str = "2024-03-01T10:00:00Z"
    status: str = "200 OK"
    headers: list[tuple[str, str]] = field(default_factory=list)


def record_bytes(rec: Rec, *, compress: bool) -> bytes:
    """One record as warcio's WARCWriter writes it (a gzip member of its own, or plain)."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=compress)
    dated = {"WARC-Date": rec.date}
    if rec.kind == "warcinfo":
        record = writer.create_warcinfo_record("test.warc", {"software": "tests"})
    elif rec.kind == "revisit":
        record = writer.create_revisit_record(
            rec.uri, "sha1:AAAA", rec.uri, rec.date, warc_headers_dict=dated
        )
    elif rec.kind == "request":
        http = StatusAndHeaders(
            f"GET {rec.uri} HTTP/1.1", [("Host", "example.com")], is_http_request=True
        )
        record = writer.create_warc_record(
            rec.uri, "request", length=0, http_headers=http, warc_headers_dict=dated
        )
    elif rec.kind == "metadata":
        record = writer.create_warc_record(
            rec.uri,
            "metadata",
            payload=io.BytesIO(b"fetchTimeMs: 12\r\n"),
            length=17,
            warc_content_type="application/warc-fields",
            warc_headers_dict=dated,
        )
    else:
        headers = [("Content-Type", rec.content_type)] if rec.content_type else []
        http = StatusAndHeaders(rec.status, headers + rec.headers, protocol="HTTP/1.1")
        record = writer.create_warc_record(
            rec.uri,
            "response",
            payload=io.BytesIO(rec.body),
            length=len(rec.body),
            http_headers=http,
            warc_headers_dict=dated,
        )
    writer.write_record(record)
    return out.getvalue()


def warc(records: list[Rec], *, compress: bool = True) -> bytes:
    """A WARC file of ``records``, each its own gzip member when ``compress``."""
    return b"".join(record_bytes(rec, compress=compress) for rec in records)


#: Two article pages, an image, a request and metadata: what a crawl of one site writes.
MIXED = [
    Rec("", kind="warcinfo"),
    Rec(
        "https://news.example.com/2024/storm",
        page("Storm closes harbour"),
        date="2024-03-01T10:00:00Z",
    ),
    Rec("https://news.example.com/2024/storm", kind="request"),
    Rec("https://news.example.com/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(300), "image/png"),
    Rec(
        "https://news.example.com/2024/ferries",
        page("Ferries sail again"),
        date="2024-03-02T11:30:15Z",
    ),
    Rec("https://news.example.com/2024/ferries", kind="metadata"),
]
LAST = Rec("https://news.example.com/2024/fish", page("Fishermen count losses"))


def ingest(
    tmp_path: Path, *args: str, stdin: bytes = b""
) -> tuple[CliResult, list[dict[str, Any]]]:
    """``ingest run ARGS -o out.jsonl``: the result and the articles written."""
    out = tmp_path / "out.jsonl"
    result = run_cli(["run", *args, "-o", str(out)], stdin=stdin)
    lines = out.read_text(encoding="utf-8").splitlines() if out.exists() else []
    return result, [json.loads(line) for line in lines]


def assert_mixed_pages(articles: list[dict[str, Any]], location: str) -> None:
    """The two pages of :data:`MIXED`, with their target URIs, dates and text."""
    assert [a["url"] for a in articles] == [
        "https://news.example.com/2024/storm",
        "https://news.example.com/2024/ferries",
    ]
    assert [a["fetched"] for a in articles] == ["2024-03-01T10:00:00Z", "2024-03-02T11:30:15Z"]
    assert [a["title"] for a in articles] == ["Storm closes harbour", "Ferries sail again"]
    assert all("dozens of cargo ships" in a["text"] for a in articles)
    assert all("Copyright" not in a["text"] and "Home" not in a["text"] for a in articles)
    assert {a["source"]["location"] for a in articles} == {location}
    assert {a["provenance"]["fetch"] for a in articles} == {"warc"}


@pytest.mark.parametrize("compress", [True, False], ids=["gzip-per-record", "plain"])
def test_complete_warc_gives_every_html_page_and_nothing_else(
    tmp_path: Path, compress: bool
) -> None:
    path = tmp_path / ("crawl.warc.gz" if compress else "crawl.warc")
    path.write_bytes(warc([*MIXED, LAST], compress=compress))
    result, articles = ingest(tmp_path, str(path))
    assert result.exit_code == 0, result.stderr
    assert result.error_lines == []
    assert_mixed_pages(articles[:2], str(path))
    assert articles[2]["url"] == LAST.uri


def test_whole_file_gzip_reads_like_gzip_per_record(tmp_path: Path) -> None:
    path = tmp_path / "whole.warc.gz"
    path.write_bytes(gzip.compress(warc([*MIXED, LAST], compress=False)))
    result, articles = ingest(tmp_path, str(path))
    assert result.exit_code == 0, result.stderr
    assert [a["url"] for a in articles] == [MIXED[1].uri, MIXED[4].uri, LAST.uri]


def test_gzip_member_cut_short_keeps_the_records_before_it(tmp_path: Path) -> None:
    whole = warc(MIXED)
    last = record_bytes(LAST, compress=True)
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(whole + last[: len(last) // 2])
    result, articles = ingest(tmp_path, str(path))
    assert result.exit_code == 1
    assert_mixed_pages(articles, str(path))
    assert result.error_lines == [
        f"error: warc:{path}: cut short: the file ends inside the gzip member that starts at "
        f"byte {len(whole):,} (the file has {len(whole) + len(last) // 2:,} bytes); "
        "the 6 records before it were read"
    ]
    assert "1 failure" in result.stderr.splitlines()[-1]


def test_plain_record_cut_short_is_not_a_page(tmp_path: Path) -> None:
    last = record_bytes(LAST, compress=False)
    path = tmp_path / "cut.warc"
    path.write_bytes(warc(MIXED, compress=False) + last[:-200])
    result, articles = ingest(tmp_path, str(path))
    assert result.exit_code == 1
    assert_mixed_pages(articles, str(path))  # the cut page is not among them
    declared = int(re.findall(rb"Content-Length: (\d+)", last)[0])
    missing = 200 - 4  # the record's last bytes, less the blank line after it
    assert result.error_lines == [
        f"error: warc:{path}: cut short: the file ends inside record 7 (response {LAST.uri}), "
        f"{missing:,} of its {declared:,} bytes missing; the 6 records before it were read"
    ]


def test_cut_inside_the_warc_headers_is_cut_short_too(tmp_path: Path) -> None:
    last = record_bytes(LAST, compress=False)
    path = tmp_path / "cut.warc"
    path.write_bytes(warc(MIXED, compress=False) + last[:60])
    result, articles = ingest(tmp_path, str(path))
    assert len(articles) == 2
    assert result.error_lines == [
        f"error: warc:{path}: cut short: the file ends inside the headers of record 7; "
        "the 6 records before it were read"
    ]


def test_a_page_without_text_is_one_item_error_and_the_file_goes_on(tmp_path: Path) -> None:
    records = [
        *MIXED[:2],
        Rec("https://news.example.com/app", SCRIPT_ONLY),
        Rec("https://news.example.com/blank", b""),
        *MIXED[2:],
    ]
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(warc(records))
    result, articles = ingest(tmp_path, str(path))
    assert result.exit_code == 1
    assert_mixed_pages(articles, str(path))
    app, blank = result.error_lines
    assert app.startswith(
        f"error: warc:{path}#3: https://news.example.com/app: no article text found"
    )
    assert blank == f"error: warc:{path}#4: https://news.example.com/blank: an empty page"
    assert "2 failures" in result.stderr.splitlines()[-1]


def test_record_types_and_media_types_that_are_no_page_are_counted(tmp_path: Path) -> None:
    records = [
        *MIXED,
        Rec("https://news.example.com/2024/storm", kind="revisit"),
        Rec("https://news.example.com/old", page("Moved"), status="301 Moved Permanently"),
        Rec("https://news.example.com/none", b"", status="204 No Content"),
        Rec("https://news.example.com/report.pdf", b"%PDF-1.7\n" + bytes(50), "application/pdf"),
        Rec("https://news.example.com/untyped", page("Untyped but HTML"), content_type=None),
        Rec("https://news.example.com/untyped.bin", b"\x00\x01\x02" * 50, content_type=None),
    ]
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(warc(records))
    with path.open("rb") as handle:
        pages = WarcPages(WarcBytes(handle), f"warc:{path}", str(path), 1 << 20)
        items = list(pages)
    assert [getattr(item, "url", None) for item in items] == [
        MIXED[1].uri,
        MIXED[4].uri,
        "https://news.example.com/untyped",
    ]
    assert dict(pages.counts) == {
        "warcinfo": 1,
        "request": 1,
        "metadata": 1,
        "revisit": 1,
        "response image/png": 1,
        "response application/pdf": 1,
        "response (status 301)": 1,
        "response (status 204)": 1,
        "response (not HTML)": 1,
    }


def test_a_warc_without_any_html_response_says_what_it_holds(tmp_path: Path) -> None:
    path = tmp_path / "images.warc.gz"
    path.write_bytes(warc([MIXED[0], MIXED[3], MIXED[3]]))
    result, articles = ingest(tmp_path, str(path))
    assert articles == []
    assert result.error_lines == [
        f"error: warc:{path}: no HTML response among its 3 records "
        "(2 response image/png, 1 warcinfo)"
    ]


def test_chunked_and_gzip_encoded_payloads_are_decoded(tmp_path: Path) -> None:
    body = zlib.compress(page("Encoded storm"), wbits=31)
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:100], body[100:]))
    encoded = [("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")]
    broken = zlib.compress(page("Broken"), wbits=31)[:-30]
    records = [
        Rec("https://news.example.com/encoded", chunked, headers=encoded),
        Rec("https://news.example.com/broken", broken, headers=[("Content-Encoding", "gzip")]),
    ]
    path = tmp_path / "encoded.warc"
    path.write_bytes(warc(records, compress=False))
    result, articles = ingest(tmp_path, str(path))
    assert [a["title"] for a in articles] == ["Encoded storm"]
    assert "dozens of cargo ships" in articles[0]["text"]
    assert result.error_lines == [
        f"error: warc:{path}#2: https://news.example.com/broken: truncated gzip body: "
        "the compressed data stops short"
    ]


def test_a_page_over_the_limit_is_refused_and_the_next_is_read(tmp_path: Path) -> None:
    big = page("Big", lead="word " * 2000)
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(warc([Rec("https://news.example.com/big", big), LAST]))
    result, articles = ingest(tmp_path, str(path), "--set", "warc.max_page_bytes=5000")
    assert [a["url"] for a in articles] == [LAST.uri]
    assert result.error_lines == [
        f"error: warc:{path}#1: https://news.example.com/big: "
        "a page larger than the 5,000-byte limit"
    ]


def test_binary_junk_named_warc_gz_is_one_clean_line(tmp_path: Path) -> None:
    junk = tmp_path / "junk.warc.gz"
    junk.write_bytes(bytes(range(256)) * 40)
    fake = tmp_path / "fake.warc.gz"
    fake.write_bytes(b"\x1f\x8b\x08\x00" + bytes(range(7, 200)) * 10)
    text = tmp_path / "notes.warc"
    text.write_bytes(b"Dear diary,\nno archive here.\n")
    result, articles = ingest(tmp_path, str(junk), str(fake), str(text))
    assert articles == []
    assert result.exit_code == 1
    junk_line, fake_line, text_line = result.error_lines
    assert junk_line == f"error: warc:{junk}: not a WARC file: binary data, neither WARC nor gzip"
    assert fake_line.startswith(
        f"error: warc:{fake}: not a WARC file: corrupt gzip data in the member that starts "
        "at byte 0 (Error -3 while decompressing data: "  # then zlib's reason
    )
    assert text_line == f"error: warc:{text}: not a WARC file: text that starts 'Dear diary,'"
    assert len(result.stderr.splitlines()) == 4  # three errors and the summary: no traceback


def wrong_length(tmp_path: Path, shorter_by: int) -> Path:
    """A plain WARC whose first page (record 2) declares ``shorter_by`` bytes too few."""
    data = warc([*MIXED, LAST], compress=False)
    declared = re.findall(rb"Content-Length: (\d+)\r\n", data)[1]
    start = data.index(b"Content-Length: " + declared)
    wrong = b"Content-Length: %d" % (int(declared) - shorter_by)
    path = tmp_path / f"wrong-{shorter_by}.warc"
    path.write_bytes(data[:start] + wrong + data[start + 16 + len(declared) :])
    return path


def test_a_wrong_content_length_warcio_reads_past_is_still_reported(tmp_path: Path) -> None:
    path = wrong_length(tmp_path, 40)  # less than a line: warcio skips it and reads on
    result, articles = ingest(tmp_path, str(path))
    assert len(articles) == 3
    assert result.exit_code == 1
    assert result.error_lines == [
        f"error: warc:{path}: record 2 is not followed by the blank line that ends a record: "
        "its Content-Length is wrong, and its page may be cut short or run on"
    ]
    assert len(result.stderr.splitlines()) == 2  # the error and the summary: no warcio warning


def test_a_wrong_content_length_that_loses_the_next_record_is_one_line(tmp_path: Path) -> None:
    path = wrong_length(tmp_path, 400)
    result, articles = ingest(tmp_path, str(path))
    assert result.exit_code == 1
    assert len(articles) == 1  # record 2, read before its length was found wrong
    assert len(result.error_lines) == 1
    assert result.error_lines[0].startswith(
        f"error: warc:{path}: no WARC record where record 3 should start "
        "(is the Content-Length of record 2 wrong?): "
    )
    assert result.error_lines[0].endswith("; the 2 records before it were read")
    assert len(result.stderr.splitlines()) == 2


def test_warc_served_over_http_by_name_and_by_media_type(tmp_path: Path) -> None:
    data = warc(MIXED)
    routes = {
        "/crawl-data/CC-NEWS/2024/03/CC-NEWS-20240301.warc.gz": lambda _: Reply(
            200, data, {"Content-Type": "application/octet-stream"}
        ),
        "/archive": lambda _: Reply(200, data, {"Content-Type": "application/warc"}),
    }
    with serve(routes) as server:
        named = server.url("/crawl-data/CC-NEWS/2024/03/CC-NEWS-20240301.warc.gz")
        result, articles = ingest(tmp_path, named)
        assert result.exit_code == 0, result.stderr
        assert_mixed_pages(articles, named)
        typed = server.url("/archive")
        result, articles = ingest(tmp_path, typed)
    assert result.exit_code == 0, result.stderr
    assert_mixed_pages(articles, typed)


def test_a_url_body_over_http_max_bytes_is_refused(tmp_path: Path) -> None:
    data = warc([*MIXED, LAST])
    with serve({"/big.warc.gz": lambda _: Reply(200, data)}) as server:
        result, articles = ingest(
            tmp_path, server.url("/big.warc.gz"), "--set", "http.max_bytes=1000"
        )
    assert articles == []
    assert len(result.error_lines) == 1
    assert "1,000-byte limit" in result.error_lines[0]


def test_stdin_and_directories(tmp_path: Path) -> None:
    data = warc(MIXED)
    result, articles = ingest(tmp_path, "-", stdin=data)
    assert result.exit_code == 0, result.stderr
    assert_mixed_pages(articles, "-")
    folder = tmp_path / "cc-news"
    folder.mkdir()
    (folder / "a.warc.gz").write_bytes(data)
    (folder / "b.gz").write_bytes(warc([LAST]))  # told by its bytes, not its name
    (folder / "readme.md").write_text("not an archive")
    result, articles = ingest(tmp_path, str(folder))
    assert result.exit_code == 0, result.stderr
    assert [a["url"] for a in articles] == [MIXED[1].uri, MIXED[4].uri, LAST.uri]


def test_arc_files_are_read_as_well(tmp_path: Path) -> None:
    described = b"1 0 Tests\nURL IP-address Archive-date Content-type Archive-length\n"
    arc = b"filedesc://test.arc 0.0.0.0 20240301100000 text/plain %d\n%s\n" % (
        len(described),
        described,
    )
    for number, title in enumerate(["Storm closes harbour", "Ferries sail again"]):
        http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + page(title)
        arc += b"http://news.example.com/%d 192.0.2.1 2024030%d100000 text/html %d\n%s\n" % (
            number,
            number + 1,
            len(http),
            http,
        )
    path = tmp_path / "old.arc.gz"
    path.write_bytes(gzip.compress(arc))
    result, articles = ingest(tmp_path, str(path))
    assert result.exit_code == 0, result.stderr
    assert [(a["url"], a["fetched"]) for a in articles] == [
        ("http://news.example.com/0", "2024-03-01T10:00:00Z"),
        ("http://news.example.com/1", "2024-03-02T10:00:00Z"),
    ]


def test_detection_by_name_and_by_first_bytes() -> None:
    head = warc(MIXED[:1])[:4096]
    assert is_warc_head(head)
    assert is_warc_head(warc(MIXED[:1], compress=False))
    assert not is_warc_head(gzip.compress(b"<html>not an archive</html>"))
    assert not is_warc_head(b"\x1f\x8bnot really gzip")
    assert ingest_detect_kind("crawl.gz", head) == "warc"
    assert ingest_detect_kind("-", head) == "warc"
    assert ingest_detect_kind("CC-NEWS-1.warc.gz", b"\x00junk") == "warc"  # to say it is junk
    assert ingest_detect_kind("page.html", b"<html>") is None
    assert ingest_detect_kind("https://data.example.org/x/CC-NEWS-1.warc.gz?x=1", b"") == "warc"
    assert ingest_detect_kind("https://example.org/archive", b"") is None
    assert ingest_detect_kind("https://example.org/archive", head) == "warc"


def test_an_article_names_the_warc_file_and_an_aware_fetch_time(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc"
    path.write_bytes(warc(MIXED[:2], compress=False))
    source = Source("warc", str(path))
    with path.open("rb") as handle:
        items = list(WarcPages(WarcBytes(handle), source.label(), source.location, 1 << 20))
    assert len(items) == 1
    article = items[0]
    assert not isinstance(article, Exception)
    assert article.source.location == str(path)
    assert article.fetched == datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
    assert article.fetched.tzinfo is UTC


def test_a_header_line_over_64_kib_read_in_slices_keeps_the_page(tmp_path: Path) -> None:
    junk = [("X-Tracking", "x" * 300_000)]
    path = tmp_path / "long-header.warc.gz"
    path.write_bytes(warc([Rec(LAST.uri, page("Fishermen count losses"), headers=junk)]))
    result, articles = ingest(tmp_path, str(path))
    assert result.exit_code == 0, result.stderr
    assert [a["title"] for a in articles] == ["Fishermen count losses"]
