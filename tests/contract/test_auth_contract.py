"""Authentication as the contract states it (shared/CONTRACT.md, "Authentication"), black-box against a running
service: in `auth=jwt` variants every /api route needs a valid token with its scope, refusals are 401/403 problems
with RFC 6750 challenges, health, metrics and docs stay public, the OpenAPI document declares the scheme, the access
line names the subject and never the token. In `auth=none` variants the API is open."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import httpx
import pytest

from ..bearer import SERVICE_AUTH, claims, signed, token, unsigned
from ..conftest import RenderedProject
from .checks import ITEM, assert_problem, requires
from .service import Service, start_service

pytestmark = pytest.mark.slow

READ = "items:read"
WRITE = "items:write"


def tampered(jws: str, payload: dict[str, object]) -> str:
    """`jws` with its payload replaced and its signature kept."""
    header, _, signature = jws.split(".")
    return f"{header}.{signed(payload).split('.')[1]}.{signature}"


def challenge(response: httpx.Response) -> str:
    value = response.headers.get("www-authenticate", "")
    assert value.startswith("Bearer"), value
    return value


def test_without_auth_the_api_is_open(contract_project: RenderedProject, service: Service) -> None:
    requires(contract_project.answers, auth="none")
    with service.client(anonymous=True) as client:
        assert client.get("/api/v1/items").status_code == 200
        assert client.post("/api/v1/items", json=ITEM).status_code == 201


def test_a_request_without_a_token_is_a_401_problem(contract_project: RenderedProject, service: Service) -> None:
    requires(contract_project.answers, auth="jwt")
    with service.client(anonymous=True) as client:
        for method, path in (
            ("GET", "/api/v1/items"),
            ("POST", "/api/v1/items"),
            ("GET", f"/api/v1/items/{uuid.uuid4()}"),
        ):
            response = client.request(method, path, json=ITEM if method == "POST" else None)
            assert_problem(response, 401)
            assert "error=" not in challenge(response), "no token sent: a bare Bearer challenge (RFC 6750 3.1)"
        other_scheme = client.get("/api/v1/items", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert_problem(other_scheme, 401)


@pytest.mark.parametrize(
    "bad",
    [
        "garbage",
        "a.b.c",
        "expired",
        "not-yet-valid",
        "no-exp",
        "wrong-issuer",
        "wrong-audience",
        "wrong-secret",
        "alg-none",
        "tampered",
        "oversized",
    ],
)
def test_a_bad_token_is_a_401_invalid_token(contract_project: RenderedProject, service: Service, bad: str) -> None:
    requires(contract_project.answers, auth="jwt")
    now = int(time.time())
    good = claims()
    tokens = {
        "garbage": "garbage",
        "a.b.c": "a.b.c",
        "expired": signed({**good, "iat": now - 7200, "exp": now - 3600}),
        "not-yet-valid": signed({**good, "nbf": now + 3600}),
        "no-exp": signed({key: value for key, value in good.items() if key != "exp"}),
        "wrong-issuer": signed({**good, "iss": "https://someone-else.example/"}),
        "wrong-audience": signed({**good, "aud": "https://another-api.example"}),
        "wrong-secret": signed(good, secret="another-secret-of-at-least-32-bytes-0123"),
        "alg-none": unsigned(good),
        "tampered": tampered(signed(good), {**good, "sub": "admin"}),
        # Over the verifier's 8 KiB bound for an Authorization header, under the server's 64 KiB bound for a head.
        "oversized": signed({**good, "padding": "x" * 10_000}),
    }
    with service.client(anonymous=True) as client:
        response = client.get("/api/v1/items", headers={"Authorization": f"Bearer {tokens[bad]}"})
    body = assert_problem(response, 401)
    assert 'error="invalid_token"' in challenge(response)
    assert tokens[bad] not in response.text
    assert tokens[bad][:40] not in str(body)


def test_the_scheme_is_matched_in_any_case(contract_project: RenderedProject, service: Service) -> None:
    requires(contract_project.answers, auth="jwt")
    with service.client(anonymous=True) as client:
        for scheme in ("bearer", "BEARER", "BeArEr"):
            response = client.get("/api/v1/items", headers={"Authorization": f"{scheme} {token()}"})
            assert response.status_code == 200, (scheme, response.text)


def test_each_operation_needs_its_scope(contract_project: RenderedProject, service: Service) -> None:
    requires(contract_project.answers, auth="jwt")
    with service.client(anonymous=True) as client:
        writer = {"Authorization": f"Bearer {token(scopes=[READ, WRITE])}"}
        created = client.post("/api/v1/items", json=ITEM, headers=writer)
        assert created.status_code == 201, created.text
        item = f"/api/v1/items/{created.json()['id']}"
        reader = {"Authorization": f"Bearer {token(scopes=[READ])}"}
        assert client.get("/api/v1/items", headers=reader).status_code == 200
        assert client.get(item, headers=reader).status_code == 200
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            path = "/api/v1/items" if method == "POST" else item
            refused = client.request(method, path, json=None if method == "DELETE" else ITEM, headers=reader)
            assert_problem(refused, 403)
            assert 'error="insufficient_scope"' in challenge(refused)
            assert WRITE in challenge(refused)
        write_only = {"Authorization": f"Bearer {token(scopes=[WRITE])}"}
        refused_read = client.get(item, headers=write_only)
        assert_problem(refused_read, 403)
        assert READ in challenge(refused_read)
        assert client.delete(item, headers=writer).status_code == 204


def test_health_metrics_and_docs_need_no_token(contract_project: RenderedProject, service: Service) -> None:
    requires(contract_project.answers, auth="jwt")
    public = ["/", "/health/live", "/health/ready", "/health", "/openapi.json"]
    if contract_project.answers["use_prometheus"]:
        public.append("/metrics")
    if contract_project.answers["docs_ui"] != "none":
        public.append("/docs")
    with service.client(anonymous=True) as client:
        for path in public:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            assert "www-authenticate" not in response.headers, path


def test_the_openapi_document_declares_the_bearer_scheme_and_scopes(
    contract_project: RenderedProject, service: Service
) -> None:
    requires(contract_project.answers, auth="jwt")
    with service.client(anonymous=True) as client:
        document = client.get("/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    bearer_schemes = [name for name, scheme in schemes.items() if scheme.get("scheme", "").lower() == "bearer"]
    assert len(bearer_schemes) == 1, schemes
    (name,) = bearer_schemes
    assert schemes[name]["type"] == "http"
    operations = document["paths"]["/api/v1/items"]
    assert {"items:read"} <= set(*[requirement[name] for requirement in operations["get"]["security"]])
    assert {"items:write"} <= set(*[requirement[name] for requirement in operations["post"]["security"]])
    for path in ("/health/live", "/health/ready"):
        assert not document["paths"].get(path, {}).get("get", {}).get("security"), path


def test_the_access_line_names_the_subject_never_the_token(contract_project: RenderedProject, service: Service) -> None:
    requires(contract_project.answers, auth="jwt")
    subject = f"subject-{uuid.uuid4().hex[:8]}"
    sent = token(subject=subject)
    bad = signed(claims(subject="forged"), secret="not-the-service-secret-0123456789abcdef")
    with service.client(anonymous=True) as client:
        client.get("/api/v1/items", headers={"Authorization": f"Bearer {sent}", "X-Request-ID": f"{subject}-ok"})
        client.get("/api/v1/items", headers={"Authorization": f"Bearer {bad}", "X-Request-ID": f"{subject}-bad"})
    (line,) = service.wait_for_log(lambda r: r.get("request_id") == f"{subject}-ok" and r["message"] == "request")
    assert line["subject"] == subject
    (refused,) = service.wait_for_log(lambda r: r.get("request_id") == f"{subject}-bad" and r["message"] == "request")
    assert refused["status"] == 401
    assert "subject" not in refused
    log = service.log_path.read_text()
    for secret in (sent, bad, sent.split(".")[2], bad.split(".")[2]):
        assert secret not in log


def test_rate_limits_count_per_subject(contract_project: RenderedProject, service: Service) -> None:
    requires(contract_project.answers, auth="jwt", rate_limiting=True)
    address = {"X-Forwarded-For": "203.0.113.90"}  # one address, two subjects: two budgets
    with service.client(anonymous=True) as client:
        first = f"Bearer {token(subject=f'first-{uuid.uuid4().hex[:8]}')}"
        second = f"Bearer {token(subject=f'second-{uuid.uuid4().hex[:8]}')}"
        spent = [client.get("/api/v1/items", headers={**address, "Authorization": first}) for _ in range(3)]
        other = client.get("/api/v1/items", headers={**address, "Authorization": second})
    remaining = [int(response.headers["x-ratelimit-remaining"]) for response in spent]
    assert remaining == sorted(remaining, reverse=True)
    assert remaining[0] - remaining[-1] == 2
    assert int(other.headers["x-ratelimit-remaining"]) == remaining[0], "the second subject starts a budget of its own"


@pytest.mark.parametrize("environment", ["staging", "production"])
def test_deployed_environments_refuse_to_start_without_a_key(
    contract_project: RenderedProject, tmp_path: Path, environment: str
) -> None:
    requires(contract_project.answers, auth="jwt")
    with pytest.raises(RuntimeError) as refused:
        start_service(
            contract_project,
            tmp_path,
            ENVIRONMENT=environment,
            SECRET_KEY="k" * 64,
            AUTH_JWT_SECRET="",
            **{name: "" for name in SERVICE_AUTH if name != "AUTH_JWT_SECRET"},
        )
    message = str(refused.value)
    assert "AUTH_JWKS_URL" in message
    assert "AUTH_JWT_SECRET" in message
    assert SERVICE_AUTH["AUTH_JWT_SECRET"] not in message
