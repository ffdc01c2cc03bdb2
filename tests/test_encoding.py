from __future__ import annotations

import codecs
import encodings
import pkgutil
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.encoding import NotAnEncoding, NotText, decode_text, sniff_text, text_codec

TEXT = "Café “quoted” – naïve Zürich"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),
        (TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("utf-32"), "utf-32"),
        (TEXT.encode("cp1252"), "cp1252"),
    ],
)
def test_detects_each_encoding(data: bytes, encoding: str) -> None:
    text, found = decode_text(data)
    assert found == encoding
    assert text == TEXT


def test_latin1_text_decodes_as_cp1252() -> None:
    text, found = decode_text("São Paulo, Málaga".encode("latin-1"))
    assert (text, found) == ("São Paulo, Málaga", "cp1252")


def test_binary_data_is_refused() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" * 20
    with pytest.raises(NotText, match="binary data"):
        decode_text(png)


def test_control_characters_without_nul_are_binary() -> None:
    with pytest.raises(NotText, match="binary data"):
        decode_text(bytes(range(1, 32)) * 50)


def test_damaged_utf8_is_undecodable_not_mojibake() -> None:
    data = "Zelenskyy’s call".encode() + b" \xff\xfe broken"
    with pytest.raises(
        NotText, match=r"undecodable bytes: invalid UTF-8 \(byte 0xff at offset 19\)"
    ):
        decode_text(data)


def test_bytes_outside_cp1252_are_undecodable() -> None:
    with pytest.raises(NotText, match="neither UTF-8 nor cp1252"):
        decode_text(b"abc \x81\x8d def")


def test_forced_encoding_is_strict() -> None:
    assert decode_text("Ωmega".encode("cp1253"), "cp1253") == ("Ωmega", "cp1253")
    with pytest.raises(NotText, match="not valid utf-8"):
        decode_text(b"caf\xe9", "utf-8")
    with pytest.raises(NotText, match="unknown encoding"):
        decode_text(b"x", "klingon-8")


# -- declared and user-set codec names (issue 10) -------------------------------------

_SURROGATE = re.compile("[\ud800-\udfff]")
#: Every codec module the standard library ships, text encodings or not.
_STDLIB_CODECS = sorted(m.name for m in pkgutil.iter_modules(encodings.__path__))


@pytest.mark.parametrize(
    "name",
    ["hex", "base64", "rot13", "zlib", "bz2", "uu", "quopri", "undefined", "idna", "punycode"],
)
def test_codecs_that_are_not_text_encodings_are_refused(name: str) -> None:
    with pytest.raises(NotAnEncoding, match=f"^'{name}' is not a text encoding$"):
        decode_text(b"48656c6c6f", name)


@pytest.mark.parametrize(
    ("name", "data"),
    [("utf-7", b"+2AA-"), ("unicode_escape", b"\\ud800"), ("raw_unicode_escape", b"\\ud800")],
)
def test_codecs_that_decode_to_lone_surrogates_are_refused(name: str, data: bytes) -> None:
    assert _SURROGATE.search(data.decode(name))  # what these codecs would have produced
    with pytest.raises(NotAnEncoding, match="is not a text encoding"):
        decode_text(data, name)


@pytest.mark.parametrize(
    "name", ["klingon-8", "", "   ", "utf-8\x00", "\udc80", "x" * 5000, "utf 8\nx", "../etc"]
)
def test_unknown_names_are_one_short_line(name: str) -> None:
    with pytest.raises(NotAnEncoding, match=r"^unknown encoding ") as caught:
        text_codec(name)
    message = str(caught.value)
    assert "\n" not in message
    assert len(message) < 70


def test_text_codec_names_the_codec_canonically() -> None:
    assert text_codec("Latin-1") == "iso8859-1"
    assert text_codec(" UTF8 ") == "utf-8"
    assert text_codec("windows-1252") == "cp1252"
    assert text_codec("Shift_JIS") == "shift_jis"


def test_refused_names_are_lookup_errors_and_not_text() -> None:
    with pytest.raises(LookupError):
        text_codec("base64")
    with pytest.raises(NotText):
        text_codec("base64")


@given(st.one_of(st.sampled_from(_STDLIB_CODECS), st.text(max_size=30)), st.binary(max_size=64))
@settings(max_examples=300)
def test_no_codec_name_makes_decoding_raise_or_leave_a_lone_surrogate(
    name: str, data: bytes
) -> None:
    try:
        text, used = decode_text(data, name)
    except NotText as exc:  # NotAnEncoding included
        message = str(exc)
    else:
        assert not name or used == text_codec(name)
        assert not _SURROGATE.search(text)
        return
    assert "\n" not in message


def test_sniff_text_reads_heads_of_any_encoding() -> None:
    page = "<!doctype html><title>Café</title>"
    assert sniff_text(codecs.BOM_UTF16_LE + page.encode("utf-16-le")) == page
    assert sniff_text(page.encode("utf-16-be")) == page
    assert sniff_text(page.encode("utf-8")) == page
    assert sniff_text("Zürich".encode()[:2]) == "Z"  # a character cut at the end of the head


@given(st.binary(max_size=200))
def test_sniff_text_never_raises_nor_leaves_a_lone_surrogate(head: bytes) -> None:
    assert not _SURROGATE.search(sniff_text(head))
