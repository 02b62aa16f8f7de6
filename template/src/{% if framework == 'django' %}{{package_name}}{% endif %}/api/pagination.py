"""Pagination of every list view (REST_FRAMEWORK's DEFAULT_PAGINATION_CLASS): `?limit=&offset=`, answered as
`{"items": [...], "total": n, "limit": l, "offset": o}`, one page shape for every list."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response

from .errors import invalid

if TYPE_CHECKING:  # DRF imports this module while rest_framework.views loads
    from rest_framework.views import APIView


DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_OFFSET = 1_000_000


class PageQuerySerializer(serializers.Serializer[Any]):
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT, help_text="Page size")
    offset = serializers.IntegerField(min_value=0, max_value=MAX_OFFSET, default=0, help_text="Items to skip")


class OffsetPagination(BasePagination):
    def paginate_queryset(self, queryset: QuerySet[Any], request: Request, view: APIView | None = None) -> list[Any]:
        # A plain dict, not the QueryDict: DRF reads an empty `?offset=` of a QueryDict as no offset at all, where the
        # document says an integer (a 422, as for any other value that is not one).
        query = PageQuerySerializer(data=request.query_params.dict())
        if not query.is_valid():
            raise invalid("query", query.errors)
        self.limit: int = query.validated_data["limit"]
        self.offset: int = query.validated_data["offset"]
        self.total = queryset.count()
        return list(queryset[self.offset : self.offset + self.limit])

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"items": data, "total": self.total, "limit": self.limit, "offset": self.offset})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["items", "total", "limit", "offset"],
            "properties": {
                "items": schema,
                "total": {"type": "integer", "minimum": 0, "description": "Number of items in the collection"},
                "limit": {"type": "integer"},
                "offset": {"type": "integer"},
            },
        }

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        return [
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "description": "Page size",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
            },
            {
                "name": "offset",
                "in": "query",
                "required": False,
                "description": "Items to skip",
                "schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0},
            },
        ]
