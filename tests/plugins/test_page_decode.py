"""The html source plugin's bytes-to-text step (``pages/decode.py``): gzip members and
truncation, WHATWG charset labels, meta UTF-16, 4-byte UTF-8 under a default charset."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from ingest.testing import CliResult
from ingest_plugins.sources.pages.decode import NotAPage, decode_page, gunzip, page_codec

MODULE = "ingest_plugins.sources.pages.plugin"
LOAD = [] if "html" in {e.name for e in entry_points(group="ingest")} else ["-p", MODULE]
Cli = Callable[..., CliResult]


def run(ingest_cli: Cli, *args: str) -> CliResult:
    return ingest_cli([*LOAD, "run", *args])


def _page(body: str, head: str = "") -> str:
    paragraphs = "".join(
        f"<p>Paragraph {n}: {body} The harbour council met again on Monday evening.</p>"
        for n in range(6)
    )
    return (
        f"<!doctype html><html><head>{head}<title>Harbour news</title></head>"
        f"<body><article>{paragraphs}<p>The end of the story.</p></article></body></html>"
    )


# --- 1. gzip: every member, and a truncated stream refused ---------------------------------


def test_gunzip_reads_every_member() -> None:
    first, second = b"<html><body>first half, ", b"second half</body></html>"
    assert gunzip(gzip.compress(first) + gzip.compress(second), 1000) == first + second


def test_gunzip_caps_the_members_together() -> None:
    member = gzip.compress(b"x" * 600)
    assert gunzip(member, 600) == b"x" * 600
    with pytest.raises(NotAPage, match="larger than the 1,000-byte limit"):
        gunzip(member + member, 1000)


@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_gunzip_refuses_a_truncated_stream(keep: float) -> None:
    packed = gzip.compress(_page("Text.").encode() * 20)
    with pytest.raises(NotAPage, match="truncated gzip"):
        gunzip(packed[: int(len(packed) * keep)], 1_000_000)


def test_gunzip_refuses_a_truncated_second_member() -> None:
    packed = gzip.compress(b"whole") + gzip.compress(b"cut short " * 50)[:-6]
    with pytest.raises(NotAPage, match="truncated gzip"):
        gunzip(packed, 1_000_000)


def test_gunzip_trailing_data() -> None:
    packed = gzip.compress(b"page")
    assert gunzip(packed + b"\x00" * 512, 100) == b"page"  # tar-style NUL padding
    with pytest.raises(NotAPage, match="damaged gzip"):
        gunzip(packed + b"<html>", 100)


def test_gunzip_leaves_plain_bytes_and_zlib_alone() -> None:
    assert gunzip(b"<html></html>", 100) == b"<html></html>"
    raw = zlib.compress(b"x")  # not gzip: left to the decoder, which will call it binary
    assert gunzip(raw, 100) == raw


def test_cli_truncated_and_multi_member_gzip(ingest_cli: Cli, tmp_path: Path) -> None:
    page = _page("A long paragraph about the bridge works. " * 20).encode()
    cut = tmp_path / "cut.html.gz"
    cut.write_bytes(gzip.compress(page)[: len(gzip.compress(page)) // 2])
    joined = tmp_path / "joined.html.gz"
    middle = page.index(b"Paragraph 3")
    joined.write_bytes(gzip.compress(page[:middle]) + gzip.compress(page[middle:]))
    result = run(ingest_cli, str(cut), str(joined))
    assert result.exit_code == 1
    [line] = result.error_lines
    assert line.startswith(f"error: html:{cut}: truncated gzip"), line
    [article] = result.articles
    assert article["text"].endswith("The end of the story.")
    assert "Paragraph 5" in article["text"]


# --- 2. and 3. labels as WHATWG reads them -------------------------------------------------


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("ISO-8859-1", "cp1252"),
        ("latin1", "cp1252"),
        ("latin-1", "cp1252"),
        ("us-ascii", "cp1252"),
        ("ascii", "cp1252"),
        (" Windows-1252 ", "cp1252"),
        ("x-cp1252", "cp1252"),
        ("iso-8859-9", "cp1254"),
        ("tis-620", "cp874"),
        ("gb2312", "gb18030"),
        ("x-sjis", "cp932"),
        ("shift_jis", "cp932"),
        ("iso-8859-2", "iso8859-2"),
        ("utf-16", "utf-16"),
    ],
)
def test_page_codec_follows_whatwg_labels(label: str, codec: str) -> None:
    assert page_codec(label) == codec


@pytest.mark.parametrize("label", ["utf-16", "UTF-16LE", "utf-16be", "utf-32"])
def test_meta_utf16_or_utf32_means_utf8(label: str) -> None:
    assert page_codec(label, meta=True) == "utf-8"
    data = _page("Plain ASCII text.", f'<meta charset="{label}">').encode("ascii")
    decoded = decode_page(data)
    assert decoded.encoding == "utf-8"
    assert "Plain ASCII text." in decoded.text
    assert decoded.warnings == ()


@pytest.mark.parametrize("declared", ["ISO-8859-1", "latin1", "us-ascii", "latin-1"])
def test_latin1_declaration_decodes_cp1252_quotes(declared: str) -> None:
    text = _page("\u201cQuoted\u201d \u2014 it\u2019s \u20ac5, caf\u00e9.")
    decoded = decode_page(text.encode("cp1252"), declared)
    assert decoded.encoding == "cp1252"
    assert "\u201cQuoted\u201d \u2014 it\u2019s \u20ac5, caf\u00e9." in decoded.text
    assert decoded.warnings == ()


def test_cli_latin1_meta_keeps_curly_quotes(ingest_cli: Cli, tmp_path: Path) -> None:
    page = tmp_path / "quotes.html"
    text = "The mayor said \u201cnot yet\u201d \u2014 twice."
    page.write_bytes(_page(text, '<meta charset="iso-8859-1">').encode("cp1252"))
    result = run(ingest_cli, str(page))
    assert result.exit_code == 0, result.stderr
    [article] = result.articles
    assert text in article["text"]
    assert article["provenance"]["encoding"] == "cp1252"


# --- 4. UTF-8 under a default charset, whatever the length of its sequences ----------------


@pytest.mark.parametrize(
    "sample",
    ["caf\u00e9", "\u20ac5", "\U0001f389 party \U0001f30a", "\u00e9\u20ac\U0001f389"],
    ids=["2-byte", "3-byte", "4-byte-only", "mixed"],
)
def test_utf8_page_under_latin1_header(sample: str) -> None:
    decoded = decode_page(_page(f"Tonight: {sample}.").encode("utf-8"), "ISO-8859-1")
    assert decoded.encoding == "utf-8"
    assert f"Tonight: {sample}." in decoded.text
    assert decoded.warnings == ('http charset "ISO-8859-1" ignored: the page is UTF-8',)


def test_ascii_page_under_latin1_header_keeps_the_declaration() -> None:
    decoded = decode_page(_page("Plain.").encode("ascii"), "ISO-8859-1")
    assert decoded.encoding == "cp1252"
    assert decoded.warnings == ()


def test_cli_emoji_only_utf8_under_latin1_meta(ingest_cli: Cli, tmp_path: Path) -> None:
    page = tmp_path / "emoji.html"
    page.write_bytes(_page("Fireworks \U0001f386 tonight.", '<meta charset="ISO-8859-1">').encode())
    result = run(ingest_cli, str(page))
    assert result.exit_code == 0, result.stderr
    [article] = result.articles
    assert "Fireworks \U0001f386 tonight." in article["text"]
    assert article["provenance"]["encoding"] == "utf-8"
    assert any("the page is UTF-8" in w for w in article["warnings"])


# --- 5. the order: BOM, HTTP, meta, detection -----------------------------------------------


def test_order_bom_then_http_then_meta() -> None:
    text = _page("caf\u00e9", '<meta charset="koi8-r">')
    bom = decode_page(b"\xef\xbb\xbf" + text.encode("utf-8"), "iso-8859-2")
    assert (bom.encoding, bom.warnings, bom.basis) == ("utf-8-sig", (), "bom")
    http = decode_page(text.encode("iso8859-2"), "iso-8859-2")
    assert (http.encoding, http.basis) == ("iso8859-2", "http")
    meta = decode_page(text.replace("caf\u00e9", "\u0434\u043e\u043c").encode("koi8-r"))
    assert (meta.encoding, meta.basis) == ("koi8-r", "meta")
    assert "\u0434\u043e\u043c" in meta.text


def test_unknown_labels_fall_through_to_detection() -> None:
    data = _page("caf\u00e9", '<meta charset="no-such-thing">').encode("utf-8")
    decoded = decode_page(data, "hex")
    assert decoded.encoding == "utf-8"
    assert [w.split(":")[0] for w in decoded.warnings] == [
        "http charset ignored",
        "meta charset ignored",
    ]


@pytest.mark.parametrize("declared", ['<meta charset="windows-1252">', ""])
def test_bytes_cp1252_leaves_undefined_do_not_cost_the_page_its_encoding(declared: str) -> None:
    # 0x81 and 0x9D: undefined in Python's cp1252, invisible C1 controls in WHATWG's.
    data = _page("caf\u00e9 \u201cquoted\u201d", declared).encode("cp1252")
    data = data.replace(b"caf", b"c\x81af\x9d", 1)
    decoded = decode_page(data)
    assert "café “quoted”" in decoded.text
    assert decoded.encoding == "cp1252"
    assert decoded.basis == ("meta" if declared else "detected")
