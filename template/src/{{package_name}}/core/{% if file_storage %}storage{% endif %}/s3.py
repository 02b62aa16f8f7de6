"""S3-compatible object storage (AWS S3, Ceph, Garage, SeaweedFS, moto in tests) through boto3.

boto3 is synchronous: every call runs in a worker thread, so a slow bucket holds a thread, never the event loop.
Credentials come from the settings (SecretStr) straight into the client and are kept nowhere else: neither this
object's repr nor a log line can show them.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Final

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from ..settings_files import FilesSettings
from .stores import READ_CHUNK, ObjectTooLarge, PresignedPost, StoredObject

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
else:
    S3Client = Any

PART_SIZE: Final = 8 * 1024 * 1024
"""Bytes per part of a multipart upload (S3's minimum is 5 MiB): about what a streamed upload holds in memory."""
MAX_PRESIGN_SECONDS: Final = 15 * 60
_MISSING: Final = frozenset({"404", "NoSuchKey", "NotFound"})


def s3_client(settings: FilesSettings) -> S3Client:
    """A client for the settings' endpoint. Since boto3 1.36 every request carries a checksum by default, which
    many S3-compatible stores refuse: `when_required` sends one only where S3 requires it."""
    config = Config(
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        signature_version="s3v4",
        # An endpoint of its own (not AWS) rarely has a DNS name per bucket: address buckets in the path.
        s3={"addressing_style": "path" if settings.s3_endpoint_url else "auto"},
        retries={"mode": "standard", "max_attempts": 3},
    )
    access_key = settings.s3_access_key_id
    secret_key = settings.s3_secret_access_key
    return boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url,
        region_name=settings.s3_region,
        # None: boto3's own chain (an instance role, a web identity token) provides them.
        aws_access_key_id=access_key.get_secret_value() if access_key is not None else None,
        aws_secret_access_key=secret_key.get_secret_value() if secret_key is not None else None,
        config=config,
    )


class S3Store:
    """Objects in one bucket."""

    def __init__(self, client: S3Client, bucket: str) -> None:
        self._client = client
        self.bucket = bucket

    @classmethod
    def from_settings(cls, settings: FilesSettings) -> S3Store:
        return cls(s3_client(settings), settings.s3_bucket)

    def __repr__(self) -> str:
        return f"S3Store(bucket={self.bucket!r})"

    async def write(self, key: str, chunks: AsyncIterator[bytes], *, content_type: str, limit: int) -> int:
        """One PUT for a file smaller than a part; a multipart upload otherwise, aborted (its parts deleted) when the
        file goes past `limit` or anything fails, so no part is left to be billed."""
        # Each chunk is copied once, into the part it belongs to, and dropped; the part goes to botocore as a file,
        # which it sends in blocks (as bytes, http.client would join it to the headers: another copy of the part).
        # Nothing more is read while a part is sent: one part in memory, whatever the file's size.
        part = io.BytesIO()
        size = 0
        upload_id: str | None = None
        parts: list[dict[str, Any]] = []
        try:
            async for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise ObjectTooLarge(limit)
                part.write(chunk)
                if part.tell() >= PART_SIZE:  # parts may differ in size: all but the last at least 5 MiB
                    if upload_id is None:
                        upload_id = await self._start_multipart(key, content_type)
                    parts.append(await self._upload_part(key, upload_id, len(parts) + 1, part))
                    part = io.BytesIO()
            if upload_id is None:
                part.seek(0)
                await asyncio.to_thread(
                    self._client.put_object, Bucket=self.bucket, Key=key, Body=part, ContentType=content_type
                )
                return size
            if part.tell():
                parts.append(await self._upload_part(key, upload_id, len(parts) + 1, part))
            await asyncio.to_thread(
                self._client.complete_multipart_upload,
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={"Parts": parts},  # type: ignore[typeddict-item]
            )
        except BaseException:
            if upload_id is not None:
                await asyncio.to_thread(
                    self._client.abort_multipart_upload, Bucket=self.bucket, Key=key, UploadId=upload_id
                )
            raise
        return size

    async def _start_multipart(self, key: str, content_type: str) -> str:
        started = await asyncio.to_thread(
            self._client.create_multipart_upload, Bucket=self.bucket, Key=key, ContentType=content_type
        )
        return str(started["UploadId"])

    async def _upload_part(self, key: str, upload_id: str, number: int, body: io.BytesIO) -> dict[str, Any]:
        body.seek(0)
        try:
            sent = await asyncio.to_thread(
                self._client.upload_part, Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body
            )
        finally:
            body.close()  # its bytes go now: botocore's request keeps the body until the garbage collector's next run
        return {"ETag": sent["ETag"], "PartNumber": number}

    async def read(self, key: str) -> AsyncIterator[bytes]:
        found = await asyncio.to_thread(self._client.get_object, Bucket=self.bucket, Key=key)
        body = found["Body"]
        try:
            while chunk := await asyncio.to_thread(body.read, READ_CHUNK):
                yield chunk
        finally:
            body.close()

    async def head(self, key: str, size: int) -> bytes:
        found = await asyncio.to_thread(
            self._client.get_object, Bucket=self.bucket, Key=key, Range=f"bytes=0-{size - 1}"
        )
        body = found["Body"]
        try:
            return await asyncio.to_thread(body.read)
        finally:
            body.close()

    async def stat(self, key: str) -> StoredObject | None:
        try:
            found = await asyncio.to_thread(self._client.head_object, Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code")) in _MISSING:
                return None
            raise
        return StoredObject(size=int(found["ContentLength"]), content_type=found.get("ContentType"))

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._client.delete_object, Bucket=self.bucket, Key=key)

    def presigned_post(self, key: str, *, content_type: str, size: int, expires_in: int) -> PresignedPost:
        """The policy holds the bucket, this exact key, this exact size and this content type; S3 refuses any form
        that differs, and any form after `expires_in` seconds (at most 15 minutes)."""
        if not 0 < expires_in <= MAX_PRESIGN_SECONDS:
            raise ValueError(f"a presigned upload lasts 1 to {MAX_PRESIGN_SECONDS} seconds, not {expires_in}")
        form = self._client.generate_presigned_post(
            Bucket=self.bucket,
            Key=key,  # botocore adds the condition {"key": key}: this key and no other
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", size, size]],
            ExpiresIn=expires_in,
        )
        return PresignedPost(url=str(form["url"]), fields={name: str(value) for name, value in form["fields"].items()})
