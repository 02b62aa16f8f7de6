"""Anonymous and authenticated rates, end to end: the rendered service as a real process, for each framework.

A client without a token is counted by its address at RATE_LIMIT_ANONYMOUS, a token holder by its token's subject
at RATE_LIMIT_AUTHENTICATED, whatever address it calls from; both fall back to RATE_LIMIT_DEFAULT.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .bearer import bearer
from .conftest import ProjectFactory, RenderedProject, framework_params
from .contract.service import Service, start_service

# Installs a variant per framework and runs it: the fast subset leaves it out.
pytestmark = pytest.mark.slow

ITEMS = "/api/v1/items"


@pytest.fixture(scope="module", params=framework_params(auth="jwt", rate_limiting=True))
def project(request: pytest.FixtureRequest, projects: ProjectFactory) -> RenderedProject:
    return projects.installed(framework=request.param, auth="jwt", rate_limiting=True)


@pytest.fixture
def service(project: RenderedProject, tmp_path: Path) -> Iterator[Service]:
    started = start_service(
        project,
        tmp_path,
        RATE_LIMIT_DEFAULT="1000/minute",
        RATE_LIMIT_ANONYMOUS="3/minute",
        RATE_LIMIT_AUTHENTICATED="5/minute",
    )
    yield started
    started.kill()


def statuses(http: httpx.Client, count: int, headers: dict[str, str]) -> list[tuple[int, str]]:
    """`count` reads: each one's status and the limit it was counted against (X-RateLimit-Limit)."""
    answers = [http.get(ITEMS, headers=headers) for _ in range(count)]
    return [(answer.status_code, answer.headers.get("x-ratelimit-limit", "")) for answer in answers]


def from_address(address: str, subject: str | None = None) -> dict[str, str]:
    # The service trusts X-Forwarded-For from 127.0.0.1 (FORWARDED_ALLOW_IPS default): the test plays the proxy.
    return {"X-Forwarded-For": address, **(bearer(subject, auth="jwt") if subject else {})}


def test_anonymous_clients_and_token_holders_have_their_own_rates(service: Service) -> None:
    with httpx.Client(base_url=service.base_url, timeout=10) as http:
        # Without a token: refused for its credentials, and counted per address at 3/minute.
        assert statuses(http, 4, from_address("203.0.113.1")) == [(401, "3")] * 3 + [(429, "3")]
        # A token holder at the same address: its own budget, counted per subject at 5/minute.
        assert statuses(http, 6, from_address("203.0.113.1", "alice")) == [(200, "5")] * 5 + [(429, "5")]
        # Another subject is independent, from the same address too.
        assert statuses(http, 1, from_address("203.0.113.1", "bob")) == [(200, "5")]
        # The subject is the key, not the address: alice's budget is spent wherever she calls from.
        assert statuses(http, 1, from_address("198.51.100.7", "alice")) == [(429, "5")]
        # Another address without a token has its own anonymous budget.
        assert statuses(http, 1, from_address("198.51.100.7")) == [(401, "3")]


def test_a_bad_token_is_counted_as_anonymous(service: Service) -> None:
    forged = {
        "Authorization": "Bearer "
        + bearer("mallory", auth="jwt")["Authorization"].removeprefix("Bearer ")[:-4]
        + "AAAA"
    }
    with httpx.Client(base_url=service.base_url, timeout=10) as http:
        answers = statuses(http, 4, {**from_address("203.0.113.9"), **forged})
    assert answers == [(401, "3")] * 3 + [(429, "3")]


def test_both_rates_fall_back_to_the_default(project: RenderedProject, tmp_path: Path) -> None:
    service = start_service(project, tmp_path, RATE_LIMIT_DEFAULT="2/minute")
    try:
        with httpx.Client(base_url=service.base_url, timeout=10) as http:
            assert statuses(http, 3, from_address("203.0.113.2")) == [(401, "2")] * 2 + [(429, "2")]
            assert statuses(http, 3, from_address("203.0.113.2", "carol")) == [(200, "2")] * 2 + [(429, "2")]
    finally:
        service.kill()
