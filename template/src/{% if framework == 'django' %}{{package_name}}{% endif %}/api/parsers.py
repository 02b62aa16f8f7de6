"""The request body parser: DRF's JSON parser, refusing bodies nested deeper than any request of this API needs
with a 400 problem, as FastAPI does. (json.loads raises RecursionError at about 1,000 levels on Python 3.12, which
DRF would turn into a 500, and decodes them on 3.13: either way, no answer should depend on it.)"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any, Final

from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH: Final = 32
"""Objects and arrays inside each other; an item is 2 deep."""


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


class JSONParser(parsers.JSONParser):
    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        try:
            document = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("The request body is nested too deeply") from None
        if too_deep(document):
            raise ParseError("The request body is nested too deeply")
        return document
