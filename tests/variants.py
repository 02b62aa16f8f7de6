"""The variant matrix, declared once: the default answers, every value of every question, and a pairwise set.

The template's tests and its own CI workflow derive every rendered variant from here:
- `one_at_a_time()`: the default plus each non-default value changed alone (rendered and statically checked);
- `pairwise()`: a covering array in which every pair of values of the feature questions appears at least once
  (installed, type-checked, tested, and run against the contract suite).

`python -m tests.variants` prints the matrix (`--github-matrix` for the workflow, `--shards N`).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import sys
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
    "use_redis": False,
    "rate_limiting": True,
    "use_sentry": True,
    "use_prometheus": True,
    "docs_ui": "scalar",
    "ci_provider": "github",
    "kubernetes": True,
}

# Every question with a closed set of values, and the values that are available today.
QUESTION_VALUES: dict[str, list[Any]] = {
    "python_version": ["3.11", "3.12", "3.13"],
    "framework": ["fastapi", "django"],
}

# Answers a framework cannot take yet (copier.yml refuses them with a clear message): every variant of that
# framework is rendered with these values instead. Remove an entry as soon as the framework supports the option.
FRAMEWORK_LIMITS: dict[str, Answers] = {
    "django": {"use_redis": False, "use_sentry": False, "use_prometheus": False, "docs_ui": "none"},
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
    return [within_limits(variant) for variant in variants]


def within_limits(variant: Answers) -> Answers:
    """A variant plus the limits of its framework, written out (so ids and renders agree)."""
    limits = FRAMEWORK_LIMITS.get({**DEFAULT_ANSWERS, **variant}["framework"], {})
    return {**variant, **{key: value for key, value in limits.items() if DEFAULT_ANSWERS.get(key) != value}}


def variant_id(answers: Answers) -> str:
    """A short, stable, filesystem-safe name for a set of answers."""
    changed = {key: value for key, value in sorted(answers.items()) if DEFAULT_ANSWERS.get(key) != value}
    if not changed:
        return "default"
    label = "-".join(f"{key}={value}" for key, value in changed.items())
    safe = "".join(char if char.isalnum() or char in "=-_." else "_" for char in label)[:60]
    digest = hashlib.sha1(json.dumps(changed, sort_keys=True).encode()).hexdigest()[:6]
    return f"{safe}-{digest}"


# The questions whose interactions matter: every pair of their values is covered by `pairwise()`.
PAIRWISE_QUESTIONS = [
    "framework",
    "use_redis",
    "rate_limiting",
    "use_sentry",
    "use_prometheus",
    "docs_ui",
    "ci_provider",
    "kubernetes",
]


def _values(question: str) -> list[Any]:
    if question in QUESTION_VALUES:
        return list(QUESTION_VALUES[question])
    return [DEFAULT_ANSWERS[question]] if question in DEFAULT_ANSWERS else []


def pairwise() -> list[Answers]:
    """A small deterministic covering array: every pair of values of PAIRWISE_QUESTIONS appears in some variant.

    Greedy: start from the default-first row, then repeatedly pick the candidate row covering the most uncovered
    pairs (candidates: each uncovered pair completed with the values that cover most other pairs).
    """
    questions = [question for question in PAIRWISE_QUESTIONS if _values(question)]
    values = {question: _values(question) for question in questions}
    uncovered = {
        ((a, va), (b, vb)) for a, b in itertools.combinations(questions, 2) for va in values[a] for vb in values[b]
    }

    def pairs_of(row: dict[str, Any]) -> set[tuple[tuple[str, Any], tuple[str, Any]]]:
        return {((a, row[a]), (b, row[b])) for a, b in itertools.combinations(questions, 2)}

    rows: list[dict[str, Any]] = []
    first = {question: values[question][0] for question in questions}
    rows.append(first)
    uncovered -= pairs_of(first)
    while uncovered:
        (qa, va), (qb, vb) = min(uncovered, key=lambda pair: (questions.index(pair[0][0]), str(pair)))
        row: dict[str, Any] = {qa: va, qb: vb}
        for question in questions:
            if question in row:
                continue
            row[question] = max(
                values[question],
                key=lambda value: sum(
                    1
                    for other, other_value in row.items()
                    if (((question, value), (other, other_value)) in uncovered)
                    or (((other, other_value), (question, value)) in uncovered)
                ),
            )
        ordered = {question: row[question] for question in questions}
        rows.append(ordered)
        uncovered -= pairs_of(ordered)
    unique: dict[str, Answers] = {}
    for row in rows:
        variant = within_limits(
            {key: value for key, value in row.items() if DEFAULT_ANSWERS.get(key, _values(key)[0]) != value}
        )
        unique.setdefault(variant_id({**DEFAULT_ANSWERS, **variant}), variant)
    return list(unique.values())


def selected(variants: list[Answers]) -> list[Answers]:
    """Honour TEMPLATE_VARIANTS (comma-separated variant ids) so CI can shard the deep checks."""
    wanted = os.environ.get("TEMPLATE_VARIANTS", "").strip()
    if not wanted:
        return variants
    names = {name.strip() for name in wanted.split(",")}
    return [variant for variant in variants if variant_id({**DEFAULT_ANSWERS, **variant}) in names]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--github-matrix", action="store_true", help="print a GitHub Actions matrix (JSON)")
    parser.add_argument("--shards", type=int, default=4, help="shards for --github-matrix")
    args = parser.parse_args(argv)
    deep = pairwise()
    ids = [variant_id({**DEFAULT_ANSWERS, **variant}) for variant in deep]
    if args.github_matrix:
        shards = [",".join(ids[index :: args.shards]) for index in range(min(args.shards, len(ids)))]
        print(json.dumps({"include": [{"shard": index, "variants": shard} for index, shard in enumerate(shards)]}))
        return 0
    print(f"one-at-a-time (rendered + static checks): {len(one_at_a_time())}")
    for variant in one_at_a_time():
        print(f"  {variant_id({**DEFAULT_ANSWERS, **variant})}")
    print(f"pairwise (installed + mypy + pytest + contract): {len(deep)}")
    for variant, name in zip(deep, ids, strict=True):
        print(f"  {name}: {json.dumps(variant, sort_keys=True)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
