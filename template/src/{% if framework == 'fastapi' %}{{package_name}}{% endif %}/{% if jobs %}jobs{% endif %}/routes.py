"""`/api/v1/operations`: poll a long-running operation. A route that starts one (items/exports.py's
`POST /api/v1/items/{item_id}/exports`) answers 202 Accepted with the operation's `Location` (`LOCATION_HEADER`),
the operation (`NewOperation`) and its job written in one transaction."""

from __future__ import annotations

from typing import Annotated, Any, Final
from uuid import UUID

from fastapi import Depends, Query, status
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.responses import Response

from ..api.conditional_reads import NOT_MODIFIED, IfNoneMatch, cacheable_list, cacheable_read
from ..api.paths import API_V1
from ..api.repositories import repository_dependency
from ..core.problems import PROBLEM_MEDIA_TYPE
from ..problems import problem_openapi_responses
from ..route_guards import api_router
from .operations import (
    READ_OPERATIONS,
    Operation,
    OperationPage,
    OperationRepository,
    OperationStatus,
)

router = api_router(
    prefix=f"{API_V1}/operations",
    tags=["operations"],
    description="Work that outlives its request: poll an operation until it has succeeded or failed.",
)

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


# What the documented example of a 404 says (the service's own are generic).
_EXAMPLE_OPERATION_ID: Final = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


def documented_problems(
    *statuses: int, invalid: str, message: str, instance: str | None = None, missing: str | None = None
) -> dict[int | str, dict[str, Any]]:
    """Documented problem responses whose 422 example names a field this operation has (and, given `instance`, the
    path of the request that example failed on; given `missing`, what its 404 example says)."""
    responses = problem_openapi_responses(*statuses, details={404: missing} if missing else None)
    example = responses[422]["content"][PROBLEM_MEDIA_TYPE]["example"]
    example["errors"] = [{"field": invalid, "message": message}]
    if instance is not None:
        example["instance"] = instance
    return responses


NOT_A_UUID: Final = "Input should be a valid UUID"


def _not_found(operation_id: UUID) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"Operation {operation_id} does not exist")


@router.get(
    "",
    summary="List operations",
    responses=documented_problems(422, invalid="query.limit", message="Input should be less than or equal to 100"),
    dependencies=READ_OPERATIONS,
)
async def list_operations(
    repository: OperationRepositoryDep,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size")] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Operations to skip")] = 0,
) -> OperationPage:
    operations, total = await repository.page(limit=limit, offset=offset)
    cacheable_list(response)
    return OperationPage.of(operations, total, limit=limit, offset=offset)


@router.get(
    "/{operation_id}",
    summary="Read an operation",
    description="Poll it until `status` is `succeeded` (its `result`) or `failed` (its `error`).",
    response_model=Operation,
    responses={
        **NOT_MODIFIED,
        **documented_problems(
            404,
            422,
            invalid="path.operation_id",
            message=NOT_A_UUID,
            instance=f"{API_V1}/operations/42",
            missing=f"Operation {_EXAMPLE_OPERATION_ID} does not exist",
        ),
    },
    dependencies=READ_OPERATIONS,
)
async def get_operation(
    operation_id: UUID, repository: OperationRepositoryDep, response: Response, if_none_match: IfNoneMatch = None
) -> Operation | Response:
    operation = await repository.get(operation_id)
    if operation is None:
        raise _not_found(operation_id)
    if (unchanged := cacheable_read(operation.etag, if_none_match, response)) is not None:
        return unchanged
    return operation
