"""CORS from settings (Starlette's implementation), with refused preflights answered as problem+json."""

from __future__ import annotations

from typing import Final

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.types import Message, Receive, Scope, Send

from ..problems import problem_response

_ORIGIN: Final = b"origin"
_VARY: Final = b"vary"
_VARY_ORIGIN: Final = (_VARY, b"Origin")
_NO_HEADERS: Final = Headers(raw=[])


class ProblemCORSMiddleware(CORSMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        if _ORIGIN not in {name for name, _ in scope["headers"]}:
            # Not a CORS request (most traffic): all Starlette would do is add `Vary: Origin`. Done here
            # without parsing the request headers; a response that already varies takes Starlette's path.
            await self.app(scope, receive, self._varying_on_origin(send))
            return
        if scope["method"] == "OPTIONS":
            headers = Headers(scope=scope)
            if "access-control-request-method" in headers:
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

    def _varying_on_origin(self, send: Send) -> Send:
        async def send_with_vary(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if _VARY in {name.lower() for name, _ in headers}:
                    await self.send(message, send, _NO_HEADERS)
                    return
                headers.append(_VARY_ORIGIN)
                message["headers"] = headers
            await send(message)

        return send_with_vary
