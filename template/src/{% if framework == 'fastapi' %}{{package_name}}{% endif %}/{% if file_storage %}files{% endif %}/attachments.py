"""Files attached to the records of any resource that declares `attachments = True` on its repository (the rule:
core/storage/attachments.py). `attachment_router` gives such a resource its three routes; the files integration
(integrations/files.py) mounts them for every declared resource, so a resource of your own needs that one line.

    GET    /api/v1/<resource>/{record_id}/attachments             the record's files (a page, as /api/v1/files)
    PUT    /api/v1/<resource>/{record_id}/attachments/{file_id}   attach one of the caller's files (204)
    DELETE /api/v1/<resource>/{record_id}/attachments/{file_id}   detach it (204; the file stays)

The record is read through its resource's repository and the file through the files' one: whatever either shows the
caller is all an attachments route acts on, so another owner's record or file is a 404 here as everywhere.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, status
from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException
from starlette.responses import Response

from ..api.access import requires
from ..api.crud import DETACHERS, Repository
from ..api.paths import API_V1
from ..api.repositories import repository_dependency
from ..core.problems import PROBLEM_MEDIA_TYPE
from ..core.storage.attachments import file_not_attached, file_not_found, record_not_found, scopes_for
from ..items.repository import ItemRepository
from ..problems import problem_openapi_responses
from ..route_guards import api_router
from .models import File, FilePage
from .repository import FileRepository
from .table import attachments, files

# The example resource takes attachments where the service keeps files: declared here, in the files package, so a
# service without files has no word of them. A resource of your own declares `attachments = True` in its class.
ItemRepository.attachments = True

_EXAMPLE_ID = UUID("3fa85f64-5717-4562-b3fc-2c963f66afa6")


class AttachedFiles(FileRepository):
    """The files' repository, seen through a record's attachments: the caller's ready files only, as always."""

    async def of_record(self, resource: str, record_id: UUID, *, limit: int, offset: int) -> tuple[list[File], int]:
        joined = files.join(attachments, attachments.c.file_id == files.c.id)
        where = (*self._visible(), attachments.c.resource == resource, attachments.c.record_id == record_id)
        query = (
            select(files)
            .select_from(joined)
            .where(*where)
            .order_by(attachments.c.created_at, files.c.id)
            .limit(limit)
            .offset(offset)
        )
        rows = (await self._session.execute(query)).all()
        total = (await self._session.execute(select(func.count()).select_from(joined).where(*where))).scalar_one()
        return [self._record(row._mapping) for row in rows], total

    async def attach(self, resource: str, record_id: UUID, file_id: UUID) -> bool:
        """Attach the caller's file (attached already: nothing to do); False when the caller sees no such file."""
        if await self.get(file_id) is None:
            return False
        row = {"resource": resource, "record_id": record_id, "file_id": file_id, "created_at": datetime.now(UTC)}
        try:
            async with self._session.begin_nested():  # a concurrent PUT of the same pair: attached once, either way
                await self._session.execute(insert(attachments).values(row))
        except IntegrityError:
            pass
        return True

    async def detach(self, resource: str, record_id: UUID, file_id: UUID) -> bool:
        """False when the caller sees no such file, or it is not attached to the record."""
        if await self.get(file_id) is None:
            return False
        statement = delete(attachments).where(
            attachments.c.resource == resource, attachments.c.record_id == record_id, attachments.c.file_id == file_id
        )
        return bool((await self._session.execute(statement)).rowcount)  # type: ignore[attr-defined]


async def detach_all(session: AsyncSession, resource: str, record_id: UUID) -> None:
    """Detach every file of a record being deleted, in its deletion's transaction; the files stay."""
    await session.execute(
        delete(attachments).where(attachments.c.resource == resource, attachments.c.record_id == record_id)
    )


DETACHERS[:] = [detach_all]

get_attached_files = repository_dependency(AttachedFiles)
AttachedFilesDep = Annotated[AttachedFiles, Depends(get_attached_files)]


def attachment_router(repository: type[Repository[Any]]) -> APIRouter:
    """The attachments routes of `repository`'s resource (it declares `attachments = True`). Its scopes are named as
    every resource's are (`<resource>:read`, `<resource>:write`), with `files:read` beside them."""
    if not repository.attachments:
        raise TypeError(f"{repository.__name__} takes no attachments: declare `attachments = True` in it")
    resource = repository.table.name
    read = [requires(*scopes_for((f"{resource}:read",)))]
    write = [requires(*scopes_for((f"{resource}:write",)))]
    # A default, not `Annotated[...]`: annotations are resolved in the module's namespace, where this one is not.
    records_dependency = Depends(repository_dependency(repository))
    # The record's path parameter as the resource's own routes name it (`item_id`: the plural less its s), as Django's.
    parameter = f"{resource.removesuffix('s')}_id"
    record_path = Path(alias=parameter, description=f"The {resource.removesuffix('s')}'s id")
    router = api_router(prefix="/".join((API_V1, resource, "{" + parameter + "}", "attachments")), tags=[resource])
    one = problem_openapi_responses(404, 422, details={404: record_not_found(resource, _EXAMPLE_ID)})
    example = one[422]["content"][PROBLEM_MEDIA_TYPE]["example"]
    example["errors"] = [{"field": f"path.{parameter}", "message": "Input should be a valid UUID"}]

    async def visible(records: Repository[Any], record_id: UUID) -> None:
        if await records.get(record_id) is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, record_not_found(resource, record_id))

    @router.get(
        "", name=f"list_{resource}_attachments", summary="List a record's attachments", responses=one, dependencies=read
    )
    async def list_attachments(
        attached: AttachedFilesDep,
        record_id: UUID = record_path,
        records: Repository[Any] = records_dependency,
        limit: Annotated[int, Query(ge=1, le=100, description="Page size")] = 20,
        offset: Annotated[int, Query(ge=0, le=1_000_000, description="Files to skip")] = 0,
    ) -> FilePage:
        await visible(records, record_id)
        found, total = await attached.of_record(resource, record_id, limit=limit, offset=offset)
        return FilePage.of(found, total, limit=limit, offset=offset)

    @router.put(
        "/{file_id}",
        name=f"attach_{resource}_file",
        summary="Attach one of your files to a record",
        status_code=status.HTTP_204_NO_CONTENT,
        response_class=Response,
        responses=one,
        dependencies=write,
    )
    async def attach(
        file_id: UUID,
        attached: AttachedFilesDep,
        record_id: UUID = record_path,
        records: Repository[Any] = records_dependency,
    ) -> None:
        await visible(records, record_id)
        if not await attached.attach(resource, record_id, file_id):
            raise HTTPException(status.HTTP_404_NOT_FOUND, file_not_found(file_id))

    @router.delete(
        "/{file_id}",
        name=f"detach_{resource}_file",
        summary="Detach a file from a record (the file stays)",
        status_code=status.HTTP_204_NO_CONTENT,
        response_class=Response,
        responses=one,
        dependencies=write,
    )
    async def detach(
        file_id: UUID,
        attached: AttachedFilesDep,
        record_id: UUID = record_path,
        records: Repository[Any] = records_dependency,
    ) -> None:
        await visible(records, record_id)
        if not await attached.detach(resource, record_id, file_id):
            raise HTTPException(status.HTTP_404_NOT_FOUND, file_not_attached(file_id))

    return router


def attachment_routers() -> list[APIRouter]:
    """The attachments routes of every resource declared so far that takes attachments."""
    found: list[type[Repository[Any]]] = []
    waiting: list[type[Repository[Any]]] = list(Repository.__subclasses__())
    while waiting:
        repository = waiting.pop(0)
        waiting += repository.__subclasses__()
        # Its own table: a resource (a subclass such as AttachedFiles reads another's rows).
        if "table" in repository.__dict__ and repository.attachments:
            found.append(repository)
    return [attachment_router(repository) for repository in found]
