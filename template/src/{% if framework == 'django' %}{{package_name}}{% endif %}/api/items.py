"""`/api/v1/items`: the example resource, showing the conventions every new resource should follow."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from ..items.models import Item
from ..items.serializers import ItemInSerializer, ItemPageSerializer, ItemSerializer, PageQuerySerializer
from .base import ServiceAPIView
from .errors import RequestValidationError, invalid
from .limits import WRITE_LIMIT
from .schema import problem_responses

# Every request body shows at least two named examples in the docs UI.
ITEM_EXAMPLES = [
    OpenApiExample(
        "minimal",
        summary="Only the required fields",
        value={"name": "Espresso cup", "price_cents": 1200},
        request_only=True,
    ),
    OpenApiExample(
        "complete",
        summary="Every field",
        value={
            "name": "Pour-over kettle",
            "description": "Gooseneck, 1 litre, stainless steel",
            "price_cents": 4990,
            "tags": ["kitchen", "coffee"],
        },
        request_only=True,
    ),
]
ITEM_ID = OpenApiParameter("item_id", OpenApiTypes.UUID, OpenApiParameter.PATH)
_READ_ERRORS = problem_responses(404, 422)
_WRITE_ERRORS = problem_responses(400, 413, 422)


def _item_input(request: Request) -> dict[str, Any]:
    serializer = ItemInSerializer(data=request.data)
    if not serializer.is_valid():
        raise invalid("body", serializer.errors)
    data: dict[str, Any] = dict(serializer.validated_data)
    return data


def _item(item_id: str) -> Item:
    try:
        key = UUID(item_id)
    except ValueError:
        raise RequestValidationError([{"field": "path.item_id", "message": "Input should be a valid UUID"}]) from None
    item = Item.objects.filter(pk=key).first()
    if item is None:
        raise NotFound(f"Item {key} does not exist")
    return item


class ItemCollectionView(ServiceAPIView):
    rate_limited = True
    rate_limits = WRITE_LIMIT  # reads count against the default limit only

    @extend_schema(
        summary="List items",
        operation_id="list_items",
        tags=["items"],
        parameters=[PageQuerySerializer],
        responses={200: ItemPageSerializer, **problem_responses(422)},
    )
    def get(self, request: Request) -> Response:
        query = PageQuerySerializer(data=request.query_params)
        if not query.is_valid():
            raise invalid("query", query.errors)
        limit: int = query.validated_data["limit"]
        offset: int = query.validated_data["offset"]
        items = Item.objects.all()
        page = ItemSerializer(items[offset : offset + limit], many=True).data
        return Response({"items": page, "total": items.count(), "limit": limit, "offset": offset})

    @extend_schema(
        summary="Create an item",
        operation_id="create_item",
        tags=["items"],
        request=ItemInSerializer,
        responses={201: ItemSerializer, **_WRITE_ERRORS},
        examples=ITEM_EXAMPLES,
    )
    def post(self, request: Request) -> Response:
        item = Item.objects.create(**_item_input(request))
        location = f"{request.path.rstrip('/')}/{item.id}"
        return Response(ItemSerializer(item).data, status=201, headers={"Location": location})


class ItemView(ServiceAPIView):
    rate_limited = True
    rate_limits = WRITE_LIMIT  # reads count against the default limit only

    @extend_schema(
        summary="Read an item",
        operation_id="get_item",
        tags=["items"],
        parameters=[ITEM_ID],
        responses={200: ItemSerializer, **_READ_ERRORS},
    )
    def get(self, request: Request, item_id: str) -> Response:
        return Response(ItemSerializer(_item(item_id)).data)

    @extend_schema(
        summary="Replace an item",
        operation_id="replace_item",
        tags=["items"],
        parameters=[ITEM_ID],
        request=ItemInSerializer,
        responses={200: ItemSerializer, **_READ_ERRORS, **_WRITE_ERRORS},
        examples=ITEM_EXAMPLES,
    )
    def put(self, request: Request, item_id: str) -> Response:
        item = _item(item_id)
        data = _item_input(request)
        for name, value in data.items():
            setattr(item, name, value)
        item.save()
        return Response(ItemSerializer(item).data)

    @extend_schema(
        summary="Delete an item",
        operation_id="delete_item",
        tags=["items"],
        parameters=[ITEM_ID],
        responses={204: None, **_READ_ERRORS},
    )
    def delete(self, request: Request, item_id: str) -> Response:
        _item(item_id).delete()
        return Response(status=204)
