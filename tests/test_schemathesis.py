"""Property-based API testing with schemathesis of the default renders and a granian variant of each framework: no
server errors, no schema violations."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .bearer import ALL_SCOPES, FILE_SCOPES, token, uses_tokens
from .conftest import ProjectFactory, RenderedProject, variant_params
from .contract.service import start_service
from .redis_server import start_redis
from .variants import deep_variants_to_run, first_to_run, frameworks_in_turn, with_defaults

pytestmark = pytest.mark.slow


# With auth=users and jobs: sign-up and password reset on, so the run explores them. Their emails are jobs that no
# worker runs here, so the SMTP URL names a loopback port nobody listens on; the limits are lifted as the logins' are.
ACCOUNTS_BY_EMAIL = {
    "MAIL_SMTP_URL": "smtp://127.0.0.1:9",
    "MAIL_FROM": "Schemathesis <no-reply@example.com>",
    "AUTH_SIGN_UP": "true",
    "AUTH_PASSWORD_RESET": "true",
    "AUTH_PASSWORD_RESET_URL": "https://app.example.com/reset-password",
    "AUTH_EMAIL_VERIFICATION_URL": "https://app.example.com/verify-email",
    "AUTH_PASSWORD_RESET_LIMIT_PER_ADDRESS": "100000/minute",
    "AUTH_PASSWORD_RESET_LIMIT_PER_ACCOUNT": "100000/minute",
    "AUTH_SIGN_UP_LIMIT_PER_ADDRESS": "100000/minute",
    "AUTH_SIGN_UP_LIMIT_PER_ACCOUNT": "100000/minute",
}


# The run sends thousands of requests while the other tests keep both cores busy: the service's database timeouts (3 s
# to connect, 5 s for a pooled connection and per statement) would answer some of them 503, which the run reports as
# server errors. The timeouts themselves are the contract suite's to check.
BUSY_MACHINE_DATABASE_TIMEOUTS = {
    "DATABASE_CONNECT_TIMEOUT": "15",
    "DATABASE_POOL_TIMEOUT": "15",
    "DATABASE_STATEMENT_TIMEOUT": "15000",
}


def granian_variant(framework: str) -> dict[str, object]:
    """A deep variant of `framework` on granian (one this run installs for its deep checks if there is one)."""
    found = first_to_run(lambda answers: answers["server"] == "granian" and answers["framework"] == framework)
    assert found is not None, f"no pairwise variant runs {framework} on granian"
    return found


def files_variants() -> list[dict[str, object]]:
    """The deep variants with `file_storage` this run installs anyway (none is installed for this test alone)."""
    return [answers for answers in deep_variants_to_run() if with_defaults(answers).get("file_storage")]


# Each framework on every run: one on granian and the other's default (uvicorn), swapped on the next slot (both of
# each with ALL_VARIANTS=1); and the files routes where this run has them.
SCHEMATHESIS_VARIANTS = [
    *({} if framework == "fastapi" else {"framework": framework} for framework in frameworks_in_turn(1)),
    *(granian_variant(framework) for framework in frameworks_in_turn(0)),
]
SCHEMATHESIS_VARIANTS += [answers for answers in files_variants() if answers not in SCHEMATHESIS_VARIANTS]


@pytest.mark.parametrize("variant", variant_params(SCHEMATHESIS_VARIANTS))
def test_schemathesis_finds_no_failures(projects: ProjectFactory, tmp_path: Path, variant: dict[str, object]) -> None:
    project: RenderedProject = projects.installed(**variant)
    # Rate limiting off: its 429s are documented, correct answers, but they would keep schemathesis from exploring.
    # The same for the login limits of auth=users (generated logins spend them; their 429 is documented too).
    # A variant with Redis gets a redis-server of its own: readiness would answer 503 without one.
    redis = start_redis(tmp_path) if project.answers.get("use_redis") else None
    redis_env = {"REDIS_URL": redis.url} if redis is not None else {}
    answers = with_defaults(project.answers)
    by_email = answers["auth"] == "users" and answers["jobs"]
    service = start_service(
        project,
        tmp_path,
        **redis_env,
        **(ACCOUNTS_BY_EMAIL if by_email else {}),
        LOG_LEVEL="WARNING",
        RATE_LIMIT_ENABLED="false",
        AUTH_LOGIN_LIMIT_PER_ADDRESS="100000/minute",
        AUTH_LOGIN_LIMIT_PER_ACCOUNT="100000/minute",
        **BUSY_MACHINE_DATABASE_TIMEOUTS,
    )
    # A generated If-Match names a version the item does not have: 412 is the right answer to that schema-valid
    # request (and is documented), as 404 is to an id that does not exist.
    # Most of the writes it generates are therefore refused (412): not a schema mismatch, so no warning for those.
    # With auth=users: the token's subject is no account (GET/PATCH /users/me answer 404), a generated user id is
    # none either (404), and a generated login (a random email and password) is rightly refused with RFC 6749's 400
    # invalid_grant, which schemathesis would report as a schema mismatch. The JSON twins of the token endpoint
    # (`sign_in`) answer a schema-valid body they refuse the same way: a 400 is one of their expected answers.
    quiet = ["replace_item", "update_item", "delete_item", "get_me", "update_me", "issue_token"]
    sign_in = ["login", "refresh_login"]
    quiet += ["get_user", "delete_user", "deactivate_user"]
    if project.answers.get("file_storage"):
        # A generated file id names no pending upload to complete and no attachment to remove: their documented 404.
        quiet += ["complete_upload", "detach_items_file"]
    new_passwords = ["create_user", "update_user"]
    if by_email:
        # Sign-up and reset requests answer 202 whatever the email; their confirmations, given a generated token
        # (never one that was emailed), the documented 400 of a token that is wrong, used, replaced or expired.
        sign_in += ["confirm_password_reset", "verify_email"]
        quiet += ["ask_password_reset"]
        new_passwords += ["register"]
    # The password policy (core/accounts/passwords.py, both frameworks) also refuses a common password and one like
    # the account's email or name, which no JSON Schema can state: schemathesis_hooks.py swaps each generated password
    # the document allows for an uncommon one. Its coverage phase applies no hooks (it sends `000000000000`, the
    # shortest password allowed), so it is off for every operation that sets a password; the fuzzing and stateful
    # phases still check them. Each operation stands in one block only.
    setting_passwords = {"update_me", "confirm_password_reset", *new_passwords}
    refusals = 'checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "429", "5xx"]\n'
    # A file (`file_storage`) is taken only if the deployment's FILES_ALLOWED_TYPES has its type and FILES_MAX_SIZE its
    # size (settings, not in the document) and, streamed, if its first bytes are of that type (core/storage/content.py):
    # a schema-valid request for another is rightly refused, with the documented 413, and 415 (the body is the file) or
    # 422 (a direct upload's `content_type` field). The service's own tests check each refusal.
    accepted = ["2xx", "3xx", "401", "403", "404", "409", "412", "429", "5xx"]
    files = bool(project.answers.get("file_storage"))

    def accepting(*statuses: str) -> str:
        return f"checks.positive_data_acceptance.expected-statuses = {json.dumps([*accepted, *statuses])}\n"

    no_coverage = "phases.coverage.enabled = false\n"
    blocks = [  # (operations, what applies to them besides `warnings = false`)
        (set(quiet) - setting_passwords, ""),
        (set(sign_in) - setting_passwords, refusals),
        ((set(quiet) | set(new_passwords)) & setting_passwords, no_coverage),
        (set(sign_in) & setting_passwords, refusals + no_coverage),
        ({"upload_file"} if files else set(), accepting("413", "415")),
        ({"start_upload"} if files else set(), accepting("413", "422")),
    ]
    (tmp_path / "schemathesis.toml").write_text(
        f"[checks.positive_data_acceptance]\nexpected-statuses = {json.dumps(accepted)}\n"
        + "".join(
            f"[[operations]]\ninclude-operation-id = {json.dumps(sorted(ids))}\nwarnings = false\n{extra}"
            for ids, extra in blocks
            if ids
        )
    )
    # With auth=jwt or auth=users every call carries a token with the items scopes (with auth=users, users:admin too:
    # the accounts admin API is explored; with jobs, operations:read); `ignored_auth` (in --checks=all) also sends
    # requests without it and with a bad one, and fails unless the service refuses them. Logging out would revoke that
    # very token and leave every later call a 401: logout is the contract suite's and the service's own tests' to
    # check. The token's subject is no account of the service (not even a user id), so no user the run creates,
    # finds, deactivates or deletes is the token's own: the run cannot sign itself out half-way. /users/me is
    # therefore a documented 404 here; the service's own tests cover it with real accounts.
    tokens = []
    if uses_tokens(project.answers):
        auth = project.answers["auth"]
        # With auth=users, tokens:admin and audit:admin too: introspection (`/api/v1/auth/verify`) and the audit
        # trail (`/api/v1/audit-events`) are explored.
        scopes = (*ALL_SCOPES, "users:admin", "tokens:admin", "audit:admin") if auth == "users" else ALL_SCOPES
        if project.answers.get("jobs"):
            scopes = (*scopes, "operations:read")
        if project.answers.get("file_storage"):
            scopes = (*scopes, *FILE_SCOPES)
        tokens = [f"--header=Authorization: Bearer {token(scopes=scopes, auth=auth)}"]
    has_logout = answers["auth"] == "users" or (answers["auth"] == "jwt" and answers["use_redis"])
    try:
        result = subprocess.run(
            [
                str(Path(sys.executable).parent / "schemathesis"),
                "run",
                f"{service.base_url}/openapi.json",
                *tokens,
                "--checks=all",
                "--max-examples=40",
                "--seed=20261122",
                # Fails by design: it exists to prove that unhandled errors become problem+json 500s.
                "--exclude-path=/api/v1/debug/error",
                *(["--exclude-path=/api/v1/auth/logout"] if has_logout else []),  # unmatched: a warning
                "--no-color",
            ],
            cwd=tmp_path,  # schemathesis keeps a cache folder in the working directory
            env={**os.environ, "SCHEMATHESIS_HOOKS": str(Path(__file__).with_name("schemathesis_hooks.py"))},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    finally:
        service.kill()
        if redis is not None:
            redis.kill()
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-8000:]
    assert "No issues found" in output, output[-6000:]
