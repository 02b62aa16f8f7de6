"""The id of the request being served, visible to every log line and error body written while serving it."""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any, Final

SUBJECT_STATE_KEY: Final = "auth_subject"
"""Where authentication leaves the verified subject (`sub`) in the ASGI scope's `state`, for the layers around the
app: the access line and the rate limiter read it there."""

PRINCIPAL_STATE_KEY: Final = "auth_principal"
"""Where the WebSocket gate leaves the principal a connection was admitted as (core/websocket_tokens.py), for the
route that serves it."""


SERVER_ANSWER_STATE_KEY: Final = "server_answer_status"
"""The request's state key holding the status the HTTP server itself answered with (a body the parser refused
midway: 400 on the wire, whatever the application does next); the access line and metrics record that one."""

MALFORMED_REQUEST_STATE_KEY: Final = "malformed_request"
"""Set by the HTTP server (`core/server.py`) on a request its parser refused, with the reason: the errors layer
answers it with a 400 problem instead of calling the application."""

RESPONSE_HEADERS_KEY: Final = "response_headers"
"""Where the security headers layer keeps, in the ASGI scope, the list of headers the layers inside it add to the
request's response (the request id, the timing): it sends them with its own, in its one copy of the response's
headers, where each of those layers would copy the headers again. A layer that finds no list there (the security
headers layer is not around it) adds its headers to the response itself."""

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    return request_id_var.get()


def admitted_scopes(scope: Mapping[str, Any]) -> frozenset[str]:
    """The scopes of the token the WebSocket connection `scope` was admitted with (none on a public route, or in a
    service without authentication)."""
    principal = scope.get("state", {}).get(PRINCIPAL_STATE_KEY)
    scopes = getattr(principal, "scopes", None)
    return frozenset(scopes) if isinstance(scopes, frozenset) else frozenset()
