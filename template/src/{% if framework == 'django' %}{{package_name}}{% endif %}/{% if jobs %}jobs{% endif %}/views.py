"""`/api/v1/operations`: the long-running operations a caller started, polled until they have finished; and the
example that starts one, `POST /api/v1/items/{item_id}/exports` (202 Accepted, `Location` of the operation).

Operations are a resource like any other (api/resources.py): the caller's own, another caller's a 404, every owner's
for a holder of `operations:admin`, listed with the shared paging. The export starts one and the worker carries it
out; each change reaches its owner's event stream (`operations.created`, then `operations.updated`).
"""

from __future__ import annotations

from typing import Any, Final

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.request import Request
from rest_framework.response import Response

from ..api.conditional_reads import IF_NONE_MATCH, NOT_MODIFIED, cacheable_read
from ..api.resources import ResourceViewSet
from ..api.schema import problem_responses
from .models import Operation
from .scopes import OPERATION_SCOPES
from .serializers import OperationSerializer

_OPERATION_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
_PENDING: Final[dict[str, Any]] = {
    "id": _OPERATION_ID,
    "owner_id": "0b1e7c52-6a0e-4c3b-9b1d-2f6f0d8e4a11",
    "kind": "items.export",
    "status": "pending",
    "progress": 0,
    "result": None,
    "error": None,
    "created_at": "2026-11-26T09:00:00Z",
    "updated_at": "2026-11-26T09:00:00Z",
}
PENDING_EXAMPLE = OpenApiExample(
    "pending",
    summary="Accepted: waiting for a worker",
    value={name: value for name, value in _PENDING.items() if name in OperationSerializer.Meta.fields},
    response_only=True,
)
SUCCEEDED_EXAMPLE = OpenApiExample(
    "succeeded",
    summary="Finished: the result",
    value={
        **PENDING_EXAMPLE.value,
        "status": "succeeded",
        "progress": 100,
        "result": {"format": "application/json", "exported_at": "2026-11-26T09:00:02Z", "item": {"name": "Cup"}},
        "updated_at": "2026-11-26T09:00:02Z",
    },
    response_only=True,
)
FAILED_EXAMPLE = OpenApiExample(
    "failed",
    summary="Failed: a problem+json error",
    value={
        **PENDING_EXAMPLE.value,
        "status": "failed",
        "error": {
            "type": "about:blank",
            "title": "Not Found",
            "status": 404,
            "detail": "Item 9c7d2f0e-4b1a-4e55-8f0a-2d6c1b7e5a13 no longer exists",
            "instance": f"/api/v1/operations/{_OPERATION_ID}",
            "request_id": "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed",
        },
        "updated_at": "2026-11-26T09:00:09Z",
    },
    response_only=True,
)
OPERATION_ID = OpenApiParameter("operation_id", OpenApiTypes.UUID, OpenApiParameter.PATH)
LOCATION = OpenApiParameter(
    "Location",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The operation to poll: `/api/v1/operations/{operation_id}`",
    response=[202],
)
_READ_INSTANCE = f"/api/v1/operations/{_OPERATION_ID}"
_DETAILS = {404: f"Operation {_OPERATION_ID} does not exist"}


@extend_schema_view(
    list=extend_schema(
        summary="List operations",
        operation_id="list_operations",
        responses={
            200: OperationSerializer(many=True),
            **problem_responses(422, instance="/api/v1/operations", field="query.limit"),
        },
    ),
    retrieve=extend_schema(
        summary="Read an operation",
        description="Poll it until `status` is `succeeded` (its `result`) or `failed` (its `error`).",
        operation_id="get_operation",
        parameters=[OPERATION_ID, IF_NONE_MATCH],
        responses={
            200: OpenApiResponse(OperationSerializer, examples=[PENDING_EXAMPLE, SUCCEEDED_EXAMPLE, FAILED_EXAMPLE]),
            **NOT_MODIFIED,
            **problem_responses(404, 422, instance=_READ_INSTANCE, field="path.operation_id", details=_DETAILS),
        },
    ),
)
@extend_schema(tags=["operations"])
class OperationViewSet(ResourceViewSet):
    model = Operation
    serializer_class = OperationSerializer
    lookup_url_kwarg = "operation_id"
    required_scopes = OPERATION_SCOPES

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Always from the database: the worker changes operations outside any request that would refresh a cache.
        row = self.get_object()
        return cacheable_read(request, row.etag, lambda: self.get_serializer(row).data)
