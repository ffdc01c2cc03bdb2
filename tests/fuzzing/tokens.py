"""Nasty tokens the mutator plants: each one is a shape a real input (or an attacker) has
sent a reader, or a value at the edge of what Python, orjson, libxml2 or a date parser takes.

Tokens are bytes ready to be written into a file of their syntax: JSON ones are already
escaped for a JSON string, XML ones are markup.
"""

from __future__ import annotations

#: What an external entity would leak if a parser resolved it; the checker greps for it.
SECRET_NAME = "secret.txt"
SECRET_MARKER = "FUZZ-SECRET-MARKER-7f3a"

_FORGED = b"\nerror: forged line"
_ESCAPE = b"\x1b[31m"
_DIGITS30 = b"0" * 30

#: Dates a reader must turn into a date or a warning, never an exception (issue 10).
DATES = (
    b"Mon, 01 Jan 2024 10:00:00 -2400",
    b"Mon, 01 Jan 2024 10:00:00 +9999",
    b"Mon, 01 Jan 2024 10:" + _DIGITS30 + b":00 GMT",
    b"2024-01-01T10:" + _DIGITS30 + b":00Z",
    b"2024-01-01T10:00:00+24:00",
    b"Wed Oct 10 20:19:24 -2400 2018",
    b"Wed Oct 10 20:" + _DIGITS30 + b":24 +0000 2018",
    b"99999999999-01-01T00:00:00Z",
    b"0000-00-00T00:00:00Z",
    b"2024-02-30T25:61:61+99:99",
    b"Fri, 31 Dec 9999 23:59:59 -1200",
    b"Mon, 01 Jan 0001 00:00:00 +1400",
    b"1e400",
    b"",
    b"\\ud800",
)

#: Inserted right after the opening quote of a JSON string (so they land inside it).
JSON_STRING = (
    b"\\ud800",
    b"\\udfff",
    b"\\ud800\\ud800x",
    b"\\udc00",
    b"\\u0000",
    b"\\nerror: forged line",
    b"\\u001b[31m",
    b"\\u001b]0;title\\u0007",
    b"\\u202e",
    b"\\u2028",
    b"\\r\\n\\r\\n",
    b"\x1b[31m",  # raw: not valid JSON, but some parsers take it
    b"&#x110000;",
    b"&#xD800;",
    b"&#0;",
    b'<!DOCTYPE x [<!ENTITY a \\"b\\">]>&a;',
    b"<![CDATA[\\n",
    b"<script>alert(1)</script>",
    b"https://t.co/\\ud800",
    b"javascript:alert(1)",
    b"A" * 100_000,
)

#: Replace a JSON value (a number, a string, anything after ``"key":``).
JSON_VALUE = (
    b"1" + _DIGITS30,
    b"-1" + _DIGITS30,
    b"18446744073709551616",
    b"9223372036854775808",
    b"-9223372036854775809",
    b"1e400",
    b"-1e400",
    b"NaN",
    b"Infinity",
    b"-0",
    b"0.5",
    b"true",
    b"null",
    b"[]",
    b"{}",
    b'""',
    b'"\\ud800"',
    b'"\\nerror: forged line\\u001b[31m"',
    b'"' + _DIGITS30 + b'"',
    b'"-1"',
    b'{"id": "1", "id": 2}',
    b"[" * 5_000 + b"]" * 5_000,
    b'{"a":' * 3_000 + b"1" + b"}" * 3_000,
)

#: Inserted into XML text (after a start tag) or anywhere in a document.
XML_TEXT = (
    b"&#x110000;",
    b"&#xD800;",
    b"&#0;",
    b"&#x1b;[31m",
    b"&#99999999999999999999;",
    b"&#x;",
    b"&bogus;",
    b"&nbsp;&amp",
    b"&a;",
    b"\x1b[31m",
    _FORGED,
    _FORGED + _ESCAPE,
    b"\x00",
    b"<![CDATA[\n",
    b"]]>",
    b"<!-- unterminated\n",
    b'<?xml version="1.0"?>',
    b"<item><item><title>nested</title><guid>n1</guid></item></item>",
    b"<entry><entry><title>nested</title><id>n1</id></entry></entry>",
    b"<a>" * 5_000,
    b"<x " + b" ".join(b'a%d="v"' % i for i in range(5_000)) + b"/>",
    b"\xff\xfe",
    b"\xed\xa0\x80",
    b"\xc0\x80",
    b"x" * 200_000,
    b"<![CDATA[" + _FORGED + b"]]>",
)

#: Replace (or precede) the XML declaration and root: encodings, DTDs, namespaces.
XML_PROLOG = (
    b'<?xml version="1.0" encoding="hex"?>',
    b'<?xml version="1.0" encoding="rot13"?>',
    b'<?xml version="1.0" encoding="base64"?>',
    b'<?xml version="1.0" encoding="zlib"?>',
    b'<?xml version="1.0" encoding="uu"?>',
    b'<?xml version="1.0" encoding="utf-7"?>',
    b'<?xml version="1.0" encoding="utf-16"?>',
    b'<?xml version="1.0" encoding="utf-32"?>',
    b'<?xml version="1.0" encoding="x-no-such-codec"?>',
    b'<?xml version="1.0" encoding=""?>',
    b'<?xml version="1.1"?>',
    b'<!DOCTYPE x [<!ENTITY a "b">]>',
    b"<!DOCTYPE x [<!-- ]> -->]>",
    b"<!DOCTYPE x [<!-- a comment -->\n<!ELEMENT x ANY>]>",
    b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "' + SECRET_NAME.encode() + b'">]>',
    b'<!DOCTYPE x [<!ENTITY % p SYSTEM "' + SECRET_NAME.encode() + b'"> %p;]>',
    b'<!DOCTYPE x [<!ENTITY l0 "lol"><!ENTITY l1 "&l0;&l0;&l0;&l0;&l0;&l0;&l0;&l0;&l0;&l0;">'
    b'<!ENTITY l2 "&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;">'
    b'<!ENTITY l3 "&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;">]>',
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xfe\xff\x00<",
    b'<rss version="2.0" xmlns="http://example.org/default-ns">',
    b'<feed xmlns="http://example.org/not-atom">',
)

#: Entity references that only mean something after one of the DTD prologs above.
XML_ENTITY_USES = (b"&a;", b"&xxe;", b"&l3;")

#: Raw insertions into plain text.
TEXT = (
    b"\x00",
    b"\x1b[31m",
    _FORGED,
    b"\r",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\xed\xa0\x80",
    b"\xc3",
    b"\xc2\x85",
    b"\xe2\x80\xa8",
    b"\xe2\x80\xae",
    b"\n" * 5_000,
    b"word " * 50_000,
    b"\xe2\x80\x94 Minister (@minister) March 3, 2024\n"
    b"https://twitter.com/minister/status/1" + _DIGITS30 + b"\n",
    b"https://x.com/a/status/\x1b[31m\n",
    b'<blockquote class="twitter-tweet"><p>embedded</p></blockquote>',
    b"pic.twitter.com/" + b"A" * 5_000,
    b"&#x110000;&#xD800;",
)

#: Start tags whose text is worth poisoning: ids, titles, links, dates.
XML_SLOTS = (
    b"title",
    b"guid",
    b"id",
    b"link",
    b"description",
    b"summary",
    b"content",
    b"content:encoded",
    b"author",
    b"name",
    b"dc:creator",
    b"category",
)
XML_DATE_SLOTS = (b"pubDate", b"published", b"updated", b"dc:date", b"lastBuildDate", b"issued")

#: Keys whose string values are dates, in the JSON formats we read.
JSON_DATE_KEYS = (b"created_at", b"createdAt", b"date_published", b"date_modified", b"edited_at")
