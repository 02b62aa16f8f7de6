"""A route's dependencies solved by a plan made once, when the route is built, instead of analysed on every request.

FastAPI's `solve_dependencies` walks the route's dependency tree on each request and asks of every node what it
already asked of it on the previous one: is it overridden, a generator, a coroutine, does it use scopes, what is its
cache key, which of its four kinds of parameters does it take (each looked up even when it takes none). For the item
read that walk was ~250 Python calls of ~1,500, more than the service's own guards and checks together
(`bench/fastapi_parts.py`). A `RoutePlan` asks once: each dependency becomes a step holding its callable, how to call
it, its cache key and the parameters it takes, and a request only runs the steps.

Everything a request sees is FastAPI's: parameters are validated by FastAPI's own field validation (the same 422
problems), a generator dependency is entered as FastAPI's `_solve_generator` enters it, on the same exit stacks (a
`scope="function"` one ends before the response is sent, a failed commit is still a 503), the answer is serialised by
FastAPI's `serialize_response` (`response_model` validation included) and carries the headers and status the
dependencies set on their `Response`. A route is planned only when each of its dependencies is one the plan runs as
FastAPI would (`plan_route` says None otherwise, and FastAPI solves it): an `async def` or an async generator, taking
path, query, header or cookie parameters, the request, the response, its security scopes and other dependencies; no
body, no background tasks, no dependency run in a thread, no concurrency limit; and only while nothing wraps FastAPI's
request handlers (Sentry's FastAPI integration does: with SENTRY_DSN set, FastAPI solves every route). While
`app.dependency_overrides` holds anything, `ApiRoute` leaves every request to FastAPI (route_guards.py), so overrides
behave as documented.
`tests/test_flat_routes.py` serves the same requests both ways and compares the answers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Coroutine, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Any

from anyio import CancelScope
from anyio.lowlevel import checkpoint_if_cancelled
from fastapi import routing as fastapi_routing
from fastapi._compat import ModelField, Undefined, field_annotation_is_sequence
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.models import (
    Dependant,
    _get_cache_key,
    _get_oauth_scopes,
    _is_async_gen_callable,
    _is_coroutine_callable,
    _is_gen_callable,
)
from fastapi.dependencies.utils import (
    _get_param_aliases,
    _get_param_model,
    _validate_value_with_model_field,
    request_params_to_args,
)
from fastapi.exceptions import EndpointContext, RequestValidationError
from fastapi.routing import APIRoute, _extract_endpoint_context, serialize_response
from fastapi.security.oauth2 import SecurityScopes
from fastapi.telemetry._api import _get_request_telemetry, _operation, _validation_failed
from fastapi.utils import is_body_allowed_for_status_code
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class _Reader:
    """Reads one kind of a callable's parameters (path, query, header or cookie) from the request and validates them:
    FastAPI's `request_params_to_args`, with what it works out about each field on every request (its model, whether
    it is a sequence, the names it may be sent under) worked out once. A kind with a parameter model or a sequence
    is read by `request_params_to_args` itself."""

    def __init__(self, fields: Sequence[ModelField]) -> None:
        self._fields = tuple(fields)
        self._scalars: tuple[tuple[ModelField, tuple[str, ...], str], ...] | None = None
        if all(_get_param_model(field) is None for field in fields) and not any(
            field_annotation_is_sequence(field.field_info.annotation) for field in fields
        ):
            self._scalars = tuple(
                (field, tuple(key for _, key in _get_param_aliases(field)), field.field_info.in_.value)  # type: ignore[attr-defined]
                for field in fields
            )

    def read(self, received: Mapping[str, Any], into: dict[str, Any], errors: list[Any]) -> None:
        if self._scalars is None:
            found, failed = request_params_to_args(self._fields, received)
            into.update(found)
            errors.extend(failed)
            return
        values: dict[str, Any] = {}
        for field, keys, location in self._scalars:
            key = keys[0] if len(keys) == 1 else next((key for key in keys if key in received), keys[0])
            value = received.get(key)
            value, failed = _validate_value_with_model_field(
                field=field, value=Undefined if value is None else value, values=values, loc=(location, key)
            )
            if failed:
                errors.extend(failed)
            else:
                values[field.name] = value
        into.update(values)


def _reader(fields: Sequence[ModelField]) -> _Reader | None:
    return _Reader(fields) if fields else None


@dataclasses.dataclass(frozen=True, slots=True)
class _Parameters:
    """What one callable takes, found once: its dependencies (as steps), and the request's parts it reads."""

    steps: tuple[_Step, ...]
    path: _Reader | None
    query: _Reader | None
    header: _Reader | None
    cookie: _Reader | None
    connection_names: tuple[str, ...]  # the request, as `Request` or `HTTPConnection`
    response_name: str | None
    security_scopes: tuple[str, SecurityScopes] | None


@dataclasses.dataclass(frozen=True, slots=True)
class _Step:
    """One dependency: called with its own parameters, its value kept under its cache key for the request."""

    call: Callable[..., Any]
    name: str | None
    function_scope: bool  # `scope="function"`: closed before the response is sent
    context: Callable[..., AbstractAsyncContextManager[Any]] | None  # a generator's, made once
    cache_key: Any
    use_cache: bool
    parameters: _Parameters


class _NotPlannedError(Exception):
    """A dependency the plan does not run as FastAPI would: the route is solved by FastAPI."""


def _parameters(dependant: Dependant) -> _Parameters:
    if (
        dependant.body_params
        or dependant.background_tasks_param_name
        or dependant.websocket_param_name
        or dependant.concurrency is not None
    ):
        raise _NotPlannedError
    scopes = None
    if dependant.security_scopes_param_name:
        scopes = (dependant.security_scopes_param_name, SecurityScopes(scopes=_get_oauth_scopes(dependant=dependant)))
    names = (dependant.request_param_name, dependant.http_connection_param_name)
    return _Parameters(
        steps=tuple(_step(sub) for sub in dependant.dependencies),
        path=_reader(dependant.path_params),
        query=_reader(dependant.query_params),
        header=_reader(dependant.header_params),
        cookie=_reader(dependant.cookie_params),
        connection_names=tuple(name for name in names if name),
        response_name=dependant.response_param_name,
        security_scopes=scopes,
    )


def _step(dependant: Dependant) -> _Step:
    call = dependant.call
    if call is None or _is_gen_callable(call):  # a sync generator runs in a thread
        raise _NotPlannedError
    generator = _is_async_gen_callable(call)
    if not generator and not _is_coroutine_callable(call):  # a plain `def` runs in a thread
        raise _NotPlannedError
    return _Step(
        call=call,
        name=dependant.name,
        function_scope=dependant.scope == "function",
        context=asynccontextmanager(call) if generator else None,
        cache_key=_get_cache_key(dependant=dependant, uses_scopes_cache={}),
        use_cache=dependant.use_cache,
        parameters=_parameters(dependant),
    )


async def _solve(
    parameters: _Parameters, request: Request, response: Response, cache: dict[Any, Any], errors: list[Any]
) -> dict[str, Any]:
    """`solve_dependencies`, step by step: each dependency with its own values (skipped, as FastAPI skips it, when
    its parameters failed), then this callable's own parameters, validated by FastAPI."""
    values: dict[str, Any] = {}
    scope = request.scope
    for step in parameters.steps:
        failed = len(errors)
        sub_values = await _solve(step.parameters, request, response, cache, errors)
        if len(errors) > failed:
            continue
        if step.use_cache and step.cache_key in cache:
            solved = cache[step.cache_key]
        elif step.context is not None:
            solved = await _entered(step.context(**sub_values), step.function_scope, scope)
        else:
            solved = await step.call(**sub_values)
        if step.name is not None:
            values[step.name] = solved
        cache.setdefault(step.cache_key, solved)
    _own_values(parameters, request, response, values, errors)
    return values


async def _entered(context: AbstractAsyncContextManager[Any], function_scope: bool, scope: Scope) -> Any:
    """A generator dependency entered as FastAPI's `_solve_generator` enters it: on the request's exit stack (the
    function's, for `scope="function"`), its exit shielded from cancellation by the one scope that encloses every
    generator of the request, so its cleanup runs even when the client has gone."""
    cleanup_scopes: dict[AsyncExitStack, CancelScope] = scope.setdefault("fastapi_async_cleanup_scopes", {})
    request_stack: AsyncExitStack = scope["fastapi_inner_astack"]
    cleanup_scope = cleanup_scopes.get(request_stack)
    if cleanup_scope is None:
        cleanup_scope = request_stack.enter_context(CancelScope())
        cleanup_scopes[request_stack] = cleanup_scope
        request_stack.callback(cleanup_scopes.pop, request_stack)
    stack: AsyncExitStack = scope["fastapi_function_astack"] if function_scope else request_stack
    return await stack.enter_async_context(_ShieldedExit(context, cleanup_scope))


class _ShieldedExit:
    """FastAPI's `_asynccontextmanager_with_shielded_exit` as a class (a generator context costs ~8 calls more per
    dependency): `context` is exited with the request's cleanup scope shielded, the scope's shield put back after,
    and, unless an error leaves, a checkpoint that raises a cancellation the shield held back."""

    __slots__ = ("_cleanup_scope", "_context", "_was_shielded")

    def __init__(self, context: AbstractAsyncContextManager[Any], cleanup_scope: CancelScope) -> None:
        self._context = context
        self._cleanup_scope = cleanup_scope
        self._was_shielded = cleanup_scope.shield

    async def __aenter__(self) -> Any:
        try:
            return await self._context.__aenter__()
        except BaseException:
            self._cleanup_scope.shield = self._was_shielded
            raise

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None, traceback: Any) -> bool:
        self._cleanup_scope.shield = True
        try:
            suppressed = bool(await self._context.__aexit__(kind, error, traceback))
        finally:
            self._cleanup_scope.shield = self._was_shielded
        if error is not None and not suppressed:
            return False
        await checkpoint_if_cancelled()
        return suppressed


def _own_values(
    parameters: _Parameters, request: Request, response: Response, values: dict[str, Any], errors: list[Any]
) -> None:
    """The callable's own parameters: the request's parts (validated by FastAPI), the request, the response, its
    security scopes."""
    if parameters.path is not None:
        parameters.path.read(request.path_params, values, errors)
    if parameters.query is not None:
        parameters.query.read(request.query_params, values, errors)
    if parameters.header is not None:
        parameters.header.read(request.headers, values, errors)
    if parameters.cookie is not None:
        parameters.cookie.read(request.cookies, values, errors)
    for name in parameters.connection_names:
        values[name] = request
    if parameters.response_name:
        values[parameters.response_name] = response
    if parameters.security_scopes is not None:
        name, security_scopes = parameters.security_scopes
        values[name] = security_scopes


def plan_route(route: APIRoute, dependant: Dependant) -> Handler | None:
    """The handler of `route`'s requests with `dependant` (the route's, or what is left of it once its fixed calls
    are taken out) solved by plan; None when FastAPI must solve it (`_NotPlannedError`), or when the route takes a
    body or streams its answer, which FastAPI's own handler does."""
    call = dependant.call
    if (
        call is None
        or _instrumented()
        or route.body_field is not None
        or getattr(route, "stream_item_field", None) is not None
        or getattr(route, "is_json_stream", False)
        or not _is_coroutine_callable(call)
    ):
        return None
    try:
        parameters = _parameters(dependant)
    except _NotPlannedError:
        return None
    answer = _Answer(route, call, dependant.path)

    async def handle(request: Request) -> Response:
        request_telemetry = _get_request_telemetry()
        if request_telemetry is None:  # FastAPI's telemetry is off: no data to keep, no operation to trace
            return await untraced(request)
        telemetry = request_telemetry.data
        if telemetry is not None:
            telemetry.request = request
            telemetry.body = None
        sub_response = _sub_response()
        errors: list[Any] = []
        with _operation(name="dependencies", function=call):
            values = await _solve(parameters, request, sub_response, {}, errors)
            if telemetry is not None:
                telemetry.values, telemetry.errors = values, errors
        if errors:
            raise answer.invalid(errors, request)
        with _operation(name="endpoint", function=call):
            raw = await call(**values)
        if isinstance(raw, Response):
            return raw  # no background tasks to attach: a planned route takes none
        return await answer.of(raw, request, sub_response, traced=True)

    async def untraced(request: Request) -> Response:
        """`handle` without FastAPI's telemetry: each of its three operations would look it up again (~20 calls)."""
        sub_response = _sub_response()
        errors: list[Any] = []
        values = await _solve(parameters, request, sub_response, {}, errors)
        if errors:
            raise answer.invalid(errors, request)
        raw = await call(**values)
        if isinstance(raw, Response):
            return raw
        return await answer.of(raw, request, sub_response, traced=False)

    return handle


def _sub_response() -> Response:
    """The response the dependencies set headers and a status on, as FastAPI makes it (no header, no status), without
    its `content-length` made and deleted again: a 204 gets none."""
    sub_response = Response(status_code=204)
    sub_response.status_code = None  # type: ignore[assignment]  # as FastAPI: "not set by a dependency"
    return sub_response


def _instrumented() -> bool:
    """Whether something wraps FastAPI's request handlers (`fastapi.routing.get_request_handler` replaced: Sentry's
    FastAPI integration does, to attach each request's body and route to its events): then FastAPI builds every
    handler, so the wrapper sees every request as it expects, and no route is planned."""
    return getattr(fastapi_routing.get_request_handler, "__module__", None) != "fastapi.routing"


class _Answer:
    """How the route answers what its endpoint returned, as FastAPI's handler does: validated and serialised by the
    response model (`dump_json` for the default response class), with the status and headers its dependencies set."""

    def __init__(self, route: APIRoute, call: Callable[..., Any], path: str | None) -> None:
        response_class = route.response_class
        self._dump_json = isinstance(response_class, DefaultPlaceholder)
        self._class: type[Response] = response_class.value if self._dump_json else response_class  # type: ignore[union-attr,assignment]
        self._field = route.response_field
        self._dump_json = self._dump_json and self._field is not None
        self._status_code = route.status_code
        self._route = route
        self._call = call
        self._path = path

    def invalid(self, errors: list[Any], request: Request) -> RequestValidationError:
        """The 422 of a request whose parameters failed validation, told to FastAPI's telemetry as FastAPI does."""
        validation_error = RequestValidationError(errors, body=None, endpoint_ctx=self.context(request))
        _validation_failed(validation_error)
        return validation_error

    def context(self, request: Request) -> EndpointContext:
        """What FastAPI's errors say of the endpoint (its file, line, function, and the request's method and path)."""
        context = EndpointContext(**_extract_endpoint_context(self._call))
        if self._path:
            context["path"] = f"{request.method} {request.scope.get('root_path', '').rstrip('/')}{self._path}"
        return context

    async def _serialized(self, raw: Any, request: Request) -> Any:
        route = self._route
        return await serialize_response(
            field=self._field,
            response_content=raw,
            include=route.response_model_include,
            exclude=route.response_model_exclude,
            by_alias=route.response_model_by_alias,
            exclude_unset=route.response_model_exclude_unset,
            exclude_defaults=route.response_model_exclude_defaults,
            exclude_none=route.response_model_exclude_none,
            is_coroutine=True,
            endpoint_ctx=self.context(request) if self._field is not None else None,
            dump_json=self._dump_json,
        )

    async def of(self, raw: Any, request: Request, sub_response: Response, *, traced: bool) -> Response:
        arguments: dict[str, Any] = {"background": None}
        chosen = self._status_code or sub_response.status_code
        if chosen is not None:
            arguments["status_code"] = chosen
        if sub_response.status_code:
            arguments["status_code"] = sub_response.status_code
        if traced:
            with _operation(name="serialization", function=self._call):
                content = await self._serialized(raw, request)
        else:
            content = await self._serialized(raw, request)
        if self._dump_json:
            response = Response(content=content, media_type="application/json", **arguments)
        else:
            response = self._class(content, **arguments)
        if not is_body_allowed_for_status_code(response.status_code):
            response.body = b""
        # The lists `headers.raw` of both would wrap, without making their `MutableHeaders`.
        response.raw_headers.extend(sub_response.raw_headers)
        return response
