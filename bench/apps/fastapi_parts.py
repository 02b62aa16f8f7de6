"""Where a rendered FastAPI service's `GET /api/v1/items/{id}` spends its CPU, part by part, in process (run by
`bench/fastapi_parts.py`).

    python fastapi_parts.py <package> <requests> <log> <database url>   # in a rendered project's venv, cwd = it

The whole rendered app in production shape (as `bench/middleware.py` serves it) reads a real PostgreSQL row with a real
bearer token, then the same app with one part taken out at a time, alternated round by round in one process: each pure
ASGI layer and then all of them (a copy of the app whose stack is built without it), the token's verification and scopes
(the guards that identify and refuse, and the route's `Security` dependency, answered by a fixed principal), the default
rate limit (its guard), the conditional read and `ETag` (`cacheable_read` answering nothing), response validation and
serialisation (the endpoint hands back the item's JSON already rendered), the database read (the repository's `get`
answering from memory; the session dependency still runs) and, with it, the read session (the dependency yields no
session). Parts are taken out by patching what the route calls, never by `dependency_overrides` (an override makes
FastAPI analyse the replacement again on every request, which costs more than most parts). `floor1` (bare FastAPI + the
service's headers + one asyncpg round trip, `bench/apps/floor.py`) is measured in the same rounds, with its read and
without (the item from memory). Thread CPU time per request, best of `ROUNDS` rounds, uvloop; and the count of Python
calls per request (function calls and C calls), which load does not move (it varies by a few dozen with the event loop's
callbacks). The last line is JSON for the driver.
"""

from __future__ import annotations

import contextlib
import copy
import importlib
import json
import os
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from uuid import UUID

sys.path.insert(0, str(Path(__file__).resolve().parent))
from app_cost import call, cost_us, http_scope, python_calls, service_environment
from fixtures import ITEM_BODY
from read_paths import contract_headers, floor1_app

ROUNDS = 9
CALLS_COUNTED = 100
CALLS_ROUNDS = 5
"""Calls are counted over `CALLS_COUNTED` requests in each of `CALLS_ROUNDS` alternated rounds, and the least is kept:
a round that met the revoked-token list's reload (once a second) or a collection of the garbage collector counts
more, never fewer."""
SCOPES = ["items:read", "items:write"]


def bearer(package: str, app: Any, settings: Any) -> tuple[tuple[bytes, bytes], ...]:
    """One token the service accepts: signed by its own keys (auth=users) or by the HMAC key (auth=jwt)."""
    if importlib.util.find_spec(f"{package}.core.auth") is None:
        return ()
    context = importlib.import_module(f"{package}.context").app_context(app)
    if importlib.util.find_spec(f"{package}.core.accounts") is not None:
        tokens = importlib.import_module(f"{package}.core.accounts.tokens")
        keys = context.component(importlib.import_module(f"{package}.core.accounts.keys").SigningKeys)
        issuer = tokens.AccessTokenIssuer(keys, settings.auth_issuer, settings.auth_audience, 3600)
        token = issuer.issue("bench-client", SCOPES).token
    else:
        token = importlib.import_module(f"{package}.core.auth").mint_token(settings, "bench-client", SCOPES)
    return ((b"authorization", f"Bearer {token}".encode()),)


def without_layer(app: Any, name: str) -> Any:
    """A shallow copy of the app (the same routes, state, guards and overrides) whose middleware stack is built
    without the layer named `name` (`*`: without any): requests enter through `FastAPI.__call__` as the whole app's
    do, so the difference is the layer alone."""
    variant = copy.copy(app)
    variant.user_middleware = [layer for layer in app.user_middleware if name not in ("*", layer.cls.__name__)]
    variant.middleware_stack = None  # built on the first request, from `user_middleware`
    return variant


class Parts:
    """Takes one part out of the rendered app at a time (`take_out(part)`; `take_out("whole")` puts all back)."""

    def __init__(self, package: str, app: Any, item: Any, headers: tuple[tuple[bytes, bytes], ...]) -> None:
        self.app = app
        self.routes = importlib.import_module(f"{package}.items.routes")
        self.original_read = self.routes.cacheable_read
        self.guards = app.state.api_guards
        self.dependencies_module = importlib.import_module(f"{package}.api.dependencies")
        self.read_session = self.dependencies_module.read_session
        self.item = item
        repository = importlib.import_module(f"{package}.items.repository")
        # The items' repository: the shared one declared for items, or (renders before it) the SQL repository.
        self.repository_class = getattr(repository, "SqlItemRepository", None) or repository.ItemRepository
        self.repository_get = self.repository_class.get
        self.guard_filters: dict[str, Callable[[Any], bool]] = {}
        self.body = json.dumps(item.model_dump(mode="json"), separators=(",", ":")).encode()
        self.security_class: Any = None
        if headers:
            bearer_module = importlib.import_module(f"{package}.integrations.bearer")
            auth = importlib.import_module(f"{package}.core.auth")
            principal = auth.Principal("bench-client", frozenset(SCOPES), None, 2**40)
            self.security_class = type(bearer_module.authenticated)
            self.security_call = self.security_class.__call__

            async def fixed_principal(self: Any, connection: Any, security_scopes: Any) -> Any:
                return principal

            self.fixed_principal = fixed_principal
            identify, refuse = bearer_module.identify, bearer_module.refuse_unauthenticated
            self.bearer_module, self.identify = bearer_module, identify
            outcome_key = getattr(bearer_module, "_OUTCOME_STATE_KEY", None)

            async def fixed_identify(connection: Any) -> None:
                # What the repository's owner reads (`verified_principal`) when no guard identified the caller.
                connection.scope.setdefault("state", {})[outcome_key] = principal

            self.fixed_identify = fixed_identify
            self.guard_filters["token verification and scopes"] = lambda guard: guard not in (identify, refuse)
        limiter = importlib.import_module(f"{package}.integrations.rate_limiting.limiter").ClientRateLimiter
        self.guard_filters["default rate limit"] = lambda guard: not isinstance(guard, limiter)

    def parts(self) -> list[str]:
        return [
            *self.guard_filters,
            "conditional read and ETag",
            "response validation and serialisation",
            "database read",
            "database read and the read session",
        ]

    def take_out(self, part: str) -> None:
        app = self.app
        app.dependency_overrides.clear()
        app.state.api_guards = self.guards
        self.routes.cacheable_read = self.original_read
        self.repository_class.get = self.repository_get
        if self.security_class is not None:
            self.security_class.__call__ = self.security_call
            self.bearer_module.identify = self.identify
        if part in self.guard_filters:
            app.state.api_guards = tuple(filter(self.guard_filters[part], self.guards))
        if part == "token verification and scopes":
            self.security_class.__call__ = self.fixed_principal  # the Security dependency is still solved
            self.bearer_module.identify = self.fixed_identify
        elif part == "conditional read and ETag":
            self.routes.cacheable_read = lambda etag, if_none_match, response: None
        elif part == "response validation and serialisation":
            self.routes.cacheable_read = self.rendered_read
        self.dependencies_module.read_session = self.read_session
        if part.startswith("database read"):
            item = self.item

            async def from_memory(repository: Any, item_id: UUID) -> Any:
                return item if item_id == item.id else None

            self.repository_class.get = from_memory
        if part == "database read and the read session":
            self.dependencies_module.read_session = no_session

    def rendered_read(self, etag: str, if_none_match: str | None, response: Any) -> Any:
        """The route's conditional read, then the item's JSON as rendered bytes: no validation, no serialisation."""
        from starlette.responses import Response

        unchanged = self.original_read(etag, if_none_match, response)
        if unchanged is not None:
            return unchanged
        return Response(self.body, media_type="application/json", headers=dict(response.headers))


@contextlib.asynccontextmanager
async def no_session(sessions: Any) -> AsyncIterator[None]:
    """What the session dependency enters for a GET, minus the session: the repository reads from memory."""
    yield None


async def calls_per_request(app: Any, path: str, requests: int, headers: tuple[tuple[bytes, bytes], ...]) -> float:
    """Python calls per request (function and C calls): exact where CPU time is noisy."""
    return await python_calls(lambda: cost_us(app, path, requests, headers)) / requests


async def verify_us(package: str, app: Any, headers: tuple[tuple[bytes, bytes], ...], calls: int = 5000) -> float:
    """One remembered token's `authenticate` (hash, memo look-up, expiry and revocation checks), per call."""
    if not headers:
        return 0.0
    auth = importlib.import_module(f"{package}.core.auth")
    verifier = importlib.import_module(f"{package}.context").app_context(app).component(auth.TokenVerifier)
    header = headers[0][1]
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.thread_time()
        for _ in range(calls):
            await verifier.authenticate(header)
        best = min(best, (time.thread_time() - started) / calls * 1e6)
    return best


async def main(package: str, requests: int, log_path: str, url: str) -> None:
    os.environ["DATABASE_URL"] = url
    service_environment(package, str(Path(log_path).parent))
    if os.environ.get("AUTH_SIGNING_KEYS"):  # auth=users: the service's own keys, no shared secret
        os.environ.pop("AUTH_JWT_SECRET", None)
    settings = importlib.import_module(f"{package}.config").load_settings()
    with open(log_path, "w") as access_log:
        app = importlib.import_module(f"{package}.app").create_app(settings, access_log_stream=access_log)
        async with app.router.lifespan_context(app):
            headers = bearer(package, app, settings)
            body = json.dumps(ITEM_BODY).encode()
            post = ((b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers)
            created = await call(app, http_scope("/api/v1/items", "POST", post), body)
            if created[0]["status"] != 201:
                raise SystemExit(f"POST /api/v1/items answered {created[0]['status']}: {created[1]['body']!r}")
            item_id = UUID(json.loads(created[1]["body"])["id"])
            path = f"/api/v1/items/{item_id}"
            sent = await call(app, http_scope(path, headers=headers))
            if sent[0]["status"] != 200:
                raise SystemExit(f"GET {path} answered {sent[0]['status']}")
            item = importlib.import_module(f"{package}.items.models").Item.model_validate_json(sent[1]["body"])
            parts = Parts(package, app, item, headers)
            apps: dict[str, Any] = {"whole": app}
            for layer in app.user_middleware:
                apps[f"layer: {layer.cls.__name__}"] = without_layer(app, layer.cls.__name__)
            apps["every pure ASGI layer"] = without_layer(app, "*")
            for part in parts.parts():
                apps[part] = app
            apps["floor1"] = floor1_app(package, url, contract_headers(sent[0]))
            apps["floor1 without its database read"] = apps["floor1"]
            floor_items = sys.modules["items"]  # bench/apps/items.py, what floor1 serves
            floor_read = floor_items.read_item
            floor_item = await floor_read(item_id)

            async def floor_from_memory(wanted: UUID) -> Any:
                return floor_item if wanted == floor_item.id else None

            def take_out(part: str) -> None:
                parts.take_out(part if part in parts.parts() else "whole")
                floor_items.read_item = floor_from_memory if part == "floor1 without its database read" else floor_read

            for part, candidate in apps.items():
                take_out(part)
                got = await call(candidate, http_scope(path, headers=headers))
                if got[0]["status"] != 200 or json.loads(got[-1]["body"] or b"{}").get("id") != str(item_id):
                    raise SystemExit(f"without {part}: GET {path} answered {got[0]['status']}")
            figures = {part: float("inf") for part in apps}
            for _ in range(ROUNDS):
                for part, candidate in apps.items():
                    take_out(part)
                    figures[part] = min(figures[part], await cost_us(candidate, path, requests, headers))
            calls = {part: float("inf") for part in apps}
            for _ in range(CALLS_ROUNDS):
                for part, candidate in apps.items():
                    take_out(part)
                    calls[part] = min(calls[part], await calls_per_request(candidate, path, CALLS_COUNTED, headers))
            take_out("whole")
            remembered_token_us = await verify_us(package, app, headers)
    whole = figures["whole"]
    print(f"  GET /api/v1/items/{{id}}, thread CPU per request (best of {ROUNDS} x {requests}) and Python calls")
    ratio = figures["floor1"] / whole
    print(f"    {'whole':<50} {whole:7.1f} us  {calls['whole']:6.0f} calls  floor1 / this {ratio:.2f}")
    for part, us in figures.items():
        if part != "whole":
            label = part if part.startswith("floor1") else f"without {part}"
            print(
                f"    {label:<50} {us:7.1f} us  {calls[part]:6.0f} calls  the part: {whole - us:+7.1f} us, "
                f"{calls['whole'] - calls[part]:+5.0f} calls"
            )
    print(f"    a remembered token's authenticate(): {remembered_token_us:.1f} us per call")
    result: dict[str, Any] = {"us": figures, "calls": calls, "remembered token us": remembered_token_us}
    print(json.dumps(result))


if __name__ == "__main__":
    import uvloop

    uvloop.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]))
