"""Who may read and write files: the scopes a bearer token needs (the views' `required_scopes`), and the one that
reaches every owner's files."""

from __future__ import annotations

from typing import Final

from ..api.scopes import MethodScopes

FILE_SCOPES: Final = MethodScopes(read=("files:read",), write=("files:write",), admin="files:admin")
