"""`/api/v1/items`: the example resource, showing the conventions every new resource should follow.

A DRF ViewSet registered on the router in urls.py: pagination, throttling and errors come from the REST_FRAMEWORK
defaults; the view declares only what is its own (serializers, extra rate limits, the OpenAPI description).
Requests are read with the strict `ItemInSerializer`, answers written with `ItemSerializer`.
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from ..items.models import Item
from ..items.serializers import ItemInSerializer, ItemSerializer
from ..rates import RouteLimit
from .base import ServiceViewSet
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
_READ_INSTANCE = "/api/v1/items/3fa85f64-5717-4562-b3fc-2c963f66afa6"
_READ_ERRORS = problem_responses(404, 422, instance=_READ_INSTANCE, field="path.item_id")
_LIST_ERRORS = problem_responses(422, instance="/api/v1/items", field="query.limit")
_CREATE_ERRORS = problem_responses(400, 413, 415, 422, instance="/api/v1/items")
_REPLACE_ERRORS = problem_responses(400, 404, 413, 415, 422, instance=_READ_INSTANCE)


@extend_schema_view(
    list=extend_schema(
        summary="List items",
        operation_id="list_items",
        responses={200: ItemSerializer(many=True), **_LIST_ERRORS},
    ),
    create=extend_schema(
        summary="Create an item",
        operation_id="create_item",
        request=ItemInSerializer,
        responses={201: ItemSerializer, **_CREATE_ERRORS},
        examples=ITEM_EXAMPLES,
    ),
    retrieve=extend_schema(
        summary="Read an item",
        operation_id="get_item",
        parameters=[ITEM_ID],
        responses={200: ItemSerializer, **_READ_ERRORS},
    ),
    update=extend_schema(
        summary="Replace an item",
        operation_id="replace_item",
        parameters=[ITEM_ID],
        request=ItemInSerializer,
        responses={200: ItemSerializer, **_REPLACE_ERRORS},
        examples=ITEM_EXAMPLES,
    ),
    destroy=extend_schema(
        summary="Delete an item",
        operation_id="delete_item",
        parameters=[ITEM_ID],
        responses={204: None, **_READ_ERRORS},
    ),
)
@extend_schema(tags=["items"])
class ItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, ServiceViewSet):
    queryset = Item.objects.all()
    serializer_class = ItemSerializer
    lookup_url_kwarg = "item_id"
    lookup_value_converter = "str"  # `<str:item_id>`: a malformed id is a 422 from get_object, not a 404
    rate_limits: ClassVar[tuple[RouteLimit, ...]] = WRITE_LIMIT  # reads count against the default limit only

    def get_object(self) -> Item:
        item_id: str = self.kwargs[self.lookup_url_kwarg]
        try:
            key = UUID(item_id)
        except ValueError:
            error = {"field": "path.item_id", "message": "Input should be a valid UUID"}
            raise RequestValidationError([error]) from None
        item = self.get_queryset().filter(pk=key).first()
        if item is None:
            raise NotFound(f"Item {key} does not exist")
        return item

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        item = Item.objects.create(**item_input(request))
        location = f"{request.path.rstrip('/')}/{item.id}"
        return Response(ItemSerializer(item).data, status=201, headers={"Location": location})

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        item = self.get_object()
        for name, value in item_input(request).items():
            setattr(item, name, value)
        item.save()
        return Response(ItemSerializer(item).data)

    def get_queryset(self) -> QuerySet[Item]:
        return Item.objects.all()


def item_input(request: Request) -> dict[str, Any]:
    """The request body, validated by the strict input serializer (a 422 listing every invalid field)."""
    serializer = ItemInSerializer(data=request.data)
    if not serializer.is_valid():
        raise invalid("body", serializer.errors)
    return dict(serializer.validated_data)
