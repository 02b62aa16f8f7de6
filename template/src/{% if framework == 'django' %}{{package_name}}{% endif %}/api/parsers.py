"""The request body parser: DRF's JSON parser, refusing bodies nested deeper than any request of this API needs
with a 400 problem (`core/json_depth.py`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

from ..core.json_depth import TOO_DEEP_DETAIL, too_deep


class JSONParser(parsers.JSONParser):
    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        try:
            document = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP_DETAIL) from None
        if too_deep(document):
            raise ParseError(TOO_DEEP_DETAIL)
        return document
