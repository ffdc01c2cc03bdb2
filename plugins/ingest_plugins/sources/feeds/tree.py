"""Parsing feed bytes into an lxml tree: strictly first, then repaired, then recovered; and
what recovery hides from the reader: undeclared or unknown namespaces, and a document cut
off in the middle of an item.

The parsers never load a DTD, never touch the network and never expand entities; a
document whose parsed DTD declares entities anyway (its subset hidden from the byte scan
in :mod:`ingest_plugins.sources.feeds.prepare`) is refused here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from ingest import inert, quoted
from ingest_plugins.sources.feeds.prepare import Refused, repair_xml

# prepare_xml() hands over UTF-8 whatever the declaration says, hence encoding="utf-8".
_OPTIONS = {
    "encoding": "utf-8",
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "remove_pis": True,
}
_STRICT = etree.XMLParser(**_OPTIONS)  # type: ignore[arg-type]
_LENIENT = etree.XMLParser(recover=True, **_OPTIONS)  # type: ignore[arg-type]
_ENTRY_NAMES = ("item", "entry")
#: Prefixes feeds use without declaring them (``<rss:item>``, issue 10), and the namespace
#: each one means, so that the reader sees the element it would in a well-formed feed.
_UNDECLARED = {
    "rss": "",
    "atom": "http://www.w3.org/2005/Atom",
    "dc": "http://purl.org/dc/elements/1.1/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "media": "http://search.yahoo.com/mrss/",
}
_SCAN_RE = re.compile(rb"<!\[CDATA\[|<!--|<(?:[A-Za-z0-9_]+:)?(?:item|entry)[\s>/]")
_CLOSERS = {b"<![CDATA[": b"]]>", b"<!--": b"-->"}
_ENTRY_END_RE = re.compile(rb"</(?:[A-Za-z0-9_]+:)?(?:item|entry)\s*>")
_ROOT_END_RE = re.compile(
    rb"</(?:[A-Za-z0-9_.-]+:)?(?:rss|feed|RDF)\s*>(?:\s|<!--.*?-->)*\Z", re.DOTALL
)


@dataclass(slots=True)
class Tree:
    """A parsed document: its root, what parsing it cost, and the entry cut off by its end."""

    root: etree._Element
    warnings: list[str] = field(default_factory=list)
    #: The item or entry element the end of the document cut off (a truncated download).
    cut: etree._Element | None = None
    #: How messages name the cut-off entry; set even when recovery built no element for it.
    cut_label: str | None = None


def describe(exc: etree.XMLSyntaxError) -> str:
    """An lxml syntax error as one short line (its message may quote the document)."""
    # lxml's message ends with the line and column already.
    return inert(str(exc.msg or exc).strip(), 160)


def parse_tree(data: bytes, location_url: str | None) -> Tree:
    """Parse prepared UTF-8 feed bytes.

    :raises ValueError: nothing recoverable (one line says why).
    :raises Refused: the parsed DTD declares entities.
    """
    base = {"base_url": location_url} if location_url else {}
    try:
        tree = Tree(etree.fromstring(data, _STRICT, **base))
    except etree.XMLSyntaxError as exc:
        tree = _recover(data, base, f"feed is not well-formed XML: {describe(exc)}")
    _refuse_entities(tree.root)
    # Undeclared prefixes are namespace errors: only a recovered tree can hold them.
    _normalize_names(tree.root, recovered=bool(tree.warnings))
    return tree


def _recover(data: bytes, base: dict[str, str], problem: str) -> Tree:
    # The commonest faults by far are HTML entities and a bare "&"; recovery would drop them.
    data = repair_xml(data)
    try:
        return Tree(etree.fromstring(data, _STRICT, **base), [problem])
    except etree.XMLSyntaxError:
        pass
    try:
        root = etree.fromstring(data, _LENIENT, **base)
    except etree.XMLSyntaxError as exc:  # recovery gave up before the root element
        raise ValueError(f"not well-formed XML, nothing recoverable ({describe(exc)})") from None
    if root is None:
        raise ValueError(f"not well-formed XML, nothing recoverable ({problem})")
    tree = Tree(root, [problem])
    tree.cut, tree.cut_label = _cut_entry(root, data)
    return tree


def _refuse_entities(root: etree._Element) -> None:
    dtd = root.getroottree().docinfo.internalDTD
    # The stubs lack DTD.iterentities() (lxml has it since 2.x).
    if dtd is not None and any(True for _ in dtd.iterentities()):  # type: ignore[attr-defined]
        raise Refused("refused: the document declares XML entities (entity expansion or XXE)")


def _normalize_names(root: etree._Element, *, recovered: bool) -> None:
    """Give undeclared prefixes and an unknown default namespace their usual meaning.

    ``<rss:channel>`` with no ``xmlns:rss`` keeps the literal name ``rss:channel``; an RSS
    document in a namespace of its own (``<rss xmlns="https://cyber.harvard.edu/rss/
    rss.html">``, issue 10) puts every channel and item in it. Both read as plain RSS.
    """
    namespace = etree.QName(root).namespace
    own = namespace if namespace and etree.QName(root).localname == "rss" else None
    if own is None and not recovered:
        return
    for element in root.iter(etree.Element):
        tag = element.tag
        if own is not None and tag.startswith(f"{{{own}}}"):
            element.tag = tag[len(own) + 2 :]
        elif tag[0] != "{" and ":" in tag:
            prefix, _, local = tag.partition(":")
            if prefix in _UNDECLARED:
                space = _UNDECLARED[prefix]
                element.tag = f"{{{space}}}{local}" if space else local
    version = root.get("rss:version")
    if version and root.get("version") is None:
        root.set("version", version)


def scan_entry_tags(data: bytes) -> tuple[int, int]:
    """How many ``<item>``/``<entry>`` start tags ``data`` holds outside CDATA sections and
    comments (how many entries a complete reading finds), and where the last one starts."""
    count = position = 0
    last = -1
    while match := _SCAN_RE.search(data, position):
        closer = _CLOSERS.get(match[0])
        if closer is None:
            count, last, position = count + 1, match.start(), match.end()
            continue
        end = data.find(closer, match.end())
        if end < 0:
            break
        position = end + len(closer)
    return count, last


def _cut_entry(root: etree._Element, data: bytes) -> tuple[etree._Element | None, str | None]:
    """The entry the end of the document fell inside (a truncated file or download), and
    how messages name it; ``(None, None)`` when the document ends where it should.

    Cut means: the root element never closes, and the last entry start tag has no end tag
    after it. Nested items never closed were complete when the next one began; only the
    last one is cut short. Its element is the last entry recovery built, unless the cut
    fell inside its very start tag and recovery built none.
    """
    if _ROOT_END_RE.search(data[-1024:]):
        return None, None
    count, last = scan_entry_tags(data)
    if count == 0 or _ENTRY_END_RE.search(data, last) or _self_closed(data, last):
        return None, None
    entries = [e for e in root.iter(etree.Element) if _local(e) in _ENTRY_NAMES]
    if len(entries) < count:
        return None, f"an entry whose start tag it cut ({count - 1} complete before it)"
    return entries[-1], describe_cut(entries[-1])


def _self_closed(data: bytes, start: int) -> bool:
    """True when the tag starting at ``start`` ends with "/>" (an empty entry)."""
    end = data.find(b">", start)
    return end > 0 and data[end - 1 : end] == b"/"


def _line(element: etree._Element) -> int | None:
    line: int | None = getattr(element, "sourceline", None)  # the stubs mistype it
    return line


def _local(element: etree._Element) -> str:
    tag = element.tag
    return tag.rpartition("}")[2].rpartition(":")[2] if isinstance(tag, str) else ""


def describe_cut(element: etree._Element) -> str:
    """How a message names a cut-off item: its title, else its link, and its line."""
    title = link = None
    for child in element.iterchildren(etree.Element):
        local = _local(child)
        text = (child.text or "").strip() or child.get("href")
        if local == "title" and title is None and text:
            title = text
        elif local in ("link", "guid", "id") and link is None and text:
            link = text
    label = quoted(title or link, 60) if title or link else "(no title)"
    return f"<{_local(element)}> {label} at line {_line(element)}"
