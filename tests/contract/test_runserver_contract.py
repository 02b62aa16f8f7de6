"""`manage.py runserver` serves the whole contract (Django): the HTTP checks of the contract modules run again
against Django's development command instead of `python -m <package>`, as a real process with auto-reload on.

The checks are imported from their modules (the shipped end-to-end tests among them): pytest collects them here with
this module's `contract_project` (Django variants only) and `service` (runserver) fixtures.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ..conftest import ProjectFactory, RenderedProject, variant_params
from ..redis_server import start_redis
from ..variants import contract_variants
from .checks import ALLOWED_ORIGIN
from .service import Service, start_service
from .test_contract import (  # noqa: F401 - collected here, against runserver
    test_cors_allows_the_configured_origin,
    test_cors_denies_other_origins,
    test_exactly_one_access_line_per_request,
    test_health_summary,
    test_request_id_is_in_error_bodies_and_logs,
    test_route_label_is_the_template_not_the_path,
    test_security_headers_and_no_hsts_outside_production,
    test_unhandled_error_is_a_500_problem_without_details,
)
from .test_e2e_suite import test_the_shipped_end_to_end_tests_pass  # noqa: F401 - the shipped suite, on runserver
from .test_rate_limit_contract import (  # noqa: F401
    test_health_is_never_limited,
    test_limited_routes_send_rate_limit_headers,
)

pytestmark = pytest.mark.slow

DJANGO_VARIANTS = variant_params([answers for answers in contract_variants() if answers.get("framework") == "django"])


@pytest.fixture(scope="module", params=DJANGO_VARIANTS)
def contract_project(request: pytest.FixtureRequest, projects: ProjectFactory) -> RenderedProject:
    return projects.installed(**request.param)


@pytest.fixture(scope="module")
def redis_env(contract_project: RenderedProject, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """REDIS_URL of a fresh redis-server when the project uses Redis."""
    if not contract_project.answers.get("use_redis"):
        yield {}
        return
    redis = start_redis(tmp_path_factory.mktemp("redis"))
    yield {"REDIS_URL": redis.url}
    redis.kill()


@pytest.fixture(scope="module")
def service(
    contract_project: RenderedProject, redis_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    env = {"CORS_ORIGINS": ALLOWED_ORIGIN, **redis_env}
    running = start_service(contract_project, tmp_path_factory.mktemp("runserver"), runserver=True, **env)
    yield running
    running.kill()


@pytest.fixture(scope="module")
def mail_sink() -> None:
    """No test mailbox: runserver serves without sign-up (the shipped suite's sign-up test is skipped, saying so)."""
    return


@pytest.fixture
def client(service: Service) -> Iterator[httpx.Client]:
    with service.client() as http:
        yield http


def test_ctrl_c_stops_runserver_without_a_traceback(
    contract_project: RenderedProject, redis_env: dict[str, str], tmp_path: Path
) -> None:
    running = start_service(contract_project, tmp_path, runserver=True, **redis_env)
    # What a terminal sends on Ctrl-C: SIGINT to the whole foreground process group.
    os.killpg(running.process.pid, signal.SIGINT)
    exit_code = running.process.wait(timeout=20)
    time.sleep(0.2)
    output = running.log_path.read_text()
    running.kill()
    assert exit_code == 0, output
    assert "Traceback" not in output
    assert "KeyboardInterrupt" not in output
