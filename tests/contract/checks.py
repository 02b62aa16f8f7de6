"""Shared expectations of the contract: header values, problem+json shape, and the example item.

The header values and the problem+json shape are the rendered projects' own: `tests/e2e/checks.py`, the file every
render ships (copied as it is) for its end-to-end tests. One file states them for both suites.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

SHIPPED_CHECKS = Path(__file__).resolve().parents[2] / "template" / "tests" / "e2e" / "checks.py"


def _load_shipped_checks() -> Any:
    spec = importlib.util.spec_from_file_location("shipped_e2e_checks", SHIPPED_CHECKS)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses and typing resolve names through sys.modules
    spec.loader.exec_module(module)
    return module


_shipped = _load_shipped_checks()
SECURITY_HEADERS: dict[str, str] = _shipped.SECURITY_HEADERS
READ_CACHE_CONTROL: str = _shipped.READ_CACHE_CONTROL
PROBLEM_FIELDS: set[str] = _shipped.PROBLEM_FIELDS
assert_problem = _shipped.assert_problem
assert_security_headers = _shipped.assert_security_headers

ALLOWED_ORIGIN = "https://allowed.example"

ITEM = {"name": "Contract kettle", "price_cents": 4990}


def port_of(base_url: str) -> int:
    port = httpx.URL(base_url).port
    assert port is not None
    return port


def requires(answers: dict[str, Any], **wanted: Any) -> None:
    """Skip a check of an optional feature in the variants where that feature was not chosen.

    A wanted value may be a tuple of allowed values: `requires(answers, docs_ui=("scalar", "swagger"))`.
    """
    missing = {
        key: value
        for key, value in wanted.items()
        if not (answers.get(key) in value if isinstance(value, tuple) else answers.get(key) == value)
    }
    if missing:
        pytest.skip(f"not in this variant: {missing}")
