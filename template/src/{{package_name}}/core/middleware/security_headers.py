"""Security headers (OWASP Secure Headers Project values) on every HTTP response, errors included."""

from __future__ import annotations

from typing import Final

from ..asgi_types import ASGIApp, Message, Receive, Scope, Send

Headers = list[tuple[bytes, bytes]]

API_CONTENT_SECURITY_POLICY: Final = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
PERMISSIONS_POLICY: Final = (
    "accelerometer=(), autoplay=(), camera=(), clipboard-read=(), clipboard-write=(), display-capture=(), "
    "encrypted-media=(), fullscreen=(), geolocation=(), gyroscope=(), hid=(), idle-detection=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), picture-in-picture=(), publickey-credentials-get=(), "
    "screen-wake-lock=(), serial=(), sync-xhr=(), usb=(), web-share=(), xr-spatial-tracking=()"
)
HSTS: Final = "max-age=63072000; includeSubDomains"


def _encode(headers: dict[str, str]) -> Headers:
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]


def common_headers(*, hsts: bool) -> dict[str, str]:
    headers = {
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Permissions-Policy": PERMISSIONS_POLICY,
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
        "Cross-Origin-Embedder-Policy": "require-corp",
        "X-Permitted-Cross-Domain-Policies": "none",
        # The legacy XSS auditor caused more harm than good; "0" turns it off explicitly.
        "X-XSS-Protection": "0",
    }
    if hsts:
        headers["Strict-Transport-Security"] = HSTS
    return headers


class SecurityHeadersMiddleware:
    """Adds the headers to every response; headers an inner layer already set (e.g. a page's own CSP) win.

    `page_policies` maps a path prefix to the Content-Security-Policy of pages served there (the docs UI);
    everything else is an API response and gets the strict API policy and `Cache-Control: no-store`.
    """

    def __init__(self, app: ASGIApp, *, hsts: bool, page_policies: dict[str, str] | None = None) -> None:
        self.app = app
        common = common_headers(hsts=hsts)
        # Pre-encoded once: the hot path only concatenates lists.
        self._api_headers: Headers = _encode(
            {**common, "Content-Security-Policy": API_CONTENT_SECURITY_POLICY, "Cache-Control": "no-store, max-age=0"}
        )
        # Pages get their own CSP. `no-store` is only their default: a page or asset route sets its own caching
        # (inner headers win), while errors under the prefix (an unknown asset: 404) stay uncached like the API's.
        self._page_headers = [
            (prefix, _encode({**common, "Content-Security-Policy": policy, "Cache-Control": "no-store, max-age=0"}))
            for prefix, policy in (page_policies or {}).items()
        ]
        every_list = [self._api_headers, *(headers for _, headers in self._page_headers)]
        self._names = frozenset(name for headers in every_list for name, _ in headers)

    def _headers_for(self, path: str) -> Headers:
        for prefix, headers in self._page_headers:
            if path == prefix or path.startswith(prefix + "/"):
                return headers
        return self._api_headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self._headers_for(scope["path"])

        ours = self._names

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {lowered for name, _ in headers if (lowered := name.lower()) in ours}
                # Usual case: the inner layers set none of ours, and the pre-encoded list is appended whole.
                headers.extend([header for header in extra if header[0] not in present] if present else extra)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
