"""The variant matrix, declared once: the default answers and every value of every question.

The template's tests (and its CI) derive every rendered variant from here.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

Answers = dict[str, Any]

# Answers given to every render unless a test overrides them; identity answers are fixed so renders are comparable.
DEFAULT_ANSWERS: Answers = {
    "project_name": "My Service",
    "description": "A production-ready Python API service.",
    "author_name": "Platform Team",
    "author_email": "platform@example.com",
    "python_version": "3.12",
    "framework": "fastapi",
}

# Every question with a closed set of values, and the values that are available today.
QUESTION_VALUES: dict[str, list[Any]] = {
    "python_version": ["3.11", "3.12", "3.13"],
    "framework": ["fastapi"],
}

# Free-text questions, each with a non-default value that must visibly change the output.
FREE_TEXT_CHANGES: Answers = {
    "project_name": "Billing Gateway",
    "project_slug": "billing-gw",
    "package_name": "billing_core",
    "description": "Charges cards and sends receipts.",
    "author_name": "Payments Team",
    "author_email": "payments@example.org",
}


def one_at_a_time() -> list[Answers]:
    """The default plus each non-default value of each question, changed alone."""
    variants: list[Answers] = [{}]
    for question, values in QUESTION_VALUES.items():
        variants.extend({question: value} for value in values if value != DEFAULT_ANSWERS.get(question))
    return variants


def variant_id(answers: Answers) -> str:
    """A short, stable, filesystem-safe name for a set of answers."""
    changed = {key: value for key, value in sorted(answers.items()) if DEFAULT_ANSWERS.get(key) != value}
    if not changed:
        return "default"
    label = "-".join(f"{key}={value}" for key, value in changed.items())
    safe = "".join(char if char.isalnum() or char in "=-_." else "_" for char in label)[:60]
    digest = hashlib.sha1(json.dumps(changed, sort_keys=True).encode()).hexdigest()[:6]
    return f"{safe}-{digest}"
