"""The docs UI chosen for this service: Swagger UI (`swagger-ui-dist`), vendored in `vendor/` (Apache-2.0 license).

`files.py` reads and sends `index.html`, `docs-init.js` and the vendored bundle and stylesheet at /docs.
Versions, sizes and checksums are in `vendor/manifest.json`; a new release of the service updates
them.
"""

from typing import Final

NAME: Final = "Swagger UI"
# Swagger UI ships a plain stylesheet: the page's CSP needs no inline styles at all.
INLINE_STYLES: Final = False
# Swagger UI starts no web worker.
WORKER_SRC: Final[str | None] = None
