"""The same routes with the stack teams usually write: each concern as its own `BaseHTTPMiddleware`.

Security headers, request id, timing, a JSON access log through stdlib `logging`, and CORS — the same
concerns as the rendered service, written the common way.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from pathlib import Path

from fastapi import FastAPI, Request, Response
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

sys.path.insert(0, str(Path(__file__).resolve().parent))
from items import router

ALLOWED_ORIGINS = {"https://app.example.com"}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), geolocation=(), microphone=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "X-Permitted-Cross-Domain-Policies": "none",
    "X-XSS-Protection": "0",
    "Cache-Control": "no-store, max-age=0",
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
}
VALID_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id_var.get(),
        }
        fields.update(getattr(record, "fields", {}))
        return json.dumps(fields)


handler = logging.StreamHandler(sys.stdout)
handler.setFormatter(JsonFormatter())
access_logger = logging.getLogger("access")
access_logger.addHandler(handler)
access_logger.setLevel(logging.INFO)
access_logger.propagate = False


class SecurityHeadersMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response


class RequestIdMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        incoming = request.headers.get("x-request-id") or request.headers.get("x-correlation-id")
        request_id = incoming if incoming and VALID_ID.fullmatch(incoming) else str(uuid.uuid4())
        request.state.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = await call_next(request)
        finally:
            request_id_var.reset(token)
        response.headers["X-Request-ID"] = request_id
        response.headers["X-Correlation-ID"] = request_id
        return response


class TimingMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        start = time.perf_counter()
        response = await call_next(request)
        elapsed = time.perf_counter() - start
        response.headers["Server-Timing"] = f"app;dur={elapsed * 1000:.3f}"
        response.headers["X-Process-Time"] = f"{elapsed:.6f}"
        return response


class AccessLogMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        start = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        access_logger.info(
            "request",
            extra={
                "fields": {
                    "method": request.method,
                    "path": request.url.path,
                    "route": getattr(route, "path", None),
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - start) * 1000, 3),
                    "client": request.client.host if request.client else None,
                }
            },
        )
        return response


class CorsMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        origin = request.headers.get("origin")
        if request.method == "OPTIONS" and origin and "access-control-request-method" in request.headers:
            if origin not in ALLOWED_ORIGINS:
                return Response("Disallowed CORS origin", status_code=400)
            return Response(
                status_code=200,
                headers={
                    "Access-Control-Allow-Origin": origin,
                    "Access-Control-Allow-Methods": "GET, HEAD, POST, PUT, PATCH, DELETE",
                    "Access-Control-Max-Age": "600",
                    "Vary": "Origin",
                },
            )
        response = await call_next(request)
        if origin in ALLOWED_ORIGINS:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Vary"] = "Origin"
        return response


app = FastAPI()
app.include_router(router)
# Last added runs first: headers outermost, then request id, timing, access log, CORS.
app.add_middleware(CorsMiddleware)
app.add_middleware(AccessLogMiddleware)
app.add_middleware(TimingMiddleware)
app.add_middleware(RequestIdMiddleware)
app.add_middleware(SecurityHeadersMiddleware)
