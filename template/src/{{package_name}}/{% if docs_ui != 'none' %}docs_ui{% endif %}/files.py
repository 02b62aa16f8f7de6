"""The docs pages' files and how they are sent, whatever the web framework (it only routes the pages here).

A docs page is a folder: the page (`index.html`), its init script and the vendored UI (`vendor/`, pinned versions
listed in `vendor/manifest.json`), static files read once per process. This package is the page at /docs; a second
page (ReDoc at /redoc, when the service has one) is a sibling package with the same layout. Vendored files are
cached for a year (their URL carries the version), the others revalidate with a strong ETag; bundles go out gzipped
to clients that accept it. A page's Content-Security-Policy comes from `page_policy`: scripts from this origin
only, never inline, never eval.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

DOCS_PATH: Final = "/docs"
ASSETS_PATH: Final = "/docs/assets"
REDOC_PATH: Final = "/redoc"
ASSET_DIR: Final = Path(__file__).parent
VENDOR_DIR: Final = ASSET_DIR / "vendor"
MEDIA_TYPES: Final = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}

# Vendored files are requested as `<name>?v=<version>` by the page, so a new version is a new URL: cache for a year.
VENDOR_CACHE: Final = "public, max-age=31536000, immutable"
# The page and the init script change with the project, not with a version: revalidate (cheap, ETag) every time.
REVALIDATE: Final = "no-cache"
# Smaller files are not worth a Content-Encoding (the page itself is about 500 bytes).
GZIP_MIN_SIZE: Final = 1024


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    media_type: str
    cache_control: str

    @functools.cached_property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"'

    @property
    def compressible(self) -> bool:
        return len(self.body) >= GZIP_MIN_SIZE

    @functools.cached_property
    def gzipped(self) -> bytes:
        """Compressed on first use, then kept (Scalar's bundle: 4.35 MB -> 1.26 MB); start-up stays fast."""
        return gzip.compress(self.body, compresslevel=6, mtime=0)


@dataclass(frozen=True)
class Reply:
    """What to answer for one request of a static file: 200 (maybe gzipped) or 304, and the headers."""

    static: StaticFile
    not_modified: bool
    compressed: bool
    headers: dict[str, str]

    def body(self) -> bytes:
        """The bytes to send. The first gzipped reply of a bundle compresses it (about 0.1 s): call this off the
        event loop when `compressed`."""
        if self.not_modified:
            return b""
        return self.static.gzipped if self.compressed else self.static.body


def negotiate(static: StaticFile, *, accept_encoding: str, if_none_match: str) -> Reply:
    headers = {"Cache-Control": static.cache_control, "Vary": "Accept-Encoding"}
    compressed = static.compressible and accepts_gzip(accept_encoding)
    # Each representation has its own strong ETag.
    headers["ETag"] = static.etag[:-1] + '-gzip"' if compressed else static.etag
    if headers["ETag"] in if_none_match:
        return Reply(static, not_modified=True, compressed=False, headers=headers)
    if compressed:
        headers["Content-Encoding"] = "gzip"
    return Reply(static, not_modified=False, compressed=compressed, headers=headers)


def accepts_gzip(accept_encoding: str) -> bool:
    for entry in accept_encoding.lower().split(","):
        coding, _, params = entry.partition(";")
        if coding.strip() in {"gzip", "*"}:
            return params.replace(" ", "") not in {"q=0", "q=0.0", "q=0.00", "q=0.000"}
    return False


def page_policy(*, inline_styles: bool, worker_src: str | None) -> str:
    """The docs page's CSP: everything from this origin only; inline *styles* only for the UIs that inject them."""
    directives = [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'" if inline_styles else "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
    ]
    if worker_src:
        directives.append(f"worker-src {worker_src}")
    directives += ["frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'"]
    return "; ".join(directives)


@dataclass(frozen=True)
class DocsPage:
    """One docs page: its name (the key of its link in `GET /`), where it is served, the folder its files come from
    and what its UI needs from the CSP."""

    name: str
    path: str
    folder: Path
    inline_styles: bool
    worker_src: str | None

    @property
    def assets_path(self) -> str:
        return self.path + "/assets"

    @property
    def policy(self) -> str:
        return page_policy(inline_styles=self.inline_styles, worker_src=self.worker_src)

    def page(self) -> StaticFile:
        return load_page(self.folder)

    def asset(self, name: str) -> StaticFile | None:
        return load_assets(self.folder).get(name)


@functools.cache
def load_page(folder: Path = ASSET_DIR) -> StaticFile:
    return StaticFile((folder / "index.html").read_bytes(), "text/html; charset=utf-8", REVALIDATE)


@functools.cache
def load_assets(folder: Path = ASSET_DIR) -> dict[str, StaticFile]:
    """The files a page's `assets` path serves, by name: its own scripts and the vendored scripts and stylesheets."""
    assets = {
        path.name: StaticFile(path.read_bytes(), MEDIA_TYPES[path.suffix], REVALIDATE)
        for path in sorted(folder.iterdir())
        if path.suffix in MEDIA_TYPES
    }
    for name in vendor_manifest(folder)["files"]:
        media_type = MEDIA_TYPES.get(Path(name).suffix)
        if media_type is not None:  # licenses stay in the package, they are not served
            assets[name] = StaticFile((folder / "vendor" / name).read_bytes(), media_type, VENDOR_CACHE)
    return assets


@functools.cache
def vendor_manifest(folder: Path = ASSET_DIR) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((folder / "vendor" / "manifest.json").read_text())
    return manifest
