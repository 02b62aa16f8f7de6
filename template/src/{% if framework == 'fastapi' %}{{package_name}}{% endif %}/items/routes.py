"""`/api/v1/items`: the example resource, showing the conventions every new resource should follow."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Any
from uuid import UUID

from fastapi import Body, Header, Query, Request, status
from starlette.exceptions import HTTPException
from starlette.responses import Response

from ..api.conditional_reads import NOT_MODIFIED, IfNoneMatch, cacheable_list, cacheable_read
from ..api.crud import DuplicateError, StaleError
from ..api.json_body import JSON_BODY
from ..api.paths import API_V1
from ..core.entity_tags import STALE
from ..core.problems import PROBLEM_MEDIA_TYPE
from ..problems import problem_openapi_responses
from ..route_guards import api_router
from .dependencies import ItemRepositoryDep
from .limits import WRITE_LIMIT
from .models import Item, ItemIn, ItemPage, ItemPatch
from .scopes import READ_ITEMS, WRITE_ITEMS

router = api_router(
    prefix=f"{API_V1}/items", tags=["items"], description="The example resource: copy its conventions for your own."
)

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
            "sku": "KETTLE-1L-SS",
            "status": "active",
            "available_at": "2030-01-31T09:00:00Z",
        },
    },
}
PATCH_EXAMPLES: dict[str, Any] = {
    "price": {"summary": "Change the price only", "value": {"price_cents": 4490}},
    "clear": {"summary": "Clear the description and the sku", "value": {"description": None, "sku": None}},
}
ItemBody = Annotated[ItemIn, Body(openapi_examples=ITEM_EXAMPLES)]
PatchBody = Annotated[ItemPatch, Body(openapi_examples=PATCH_EXAMPLES)]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description='The item\'s `ETag` as read (`"3"`): the write applies only to that version, else 412. Optional.',
    ),
]
ETAG_HEADER: dict[str, Any] = {
    "ETag": {
        "description": "The item's version: send it back in If-Match to update safely",
        "schema": {"type": "string"},
    }
}


DUPLICATE_SKU = "An item with this sku already exists"
# What the documented examples of this resource's 404 and 409 say (the service's own are generic).
_EXAMPLE_DETAILS = {404: "Item 3fa85f64-5717-4562-b3fc-2c963f66afa6 does not exist", 409: DUPLICATE_SKU}


def _errors(*statuses: int, invalid: str, message: str, instance: str | None = None) -> dict[int | str, dict[str, Any]]:
    """Documented problem responses whose 422 example names a field this operation has (and, given `instance`, the
    path of the request that example failed on). The other examples get their operation's path when the document
    is built (see openapi.py)."""
    responses = problem_openapi_responses(*statuses, details=_EXAMPLE_DETAILS)
    example = responses[422]["content"][PROBLEM_MEDIA_TYPE]["example"]
    example["errors"] = [{"field": invalid, "message": message}]
    if instance is not None:
        example["instance"] = instance
    return responses


_LIST_ERRORS = _errors(422, invalid="query.limit", message="Input should be less than or equal to 100")
_INVALID_ID = {"invalid": "path.item_id", "message": "Input should be a valid UUID", "instance": f"{API_V1}/items/42"}
_READ_ERRORS = {**NOT_MODIFIED, **_errors(404, 422, **_INVALID_ID)}
_INVALID_NAME = {"invalid": "body.name", "message": "String should have at least 1 character"}
_CREATE_ERRORS = _errors(400, 409, 413, 415, 422, **_INVALID_NAME)
_REPLACE_ERRORS = _errors(400, 404, 409, 412, 413, 415, 422, **_INVALID_NAME)
_DELETE_ERRORS = _errors(404, 412, 422, **_INVALID_ID)
_WRITE_DEPENDENCIES = [*WRITE_ITEMS, *WRITE_LIMIT, *JSON_BODY]


def _not_found(item_id: UUID) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"Item {item_id} does not exist")


def _with_etag(responses: dict[int | str, dict[str, Any]], status_code: int) -> dict[int | str, dict[str, Any]]:
    return {status_code: {"headers": ETAG_HEADER}, **responses}


async def _written(write: Awaitable[Item | None], item_id: UUID, response: Response) -> Item:
    """The item a write returned, with its new ETag; the write's failures as problems."""
    try:
        item = await write
    except DuplicateError:
        raise HTTPException(status.HTTP_409_CONFLICT, DUPLICATE_SKU) from None
    except StaleError:
        raise HTTPException(status.HTTP_412_PRECONDITION_FAILED, STALE) from None
    if item is None:
        raise _not_found(item_id)
    response.headers["ETag"] = item.etag
    return item


# Route names (the function names) are the operationIds of the OpenAPI document: see openapi.py.
@router.get("", summary="List items", responses=_LIST_ERRORS, dependencies=READ_ITEMS)
async def list_items(
    repository: ItemRepositoryDep,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size")] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip")] = 0,
) -> ItemPage:
    items, total = await repository.page(limit=limit, offset=offset)
    cacheable_list(response)
    return ItemPage.of(items, total, limit=limit, offset=offset)


@router.post(
    "",
    summary="Create an item",
    status_code=status.HTTP_201_CREATED,
    responses=_with_etag(_CREATE_ERRORS, status.HTTP_201_CREATED),
    dependencies=_WRITE_DEPENDENCIES,
)
async def create_item(request: Request, data: ItemBody, repository: ItemRepositoryDep, response: Response) -> Item:
    try:
        item = await repository.create(data)
    except DuplicateError:
        raise HTTPException(status.HTTP_409_CONFLICT, DUPLICATE_SKU) from None
    response.headers["Location"] = str(request.url_for("get_item", item_id=item.id).path)
    response.headers["ETag"] = item.etag
    return item


@router.get(
    "/{item_id}",
    summary="Read an item",
    response_model=Item,
    responses=_with_etag(_READ_ERRORS, status.HTTP_200_OK),
    dependencies=READ_ITEMS,
)
async def get_item(
    item_id: UUID, repository: ItemRepositoryDep, response: Response, if_none_match: IfNoneMatch = None
) -> Item | Response:
    item = await repository.get(item_id)
    if item is None:
        raise _not_found(item_id)
    if (unchanged := cacheable_read(item.etag, if_none_match, response)) is not None:
        return unchanged
    return item


@router.put(
    "/{item_id}",
    summary="Replace an item",
    responses=_with_etag(_REPLACE_ERRORS, status.HTTP_200_OK),
    dependencies=_WRITE_DEPENDENCIES,
)
async def replace_item(
    item_id: UUID, data: ItemBody, repository: ItemRepositoryDep, response: Response, if_match: IfMatch = None
) -> Item:
    return await _written(repository.replace(item_id, data, if_match=if_match), item_id, response)


@router.patch(
    "/{item_id}",
    summary="Update some fields of an item",
    responses=_with_etag(_REPLACE_ERRORS, status.HTTP_200_OK),
    dependencies=_WRITE_DEPENDENCIES,
)
async def update_item(
    item_id: UUID, changes: PatchBody, repository: ItemRepositoryDep, response: Response, if_match: IfMatch = None
) -> Item:
    return await _written(repository.patch(item_id, changes.changes(), if_match=if_match), item_id, response)


@router.delete(
    "/{item_id}",
    summary="Delete an item",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=_DELETE_ERRORS,
    dependencies=[*WRITE_ITEMS, *WRITE_LIMIT],
)
async def delete_item(item_id: UUID, repository: ItemRepositoryDep, if_match: IfMatch = None) -> None:
    try:
        deleted = await repository.delete(item_id, if_match=if_match)
    except StaleError:
        raise HTTPException(status.HTTP_412_PRECONDITION_FAILED, STALE) from None
    if not deleted:
        raise _not_found(item_id)
