"""Decoded JSON made safe to carry through the pipeline.

JSON allows what Python strings and the exporters cannot hold: ``"\\ud800"`` decodes to a
lone surrogate, which no UTF-8 encoder writes (the keyword and language taggers failed on
it, and so did the export), and ``1e30`` written as an integer exceeds the 64 bits orjson
stores. Both were found by fuzzing (issue 10). They are repaired where posts are decoded:
a lone surrogate becomes U+FFFD, an integer beyond 64 bits is dropped (null); each repair
is a warning on the articles of that record.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ingest.helpers import decode_error, repaired

#: A ``\\uD800``-``\\uDFFF`` escape, or a run of 20 digits: the only raw bytes that can
#: decode to what :func:`repaired` fixes. Searching for them first keeps clean records
#: (nearly all) from being walked.
_SUSPECT = re.compile(rb"\\u[dD][89a-fA-F]|[0-9]{20}")


def suspect(raw: bytes | str) -> bool:
    """True when ``raw`` JSON may decode to a lone surrogate or an integer beyond 64 bits."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    return _SUSPECT.search(data) is not None


def loads(data: bytes | str) -> tuple[Any, list[str]]:
    """``json.loads`` with its failures as one-line ValueErrors, the result repaired.

    :returns: the value and the warnings of :func:`repaired`.
    """
    try:
        value = json.loads(data)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {decode_error(exc)}") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text: {exc.reason} at byte {exc.start}") from None
    return repaired(value) if suspect(data) else (value, [])
