from __future__ import annotations

import codecs

import pytest

from ingest.encoding import NotText, decode_text

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
