"""The rules of an upload, whichever way it comes in: where its object goes (a key under its owner's prefix, made
here), what its first bytes must say (content.py), and what `complete` checks of a browser's direct upload before
the file becomes visible."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

from .content import SNIFF_BYTES, UnsupportedContent, check_content, normalise
from .stores import FileStore


class UploadRefused(Exception):  # noqa: N818 - a refusal, answered as a 409
    """A direct upload's object is not the one its presign allowed (missing, another size, type or key)."""


def owner_prefix(owner_id: str | None) -> str:
    """The key prefix of `owner_id`'s files. A digest, not the id: keys show in URLs and bucket listings, and an
    account's id (an email, a subject) has no business there. None (no owner: a service without accounts) has one
    prefix of its own."""
    name = "shared" if owner_id is None else hashlib.sha256(owner_id.encode()).hexdigest()[:32]
    return f"files/{name}/"


def new_key(owner_id: str | None, file_id: uuid.UUID) -> str:
    """The object key of a new file: chosen by the service, under its owner's prefix, never from the client."""
    return f"{owner_prefix(owner_id)}{file_id}"


async def checked_stream(
    chunks: AsyncIterator[bytes], content_type: str, allowed: frozenset[str]
) -> tuple[str, AsyncIterator[bytes]]:
    """The media type of the upload `chunks` is, checked (content.py) on its first bytes before any is stored, and
    the whole stream again, those bytes first. UnsupportedContent when it is not allowed or not what it says."""
    head = bytearray()
    async for chunk in chunks:
        head += chunk
        if len(head) >= SNIFF_BYTES:
            break
    media_type = check_content(content_type, bytes(head), allowed)

    async def whole() -> AsyncIterator[bytes]:
        if head:
            yield bytes(head)
        async for chunk in chunks:
            yield chunk

    return media_type, whole()


@dataclass(frozen=True)
class ExpectedUpload:
    """What a presign allowed: the object at `key`, of `size` bytes and `content_type`, for `owner_id`."""

    owner_id: str | None
    key: str
    size: int
    content_type: str


async def check_completed(store: FileStore, expected: ExpectedUpload, allowed: frozenset[str]) -> None:
    """Whether the object a browser uploaded is the one its presign allowed: the key under the owner's prefix, the
    exact size, the type, and first bytes that agree with it. UploadRefused (or UnsupportedContent) otherwise.

    A store's own enforcement of the policy is not relied upon (some S3-compatible stores, and moto, ignore it)."""
    if not expected.key.startswith(owner_prefix(expected.owner_id)):
        raise UploadRefused("The upload's key is not the caller's")
    found = await store.stat(expected.key)
    if found is None:
        raise UploadRefused("Nothing was uploaded for this file yet")
    if found.size != expected.size:
        raise UploadRefused(f"The uploaded file has {found.size} bytes, not the {expected.size} announced")
    if found.content_type is not None and normalise(found.content_type) != expected.content_type:
        raise UploadRefused(f"The uploaded file is {found.content_type}, not {expected.content_type}")
    try:
        check_content(expected.content_type, await store.head(expected.key, SNIFF_BYTES), allowed)
    except UnsupportedContent as exc:
        raise UploadRefused(str(exc)) from None
