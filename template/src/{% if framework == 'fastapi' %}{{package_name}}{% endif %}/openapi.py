"""The OpenAPI document: generated once, with stable operationIds and examples that match their operation.

operationIds are the routes' names (`create_item`), not FastAPI's path-derived ones, so a client generated from one
release keeps working against the next as long as the routes keep their names.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, Final

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from .core.api_versions import Deprecation, document_deprecations
from .core.problems import PROBLEM_MEDIA_TYPE, PROBLEM_SCHEMAS, problem_example, reason

# The value a path parameter takes in examples, by its schema's format (the id of the 404 example's detail).
_EXAMPLE_PARAMETERS: Final = {"uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}
_PATH_PARAMETER: Final = re.compile(r"\{([^}/]+)\}")


class DescribedRouter(APIRouter):
    """A router whose tag (its first) the OpenAPI document describes: the document's `tags` are read from the
    routers the service includes (`openapi_tags`), so each package describes its own routes."""

    def __init__(self, *, description: str, **options: Any) -> None:
        super().__init__(**options)
        self.description = description


def openapi_tags(routers: Iterable[APIRouter]) -> list[dict[str, Any]]:
    """The document's `tags`, in the routers' order: each described router's tag with its description."""
    tags: dict[str, dict[str, Any]] = {}
    for router in routers:
        if isinstance(router, DescribedRouter) and router.tags:
            name = str(router.tags[0])
            tags.setdefault(name, {"name": name, "description": router.description})
    return list(tags.values())


def operation_id(route: APIRoute) -> str:
    """The route's name (`create_item`, `health_live`) instead of FastAPI's `create_item_api_v1_items_post`."""
    return route.name


def install_openapi(
    app: FastAPI,
    *,
    api_operations: Sequence[tuple[str, Collection[str]]] = (),
    api_security: Mapping[str, dict[str, Any]] | None = None,
    servers: Sequence[dict[str, str]] = (),
    deprecations: Sequence[Deprecation] = (),
) -> None:
    """Generate the document once, with the problem+json schemas every error response refers to. Every one of
    `api_operations` (path, methods) requires each scheme of `api_security`: a guard enforces it, not a dependency
    FastAPI could see (`route_guards.py`)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
                separate_input_output_schemas=app.separate_input_output_schemas,
                servers=list(servers) or None,
            )
            schema.setdefault("components", {}).setdefault("schemas", {}).update(PROBLEM_SCHEMAS)
            if api_security:
                _require_security(schema, api_operations, api_security)
            for path, operations in schema["paths"].items():
                for operation in operations.values():
                    _document_refusals(operation)
                    _set_example_instances(operation, path)
            app.openapi_schema = document_deprecations(schema, deprecations)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _require_security(
    schema: dict[str, Any], api_operations: Sequence[tuple[str, Collection[str]]], schemes: Mapping[str, dict[str, Any]]
) -> None:
    """Declare `schemes` and list each in the `security` of every one of `api_operations` that does not already
    (an operation whose dependencies name scopes has them listed by FastAPI, with its scopes)."""
    schema["components"].setdefault("securitySchemes", {}).update(schemes)
    for path, methods in api_operations:
        operations = schema["paths"].get(path, {})
        for method in methods:
            operation = operations.get(method.lower())
            if operation is None:  # not in the document (include_in_schema=False)
                continue
            requirements = operation.setdefault("security", [])
            listed = {name for requirement in requirements for name in requirement}
            requirements.extend({name: []} for name in schemes if name not in listed)


# The refusals of an operation that needs a bearer token (`security`), as the service's
# authentication answers them.
_REFUSALS: Final = {
    401: (
        "No bearer token, or one that is not valid (see WWW-Authenticate)",
        "The bearer token is not valid",
        'Bearer error="invalid_token"',
    ),
    403: (
        "The bearer token lacks a scope this operation needs (see WWW-Authenticate)",
        "The bearer token lacks the scope this operation needs: {scopes}",
        'Bearer error="insufficient_scope", scope="{scopes}"',
    ),
}
"""Description, example detail and challenge; `{scopes}` is the operation's own."""


def _document_refusals(operation: dict[str, Any]) -> None:
    """401 on every operation that needs a bearer token, 403 on those that also need scopes: problem+json with an
    example and the WWW-Authenticate challenge. Derived from `security`, so the docs follow the dependencies."""
    requirements = operation.get("security", [])
    statuses = [401] if requirements else []
    scopes = " ".join(scope for requirement in requirements for listed in requirement.values() for scope in listed)
    if scopes:
        statuses.append(403)
    responses = operation.setdefault("responses", {})
    for status in statuses:
        description, detail, challenge = (text.format(scopes=scopes) for text in _REFUSALS[status])
        responses[str(status)] = {
            "description": f"{reason(status)}: {description}",
            "headers": {
                "WWW-Authenticate": {"description": f"e.g. `{challenge}`", "schema": {"type": "string"}},
            },
            "content": {
                PROBLEM_MEDIA_TYPE: {
                    "schema": {"$ref": "#/components/schemas/Problem"},
                    "example": problem_example(status, detail=detail),
                }
            },
        }
    if statuses:
        operation["responses"] = dict(sorted(responses.items()))


def _set_example_instances(operation: dict[str, Any], path: str) -> None:
    """A problem's `instance` is the path of the request that failed. Examples written once for many operations
    (`/api/v1/items` in each) get their operation's path, with example parameters: a 404 of an item shows
    `/api/v1/items/3fa85f64-…`. An example that already shows a path of its operation keeps it."""
    # `_PATH_PARAMETER.split` alternates literal text and parameter names.
    parts = _PATH_PARAMETER.split(path)
    own_path = re.compile("".join(re.escape(part) if index % 2 == 0 else "[^/]+" for index, part in enumerate(parts)))
    formats = {
        parameter["name"]: parameter.get("schema", {}).get("format", "")
        for parameter in operation.get("parameters", [])
        if parameter.get("in") == "path"
    }
    instance = _PATH_PARAMETER.sub(lambda match: _EXAMPLE_PARAMETERS.get(formats.get(match[1], ""), match[1]), path)
    for response in operation.get("responses", {}).values():
        media = response.get("content", {}).get(PROBLEM_MEDIA_TYPE, {})
        example = media.get("example")
        if isinstance(example, dict) and not own_path.fullmatch(str(example.get("instance", ""))):
            media["example"] = {**example, "instance": instance}
