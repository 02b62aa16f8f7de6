"""Authentication as the contract states it (shared/CONTRACT.md, "Authentication"), black-box against a running
service: in `auth=jwt` and `auth=users` variants (one verifier: an identity provider's tokens, or the service's own)
every /api route needs a valid token with its scope, refusals are 401/403 problems with RFC 6750 challenges, health,
metrics and docs stay public, the OpenAPI document declares the scheme, the access line names the subject and never
the token. In `auth=none` variants the API is open."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import httpx
import pytest

from ..bearer import (
    KEY_SETTING,
    OTHER_KEY,
    SERVICE_AUTH,
    SIGNING_KEY,
    claims,
    sign,
    signed,
    signed_eddsa,
    token,
    unsigned,
)
from ..conftest import RenderedProject
from .checks import ITEM, assert_problem, requires
from .service import Service, start_service

pytestmark = pytest.mark.slow

TOKENS = ("jwt", "users")  # the answers with which the service takes bearer tokens
READ = "items:read"
WRITE = "items:write"


def tampered(jws: str, payload: dict[str, object]) -> str:
    """`jws` with its payload replaced and its signature kept."""
    header, _, signature = jws.split(".")
    return f"{header}.{signed(payload).split('.')[1]}.{signature}"


def forged(good: dict[str, object], auth: str) -> dict[str, str]:
    """Tokens signed with what the service does not trust: another secret (`jwt`); another key, under the service's
    own kid or its own, and the public key used as an HMAC secret (`users`)."""
    if auth == "jwt":
        return {"wrong-key": signed(good, secret="another-secret-of-at-least-32-bytes-0123")}
    return {
        "wrong-key": signed_eddsa(good, key=OTHER_KEY, kid=SIGNING_KEY["kid"]),
        "unknown-kid": signed_eddsa(good, key=OTHER_KEY),
        "public-key-as-hmac-secret": signed(good, secret=SIGNING_KEY["x"]),
    }


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
    requires(contract_project.answers, auth=TOKENS)
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
        "wrong-key",
        "unknown-kid",
        "public-key-as-hmac-secret",
        "alg-none",
        "tampered",
        "oversized",
    ],
)
def test_a_bad_token_is_a_401_invalid_token(contract_project: RenderedProject, service: Service, bad: str) -> None:
    requires(contract_project.answers, auth=TOKENS)
    auth = contract_project.answers["auth"]
    now = int(time.time())
    good = claims()
    tokens = {
        "garbage": "garbage",
        "a.b.c": "a.b.c",
        "expired": sign({**good, "iat": now - 7200, "exp": now - 3600}, auth=auth),
        "not-yet-valid": sign({**good, "nbf": now + 3600}, auth=auth),
        "no-exp": sign({key: value for key, value in good.items() if key != "exp"}, auth=auth),
        "wrong-issuer": sign({**good, "iss": "https://someone-else.example/"}, auth=auth),
        "wrong-audience": sign({**good, "aud": "https://another-api.example"}, auth=auth),
        "alg-none": unsigned(good),
        "tampered": tampered(sign(good, auth=auth), {**good, "sub": "admin"}),
        # Over the verifier's 8 KiB bound for an Authorization header, under the server's 64 KiB bound for a head.
        "oversized": sign({**good, "padding": "x" * 10_000}, auth=auth),
        **forged(good, auth),
    }
    if bad not in tokens:
        pytest.skip(f"no such forgery for auth={auth}")
    with service.client(anonymous=True) as client:
        response = client.get("/api/v1/items", headers={"Authorization": f"Bearer {tokens[bad]}"})
    body = assert_problem(response, 401)
    assert 'error="invalid_token"' in challenge(response)
    assert tokens[bad] not in response.text
    assert tokens[bad][:40] not in str(body)


def test_the_scheme_is_matched_in_any_case(contract_project: RenderedProject, service: Service) -> None:
    requires(contract_project.answers, auth=TOKENS)
    with service.client(anonymous=True) as client:
        for scheme in ("bearer", "BEARER", "BeArEr"):
            response = client.get(
                "/api/v1/items", headers={"Authorization": f"{scheme} {token(auth=contract_project.answers['auth'])}"}
            )
            assert response.status_code == 200, (scheme, response.text)


def test_each_operation_needs_its_scope(contract_project: RenderedProject, service: Service) -> None:
    requires(contract_project.answers, auth=TOKENS)
    auth = contract_project.answers["auth"]
    with service.client(anonymous=True) as client:
        writer = {"Authorization": f"Bearer {token(scopes=[READ, WRITE], auth=auth)}"}
        created = client.post("/api/v1/items", json=ITEM, headers=writer)
        assert created.status_code == 201, created.text
        item = f"/api/v1/items/{created.json()['id']}"
        reader = {"Authorization": f"Bearer {token(scopes=[READ], auth=auth)}"}
        assert client.get("/api/v1/items", headers=reader).status_code == 200
        assert client.get(item, headers=reader).status_code == 200
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            path = "/api/v1/items" if method == "POST" else item
            refused = client.request(method, path, json=None if method == "DELETE" else ITEM, headers=reader)
            assert_problem(refused, 403)
            assert 'error="insufficient_scope"' in challenge(refused)
            assert WRITE in challenge(refused)
        write_only = {"Authorization": f"Bearer {token(scopes=[WRITE], auth=auth)}"}
        refused_read = client.get(item, headers=write_only)
        assert_problem(refused_read, 403)
        assert READ in challenge(refused_read)
        assert client.delete(item, headers=writer).status_code == 204


def test_health_metrics_and_docs_need_no_token(contract_project: RenderedProject, service: Service) -> None:
    requires(contract_project.answers, auth=TOKENS)
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
    requires(contract_project.answers, auth=TOKENS)
    with service.client(anonymous=True) as client:
        document = client.get("/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    if contract_project.answers["auth"] == "users":
        # The service issues the tokens: OAuth2's password flow at its token endpoint (the docs UI's login dialog).
        token_schemes = [name for name, scheme in schemes.items() if scheme.get("type") == "oauth2"]
        assert len(token_schemes) == 1, schemes
        (name,) = token_schemes
        assert schemes[name]["flows"]["password"]["tokenUrl"] == "/api/v1/auth/token"
    else:
        token_schemes = [name for name, scheme in schemes.items() if scheme.get("scheme", "").lower() == "bearer"]
        assert len(token_schemes) == 1, schemes
        (name,) = token_schemes
        assert schemes[name]["type"] == "http"
    operations = document["paths"]["/api/v1/items"]
    assert {"items:read"} <= set(*[requirement[name] for requirement in operations["get"]["security"]])
    assert {"items:write"} <= set(*[requirement[name] for requirement in operations["post"]["security"]])
    for path in ("/health/live", "/health/ready"):
        assert not document["paths"].get(path, {}).get("get", {}).get("security"), path


def test_the_access_line_names_the_subject_never_the_token(contract_project: RenderedProject, service: Service) -> None:
    requires(contract_project.answers, auth=TOKENS)
    subject = f"subject-{uuid.uuid4().hex[:8]}"
    sent = token(subject=subject, auth=contract_project.answers["auth"])
    bad = forged(claims(subject="forged"), contract_project.answers["auth"])["wrong-key"]
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
    requires(contract_project.answers, auth=TOKENS, rate_limiting=True)
    auth = contract_project.answers["auth"]
    address = {"X-Forwarded-For": "203.0.113.90"}  # one address, two subjects: two budgets
    with service.client(anonymous=True) as client:
        first = f"Bearer {token(subject=f'first-{uuid.uuid4().hex[:8]}', auth=auth)}"
        second = f"Bearer {token(subject=f'second-{uuid.uuid4().hex[:8]}', auth=auth)}"
        spent = [client.get("/api/v1/items", headers={**address, "Authorization": first}) for _ in range(3)]
        other = client.get("/api/v1/items", headers={**address, "Authorization": second})
    remaining = [int(response.headers["x-ratelimit-remaining"]) for response in spent]
    assert remaining == sorted(remaining, reverse=True)
    assert remaining[0] - remaining[-1] == 2
    assert int(other.headers["x-ratelimit-remaining"]) == remaining[0], "the second subject starts a budget of its own"


def test_the_json_sign_in_endpoints_refuse_as_the_token_endpoint_and_verify_introspects(
    contract_project: RenderedProject, service: Service
) -> None:
    """auth=users: `/api/v1/auth/login` and `/refresh` refuse as the token endpoint does (a 400 problem carrying RFC
    6749's `error`, never cached), a body of the wrong shape is a 422, and `/api/v1/auth/verify` is RFC 7662
    introspection for a caller holding tokens:admin: an active token's `sub`, `scope` and `exp`, only
    `{"active": false}` for any other token, 401 without a token and 403 without the scope."""
    requires(contract_project.answers, auth="users")
    address = {"X-Forwarded-For": "203.0.113.91"}  # a login budget of its own
    with service.client(anonymous=True) as client:
        for path, body in (
            ("/api/v1/auth/login", {"email": "nobody@example.com", "password": "not anybody's passphrase"}),
            ("/api/v1/auth/refresh", {"refresh_token": "not-one-of-ours"}),
        ):
            refused = client.post(path, json=body, headers=address)
            assert assert_problem(refused, 400)["error"] == "invalid_grant", path
            assert refused.headers["cache-control"] == "no-store", path
            assert_problem(client.post(path, json={}, headers=address), 422)
        reader_token = token(scopes=[READ], auth="users")
        introspector = {"Authorization": f"Bearer {token(scopes=['tokens:admin'], auth='users')}"}
        active = client.post("/api/v1/auth/verify", json={"token": reader_token}, headers=introspector)
        assert active.status_code == 200, active.text
        answer = active.json()
        assert answer["active"] is True
        assert answer["scope"] == READ
        assert isinstance(answer["sub"], str)
        assert answer["exp"] > time.time()
        expired = sign(claims(scopes=[READ], lifetime_s=-3600), auth="users")
        for other in ("garbage", expired, tampered(reader_token, claims(scopes=[READ, WRITE]))):
            inactive = client.post("/api/v1/auth/verify", json={"token": other}, headers=introspector)
            assert inactive.status_code == 200, inactive.text
            assert inactive.json() == {"active": False}
        assert_problem(client.post("/api/v1/auth/verify", json={"token": reader_token}), 401)
        reader = {"Authorization": f"Bearer {reader_token}"}
        not_allowed = client.post("/api/v1/auth/verify", json={"token": reader_token}, headers=reader)
        assert_problem(not_allowed, 403)
        assert "tokens:admin" in challenge(not_allowed)


@pytest.mark.parametrize("environment", ["staging", "production"])
def test_deployed_environments_refuse_to_start_without_a_key(
    contract_project: RenderedProject, tmp_path: Path, environment: str
) -> None:
    requires(contract_project.answers, auth=TOKENS)
    auth = contract_project.answers["auth"]
    # jwt: no key source at all (neither setting, nor the issuer and audience they need); users: no signing keys.
    blank = dict.fromkeys(SERVICE_AUTH, "") if auth == "jwt" else {KEY_SETTING[auth]: ""}
    with pytest.raises(RuntimeError) as refused:
        start_service(contract_project, tmp_path, ENVIRONMENT=environment, SECRET_KEY="k" * 64, **blank)
    message = str(refused.value)
    named = ["AUTH_JWKS_URL", "AUTH_JWT_SECRET"] if auth == "jwt" else ["AUTH_SIGNING_KEYS"]
    assert all(setting in message for setting in named), message
    assert SERVICE_AUTH["AUTH_JWT_SECRET"] not in message
    assert SIGNING_KEY["d"] not in message
