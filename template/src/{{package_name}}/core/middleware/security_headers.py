"""Security headers (OWASP Secure Headers Project values) on every HTTP response, errors included."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Final

from ..asgi_types import ASGIApp, Message, Receive, Scope, Send
from ..request_context import RESPONSE_HEADERS_KEY

Headers = list[tuple[bytes, bytes]]

API_CONTENT_SECURITY_POLICY: Final = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
PERMISSIONS_POLICY: Final = (
    "accelerometer=(), autoplay=(), camera=(), clipboard-read=(), clipboard-write=(), display-capture=(), "
    "encrypted-media=(), fullscreen=(), geolocation=(), gyroscope=(), hid=(), idle-detection=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), picture-in-picture=(), publickey-credentials-get=(), "
    "screen-wake-lock=(), serial=(), sync-xhr=(), usb=(), web-share=(), xr-spatial-tracking=()"
)
HSTS_MAX_AGE: Final = 63_072_000  # two years, in seconds
HSTS_PRELOAD_MIN_MAX_AGE: Final = 31_536_000  # one year: the preload list (hstspreload.org) accepts no less


def strict_transport_security(
    max_age: int = HSTS_MAX_AGE, *, include_subdomains: bool = True, preload: bool = False
) -> str:
    """The `Strict-Transport-Security` value (RFC 6797) of the HSTS_* settings."""
    directives = [f"max-age={max_age}"]
    if include_subdomains:
        directives.append("includeSubDomains")
    if preload:
        directives.append("preload")
    return "; ".join(directives)


HSTS: Final = strict_transport_security()
# Script sources that would let an injected string run as code: the API's policy must never allow them in production.
UNSAFE_SCRIPT_SOURCES: Final = ("'unsafe-eval'", "*")
_SCRIPT_DIRECTIVES: Final = ("script-src-elem", "script-src-attr")


def policy_directives(policy: str) -> dict[str, list[str]]:
    """A Content-Security-Policy as directive name → sources (the first of a repeated directive counts, as in
    browsers)."""
    directives: dict[str, list[str]] = {}
    for part in policy.split(";"):
        if part.strip():
            name, *sources = part.split()
            directives.setdefault(name.lower(), sources)
    return directives


def unsafe_script_sources(policy: str) -> list[str]:
    """The sources of `UNSAFE_SCRIPT_SOURCES` a policy allows scripts from, following CSP's fallbacks
    (script-src-elem/-attr → script-src → default-src); none when scripts have no directive at all."""
    directives = policy_directives(policy)
    found: list[str] = []
    for directive in _SCRIPT_DIRECTIVES:
        fallback = directives.get("script-src", directives.get("default-src", []))
        for source in directives.get(directive, fallback):
            if source.lower() in UNSAFE_SCRIPT_SOURCES and source.lower() not in found:
                found.append(source.lower())
    return found


def _encode(headers: dict[str, str]) -> Headers:
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]


def common_headers(*, hsts: bool, hsts_value: str = HSTS) -> dict[str, str]:
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
        headers["Strict-Transport-Security"] = hsts_value
    return headers


class SecurityHeadersMiddleware:
    """Adds the headers to every response; headers an inner layer already set (e.g. a page's own CSP) win.

    `page_policies` maps a path prefix to the Content-Security-Policy of pages served there (the docs UI);
    everything else is an API response and gets `api_policy` (CONTENT_SECURITY_POLICY) and `Cache-Control:
    no-store`. `hsts_value` is sent when `hsts` (production). The layers inside it add their own headers through it
    (`RESPONSE_HEADERS_KEY`): the response's headers are copied once for all of them.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        hsts: bool,
        page_policies: dict[str, str] | None = None,
        hsts_value: str = HSTS,
        api_policy: str = API_CONTENT_SECURITY_POLICY,
    ) -> None:
        self.app = app
        common = common_headers(hsts=hsts, hsts_value=hsts_value)
        # Pre-encoded once: the hot path only concatenates lists.
        self._api_headers: Headers = _encode(
            {**common, "Content-Security-Policy": api_policy, "Cache-Control": "no-store, max-age=0"}
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

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # Not on the coroutine chain while the request waits: see the package's docstring.
        if scope["type"] != "http":
            return self.app(scope, receive, send)
        extra = self._headers_for(scope["path"])
        added: Headers = []
        scope[RESPONSE_HEADERS_KEY] = added  # the inner layers' headers (request id, timing), sent with ours

        ours = self._names

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {lowered for name, _ in headers if (lowered := name.lower()) in ours}
                # Usual case: the inner layers set none of ours, and the pre-encoded list is appended whole.
                headers.extend([header for header in extra if header[0] not in present] if present else extra)
                headers.extend(added)
                message["headers"] = headers
            await send(message)

        return self.app(scope, receive, send_with_headers)
