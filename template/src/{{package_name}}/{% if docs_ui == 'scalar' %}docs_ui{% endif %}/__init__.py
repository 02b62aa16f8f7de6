"""The docs UI chosen for this service: Scalar (`@scalar/api-reference`), vendored in `vendor/` (MIT license).

`files.py` reads and sends `index.html`, `docs-init.js` and the vendored bundle at /docs. Versions, sizes and
checksums are in `vendor/manifest.json`; a new release of the service updates them.
"""

from typing import Final

NAME: Final = "Scalar"
# Scalar adds its stylesheet as <style> elements at run time: the page's CSP must allow inline styles (not scripts).
INLINE_STYLES: Final = True
# Scalar starts no web worker.
WORKER_SRC: Final[str | None] = None
