"""How deeply a request body may nest objects and arrays: one rule, and one 400.

json.loads raises RecursionError at about 1,000 levels on Python 3.12 and decodes 2,000 levels on 3.13; no answer
of the service should depend on that. No request of this API needs more than a few levels.
"""

from __future__ import annotations

from typing import Any, Final

MAX_DEPTH: Final = 32
"""Objects and arrays inside each other; an item is 2 deep."""

TOO_DEEP_DETAIL: Final = "The request body is nested too deeply"


def may_be_too_deep(body: bytes, limit: int = MAX_DEPTH) -> bool:
    """False when `body` cannot nest more than `limit` levels: a cheap test on the raw bytes (counted in C) so that
    ordinary bodies are never walked."""
    return body.count(b"[") + body.count(b"{") > limit


def too_deep(document: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether `document` nests objects and arrays more than `limit` levels (iterative: no recursion limit)."""
    pending: list[tuple[Any, int]] = [(document, 1)]
    while pending:
        node, depth = pending.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False
