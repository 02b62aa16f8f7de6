"""The docs UI part of the contract: /docs has its own strict CSP and same-origin assets; DOCS_ENABLED=false hides it.

Runs against every contract variant; checks that need a docs UI skip in the `docs_ui: none` variants (and the other
way round), so each variant checks what it promises.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ..conftest import RenderedProject
from .checks import READ_CACHE_CONTROL, SECURITY_HEADERS, assert_problem, assert_security_headers, requires
from .service import Service, start_service

pytestmark = pytest.mark.slow

UIS = ("scalar", "swagger", "redoc")
# The UIs that inject their styles at run time and so need `style-src 'unsafe-inline'` (never for scripts).
INLINE_STYLE_UIS = {"scalar", "redoc"}


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for directive in policy.split(";"):
        name, *sources = directive.split()
        parsed[name] = sources
    return parsed


def test_docs_page_has_its_own_strict_policy(contract_project: RenderedProject, client: httpx.Client) -> None:
    requires(contract_project.answers, docs_ui=UIS)
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = directives(response.headers["content-security-policy"])
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["font-src"] == ["'self'"]
    inline = contract_project.answers["docs_ui"] in INLINE_STYLE_UIS
    assert policy["style-src"] == (["'self'", "'unsafe-inline'"] if inline else ["'self'"])
    assert policy["frame-ancestors"] == policy["base-uri"] == policy["form-action"] == ["'none'"]
    assert "unsafe-eval" not in response.headers["content-security-policy"]
    for name, value in SECURITY_HEADERS.items():
        if name not in {"content-security-policy", "cache-control"}:
            assert response.headers[name] == value, name
    assert "x-ratelimit-limit" not in response.headers  # docs are never rate limited


def test_docs_assets_are_served_from_this_origin(contract_project: RenderedProject, client: httpx.Client) -> None:
    requires(contract_project.answers, docs_ui=UIS)
    page = client.get("/docs").text
    assert not re.search(r"<script\b[^>]*>\s*[^<\s]", page), "no inline script"
    references = re.findall(r'(?:src|href)="([^"]+)"', page)
    assets = [reference for reference in references if reference.startswith("docs/assets/")]
    assert len(assets) >= 2
    assert not [reference for reference in references if "//" in reference], "nothing from another origin"
    for asset in assets:
        response = client.get(f"/{asset}")
        assert response.status_code == 200, asset
        assert response.headers["content-type"].split(";")[0] in {"text/javascript", "text/css"}
        assert response.headers["cross-origin-resource-policy"] == "same-origin"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "no-store" not in response.headers["cache-control"]


def test_api_keeps_the_strict_policy_next_to_the_docs(client: httpx.Client) -> None:
    assert_security_headers(client.get("/openapi.json"))
    assert_security_headers(client.get("/api/v1/items"), cache_control=READ_CACHE_CONTROL)  # a resource read


def test_docs_are_not_in_the_openapi_document(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not [path for path in paths if path.startswith("/docs")]


def test_no_docs_page_without_a_docs_ui(contract_project: RenderedProject, client: httpx.Client) -> None:
    requires(contract_project.answers, docs_ui="none")
    response = client.get("/docs")
    assert_problem(response, 404)
    assert_security_headers(response)


@pytest.fixture(scope="module")
def docs_disabled(contract_project: RenderedProject, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    running = start_service(contract_project, Path(tmp_path_factory.mktemp("docs-off")), DOCS_ENABLED="false")
    yield running
    running.kill()


@pytest.mark.parametrize("path", ["/docs", "/openapi.json"])
def test_docs_enabled_false_hides_docs_and_spec(docs_disabled: Service, path: str) -> None:
    with docs_disabled.client() as client:
        response = client.get(path)
    assert_problem(response, 404)
    assert_security_headers(response)
