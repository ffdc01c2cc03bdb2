"""Language tags as sources write them (``en-us``, ``EN``, ``en_GB``), to BCP 47 form."""

from __future__ import annotations

import re

_TAG_RE = re.compile(
    r"^(?P<lang>[A-Za-z]{2,3})(?:[-_](?P<rest>[A-Za-z0-9]{1,8}(?:[-_][A-Za-z0-9]{1,8})*))?$"
)
# Declared but meaningless as an article's language.
_UNDETERMINED = frozenset({"und", "mul", "zxx", "mis"})


def bcp47(tag: str | None) -> str | None:
    """``"en-us"`` -> ``"en-US"``, ``"zh_hans_cn"`` -> ``"zh-Hans-CN"``; None when not a tag."""
    if not tag:
        return None
    match = _TAG_RE.match(tag.strip())
    if not match or match["lang"].lower() in _UNDETERMINED:
        return None
    parts = [match["lang"].lower()]
    for sub in re.split(r"[-_]", match["rest"] or ""):
        if not sub:
            continue
        if len(sub) == 2 and sub.isalpha():
            parts.append(sub.upper())  # region
        elif len(sub) == 4 and sub.isalpha():
            parts.append(sub.title())  # script
        else:
            parts.append(sub.lower())
    return "-".join(parts)
