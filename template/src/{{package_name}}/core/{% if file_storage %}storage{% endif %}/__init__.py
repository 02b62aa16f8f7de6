"""Files kept outside the database: one store interface (`FileStore`), a local directory for development, demos and
SQLite deployments (`LocalStore`), S3-compatible object storage for staging and production (`S3Store`), and the rules
every upload passes whichever way it comes in (content.py, uploads.py).

Two ways in, each bounded:
- streamed through the service (`FileStore.write`): never more than one part in memory, refused past the size limit
  with nothing left behind (no object, no multipart part);
- straight from the browser to the bucket by a presigned POST (`FileStore.presigned_post`), whose policy fixes the
  key (under the caller's prefix, chosen here), the exact size and the content type, for at most 15 minutes; the
  record becomes visible only once `check_completed` has found the object with that size, type and key.

What follows (lifecycle.py): a stored file's states (quarantined until the scanner passes it), each owner's quota,
and which direct uploads are abandoned.
"""

from __future__ import annotations

from .content import (
    FILE_NAME_PATTERN,
    UnsupportedContent,
    attachment,
    check_content,
    normalise,
    not_accepted,
    plain_name,
    sniff,
)
from .stores import (
    FileStore,
    LocalStore,
    ObjectTooLarge,
    PresignedPost,
    PresignNotSupported,
    StoredObject,
    open_store,
)
from .uploads import ExpectedUpload, UploadRefused, check_completed, checked_stream, new_key, owner_prefix

__all__ = [
    "FILE_NAME_PATTERN",
    "ExpectedUpload",
    "FileStore",
    "LocalStore",
    "ObjectTooLarge",
    "PresignNotSupported",
    "PresignedPost",
    "StoredObject",
    "UnsupportedContent",
    "UploadRefused",
    "attachment",
    "check_completed",
    "check_content",
    "checked_stream",
    "new_key",
    "normalise",
    "not_accepted",
    "open_store",
    "owner_prefix",
    "plain_name",
    "sniff",
]
