"""`/api/v1/operations` (poll a long-running operation) and the example operation on the example resource,
`POST /api/v1/items/{item_id}/exports`: 202 Accepted with the operation's `Location`, the operation and its job
written in one transaction."""

from __future__ import annotations

from typing import Annotated, Any, Final
from uuid import UUID

from fastapi import Depends, Query, Request, status
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.responses import Response

from ..api.dependencies import DatabaseSessionDep
from ..api.paths import API_V1
from ..api.repositories import repository_dependency
from ..core.problems import PROBLEM_MEDIA_TYPE
from ..items.dependencies import ItemRepositoryDep
from ..items.limits import WRITE_LIMIT
from ..items.scopes import READ_ITEMS
from ..problems import problem_openapi_responses
from ..route_guards import api_router
from .operations import READ_OPERATIONS, Operation, OperationPage, OperationRepository, OperationStatus
from .queue import defer
from .tasks import EXPORT_KIND, export_item

router = api_router(
    prefix=f"{API_V1}/operations",
    tags=["operations"],
    description="Long-running operations: poll one until its status is succeeded (its result) or failed (its error).",
)
exports = api_router(prefix=f"{API_V1}/items", tags=["items"])

get_operation_repository = repository_dependency(OperationRepository)
OperationRepositoryDep = Annotated[OperationRepository, Depends(get_operation_repository)]

LOCATION_HEADER: Final[dict[str, Any]] = {
    "Location": {"description": "The operation to poll", "schema": {"type": "string"}},
}


class NewOperation(BaseModel):
    kind: str
    status: str = OperationStatus.PENDING.value
    progress: int = 0
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None


def _errors(*statuses: int, invalid: str, message: str, instance: str | None = None) -> dict[int | str, dict[str, Any]]:
    """Documented problem responses whose 422 example names a field this operation has (and, given `instance`, the
    path of the request that example failed on)."""
    responses = problem_openapi_responses(*statuses)
    example = responses[422]["content"][PROBLEM_MEDIA_TYPE]["example"]
    example["errors"] = [{"field": invalid, "message": message}]
    if instance is not None:
        example["instance"] = instance
    return responses


_NOT_A_UUID = "Input should be a valid UUID"


def _not_found(operation_id: UUID) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"Operation {operation_id} does not exist")


@router.get(
    "",
    summary="List operations",
    responses=_errors(422, invalid="query.limit", message="Input should be less than or equal to 100"),
    dependencies=READ_OPERATIONS,
)
async def list_operations(
    repository: OperationRepositoryDep,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size")] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Operations to skip")] = 0,
) -> OperationPage:
    operations, total = await repository.page(limit=limit, offset=offset)
    return OperationPage.of(operations, total, limit=limit, offset=offset)


@router.get(
    "/{operation_id}",
    summary="Read an operation",
    responses=_errors(404, 422, invalid="path.operation_id", message=_NOT_A_UUID, instance=f"{API_V1}/operations/42"),
    dependencies=READ_OPERATIONS,
)
async def get_operation(operation_id: UUID, repository: OperationRepositoryDep) -> Operation:
    operation = await repository.get(operation_id)
    if operation is None:
        raise _not_found(operation_id)
    return operation


@exports.post(
    "/{item_id}/exports",
    summary="Export an item (a long-running operation)",
    status_code=status.HTTP_202_ACCEPTED,
    responses={
        status.HTTP_202_ACCEPTED: {"headers": LOCATION_HEADER},
        **_errors(404, 422, invalid="path.item_id", message=_NOT_A_UUID, instance=f"{API_V1}/items/42/exports"),
    },
    dependencies=[*READ_ITEMS, *WRITE_LIMIT],
)
async def export_item_later(
    item_id: UUID,
    *,
    request: Request,
    response: Response,
    items: ItemRepositoryDep,
    operations: OperationRepositoryDep,
    session: DatabaseSessionDep,
) -> Operation:
    """Starts building the item's export (a JSON document of the item): poll the operation in `Location` until it
    has `succeeded` (the document is its `result`) or `failed`."""
    if await items.get(item_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Item {item_id} does not exist")
    operation = await operations.create(NewOperation(kind=EXPORT_KIND))
    await defer(session, export_item, operation_id=str(operation.id), item_id=str(item_id))
    response.headers["Location"] = str(request.url_for("get_operation", operation_id=operation.id).path)
    return operation
