"""CORS from settings (Starlette's implementation), with refused preflights answered as problem+json."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.types import Receive, Scope, Send

from ..problems import problem_response


class ProblemCORSMiddleware(CORSMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "OPTIONS":
            headers = Headers(scope=scope)
            if "origin" in headers and "access-control-request-method" in headers:
                response = self.preflight_response(request_headers=headers)
                if response.status_code >= 400:
                    kept = {
                        name: value
                        for name, value in response.headers.items()
                        if name.lower() not in ("content-type", "content-length")
                    }
                    detail = bytes(response.body).decode()
                    response = problem_response(response.status_code, detail, scope["path"], headers=kept)
                await response(scope, receive, send)
                return
        await super().__call__(scope, receive, send)
