"""`/api/v1/items`: the example resource, showing the conventions every new resource should follow.

A DRF ViewSet registered on this app's router (`urls.py`): pagination, throttling and errors come from the
REST_FRAMEWORK defaults; the view declares only what is its own (scopes, serializers, extra rate limits, the OpenAPI
description).
Requests are read with the strict `ItemInSerializer`, answers written with `ItemSerializer`.
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.exceptions import APIException, NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from ..api.base import ServiceViewSet
from ..api.conditional_reads import IF_NONE_MATCH, NOT_MODIFIED, cacheable_list, cacheable_read
from ..api.errors import RequestValidationError, invalid
from ..api.schema import problem_responses
from ..core.entity_tags import STALE, if_match_allows
from ..rates import RouteLimit
from .cache import ItemRepresentation, item_written, read_item
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


class DuplicateSku(APIException):
    status_code = 409
    default_detail = DUPLICATE_SKU


class StaleItem(APIException):
    status_code = 412
    default_detail = STALE


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
class ItemViewSet(mixins.ListModelMixin, ServiceViewSet):
    queryset = Item.objects.all()
    serializer_class = ItemSerializer
    lookup_url_kwarg = "item_id"
    lookup_value_converter = "str"  # `<str:item_id>`: a malformed id is a 422 from get_object, not a 404
    required_scopes = ITEM_SCOPES
    rate_limits: ClassVar[tuple[RouteLimit, ...]] = WRITE_LIMIT  # reads count against the default limit only

    def get_object(self) -> Item:
        key = self.item_id()
        item = self.get_queryset().filter(pk=key).first()
        if item is None:
            raise NotFound(f"Item {key} does not exist")
        return item

    def item_id(self) -> UUID:
        try:
            return UUID(self.kwargs[self.lookup_url_kwarg])
        except ValueError:
            error = {"field": "path.item_id", "message": "Input should be a valid UUID"}
            raise RequestValidationError([error]) from None

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return cacheable_list(super().list(request, *args, **kwargs))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = self.item_id()

        def load() -> ItemRepresentation | None:
            item = self.get_queryset().filter(pk=key).first()
            return None if item is None else ItemRepresentation(item.etag, ItemSerializer(item).data)

        found = read_item(str(key), load)  # through the application cache, when the service has one
        if found is None:
            raise NotFound(f"Item {key} does not exist")
        return cacheable_read(request, found.etag, lambda: found.body)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            with transaction.atomic():
                item = Item.objects.create(**item_input(request, ItemInSerializer))
        except IntegrityError:
            raise DuplicateSku from None
        location = f"{request.path.rstrip('/')}/{item.id}"
        return Response(ItemSerializer(item).data, status=201, headers={"Location": location, "ETag": item.etag})

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.write(request, item_input(request, ItemInSerializer))

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.write(request, item_input(request, ItemPatchSerializer))

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = self.versioned_rows(request)
        with transaction.atomic():
            deleted = rows.delete()[0]
            item_written(str(self.item_id()))
        if not deleted:
            raise self.gone_or_changed(request)
        return Response(status=204)

    def write(self, request: Request, changes: dict[str, Any]) -> Response:
        """Applies `changes` to the item `If-Match` names (core/entity_tags.py): to that version only, atomically,
        so of two clients that read the same version one wins and the other gets a 412, never a lost update."""
        rows = self.versioned_rows(request)
        try:
            with transaction.atomic():
                written = rows.update(**changes, version=F("version") + 1, updated_at=timezone.now())
                item_written(str(self.item_id()))  # invalidated once committed
        except IntegrityError:
            raise DuplicateSku from None
        if not written:
            raise self.gone_or_changed(request)
        item = Item.objects.get(pk=self.kwargs[self.lookup_url_kwarg])
        return Response(ItemSerializer(item).data, headers={"ETag": item.etag})

    def gone_or_changed(self, request: Request) -> APIException:
        """Why a write found no row although the check a moment before found the item: another write came in
        between (412 when the client named a version), or deleted it (404)."""
        if request.headers.get("If-Match") is not None:
            return StaleItem()
        return NotFound(f"Item {self.kwargs[self.lookup_url_kwarg]} does not exist")

    def versioned_rows(self, request: Request) -> QuerySet[Item]:
        """The item (404 when there is none), checked against `If-Match` (412), and limited to the version checked
        when the client named one."""
        item = self.get_object()
        if_match = request.headers.get("If-Match")
        if not if_match_allows(if_match, item.etag):
            raise StaleItem
        rows = Item.objects.filter(pk=item.pk)
        return rows if if_match is None else rows.filter(version=item.version)

    def get_queryset(self) -> QuerySet[Item]:
        return Item.objects.all()


def item_input(request: Request, serializer_class: type[ItemInSerializer | ItemPatchSerializer]) -> dict[str, Any]:
    """The request body, validated by a strict input serializer (a 422 listing every invalid field)."""
    serializer = serializer_class(data=request.data)
    if not serializer.is_valid():
        raise invalid("body", serializer.errors)
    return dict(serializer.validated_data)
