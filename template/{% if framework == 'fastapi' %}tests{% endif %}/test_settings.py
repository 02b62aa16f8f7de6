from __future__ import annotations

import pytest

from .conftest import ConfigurationError, Settings, load_settings
from .deployment import DEPLOYED_ENV


def test_defaults_are_safe_for_local_development(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir("/")  # no .env
    settings = load_settings()
    assert settings.environment == "development"
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.effective_log_format == "console"
    assert settings.cors_origins == []


def deployed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment of a staging or production deployment: a database and the key settings it needs."""
    for name, value in DEPLOYED_ENV.items():
        monkeypatch.setenv(name, value)


def test_log_format_defaults_to_json_outside_development(monkeypatch: pytest.MonkeyPatch) -> None:
    deployed(monkeypatch)
    staging = Settings(_env_file=None, environment="staging")
    assert staging.effective_log_format == "json"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('["https://a.example", "https://b.example"]', ["https://a.example", "https://b.example"]),
        ("https://a.example, https://b.example", ["https://a.example", "https://b.example"]),
        ("", []),
    ],
)
def test_cors_origins_accept_json_or_commas(monkeypatch: pytest.MonkeyPatch, raw: str, expected: list[str]) -> None:
    monkeypatch.setenv("CORS_ORIGINS", raw)
    assert load_settings(_env_file=None).cors_origins == expected


def test_values_are_normalised(monkeypatch: pytest.MonkeyPatch) -> None:
    deployed(monkeypatch)
    monkeypatch.setenv("ENVIRONMENT", " Production ")
    monkeypatch.setenv("LOG_LEVEL", "warning")
    settings = load_settings(_env_file=None)
    assert settings.environment == "production"
    assert settings.log_level == "WARNING"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"PORT": "70000"}, "PORT: Input should be less than or equal to 65535"),
        ({"ENVIRONMENT": "prod"}, "ENVIRONMENT: Input should be 'development', 'test', 'staging' or 'production'"),
        ({"CORS_ORIGINS": "[not json"}, "CORS_ORIGINS: is not a valid JSON list"),
        ({"CORS_ORIGINS": "example.com"}, "must start with http:// or https://"),
        ({"CORS_ORIGINS": "*", "CORS_ALLOW_CREDENTIALS": "true"}, "lets every website make credentialed requests"),
        ({"CORS_ORIGINS": "*", "ENVIRONMENT": "production"}, "refused in production"),
        ({"LOG_LEVEL": "debug", "ENVIRONMENT": "production"}, "LOG_LEVEL: DEBUG is refused in production"),
    ],
)
def test_invalid_configuration_is_one_clear_line_per_problem(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigurationError) as caught:
        load_settings(_env_file=None)
    assert any(expected in problem for problem in caught.value.problems), caught.value.problems


def test_errors_never_echo_values(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "s3cr3t-value-that-must-not-leak"
    monkeypatch.setenv("PORT", secret)
    monkeypatch.setenv("GRACEFUL_TIMEOUT", secret)
    with pytest.raises(ConfigurationError) as caught:
        load_settings(_env_file=None)
    assert len(caught.value.problems) == 2
    assert secret not in str(caught.value)
