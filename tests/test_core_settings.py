"""Both frameworks accept and refuse exactly the same common settings, with the same one-line problems, all at
once: the settings both read are one base class (`core/settings.py`), and this proves it from outside, in an
installed render of each framework (Redis and rate limiting on, so their settings are compared too)."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from .bearer import SERVICE_AUTH
from .conftest import ProjectFactory, RenderedProject

pytestmark = pytest.mark.slow

ANSWERS: dict[str, Any] = {"use_redis": True, "rate_limiting": True, "use_sentry": True}

# A valid Django key and a bearer-token key in every case, so that Django's and authentication's own production
# rules never add a problem of their own.
DJANGO_KEY = "k" * 64
# The answers render database=postgresql: staging and production need a PostgreSQL URL (not connected to here).
DEPLOYED_DATABASE = "postgresql://service:secret-value-never-echoed@db.internal:5432/service"

CASES: dict[str, dict[str, str]] = {
    "defaults": {},
    "production defaults": {"ENVIRONMENT": "production", "DATABASE_URL": DEPLOYED_DATABASE},
    "production without a database": {"ENVIRONMENT": "production"},
    "production on the SQLite fallback file": {"ENVIRONMENT": "production", "DATABASE_URL": "sqlite:///db.sqlite3"},
    "development on a SQLite file": {"DATABASE_URL": "sqlite:///db.sqlite3"},
    "a database of another kind": {"DATABASE_URL": "mysql://service:secret-value-never-echoed@db.internal/service"},
    "database numbers out of range": {
        "DATABASE_POOL_SIZE": "0",
        "DATABASE_POOL_TIMEOUT": "0",
        "DATABASE_CONNECT_TIMEOUT": "-1",
    },
    "limit with plural and capitals": {"RATE_LIMIT_DEFAULT": "100/Minutes"},
    "limit with spaces": {"RATE_LIMIT_DEFAULT": " 5 / Second "},
    "limit in an unknown unit": {"RATE_LIMIT_DEFAULT": "5/fortnight"},
    "limit of zero": {"RATE_LIMIT_DEFAULT": "0/minute"},
    "every production refusal at once": {
        "ENVIRONMENT": "production",
        "CORS_ORIGINS": "*",
        "LOG_LEVEL": "DEBUG",
        "FORWARDED_ALLOW_IPS": "*",
        "PORT": "eighty",
    },
    "wildcard origin with credentials": {"CORS_ORIGINS": "*", "CORS_ALLOW_CREDENTIALS": "true"},
    "origin with a trailing slash": {"CORS_ORIGINS": '["https://app.example/"]'},
    "origins as commas": {"CORS_ORIGINS": "https://a.example, https://b.example"},
    "proxies as addresses and networks": {"FORWARDED_ALLOW_IPS": "127.0.0.1, 10.0.0.0/8, ::1"},
    "proxy named by host name": {"FORWARDED_ALLOW_IPS": "127.0.0.1,proxy.internal"},
    "wildcard proxy outside production": {"FORWARDED_ALLOW_IPS": "*"},
    "docs forced on in production": {
        "ENVIRONMENT": "production",
        "DOCS_ENABLED": "true",
        "DATABASE_URL": DEPLOYED_DATABASE,
    },
    "numbers out of range": {"PORT": "0", "GRACEFUL_TIMEOUT": "-1", "MAX_BODY_SIZE": "0"},
    "case of names": {
        "ENVIRONMENT": "Staging",
        "LOG_LEVEL": "warning",
        "LOG_FORMAT": "JSON",
        "DATABASE_URL": DEPLOYED_DATABASE,
    },
    "unknown log format": {"LOG_FORMAT": "xml"},
    "a Sentry DSN that is not one": {"SENTRY_DSN": "https://secret-value-never-echoed"},
    "header values in production": {
        "ENVIRONMENT": "production",
        "DATABASE_URL": DEPLOYED_DATABASE,
        "HSTS_MAX_AGE": "31536000",
        "HSTS_PRELOAD": "true",
        "CONTENT_SECURITY_POLICY": "default-src 'none'; img-src 'self'",
    },
    "unsafe header values in production": {
        "ENVIRONMENT": "production",
        "DATABASE_URL": DEPLOYED_DATABASE,
        "HSTS_INCLUDE_SUBDOMAINS": "false",
        "HSTS_PRELOAD": "true",
        "CONTENT_SECURITY_POLICY": "default-src *; style-src 'self'",
    },
    "an unsafe policy in staging": {
        "ENVIRONMENT": "staging",
        "DATABASE_URL": DEPLOYED_DATABASE,
        "CONTENT_SECURITY_POLICY": "script-src 'self' 'unsafe-eval'",
    },
    "a sample rate over one": {"SENTRY_TRACES_SAMPLE_RATE": "1.5"},
}

PROBE = """
import json, os, sys
from {package}.core.settings import ServiceSettings
from {package}.config import ConfigurationError, load_settings

cases = json.loads(sys.stdin.read())
answers = {{}}
for name, env in cases.items():
    for key in [key for key in os.environ if key.upper() in {{f.upper() for f in ServiceSettings.model_fields}}]:
        del os.environ[key]
    os.environ.update(env)
    try:
        settings = load_settings(_env_file=None)
    except ConfigurationError as exc:
        answers[name] = {{"problems": exc.problems}}
    else:
        values = settings.model_dump(mode="json", include=set(ServiceSettings.model_fields))
        answers[name] = {{"settings": values}}
print(json.dumps(answers))
"""


def answers_of(project: RenderedProject) -> dict[str, Any]:
    result = subprocess.run(
        [str(project.venv_python), "-c", PROBE.format(package=project.package)],
        input=json.dumps({name: {"SECRET_KEY": DJANGO_KEY, **SERVICE_AUTH, **env} for name, env in CASES.items()}),
        cwd=project.path,
        env=project.env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    answers: dict[str, Any] = json.loads(result.stdout)
    return answers


@pytest.fixture(scope="module")
def answers(projects: ProjectFactory) -> dict[str, dict[str, Any]]:
    return {
        framework: answers_of(projects.installed(framework=framework, **ANSWERS)) for framework in ("fastapi", "django")
    }


def test_both_frameworks_accept_and_refuse_the_same_common_settings(answers: dict[str, dict[str, Any]]) -> None:
    fastapi, django = answers["fastapi"], answers["django"]
    differences = {name: (fastapi[name], django[name]) for name in CASES if fastapi[name] != django[name]}
    assert not differences


def test_the_agreed_rules(answers: dict[str, dict[str, Any]]) -> None:
    """What both agree on is the contract: spelled out here so that agreeing on something wrong fails too."""
    seen = answers["fastapi"]
    assert seen["limit with plural and capitals"]["settings"]["rate_limit_default"] == "100/minute"
    assert seen["limit with spaces"]["settings"]["rate_limit_default"] == "5/second"
    assert "problems" in seen["limit in an unknown unit"]
    assert "problems" in seen["limit of zero"]
    every = seen["every production refusal at once"]["problems"]
    assert [problem.split(":")[0] for problem in every] == [
        "PORT",
        "LOG_LEVEL",
        "CORS_ORIGINS",
        "FORWARDED_ALLOW_IPS",
        "DATABASE_URL",
    ]
    assert any("CIDR" in problem for problem in every)
    assert seen["proxies as addresses and networks"]["settings"]["forwarded_allow_ips"] == "127.0.0.1,10.0.0.0/8,::1"
    assert seen["proxy named by host name"]["problems"][0].startswith("FORWARDED_ALLOW_IPS:")
    assert seen["wildcard proxy outside production"]["settings"]["forwarded_allow_ips"] == "*"
    assert seen["defaults"]["settings"]["docs_enabled"] is True
    assert seen["production defaults"]["settings"]["docs_enabled"] is False
    assert seen["docs forced on in production"]["settings"]["docs_enabled"] is True
    assert len(seen["numbers out of range"]["problems"]) == 3
    assert [problem.split(":")[0] for problem in seen["database numbers out of range"]["problems"]] == [
        "DATABASE_POOL_SIZE",
        "DATABASE_POOL_TIMEOUT",
        "DATABASE_CONNECT_TIMEOUT",
    ]
    assert seen["production defaults"]["settings"]["database_pool_size"] == 5
    assert seen["production without a database"]["problems"][0].startswith("DATABASE_URL: must be set in production")
    on_sqlite = seen["production on the SQLite fallback file"]["problems"]
    assert on_sqlite[0].startswith("DATABASE_URL: must be a PostgreSQL")
    assert "settings" in seen["development on a SQLite file"]
    assert seen["a database of another kind"]["problems"][0].startswith("DATABASE_URL:")
    assert seen["case of names"]["settings"]["log_level"] == "WARNING"
    headers = seen["header values in production"]["settings"]
    hsts = (headers["hsts_max_age"], headers["hsts_include_subdomains"], headers["hsts_preload"])
    assert hsts == (31536000, True, True)
    assert headers["content_security_policy"] == "default-src 'none'; img-src 'self'"
    unsafe = seen["unsafe header values in production"]["problems"]
    assert [problem.split(":")[0] for problem in unsafe] == ["HSTS_PRELOAD", "CONTENT_SECURITY_POLICY"]
    assert "allows scripts from *" in unsafe[1]
    assert "settings" in seen["an unsafe policy in staging"]
    assert "secret-value-never-echoed" not in json.dumps(seen)
