"""What the settings' sections share: the environment, the helpers their rules use, and the base class.

`CoreSettings` (core/settings.py) holds the settings every service has; each optional feature keeps its own in a
section of its own file (`core/settings_<feature>.py`), a mixin `ServiceSettings` is composed of.
Every section derives from `SettingsSection`, so `ENVIRONMENT` is the first field pydantic validates, whatever the
sections: the rules that depend on it read it from `info.data` (`is_production`).
"""

from __future__ import annotations

import json
from typing import Literal

from pydantic import ValidationInfo
from pydantic_settings import BaseSettings

from .limits import FASTEST_RATE, RATE_SYNTAX, UncountableRateError, parse_rate

Environment = Literal["development", "test", "staging", "production"]


def is_production(info: ValidationInfo) -> bool:
    """For rules that depend on the environment: `ENVIRONMENT` is declared first, so it is validated by then."""
    return info.data.get("environment") == "production"


def parse_list(value: object) -> object:
    """Accept a JSON list (`["https://a.example"]`) or a comma-separated string (`https://a,https://b`)."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError("is not a valid JSON list; use a JSON list or comma-separated values") from exc
    return [item.strip() for item in text.split(",") if item.strip()]


def checked_rate(value: str) -> str:
    """A rate limit setting in its canonical form (`100/minute`), or the reason it is refused."""
    try:
        return str(parse_rate(value))
    except UncountableRateError:
        raise ValueError(f"must be at most {FASTEST_RATE}") from None
    except ValueError:
        raise ValueError(f"must be {RATE_SYNTAX}") from None


class SettingsSection(BaseSettings):
    """The base of `ServiceSettings` and of each of its sections."""

    environment: Environment = "development"

    def serving_problems(self) -> list[str]:
        """What keeps the processes that serve (the API and the worker) from starting, beyond each setting's own
        checks; a one-off command (`migrate`, `users`) runs without it. Reported as an invalid configuration's.
        A section with such a rule adds its problems to those of the sections after it (`super()`)."""
        return []
