"""The resources of the API, read from its OpenAPI document: what the end-to-end tests exercise, whatever the
service holds today. A resource is a collection under `/api/v1/` with a list (GET) and a create (POST), and one
item path below it (`/api/v1/<collection>/{id}`) with read (GET), update (PATCH) and delete (DELETE).

Bodies come from the document's named request examples, made unique per run (the tests may share the service and
its database with anyone): a plain string gets a suffix its schema still allows, an email address a `+tag`. Nothing here
imports the service or an HTTP client.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

API_PREFIX = "/api/v1/"
LIST_ENVELOPE = {"items", "total", "limit", "offset"}
"""Every list answers `{"items": [...], "total": n, "limit": n, "offset": n}`, whatever the resource."""


@dataclass(frozen=True)
class Resource:
    collection: str  # /api/v1/items
    item_template: str  # /api/v1/items/{item_id}
    create_examples: dict[str, dict[str, Any]] = field(repr=False)  # name -> request body, as documented
    patch_examples: dict[str, dict[str, Any]] = field(repr=False)
    can_replace: bool  # PUT on the item path
    record_schema: dict[str, Any] = field(repr=False)  # what a read answers (refs resolved at the top level)
    scopes: frozenset[str]  # what its operations declare
    page_limit: int  # the largest `limit` its list takes

    @property
    def name(self) -> str:
        return self.collection.removeprefix(API_PREFIX)

    @property
    def owned(self) -> bool:
        """Its records belong to a caller: the record schema has `owner_id`."""
        return "owner_id" in self.record_schema.get("properties", {})

    def item(self, record_id: str) -> str:
        return re.sub(r"\{[^}]+\}", record_id, self.item_template)

    def new_record(self, example: str | None = None) -> dict[str, Any]:
        """The named create example (the first one when not named), unique to this call."""
        body = self.create_examples[example or next(iter(self.create_examples))]
        return made_unique(body, self.record_schema)

    def patch(self) -> dict[str, Any]:
        """The first documented patch example that changes something (an empty one changes nothing to check)."""
        changing = [body for body in self.patch_examples.values() if body]
        return made_unique(changing[0] if changing else {}, self.record_schema)


def resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """A schema with its top-level `$ref` followed and a nullable `anyOf` (`X | None`) reduced to `X`."""
    while "$ref" in schema:
        target: Any = spec
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        schema = target
    options = [option for option in schema.get("anyOf", []) if option.get("type") != "null"]
    if len(options) == 1:
        return resolve(spec, options[0])
    return schema


def _examples(operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    return {name: example["value"] for name, example in content.get("examples", {}).items() if "value" in example}


def _scopes(operation: dict[str, Any]) -> set[str]:
    requirements = operation.get("security", [])
    return {scope for requirement in requirements for scopes in requirement.values() for scope in scopes}


def _success_schema(spec: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any]:
    for status in ("200", "201"):
        content = operation.get("responses", {}).get(status, {}).get("content", {})
        if "application/json" in content:
            return resolve(spec, content["application/json"].get("schema", {}))
    return {}


def _page_limit(operation: dict[str, Any]) -> int:
    for parameter in operation.get("parameters", []):
        if parameter.get("name") == "limit" and parameter.get("in") == "query":
            maximum = parameter.get("schema", {}).get("maximum")
            if isinstance(maximum, int | float):
                return int(maximum)
    return 20


def discover(spec: dict[str, Any]) -> list[Resource]:
    """Every resource the document describes, in the document's order."""
    paths: dict[str, dict[str, Any]] = spec.get("paths", {})
    found = []
    for collection, operations in paths.items():
        if not collection.startswith(API_PREFIX) or not {"get", "post"} <= operations.keys():
            continue
        below = [
            path
            for path in paths
            if re.fullmatch(re.escape(collection) + r"/\{[^/}]+\}", path)
            and {"get", "patch", "delete"} <= paths[path].keys()
        ]
        if len(below) != 1:
            continue
        item_operations = paths[below[0]]
        everything = [operations["get"], operations["post"], *(item_operations[m] for m in ("get", "patch", "delete"))]
        found.append(
            Resource(
                collection=collection,
                item_template=below[0],
                create_examples=_examples(operations["post"]),
                patch_examples=_examples(item_operations["patch"]),
                can_replace="put" in item_operations,
                record_schema=_success_schema(spec, item_operations["get"]),
                scopes=frozenset(scope for operation in everything for scope in _scopes(operation)),
                page_limit=_page_limit(operations["get"]),
            )
        )
    return found


# --- unique bodies ---------------------------------------------------------------------------------------------------


def made_unique(body: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """`body` with each plain string (and email) field changed into a value no other run sends, where the field's
    schema allows one (its `pattern`, `maxLength`); other fields as documented."""
    tag = uuid.uuid4().hex[:10]
    properties = schema.get("properties", {})
    return {name: _unique_value(value, properties.get(name, {}), tag) for name, value in body.items()}


def _unique_value(value: Any, schema: dict[str, Any], tag: str) -> Any:
    options = [option for option in schema.get("anyOf", [schema]) if option.get("type") == "string"]
    if not isinstance(value, str) or not value or not options:
        return value  # not a plain string the schema shows (an enum behind a $ref, a field a read never returns)
    string_schema = options[0]
    longest = string_schema.get("maxLength")
    for candidate in _spellings(value, string_schema, tag):
        suffix = candidate[len(value) :]
        if not _allowed(candidate, string_schema) and isinstance(longest, int) and candidate.startswith(value):
            candidate = value[: max(longest - len(suffix), 0)] + suffix  # noqa: PLW2901 - the documented start, cut
        if _allowed(candidate, string_schema):
            return candidate
    return value


def _spellings(value: str, string_schema: dict[str, Any], tag: str) -> list[str]:
    """Unique spellings of a documented string to try, in order; none for a value of a closed set or a format."""
    if string_schema.get("enum") or string_schema.get("const"):
        return []
    if string_schema.get("format") == "email" or re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        local, _, domain = value.partition("@")
        return [f"{local}+e2e-{tag}@{domain}"]
    if string_schema.get("format"):
        return []  # a date, a UUID, a URI...: no unique spelling of it
    return [f"{value}-{tag}", f"{value} {tag}", f"{value}{tag}"]


def _allowed(value: str, string_schema: dict[str, Any]) -> bool:
    if len(value) < string_schema.get("minLength", 0) or len(value) > string_schema.get("maxLength", len(value)):
        return False
    pattern = string_schema.get("pattern")
    if not isinstance(pattern, str):
        return True
    try:
        return re.search(pattern, value) is not None
    except re.error:  # a pattern in a dialect Python does not speak: keep the documented value
        return False


def same_value(sent: Any, answered: Any, schema: dict[str, Any]) -> bool:
    """Whether a read gives back what was sent: a datetime may come back in another spelling of the same instant."""
    formats = {option.get("format") for option in schema.get("anyOf", [schema])}
    if "date-time" in formats and isinstance(sent, str) and isinstance(answered, str):
        return _instant(sent) == _instant(answered)
    return bool(sent == answered)


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
