"""Files attached to a domain record (an item's attachments), framework-neutral: the rule both adapters keep.

A resource takes attachments by declaring `attachments = True` (on its repository with FastAPI, on its view set with
Django); the files package then serves, for each such resource, `GET /api/v1/<resource>/{id}/attachments` (the
record's files), `PUT .../attachments/{file_id}` (attach) and `DELETE .../attachments/{file_id}` (detach).

- Both ends are the caller's: the record as its resource's repository shows it to the caller, the file as the files'
  repository does. Another owner's record or file is a 404 on every path, never a 403, and a list shows only the
  files the caller may see, whoever attached them.
- Attaching needs the resource's write scope and `files:read`; listing its read scope and `files:read`.
- Attaching twice is attaching once (PUT); detaching what is not attached is a 404.
- Deleting the record detaches its files; the files stay. A file is its owner's resource of its own (listed under
  /api/v1/files, perhaps attached to other records): the record's deletion is no order to destroy it. Deleting the
  file detaches it from every record.
"""

from __future__ import annotations

from typing import Final
from uuid import UUID

ATTACHMENTS_TABLE: Final = "attachments"
"""One table for every attachable resource: (resource, record id, file id), so declaring a resource attachable needs
no migration of its own."""
FILES_READ: Final = "files:read"
"""What a caller needs besides the record's scope: attaching a file shows it, listing shows them."""


def scopes_for(resource_scopes: tuple[str, ...]) -> tuple[str, ...]:
    """The scopes an attachments route needs: the record's (its resource's read or write scopes) and `files:read`."""
    return (*resource_scopes, *((FILES_READ,) if FILES_READ not in resource_scopes else ()))


def record_not_found(resource: str, record_id: UUID) -> str:
    """The 404's detail for a record the caller does not see (`items` -> "Item ... does not exist")."""
    return f"{resource.removesuffix('s').capitalize()} {record_id} does not exist"


def file_not_attached(file_id: UUID) -> str:
    return f"File {file_id} is not attached"


def file_not_found(file_id: UUID) -> str:
    return f"File {file_id} does not exist"
