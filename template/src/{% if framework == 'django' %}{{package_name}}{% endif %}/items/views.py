"""`/api/v1/items`: the example resource, showing the conventions every new resource should follow.

A `ResourceViewSet` (api/resources.py) registered on this app's router (`urls.py`): reads, versioned writes, 404s,
ownership and pagination come from there and the REST_FRAMEWORK defaults; the view declares only what is its own (its
model, serializers, scopes, rate limits and the OpenAPI description). Requests are read with the strict
`ItemInSerializer` and `ItemPatchSerializer`, answers written with `ItemSerializer`.
"""

from __future__ import annotations

from typing import ClassVar

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view

from ..api.conditional_reads import IF_NONE_MATCH, NOT_MODIFIED
from ..api.resources import ResourceViewSet
from ..api.schema import problem_responses
from ..rates import RouteLimit
from .limits import WRITE_LIMIT
from .models import Item
from .scopes import ITEM_SCOPES
from .serializers import ItemInSerializer, ItemPatchSerializer, ItemSerializer

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
            "sku": "KETTLE-1L-SS",
            "status": "active",
            "available_at": "2026-12-01T09:00:00Z",
        },
        request_only=True,
    ),
]
PATCH_EXAMPLES = [
    OpenApiExample("price", summary="Change the price only", value={"price_cents": 4490}, request_only=True),
    OpenApiExample(
        "clear",
        summary="Clear the description and the sku",
        value={"description": None, "sku": None},
        request_only=True,
    ),
]
ITEM_ID = OpenApiParameter("item_id", OpenApiTypes.UUID, OpenApiParameter.PATH)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description='The item\'s `ETag` as read (`"3"`): the write applies only to that version, else 412. Optional.',
)


def etag_header(status: int) -> OpenApiParameter:
    return OpenApiParameter(
        "ETag",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description="The item's version: send it back in If-Match to update safely",
        response=[status],
    )


_READ_INSTANCE = "/api/v1/items/3fa85f64-5717-4562-b3fc-2c963f66afa6"
DUPLICATE_SKU = "An item with this sku already exists"
# What the documented examples of this resource's 404 and 409 say (the service's own are generic).
_DETAILS = {404: "Item 3fa85f64-5717-4562-b3fc-2c963f66afa6 does not exist", 409: DUPLICATE_SKU}
_READ_ERRORS = {
    **NOT_MODIFIED,
    **problem_responses(404, 422, instance=_READ_INSTANCE, field="path.item_id", details=_DETAILS),
}
_DELETE_ERRORS = problem_responses(404, 412, 422, instance=_READ_INSTANCE, field="path.item_id", details=_DETAILS)
_LIST_ERRORS = problem_responses(422, instance="/api/v1/items", field="query.limit")
_CREATE_ERRORS = problem_responses(400, 409, 413, 415, 422, instance="/api/v1/items", details=_DETAILS)
_REPLACE_ERRORS = problem_responses(400, 404, 409, 412, 413, 415, 422, instance=_READ_INSTANCE, details=_DETAILS)


@extend_schema_view(
    list=extend_schema(
        summary="List items",
        operation_id="list_items",
        responses={200: ItemSerializer(many=True), **_LIST_ERRORS},
    ),
    create=extend_schema(
        summary="Create an item",
        operation_id="create_item",
        parameters=[etag_header(201)],
        request=ItemInSerializer,
        responses={201: ItemSerializer, **_CREATE_ERRORS},
        examples=ITEM_EXAMPLES,
    ),
    retrieve=extend_schema(
        summary="Read an item",
        operation_id="get_item",
        parameters=[ITEM_ID, IF_NONE_MATCH, etag_header(200)],
        responses={200: ItemSerializer, **_READ_ERRORS},
    ),
    update=extend_schema(
        summary="Replace an item",
        operation_id="replace_item",
        parameters=[ITEM_ID, IF_MATCH, etag_header(200)],
        request=ItemInSerializer,
        responses={200: ItemSerializer, **_REPLACE_ERRORS},
        examples=ITEM_EXAMPLES,
    ),
    partial_update=extend_schema(
        summary="Update some fields of an item",
        operation_id="update_item",
        parameters=[ITEM_ID, IF_MATCH, etag_header(200)],
        request=ItemPatchSerializer,
        responses={200: ItemSerializer, **_REPLACE_ERRORS},
        examples=PATCH_EXAMPLES,
    ),
    destroy=extend_schema(
        summary="Delete an item",
        operation_id="delete_item",
        parameters=[ITEM_ID, IF_MATCH],
        responses={204: None, **_DELETE_ERRORS},
    ),
)
@extend_schema(tags=["items"])
class ItemViewSet(ResourceViewSet):
    model = Item
    serializer_class = ItemSerializer
    input_serializer = ItemInSerializer
    patch_serializer = ItemPatchSerializer
    lookup_url_kwarg = "item_id"
    duplicate_detail = DUPLICATE_SKU
    required_scopes = ITEM_SCOPES
    rate_limits: ClassVar[tuple[RouteLimit, ...]] = WRITE_LIMIT  # reads count against the default limit only
