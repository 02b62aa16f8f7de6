"""Who may call each files route: the scopes its bearer token must carry."""

from __future__ import annotations

from typing import Final

from ..api.access import requires

FILES_READ: Final = "files:read"
FILES_WRITE: Final = "files:write"
FILES_ADMIN: Final = "files:admin"
"""Widens what `files:read` and `files:write` act on to every owner's files (alone it grants nothing)."""

READ_FILES = [requires(FILES_READ)]
"""Listing, reading and downloading files."""
WRITE_FILES = [requires(FILES_WRITE)]
"""Uploading, completing and deleting files."""
