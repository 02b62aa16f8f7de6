"""The docs UI chosen for this service: ReDoc (`redoc` 2.x), vendored in `vendor/` (MIT license).

`files.py` reads and sends `index.html`, `docs-init.js` and the vendored bundle at /docs. Versions, sizes and
checksums are in `vendor/manifest.json`; a new release of the service updates them.
"""

from typing import Final

NAME: Final = "ReDoc"
# ReDoc styles its components with styled-components (<style> elements): the CSP must allow inline styles.
INLINE_STYLES: Final = True
# ReDoc's search index runs in a web worker created from a blob: URL.
WORKER_SRC: Final[str | None] = "blob:"
