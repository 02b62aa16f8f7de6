"""One service signs its users in, another trusts its tokens: the `users` service's `/.well-known/jwks.json` is the
`AUTH_JWKS_URL` of a service rendered with `auth=jwt`. Two real processes on loopback, the keys fetched over HTTP,
the token from a real password grant; nothing shared but the URL and the issuer and audience names.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest

from .bearer import OTHER_KEY, SIGNING_KEY, claims, signed_eddsa
from .conftest import ProjectFactory
from .contract.service import Service, start_service

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("accounts-jwks")]

EMAIL = "reader@example.com"
PASSWORD = "a password long enough for the policy"


def signed_in(issuer: Service, log_dir: Path) -> str:
    """An access token for a new account holding items:read only, from the issuer's token endpoint."""
    command = [str(issuer.project.venv_python), "-m", issuer.project.package, "users", "create", EMAIL]
    created = subprocess.run(
        [*command, "--scope", "items:read"],
        cwd=log_dir,  # the database the service started there reads (test settings)
        env=issuer.env,
        input=f"{PASSWORD}\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert created.returncode == 0, created.stdout + created.stderr
    granted = httpx.post(
        f"{issuer.base_url}/api/v1/auth/token",
        data={"grant_type": "password", "username": EMAIL, "password": PASSWORD},
        timeout=30,
    )
    assert granted.status_code == 200, granted.text
    return str(granted.json()["access_token"])


def test_a_jwt_service_accepts_the_tokens_a_users_service_issues(projects: ProjectFactory, tmp_path: Path) -> None:
    issuer_dir, verifier_dir = tmp_path / "issuer", tmp_path / "verifier"
    issuer_dir.mkdir()
    verifier_dir.mkdir()
    issuer = start_service(projects.installed(auth="users"), issuer_dir)
    try:
        token = signed_in(issuer, issuer_dir)
        trusted = {
            "AUTH_JWT_SECRET": "",  # the template tests' shared secret is not how this service verifies
            "AUTH_JWKS_URL": f"{issuer.base_url}/.well-known/jwks.json",
            "AUTH_ALGORITHMS": "EdDSA,ES256",
            "AUTH_ISSUER": issuer.env["AUTH_ISSUER"],  # the names the issuer puts in its tokens' iss and aud
            "AUTH_AUDIENCE": issuer.env["AUTH_AUDIENCE"],
        }
        verifier = start_service(projects.installed(auth="jwt"), verifier_dir, **trusted)
        try:
            with httpx.Client(base_url=verifier.base_url, timeout=30) as client:
                read = client.get("/api/v1/items", headers={"Authorization": f"Bearer {token}"})
                assert read.status_code == 200, read.text
                # The token's scopes travel with it: items:read only, so a write is forbidden, not unauthenticated.
                write = client.post(
                    "/api/v1/items", json={"name": "x", "price_cents": 1}, headers={"Authorization": f"Bearer {token}"}
                )
                assert write.status_code == 403, write.text
                # A token signed with any other key is refused, even under the issuer's kid: the keys come from the
                # issuer's document only.
                names = {"iss": trusted["AUTH_ISSUER"], "aud": trusted["AUTH_AUDIENCE"]}
                forged = signed_eddsa({**claims(scopes=["items:read"]), **names}, key=OTHER_KEY, kid=SIGNING_KEY["kid"])
                assert client.get("/api/v1/items", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
        finally:
            verifier.kill()
        # The same token on a service expecting another issuer is refused (the check above can fail).
        other_dir = tmp_path / "other"
        other_dir.mkdir()
        other = start_service(
            projects.installed(auth="jwt"), other_dir, **{**trusted, "AUTH_ISSUER": "urn:another-issuer"}
        )
        try:
            refused = httpx.get(
                f"{other.base_url}/api/v1/items", headers={"Authorization": f"Bearer {token}"}, timeout=30
            )
            assert refused.status_code == 401, refused.text
        finally:
            other.kill()
    finally:
        issuer.kill()
