"""`/api/v1/items`: the example resource, showing the conventions every new resource should follow."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Query, Request, status
from starlette.exceptions import HTTPException
from starlette.responses import Response

from ..core.problems import PROBLEM_MEDIA_TYPE
from ..items.models import Item, ItemIn, ItemPage
from ..problems import problem_openapi_responses
from .dependencies import ItemRepositoryDep
from .json_body import JSON_BODY
from .limits import WRITE_LIMIT
from .paths import API_V1

router = APIRouter(prefix=f"{API_V1}/items", tags=["items"])

# Every request body shows at least two named examples in the docs UI.
ITEM_EXAMPLES: dict[str, Any] = {
    "minimal": {
        "summary": "Only the required fields",
        "value": {"name": "Espresso cup", "price_cents": 1200},
    },
    "complete": {
        "summary": "Every field",
        "value": {
            "name": "Pour-over kettle",
            "description": "Gooseneck, 1 litre, stainless steel",
            "price_cents": 4990,
            "tags": ["kitchen", "coffee"],
        },
    },
}
ItemBody = Annotated[ItemIn, Body(openapi_examples=ITEM_EXAMPLES)]


def _errors(*statuses: int, invalid: str, message: str, instance: str | None = None) -> dict[int | str, dict[str, Any]]:
    """Documented problem responses whose 422 example names a field this operation has (and, given `instance`, the
    path of the request that example failed on). The other examples get their operation's path when the document
    is built (see openapi.py)."""
    responses = problem_openapi_responses(*statuses)
    example = responses[422]["content"][PROBLEM_MEDIA_TYPE]["example"]
    example["errors"] = [{"field": invalid, "message": message}]
    if instance is not None:
        example["instance"] = instance
    return responses


_LIST_ERRORS = _errors(422, invalid="query.limit", message="Input should be less than or equal to 100")
_INVALID_ID = {"invalid": "path.item_id", "message": "Input should be a valid UUID", "instance": f"{API_V1}/items/42"}
_READ_ERRORS = _errors(404, 422, **_INVALID_ID)
_INVALID_NAME = {"invalid": "body.name", "message": "String should have at least 1 character"}
_CREATE_ERRORS = _errors(400, 413, 415, 422, **_INVALID_NAME)
_REPLACE_ERRORS = _errors(400, 404, 413, 415, 422, **_INVALID_NAME)
_WRITE_DEPENDENCIES = [*WRITE_LIMIT, *JSON_BODY]


def _not_found(item_id: UUID) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"Item {item_id} does not exist")


# Route names (the function names) are the operationIds of the OpenAPI document: see openapi.py.
@router.get("", summary="List items", responses=_LIST_ERRORS)
async def list_items(
    repository: ItemRepositoryDep,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size")] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip")] = 0,
) -> ItemPage:
    items, total = await repository.page(limit=limit, offset=offset)
    return ItemPage(items=items, total=total, limit=limit, offset=offset)


@router.post(
    "",
    summary="Create an item",
    status_code=status.HTTP_201_CREATED,
    responses=_CREATE_ERRORS,
    dependencies=_WRITE_DEPENDENCIES,
)
async def create_item(request: Request, data: ItemBody, repository: ItemRepositoryDep, response: Response) -> Item:
    item = await repository.create(data)
    response.headers["Location"] = str(request.url_for("get_item", item_id=item.id).path)
    return item


@router.get("/{item_id}", summary="Read an item", responses=_READ_ERRORS)
async def get_item(item_id: UUID, repository: ItemRepositoryDep) -> Item:
    item = await repository.get(item_id)
    if item is None:
        raise _not_found(item_id)
    return item


@router.put(
    "/{item_id}",
    summary="Replace an item",
    responses=_REPLACE_ERRORS,
    dependencies=_WRITE_DEPENDENCIES,
)
async def replace_item(item_id: UUID, data: ItemBody, repository: ItemRepositoryDep) -> Item:
    item = await repository.replace(item_id, data)
    if item is None:
        raise _not_found(item_id)
    return item


@router.delete(
    "/{item_id}",
    summary="Delete an item",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=_READ_ERRORS,
    dependencies=WRITE_LIMIT,
)
async def delete_item(item_id: UUID, repository: ItemRepositoryDep) -> None:
    if not await repository.delete(item_id):
        raise _not_found(item_id)
