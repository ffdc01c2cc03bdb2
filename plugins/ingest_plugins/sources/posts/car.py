"""Bluesky repository exports (``repo.car``, from ``com.atproto.sync.getRepo`` or the app's
"export my data"): a CAR v1 file of DAG-CBOR blocks.

The root block is the signed commit ``{"did", "data", ...}``; ``data`` is the root of the
repository's Merkle Search Tree, whose nodes are ``{"l": CID | null, "e": [{"p", "k", "v",
"t"}]}``: each entry's key is the first ``p`` bytes of the previous key plus ``k``, ``v``
the record's block, ``t`` the subtree of keys after it. Keys are ``COLLECTION/RKEY``; a
post is ``app.bsky.feed.post/RKEY``, whose at:// URI is ``at://DID/app.bsky.feed.post/RKEY``.

Decoding is libipld's (the Rust codec the atproto SDK uses). The file is read whole, up to
``tweets.max_car_bytes``: a CAR is a bag of blocks that only the tree orders.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping
from typing import Any

import libipld

from ingest_plugins.sources.posts.bluesky import POST_TYPE

#: A CAR file starts with a varint length and a DAG-CBOR map of "roots" and "version".
_HEADER_KEYS = (b"roots", b"version")
#: CIDv1 prefixes (version 1, dag-cbor or raw codec, sha2-256 of 32 bytes) of the links
#: libipld hands back as bytes; other bytes are data.
_CID_PREFIXES = (b"\x01\x71\x12\x20", b"\x01\x55\x12\x20")


class NotARepo(ValueError):
    """A file that is not a readable repository CAR; the message is one line."""


def looks_like_car(head: bytes) -> bool:
    """True when ``head`` starts like a CAR v1 header."""
    return bool(head) and head[0] < 0x80 and all(key in head[1:64] for key in _HEADER_KEYS)


def repo_posts(data: bytes) -> Iterator[tuple[str, Mapping[str, Any]] | tuple[str, str]]:
    """``(at_uri, record)`` for each post record of the repository in ``data``, in key order,
    or ``(at_uri, reason)`` for a post whose block is missing or not a record.

    :raises NotARepo: not a CAR file, or no commit at its root.
    """
    try:
        header, blocks = libipld.decode_car(data)
    except ValueError as exc:
        raise NotARepo(f"not a CAR file: {str(exc).splitlines()[0]}") from None
    roots = header.get("roots") if isinstance(header, Mapping) else None
    commit = blocks.get(roots[0]) if isinstance(roots, list) and roots else None
    did = commit.get("did") if isinstance(commit, Mapping) else None
    if not isinstance(did, str) or not isinstance(commit, Mapping):
        raise NotARepo("a CAR file whose root is not a repository commit (no did)")
    for key, cid in _tree(blocks, commit.get("data")):
        if not key.startswith(POST_TYPE + "/"):
            continue
        uri = f"at://{did}/{key}"
        record = blocks.get(cid) if isinstance(cid, bytes) else None
        if not isinstance(record, Mapping):
            yield uri, "its record block is missing from the file"
        else:
            yield uri, _json(record)


def _tree(blocks: Mapping[bytes, Any], root: Any) -> Iterator[tuple[str, Any]]:
    """``(key, value CID)`` of every entry of the tree at ``root``, in key order. Walked
    with an explicit stack; a node met twice (a crafted cycle) is skipped."""
    seen: set[bytes] = set()
    # The stack holds node CIDs to expand and finished (key, cid) entries to emit.
    stack: list[tuple[bool, Any, Any]] = [(True, root, None)]
    while stack:
        is_node, first, second = stack.pop()
        if not is_node:
            yield first, second
            continue
        if not isinstance(first, bytes) or first in seen:
            continue
        seen.add(first)
        node = blocks.get(first)
        if not isinstance(node, Mapping):
            continue
        stack.extend(reversed(_node_items(node)))


def _node_items(node: Mapping[str, Any]) -> list[tuple[bool, Any, Any]]:
    """A node's left subtree, then each entry followed by its right subtree."""
    items: list[tuple[bool, Any, Any]] = [(True, node.get("l"), None)]
    previous = b""
    for entry in node.get("e") or []:
        if not isinstance(entry, Mapping):
            continue
        prefix, suffix = entry.get("p"), entry.get("k")
        if not isinstance(prefix, int) or not isinstance(suffix, bytes):
            continue
        previous = previous[:prefix] + suffix
        key = previous.decode("utf-8", "replace")
        items += [(False, key, entry.get("v")), (True, entry.get("t"), None)]
    return items


def _json(value: Any) -> Any:
    """A DAG-CBOR value as JSON, the atproto way: links as ``{"$link": CID}``, other bytes
    as ``{"$bytes": base64}``."""
    if isinstance(value, Mapping):
        return {str(key): _json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json(item) for item in value]
    if isinstance(value, bytes):
        if value.startswith(_CID_PREFIXES) and len(value) == 36:
            return {"$link": libipld.encode_cid(value)}
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    return value
