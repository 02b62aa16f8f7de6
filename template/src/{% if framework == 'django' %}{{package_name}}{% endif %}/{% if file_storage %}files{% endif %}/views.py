"""`/api/v1/files`: files owned like any resource (another caller's file is a 404 on every path), in two ways:

- `POST /api/v1/files?name=...` streams the request body (the file itself, with its Content-Type) to the file store:
  read from the body Django's ASGI handler spooled (to a temporary file past FILE_UPLOAD_MAX_MEMORY_SIZE) 64 kB at a
  time, never whole in memory, checked on its first bytes, refused past FILES_MAX_SIZE with 413 and nothing stored;
- `POST /api/v1/files/uploads` gives a browser a presigned form to upload straight to S3 (this key, this size, this
  type, for FILES_URL_EXPIRY seconds); `POST /api/v1/files/{file_id}/complete` then checks the stored object
  before the file is listed.

Downloads stream from the store as attachments with `nosniff`: a browser never renders a file as the service's page.
After an upload (core/storage/lifecycle.py, follow_up.py): a stored file is quarantined, listed but not downloadable,
until the scanner passes it (ready) or refuses it (rejected, its object removed); each owner's files share
FILES_QUOTA_BYTES (past it: 409, nothing stored); a deleted file's object is removed after the request.
The rules are core/storage/'s; this module is their Django adapter (FastAPI's is files/routes.py).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any, Final

from asgiref.sync import async_to_sync
from django.conf import settings as django_settings
from django.db import transaction
from django.db.models import F, Q, Sum
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response

from ..api.errors import invalid
from ..api.resources import ResourceViewSet
from ..api.schema import problem_responses
from ..config import Settings
from ..core.storage import (
    FILE_NAME_PATTERN,
    ExpectedUpload,
    FileStore,
    ObjectTooLarge,
    PresignNotSupported,
    UnsupportedContent,
    UploadRefused,
    attachment,
    check_completed,
    checked_stream,
    new_key,
    normalise,
    not_accepted,
)
from ..core.storage.lifecycle import (
    HOLDING_BYTES,
    QuotaExceeded,
    check_quota,
    refusal_past,
    stale_before,
    streamed_limit,
)
from ..core.storage.observers import file_observer, refusal
from ..core.storage.stores import READ_CHUNK
from .follow_up import after_deleted, after_stored
from .models import File, FileStatus
from .scopes import FILE_SCOPES
from .serializers import DirectUploadInSerializer, DirectUploadSerializer, FileSerializer, UploadQuerySerializer
from .storage import file_storage, file_store

logger = logging.getLogger(__name__)

FILE_ID = OpenApiParameter("file_id", OpenApiTypes.UUID, OpenApiParameter.PATH)
NAME = OpenApiParameter(
    "name",
    {"type": "string", "minLength": 1, "maxLength": 255, "pattern": FILE_NAME_PATTERN},
    OpenApiParameter.QUERY,
    required=True,
    description="The file's name, shown and used for downloads",
)
_INSTANCE: Final = "/api/v1/files/3fa85f64-5717-4562-b3fc-2c963f66afa6"
_DETAILS: Final = {404: "File 3fa85f64-5717-4562-b3fc-2c963f66afa6 does not exist"}
_ONE = problem_responses(404, 422, instance=_INSTANCE, field="path.file_id", details=_DETAILS)
_UPLOAD_EXAMPLES = [
    OpenApiExample(
        "csv",
        summary="A CSV file (Content-Type: text/csv)",
        value="name,price\nKettle,4990\n",
        request_only=True,
        media_type="*/*",
    ),
    OpenApiExample(
        "text",
        summary="A text file (Content-Type: text/plain)",
        value="Opening hours: 9 to 17\n",
        request_only=True,
        media_type="*/*",
    ),
]
_DIRECT_EXAMPLES = [
    OpenApiExample(
        "pdf",
        summary="A PDF of 2 kB",
        value={"name": "menu.pdf", "content_type": "application/pdf", "size_bytes": 2048},
        request_only=True,
    ),
    OpenApiExample(
        "photo",
        summary="A photo",
        value={"name": "kettle.jpg", "content_type": "image/jpeg", "size_bytes": 480213},
        request_only=True,
    ),
]


class FileRefused(APIException):
    """A file the rules refuse: 413 (too large), 415 (a streamed body not of an accepted type, or not what it says),
    409 (a direct upload that cannot be, or whose object is not the one allowed)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status


def _settings() -> Settings:
    settings: Settings = django_settings.SERVICE_SETTINGS
    return settings


async def _body(request: HttpRequest) -> AsyncIterator[bytes]:
    """The request's body, chunk by chunk, read off the event loop (past FILE_UPLOAD_MAX_MEMORY_SIZE it is on disk)."""
    while chunk := await asyncio.to_thread(request.read, READ_CHUNK):
        yield chunk


async def _stream_in(
    store: FileStore, key: str, request: HttpRequest, settings: Settings, limit: int
) -> tuple[str, int]:
    """The body stored under `key` (at most `limit` bytes): its media type (checked on its first bytes) and size."""
    content_type, chunks = await checked_stream(
        _body(request), request.META.get("CONTENT_TYPE", ""), settings.allowed_file_types
    )
    size = await store.write(key, chunks, content_type=content_type, limit=limit)
    return content_type, size


@extend_schema_view(
    list=extend_schema(
        summary="List files",
        operation_id="list_files",
        responses={
            200: FileSerializer(many=True),
            **problem_responses(422, instance="/api/v1/files", field="query.limit"),
        },
    ),
    create=extend_schema(
        summary="Upload a file (the request body is the file)",
        operation_id="upload_file",
        parameters=[NAME],
        request={"*/*": OpenApiTypes.BINARY},
        examples=_UPLOAD_EXAMPLES,
        responses={
            201: FileSerializer,
            **problem_responses(409, 413, 415, 422, instance="/api/v1/files", field="query.name"),
        },
    ),
    retrieve=extend_schema(
        summary="Read a file's record",
        operation_id="get_file",
        parameters=[FILE_ID],
        responses={200: FileSerializer, **_ONE},
    ),
    destroy=extend_schema(
        summary="Delete a file", operation_id="delete_file", parameters=[FILE_ID], responses={204: None, **_ONE}
    ),
)
@extend_schema(tags=["files"])
class FileViewSet(ResourceViewSet):
    model = File
    serializer_class = FileSerializer
    lookup_url_kwarg = "file_id"
    required_scopes = FILE_SCOPES
    http_method_names = ("get", "post", "delete", "head")  # a file's record is not edited: upload another

    def live(self, rows: Any) -> Any:
        """Every file but pending ones (a quarantined or rejected one is seen with its status), except to `complete`,
        which sees pending ones only (a second completion is a 404)."""
        if self.action == "complete":
            return rows.filter(status=FileStatus.PENDING)
        return rows.exclude(status=FileStatus.PENDING)

    def used_bytes(self, pending_since: datetime | None = None) -> int:
        """The bytes the caller's files take against their quota, pending uploads since `pending_since` included
        (each reserves its announced size until it is abandoned)."""
        if pending_since is None:
            pending_since = stale_before(timezone.now(), _settings().files_url_expiry)
        reserved = Q(status=FileStatus.PENDING, created_at__gte=pending_since)
        rows = File.objects.filter(Q(status__in=HOLDING_BYTES) | reserved, **self.owner_of_new_rows())
        used: int = rows.aggregate(used=Sum("size_bytes"))["used"] or 0
        return used

    def new_key(self) -> str:
        """A new object key under the caller's prefix."""
        return new_key(self.owner_of_new_rows().get("owner_id"), uuid.uuid4())

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        given = {name: value for name in ("name",) if (value := request.query_params.get(name)) is not None}
        query = UploadQuerySerializer(data=given)
        if not query.is_valid():
            raise invalid("query", query.errors)
        settings = _settings()
        storage = file_storage()
        store = storage.store
        observer = file_observer()
        key = self.new_key()
        used = self.used_bytes()
        try:
            limit = streamed_limit(used, settings.files_quota_bytes, settings.files_max_size)
            content_type, size = async_to_sync(_stream_in)(store, key, request._request, settings, limit)
        except UnsupportedContent as exc:
            observer.refused("type_refused")
            raise FileRefused(415, str(exc)) from None
        except QuotaExceeded as exc:
            observer.refused("quota")
            raise FileRefused(409, str(exc)) from None
        except ObjectTooLarge:
            refused = refusal_past(limit, used=used, quota=settings.files_quota_bytes, max_size=settings.files_max_size)
            observer.refused(refusal(refused))
            raise FileRefused(409 if isinstance(refused, QuotaExceeded) else 413, str(refused)) from None
        except Exception:
            observer.refused("storage_error")  # the store failed: nothing was kept
            raise
        try:
            with transaction.atomic():
                row = File.objects.create(
                    name=query.validated_data["name"],
                    content_type=content_type,
                    size_bytes=size,
                    storage_key=key,
                    status=FileStatus.QUARANTINED,
                    **self.owner_of_new_rows(),
                )
                self.publish("created", row.pk, row.row_version, self.owner_id_of(row))
                row = after_stored(storage, row)
        except BaseException:
            async_to_sync(store.delete)(key)  # no record, no object
            raise
        observer.stored("stream", size)
        headers = {"Location": f"{request.path}/{row.pk}", "ETag": row.etag}
        return Response(self.get_serializer(row).data, status=201, headers=headers)

    @extend_schema(
        summary="Start a direct upload: a presigned form to post the file to storage with",
        operation_id="start_upload",
        request=DirectUploadInSerializer,
        examples=_DIRECT_EXAMPLES,
        responses={
            201: DirectUploadSerializer,
            **problem_responses(
                400, 409, 413, 415, 422, instance="/api/v1/files/uploads", field="body.content_type", details=_DETAILS
            ),
        },
    )
    @action(detail=False, methods=["post"], url_path="uploads")
    def start_upload(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.validated(DirectUploadInSerializer)
        settings = _settings()
        content_type = normalise(data["content_type"])
        observer = file_observer()
        if content_type not in settings.allowed_file_types:
            observer.refused("type_refused")
            raise invalid("body", {"content_type": [not_accepted(content_type)]})
        if data["size_bytes"] > settings.files_max_size:
            observer.refused("too_large")
            raise FileRefused(413, str(ObjectTooLarge(settings.files_max_size)))
        try:  # the pending file reserves its size: two presigns cannot share the room left
            check_quota(self.used_bytes(), data["size_bytes"], settings.files_quota_bytes)
        except QuotaExceeded as exc:
            observer.refused("quota")
            raise FileRefused(409, str(exc)) from None
        key = self.new_key()
        try:
            form = file_store().presigned_post(
                key, content_type=content_type, size=data["size_bytes"], expires_in=settings.files_url_expiry
            )
        except PresignNotSupported as exc:
            raise FileRefused(409, str(exc)) from None
        pending = File.objects.create(
            name=data["name"],
            content_type=content_type,
            size_bytes=data["size_bytes"],
            storage_key=key,
            status=FileStatus.PENDING,
            **self.owner_of_new_rows(),
        )
        body = {
            "file": pending,
            "upload": {"url": form.url, "fields": form.fields},
            "expires_in": settings.files_url_expiry,
        }
        return Response(DirectUploadSerializer(body).data, status=201)

    @extend_schema(
        summary="Complete a direct upload: the stored object is checked, then the file is listed",
        operation_id="complete_upload",
        request=None,
        parameters=[FILE_ID],
        responses={
            200: FileSerializer,
            **problem_responses(
                404, 409, 422, instance=f"{_INSTANCE}/complete", field="path.file_id", details=_DETAILS
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        pending = self.get_object()
        expected = ExpectedUpload(
            owner_id=self.owner_id_of(pending),
            key=pending.storage_key,
            size=pending.size_bytes,
            content_type=pending.content_type,
        )
        storage = file_storage()
        store = storage.store
        settings = _settings()
        observer = file_observer()
        try:
            async_to_sync(check_completed)(store, expected, settings.allowed_file_types)
        except UploadRefused as exc:
            # The wrong object goes; the file stays pending, and its form may still upload the right one.
            observer.refused("completion_mismatch")
            async_to_sync(store.delete)(pending.storage_key)
            raise FileRefused(409, str(exc)) from None
        try:  # its own size counts already (reserved at the presign): over only if the quota shrank meanwhile
            used = self.used_bytes(pending.created_at)  # its own reservation counted, then taken off
            check_quota(used - pending.size_bytes, pending.size_bytes, settings.files_quota_bytes)
        except QuotaExceeded as exc:
            observer.refused("quota")
            async_to_sync(store.delete)(pending.storage_key)
            File.objects.filter(pk=pending.pk, status=FileStatus.PENDING).delete()  # the refusal keeps nothing
            raise FileRefused(409, str(exc)) from None
        with transaction.atomic():
            moved = File.objects.filter(pk=pending.pk, status=FileStatus.PENDING).update(
                status=FileStatus.QUARANTINED, row_version=F("row_version") + 1, updated_at=timezone.now()
            )
            stored = File.objects.get(pk=pending.pk)
            if moved:  # else completed by a concurrent request a moment ago
                self.publish("created", stored.pk, stored.row_version, self.owner_id_of(stored))  # in its owner's list
                observer.stored("presigned", stored.size_bytes)
                stored = after_stored(storage, stored)
        return Response(self.get_serializer(stored).data, headers={"ETag": stored.etag})

    @extend_schema(
        summary="Download a file",
        operation_id="download_file",
        parameters=[FILE_ID],
        responses={
            (200, "*/*"): OpenApiResponse(OpenApiTypes.STR, description="The file's bytes, as an attachment"),
            **problem_responses(404, 409, 422, instance=f"{_INSTANCE}/content", field="path.file_id", details=_DETAILS),
        },
    )
    @action(detail=True, methods=["get"])
    def content(self, request: Request, *args: Any, **kwargs: Any) -> StreamingHttpResponse:
        found = self.get_object()
        if found.status != FileStatus.READY:  # quarantined (not scanned yet) or rejected: never served
            raise FileRefused(409, f"File {found.pk} is {found.status}, not ready to download")
        response = StreamingHttpResponse(file_store().read(found.storage_key), content_type=found.content_type)
        response["Content-Disposition"] = attachment(found.name)
        response["Content-Length"] = str(found.size_bytes)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with transaction.atomic():
            found = self.get_object()
            response = super().destroy(request, *args, **kwargs)
            if response.status_code < 300:
                after_deleted(file_storage(), found)
        return response
