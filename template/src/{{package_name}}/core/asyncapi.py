"""The event stream's protocol as an AsyncAPI 3 document, served beside the OpenAPI document at `/asyncapi.json`
(while DOCS_ENABLED): what a client may send and receive on `/api/v1/events`, and the close codes of
core/websockets.py, and the event types the service's domains declare (core/domain_events.py). Built from those
modules' constants and declarations, so it says what the service does."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from .domain_events import DomainEvent, declared_events
from .events import EVENTS_PATH, RESYNC
from .websockets import (
    BEARER_SUBPROTOCOL,
    CLOSE_FORBIDDEN,
    CLOSE_IDLE,
    CLOSE_MESSAGE_TOO_BIG,
    CLOSE_SERVICE_RESTART,
    CLOSE_TOO_MANY_CONNECTIONS,
    CLOSE_TOO_MANY_MESSAGES,
    CLOSE_UNAUTHENTICATED,
)

ASYNCAPI_PATH: Final = "/asyncapi.json"

CLOSE_CODES: Final = {
    CLOSE_UNAUTHENTICATED: "no valid token (missing, expired, revoked): get a new token, then reconnect",
    CLOSE_FORBIDDEN: "the token lacks the route's scopes: retrying with it will not help",
    CLOSE_TOO_MANY_CONNECTIONS: "this subject holds WEBSOCKET_MAX_CONNECTIONS sockets on this replica already",
    CLOSE_TOO_MANY_MESSAGES: "more than WEBSOCKET_MESSAGES_PER_SECOND messages a second: back off",
    CLOSE_MESSAGE_TOO_BIG: "a message longer than WEBSOCKET_MAX_MESSAGE_BYTES",
    CLOSE_IDLE: "no message for WEBSOCKET_IDLE_TIMEOUT seconds: send pings more often",
    CLOSE_SERVICE_RESTART: "the service is stopping: reconnect with backoff",
    1013: "this replica cannot deliver events right now, or the client reads too slowly: reconnect with backoff",
}


def _message(name: str, summary: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "summary": summary, "contentType": "application/json", "payload": payload}


def _typed(type_schema: dict[str, Any], **properties: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["type", *properties],
        "properties": {"type": type_schema, **properties},
    }


def asyncapi_document(
    *, title: str, version: str, authenticated: bool, events: Iterable[DomainEvent[Any]] | None = None
) -> dict[str, Any]:
    """The AsyncAPI 3 document of the event stream; `events`: the domains' own event types (None: those the
    service's domains declare)."""
    closing = "; ".join(f"{code}: {meaning}" for code, meaning in CLOSE_CODES.items())
    record_event = _typed(
        {"type": "string", "pattern": r"^[a-z][a-z0-9_]*\.(created|updated|deleted)$"},
        id={"type": "string", "format": "uuid"},
        version={"type": "integer", "minimum": 1, "description": "The record's version (its ETag's) after the change"},
    )
    messages = {
        "ready": _message(
            "ready", "First message: from now on no committed change is missed", _typed({"const": "ready"})
        ),
        "recordChanged": _message(
            "recordChanged",
            "A record of the connection's subject was created, updated or deleted, and its write committed (by a "
            "request or by a job: each change a job commits to a long-running operation is an `operations.updated`)",
            record_event,
        ),
        "resync": _message(
            "resync",
            "Events may have been missed (the replica lost its connection to Redis or PostgreSQL, or an event could "
            "not be published): read again over HTTP what you show. Sent once events flow again",
            _typed({"const": RESYNC}),
        ),
        "pong": _message("pong", "The answer to a ping", _typed({"const": "pong"})),
        "ping": _message("ping", "Keeps the connection from being closed as idle", _typed({"const": "ping"})),
    }
    schemas: dict[str, Any] = {}
    declared = declared_events() if events is None else tuple(events)
    for each in declared:
        payload, definitions = each.message_payload("#/components/schemas/{model}")
        schemas.update(definitions)
        messages[each.name] = _message(each.name, each.summary, payload)
    received = ("ready", "recordChanged", *(each.name for each in declared), "resync", "pong")
    channel: dict[str, Any] = {
        "address": EVENTS_PATH,
        "title": "Events",
        "description": (
            "The changes of the records the connection's subject owns (its own only, whatever its scopes), and of "
            "the shared resources' records its token's scopes may read, on every replica. Reconnect with a growing, "
            "jittered delay, and read again over HTTP what you show: events published while disconnected are not "
            "replayed; do the same on a `resync` message. Any message other than a ping is ignored. Close codes: "
            f"{closing}."
        ),
        "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in messages},
    }
    document: dict[str, Any] = {
        "asyncapi": "3.0.0",
        "info": {"title": f"{title} events", "version": version},
        "defaultContentType": "application/json",
        "channels": {"events": channel},
        "operations": {
            "receiveEvents": {
                "action": "receive",
                "channel": {"$ref": "#/channels/events"},
                "summary": "What the service sends",
                "messages": [{"$ref": f"#/channels/events/messages/{name}"} for name in received],
            },
            "sendPing": {
                "action": "send",
                "channel": {"$ref": "#/channels/events"},
                "summary": "What a client may send",
                "messages": [{"$ref": "#/channels/events/messages/ping"}],
            },
        },
        "components": {"messages": messages, **({"schemas": schemas} if schemas else {})},
    }
    if authenticated:
        document["components"]["securitySchemes"] = {
            "bearer": {
                "type": "httpApiKey",
                "name": "Sec-WebSocket-Protocol",
                "in": "header",
                "description": (
                    f"The access token as a subprotocol: offer `{BEARER_SUBPROTOCOL}` and the token (a browser: "
                    f'`new WebSocket(url, ["{BEARER_SUBPROTOCOL}", token])`); never in the URL. Non-browser clients '
                    "may send `Authorization: Bearer <token>` instead."
                ),
            }
        }
        for operation in document["operations"].values():
            operation["security"] = [{"$ref": "#/components/securitySchemes/bearer"}]
    return document
