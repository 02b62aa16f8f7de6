"""`/api/v1/files`: files owned like any resource (another caller's file is a 404 on every path), in two ways:

- `POST /api/v1/files?name=...` streams the request body (the file itself, with its Content-Type) to the file store:
  never whole in memory, checked on its first bytes, refused past FILES_MAX_SIZE with 413 and nothing stored;
- `POST /api/v1/files/uploads` gives a browser a presigned form to upload straight to S3 (this key, this size, this
  type, for FILES_URL_EXPIRY seconds); `POST /api/v1/files/{file_id}/complete` then checks the stored object
  before the file is listed.

Downloads stream from the store as attachments with `nosniff`: a browser never renders a file as the service's page.

After an upload (core/storage/lifecycle.py, follow_up.py): a stored file is quarantined, listed but not downloadable,
until the scanner passes it (ready) or refuses it (rejected, its object removed); each owner's files share
FILES_QUOTA_BYTES (past it: 409, nothing stored); a deleted file's object is removed after the request.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Final
from uuid import UUID

from fastapi import BackgroundTasks, Body, Query, Request, status
from fastapi.exceptions import RequestValidationError
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import Response, StreamingResponse

from ..api.dependencies import DatabaseSessionDep, SettingsDep
from ..api.json_body import JSON_BODY
from ..api.paths import API_V1
from ..core.problems import PROBLEM_MEDIA_TYPE
from ..core.storage import (
    ExpectedUpload,
    ObjectTooLarge,
    PresignNotSupported,
    UnsupportedContent,
    UploadRefused,
    attachment,
    check_completed,
    checked_stream,
    normalise,
    not_accepted,
)
from ..core.storage.lifecycle import QuotaExceeded, check_quota, refusal_past, stale_before, streamed_limit
from ..core.storage.observers import file_observer, refusal
from ..problems import problem_openapi_responses, problem_response
from ..route_guards import api_router
from .dependencies import FileRepositoryDep, FileStorageDep, FileStoreDep
from .follow_up import after_deleted, after_stored
from .models import DirectUpload, DirectUploadIn, File, FileName, FilePage, FileStatus, UploadForm
from .scopes import READ_FILES, WRITE_FILES

FILES_PATH: Final = f"{API_V1}/files"
"""The upload's path: its body may be as large as FILES_MAX_SIZE (integrations/files.py)."""


class FileIdConvertor(Convertor[str]):
    """`{file_id:file_id}`: any path segment but `uploads`, the direct uploads' own route. Without it, `GET
    /files/uploads` would be `GET /files/{file_id}` with a malformed id (422) rather than a method `/files/uploads`
    does not allow (405 with `Allow`). Any other malformed id still reaches the route: a 422 naming `path.file_id`."""

    regex = "(?!uploads$)[^/]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return str(value)


register_url_convertor("file_id", FileIdConvertor())
ONE_FILE: Final = "/{file_id:file_id}"

router = api_router(prefix=FILES_PATH, tags=["files"], description="Files: uploads, downloads, direct uploads.")

_EXAMPLE_DETAILS = {404: "File 3fa85f64-5717-4562-b3fc-2c963f66afa6 does not exist"}
_UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The file's bytes, with its media type as Content-Type (an accepted one: FILES_ALLOWED_TYPES)",
        "content": {
            "*/*": {
                "schema": {"type": "string", "format": "binary"},
                "examples": {
                    "csv": {"summary": "A CSV file (Content-Type: text/csv)", "value": "name,price\nKettle,4990\n"},
                    "text": {"summary": "A text file (Content-Type: text/plain)", "value": "Opening hours: 9 to 17\n"},
                },
            }
        },
    }
}
DirectUploadBody = Annotated[
    DirectUploadIn,
    Body(
        openapi_examples={
            "pdf": {
                "summary": "A PDF of 2 kB",
                "value": {"name": "menu.pdf", "content_type": "application/pdf", "size_bytes": 2048},
            },
            "photo": {
                "summary": "A photo",
                "value": {"name": "kettle.jpg", "content_type": "image/jpeg", "size_bytes": 480213},
            },
        }
    ),
]


def _errors(*statuses: int, invalid: str, message: str) -> dict[int | str, dict[str, Any]]:
    """Documented problem responses whose 422 example names a field this operation has."""
    responses = problem_openapi_responses(*statuses, details=_EXAMPLE_DETAILS)
    if 422 in statuses:
        responses[422]["content"][PROBLEM_MEDIA_TYPE]["example"]["errors"] = [{"field": invalid, "message": message}]
    return responses


_BAD_ID = {"invalid": "path.file_id", "message": "Input should be a valid UUID"}


def _not_found(file_id: UUID) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"File {file_id} does not exist")


def _over_quota(exc: QuotaExceeded) -> HTTPException:
    return HTTPException(status.HTTP_409_CONFLICT, str(exc))


@router.get(
    "",
    summary="List files",
    responses=_errors(422, invalid="query.limit", message="Input should be less than or equal to 100"),
    dependencies=READ_FILES,
)
async def list_files(
    repository: FileRepositoryDep,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size")] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Files to skip")] = 0,
) -> FilePage:
    found, total = await repository.page(limit=limit, offset=offset)
    return FilePage.of(found, total, limit=limit, offset=offset)


@router.post(
    "",
    summary="Upload a file (the request body is the file)",
    status_code=status.HTTP_201_CREATED,
    responses=_errors(409, 413, 415, 422, invalid="query.name", message="String should have at least 1 character"),
    dependencies=WRITE_FILES,
    openapi_extra=_UPLOAD_BODY,
)
async def upload_file(
    request: Request,
    *,
    name: Annotated[FileName, Query(description="The file's name, shown and used for downloads")],
    repository: FileRepositoryDep,
    storage: FileStorageDep,
    session: DatabaseSessionDep,
    settings: SettingsDep,
    response: Response,
) -> File:
    store = storage.store
    observer = file_observer()
    key = repository.new_key()
    used = await repository.used_bytes(stale_before(datetime.now(UTC), settings.files_url_expiry))
    try:
        limit = streamed_limit(used, settings.files_quota_bytes, settings.files_max_size)
        content_type, chunks = await checked_stream(
            request.stream(), request.headers.get("content-type", ""), settings.allowed_file_types
        )
        size = await store.write(key, chunks, content_type=content_type, limit=limit)
    except UnsupportedContent as exc:
        observer.refused("type_refused")
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, str(exc)) from None
    except QuotaExceeded as exc:
        observer.refused("quota")
        raise _over_quota(exc) from None
    except ObjectTooLarge:
        refused = refusal_past(limit, used=used, quota=settings.files_quota_bytes, max_size=settings.files_max_size)
        observer.refused(refusal(refused))
        if isinstance(refused, QuotaExceeded):
            raise _over_quota(refused) from None
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, str(refused)) from None
    except ClientDisconnect:
        raise  # the client went, or the body limit cut it off (and answers 413): not the store's failure
    except Exception:
        observer.refused("storage_error")  # nothing was kept
        raise
    try:
        pending = await repository.create_pending(
            name=name, content_type=content_type, size_bytes=size, storage_key=key
        )
        stored = await repository.advance(pending.id, to=FileStatus.QUARANTINED, since=FileStatus.PENDING)
        assert stored is not None  # noqa: S101 - made pending in this one transaction
        created = await after_stored(session, repository, storage, stored)
    except BaseException:
        await store.delete(key)  # no record, no object
        raise
    observer.stored("stream", size)
    response.headers["Location"] = str(request.url_for("get_file", file_id=created.id).path)
    return created


@router.post(
    "/uploads",
    summary="Start a direct upload: a presigned form to post the file to storage with",
    status_code=status.HTTP_201_CREATED,
    responses=_errors(400, 409, 413, 415, 422, invalid="body.content_type", message=not_accepted("text/html")),
    dependencies=[*WRITE_FILES, *JSON_BODY],
)
async def start_upload(
    data: DirectUploadBody, repository: FileRepositoryDep, store: FileStoreDep, settings: SettingsDep
) -> DirectUpload:
    content_type = normalise(data.content_type)
    observer = file_observer()
    if content_type not in settings.allowed_file_types:
        observer.refused("type_refused")
        error = {"type": "file_type", "loc": ("body", "content_type"), "msg": not_accepted(content_type), "input": None}
        raise RequestValidationError([error])
    if data.size_bytes > settings.files_max_size:
        observer.refused("too_large")
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, str(ObjectTooLarge(settings.files_max_size)))
    try:  # the pending file reserves its size: two presigns cannot share the room left
        used = await repository.used_bytes(stale_before(datetime.now(UTC), settings.files_url_expiry))
        check_quota(used, data.size_bytes, settings.files_quota_bytes)
    except QuotaExceeded as exc:
        observer.refused("quota")
        raise _over_quota(exc) from None
    key = repository.new_key()
    try:
        form = store.presigned_post(
            key, content_type=content_type, size=data.size_bytes, expires_in=settings.files_url_expiry
        )
    except PresignNotSupported as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    pending = await repository.create_pending(
        name=data.name, content_type=content_type, size_bytes=data.size_bytes, storage_key=key
    )
    return DirectUpload(
        file=pending, upload=UploadForm(url=form.url, fields=form.fields), expires_in=settings.files_url_expiry
    )


@router.post(
    f"{ONE_FILE}/complete",
    summary="Complete a direct upload: the stored object is checked, then the file is listed",
    response_model=File,
    responses=_errors(404, 409, 422, **_BAD_ID),
    dependencies=WRITE_FILES,
)
async def complete_upload(
    request: Request,
    file_id: UUID,
    *,
    repository: FileRepositoryDep,
    storage: FileStorageDep,
    session: DatabaseSessionDep,
    settings: SettingsDep,
) -> File | Response:
    store = storage.store
    observer = file_observer()
    pending = await repository.pending(file_id)
    if pending is None:
        raise _not_found(file_id)
    expected = ExpectedUpload(
        owner_id=pending.owner, key=pending.storage_key, size=pending.size_bytes, content_type=pending.content_type
    )
    try:
        await check_completed(store, expected, settings.allowed_file_types)
    except UploadRefused as exc:
        # The wrong object goes; the file stays pending, and its form may still upload the right one.
        observer.refused("completion_mismatch")
        await store.delete(pending.storage_key)
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    try:  # its own size counts already (reserved at the presign): over only if the quota shrank meanwhile
        used = await repository.used_bytes(pending.created_at)  # its own reservation counted, then taken off
        check_quota(used - pending.size_bytes, pending.size_bytes, settings.files_quota_bytes)
    except QuotaExceeded as exc:
        observer.refused("quota")
        await store.delete(pending.storage_key)
        await repository.discard_pending(file_id)
        # Answered, not raised: the transaction commits, and the refusal keeps nothing (the file goes too).
        return problem_response(status.HTTP_409_CONFLICT, str(exc), request.url.path)
    stored = await repository.advance(file_id, to=FileStatus.QUARANTINED, since=FileStatus.PENDING)
    if stored is None:  # completed by a concurrent request a moment ago
        found = await repository.get(file_id)
        if found is None:
            raise _not_found(file_id)
        return found
    observer.stored("presigned", stored.size_bytes)
    return await after_stored(session, repository, storage, stored)


@router.get(
    ONE_FILE,
    summary="Read a file's record",
    responses=_errors(404, 422, **_BAD_ID),
    dependencies=READ_FILES,
)
async def get_file(file_id: UUID, repository: FileRepositoryDep) -> File:
    found = await repository.get(file_id)
    if found is None:
        raise _not_found(file_id)
    return found


@router.get(
    f"{ONE_FILE}/content",
    summary="Download a file",
    response_class=StreamingResponse,
    responses={
        200: {"description": "The file's bytes, as an attachment", "content": {"*/*": {"schema": {"type": "string"}}}},
        **_errors(404, 409, 422, **_BAD_ID),
    },
    dependencies=READ_FILES,
)
async def download_file(file_id: UUID, repository: FileRepositoryDep, store: FileStoreDep) -> StreamingResponse:
    found = await repository.get(file_id)
    if found is None:
        raise _not_found(file_id)
    if found.status is not FileStatus.READY:  # quarantined (not scanned yet) or rejected: never served
        raise HTTPException(status.HTTP_409_CONFLICT, f"File {file_id} is {found.status.value}, not ready to download")
    headers = {
        "Content-Type": found.content_type,  # as stored: media_type would add a charset to text types
        "Content-Disposition": attachment(found.name),
        "Content-Length": str(found.size_bytes),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    }
    return StreamingResponse(store.read(found.storage_key), headers=headers)


@router.delete(
    ONE_FILE,
    summary="Delete a file",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=_errors(404, 422, **_BAD_ID),
    dependencies=WRITE_FILES,
)
async def delete_file(
    file_id: UUID,
    repository: FileRepositoryDep,
    storage: FileStorageDep,
    session: DatabaseSessionDep,
    background: BackgroundTasks,
) -> None:
    found = await repository.get(file_id)
    if found is None or not await repository.delete(file_id):
        raise _not_found(file_id)
    await after_deleted(session, background, storage, found)
