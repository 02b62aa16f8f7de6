"""The variant matrix, declared once: the default answers, every value of every question, and a pairwise set.

The template's tests and its own CI workflow derive every rendered variant from here:
- `one_at_a_time()`: the default plus each non-default value changed alone (rendered and statically checked);
- `pairwise()`: a covering array in which every pair of values of the questions that change the service appears at
  least once (installed, type-checked, tested, and run against the contract suite);
- `static_pairwise()`: that array plus rendered-only rows, covering the pairs of the questions that change only
  files no test runs as a service (CI pipelines, Kubernetes manifests) too.

`python -m tests.variants` prints the matrix (`--github-matrix` for the workflow, `--shards N`).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import itertools
import json
import os
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
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
    "database": "postgresql",
    "use_redis": False,
    "rate_limiting": True,
    "use_sentry": True,
    "use_prometheus": True,
    "docs_ui": "scalar",
    "redoc_page": False,
    "auth": "users",
    "ci_provider": "github",
    "kubernetes": True,
    "server": "uvicorn",
    "jobs": True,
    "file_storage": False,
}

# Every question with a closed set of values, and the values that are available today.
QUESTION_VALUES: dict[str, list[Any]] = {
    "python_version": ["3.12", "3.11", "3.13"],  # the default first, like every question here
    "framework": ["fastapi", "django"],
    "database": ["postgresql", "sqlite"],
    "rate_limiting": [True, False],
    "use_redis": [False, True],
    "use_sentry": [True, False],
    "use_prometheus": [True, False],
    "docs_ui": ["scalar", "swagger", "redoc", "none"],
    # Asked only beside scalar or swagger; not pairwise: it touches the docs pages alone (tests/test_docs_ui.py).
    "redoc_page": [False, True],
    "auth": ["users", "jwt", "none"],
    "ci_provider": ["github", "gitlab", "none"],
    "kubernetes": [True, False],
    "server": ["uvicorn", "granian"],
    "jobs": [True, False],
    "file_storage": [False, True],
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


# Combinations copier refuses, each with a phrase of the validator's message. The matrix leaves them out (pairs
# inside them are not required) and tests/test_render.py checks that copier refuses every one of them.
INVALID_COMBINATIONS: list[tuple[Answers, str]] = [
    ({"database": "sqlite", "jobs": True}, "jobs need database=postgresql"),
]


def defaults_for(answers: Answers) -> Answers:
    """The default answers as copier derives them beside these answers: `jobs` defaults to on only where the database
    is PostgreSQL (copier refuses jobs=true beside SQLite), so a `database=sqlite` variant defaults to jobs=false."""
    database = answers.get("database", DEFAULT_ANSWERS["database"])
    return {**DEFAULT_ANSWERS, "jobs": database == "postgresql"}


def with_defaults(answers: Answers) -> Answers:
    """Every answer copier is given for a variant: its own answers over the defaults derived for them.

    Use this, never `with_defaults(answers)`: that hands `jobs=True` to a `database=sqlite` render."""
    return {**defaults_for(answers), **answers}


def is_valid(answers: Answers) -> bool:
    """False when the answers contain a combination copier refuses (incl. an option its framework cannot take).

    Partial answers are judged on what they contain (questions left out are not assumed to take their defaults).
    """
    return not any(
        all(answers.get(key) == value for key, value in combination.items()) for combination, _ in INVALID_COMBINATIONS
    )


def one_at_a_time() -> list[Answers]:
    """The default plus each non-default value of each question, changed alone."""
    variants: list[Answers] = [{}]
    for question, values in QUESTION_VALUES.items():
        variants.extend({question: value} for value in values if value != DEFAULT_ANSWERS.get(question))
    return variants


def variant_id(answers: Answers) -> str:
    """A short, stable, filesystem-safe name for a set of answers."""
    defaults = defaults_for(answers)
    changed = {key: value for key, value in sorted(answers.items()) if defaults.get(key) != value}
    if not changed:
        return "default"
    label = "-".join(f"{key}={value}" for key, value in changed.items())
    safe = "".join(char if char.isalnum() or char in "=-_." else "_" for char in label)[:60]
    digest = hashlib.sha1(json.dumps(changed, sort_keys=True).encode()).hexdigest()[:6]
    return f"{safe}-{digest}"


# The questions whose interactions matter to the running service: every pair of their values is in an installed
# variant (`pairwise()`). python_version is one of them, so every version is installed and tested with both frameworks
# (and with every other answer).
PAIRWISE_QUESTIONS = [
    "python_version",
    "framework",
    "database",
    "use_redis",
    "rate_limiting",
    "use_sentry",
    "use_prometheus",
    "docs_ui",
    "auth",
    "server",
]
# The questions that change only files no test runs as a service (CI pipelines, Kubernetes manifests): installing a
# variant for them would test nothing more. Their values ride on the installed rows, each chosen to cover the most
# pairs, and the pairs still left out get rows that are rendered and statically checked only (`static_pairwise()`).
STATIC_PAIRWISE_QUESTIONS = ["ci_provider", "kubernetes"]


# Optional features only their own tests exercise (no pairs with the others to cover): each is turned on in the first
# installed row (not the default) that matches its selector, rather than installing a render of its own.
RIDERS: list[tuple[Answers, Answers]] = [
    # file_storage: its process tests need a database with concurrent writers; FastAPI's adapter, with Redis (the
    # application cache and the event stream: a file's status changes in the worker) ...
    ({"framework": "fastapi", "database": "postgresql"}, {"file_storage": True, "use_redis": True}),
    # ... and Django's adapter, in a slot of its own (owners: accounts, so another user's file is a 404 to prove).
    ({"framework": "django", "database": "postgresql", "auth": "users"}, {"file_storage": True}),
]


# Values kept out of the pairwise array (none today), and variants installed beside it (none today: every value of
# every pairwise question is in the array, so its pairs are covered there).
NOT_PAIRWISE: dict[str, list[Any]] = {}
DEEP_EXTRAS: list[Answers] = []
# How many variants the pairwise set may hold (each commit runs about a fifth of them in full: `ROTATION`).
DEEP_BUDGET = 14

Row = dict[str, Any]
Pair = tuple[tuple[str, Any], tuple[str, Any]]


def _values(question: str) -> list[Any]:
    if question in QUESTION_VALUES:
        return [value for value in QUESTION_VALUES[question] if value not in NOT_PAIRWISE.get(question, [])]
    return [DEFAULT_ANSWERS[question]] if question in DEFAULT_ANSWERS else []


def _every_pair(questions: list[str]) -> set[Pair]:
    return {
        ((a, va), (b, vb))
        for a, b in itertools.combinations(questions, 2)
        for va in _values(a)
        for vb in _values(b)
        if is_valid({a: va, b: vb})
    }


def _pairs_of(row: Row, questions: list[str]) -> set[Pair]:
    return {((a, row[a]), (b, row[b])) for a, b in itertools.combinations(questions, 2) if a in row and b in row}


def _fill(row: Row, order: list[str], uncovered: set[Pair], choose: Callable[[list[Any]], Any]) -> Row:
    """`row` with each question of `order` it lacks answered by the value covering the most `uncovered` pairs with
    the values already chosen (ties broken by `choose`)."""
    row = dict(row)
    for question in order:
        if question in row:
            continue
        allowed = [value for value in _values(question) if is_valid({**row, question: value})]
        gains = {
            repr(value): sum(
                1
                for other, chosen in row.items()
                if ((question, value), (other, chosen)) in uncovered
                or ((other, chosen), (question, value)) in uncovered
            )
            for value in allowed
        }
        best = max(gains.values())
        row[question] = choose([value for value in allowed if gains[repr(value)] == best])
    return row


def _candidate(rng: random.Random, questions: list[str], uncovered: set[Pair]) -> Row:
    order = list(questions)
    rng.shuffle(order)
    return _fill({}, order, uncovered, rng.choice)


def _covering_rows(questions: list[str], start: list[Row], seeds: int, candidates: int) -> list[Row]:
    """`start`, then as few rows as the search finds that cover every valid pair of values of `questions` left.

    AETG-style: each next row is the best of `candidates` rows built greedily in a shuffled question order. The whole
    construction is repeated for `seeds` fixed seeds and the smallest array kept, so the result is the same on every
    machine. The lower bound is the product of the two largest value counts."""
    every_pair = _every_pair(questions)
    smallest: list[Row] | None = None
    for seed in range(seeds):
        rng = random.Random(seed)
        rows = list(start)
        uncovered = every_pair - set().union(*(_pairs_of(row, questions) for row in rows))
        while uncovered:
            built = [_candidate(rng, questions, uncovered) for _ in range(candidates)]
            row = max(built, key=lambda row: len(_pairs_of(row, questions) & uncovered))
            rows.append(row)
            uncovered -= _pairs_of(row, questions)
        if smallest is None or len(rows) < len(smallest):
            smallest = rows
    assert smallest is not None
    return smallest


def _changed(row: Row) -> Answers:
    return {key: value for key, value in row.items() if DEFAULT_ANSWERS.get(key, _values(key)[0]) != value}


@functools.cache
def _installed_rows(seeds: int = 16, candidates: int = 24) -> tuple[Row, ...]:
    """The covering array of PAIRWISE_QUESTIONS, each row then given the STATIC_PAIRWISE_QUESTIONS' values that cover
    the most pairs of every question (the first row keeps the defaults: it is the default variant)."""
    questions = [question for question in PAIRWISE_QUESTIONS if _values(question)]
    first = {question: _values(question)[0] for question in questions}
    if not is_valid(with_defaults(first)):
        raise ValueError("the first value of every pairwise question must form a valid variant")
    rows = _covering_rows(questions, [first], seeds, candidates)
    static = [question for question in STATIC_PAIRWISE_QUESTIONS if _values(question)]
    everything = [*questions, *static]
    uncovered = _every_pair(everything)
    extended: list[Row] = []
    for index, row in enumerate(rows):
        if index == 0:
            row = {**row, **{question: _values(question)[0] for question in static}}
        else:
            row = _fill(row, static, uncovered, lambda values: values[0])
        uncovered -= _pairs_of(row, everything)
        extended.append(row)
    return tuple(_with_riders(extended))


def _with_riders(rows: list[Row]) -> list[Row]:
    """`rows` with each of RIDERS' answers added to the first row after the default that matches its selector."""
    rows = list(rows)
    for selector, extra in RIDERS:
        for index, row in enumerate(rows[1:], start=1):
            answers = {**defaults_for(row), **row}
            if selector.items() <= answers.items() and is_valid({**answers, **extra}):
                rows[index] = {**row, **extra}
                break
        else:
            raise ValueError(f"no installed row matches {selector} for {extra}")
    return rows


@functools.cache
def pairwise(seeds: int = 16, candidates: int = 24) -> list[Answers]:
    """The installed variants: a small deterministic covering array in which every valid pair of values of
    PAIRWISE_QUESTIONS is in some variant (the STATIC_PAIRWISE_QUESTIONS' values ride along)."""
    return [_changed(row) for row in _installed_rows(seeds, candidates)]


@functools.cache
def static_pairwise(seeds: int = 16, candidates: int = 24) -> list[Answers]:
    """`pairwise()` plus rendered-only rows, so that every valid pair of values of PAIRWISE_QUESTIONS and
    STATIC_PAIRWISE_QUESTIONS together is in some variant that is rendered and statically checked."""
    questions = [question for question in [*PAIRWISE_QUESTIONS, *STATIC_PAIRWISE_QUESTIONS] if _values(question)]
    rows = _covering_rows(questions, list(_installed_rows(seeds, candidates)), seeds, candidates)
    return [_changed(row) for row in rows]


def deep_variants() -> list[Answers]:
    """Every variant that is installed and runs its own suite: the pairwise set and DEEP_EXTRAS."""
    return [*pairwise(), *DEEP_EXTRAS]


# Each run installs and checks the default and one other deep variant, by the commit under test, the frameworks
# taking turns from slot to slot; the others are rendered and statically checked (tests/test_render.py) on every run
# all the same. One whole rendered suite runs per run (`whole_suite_turn`): on one commit in two the other deep
# variant's (saturated: tests/test_rendered_checks.py), on the other the default of the other framework grown by a
# resource (`grown_suite_frameworks`, tests/test_new_resource.py). Two whole suites per run took the 2-core CI to
# 35 minutes (2,074-2,123 s, 1,100 of its 4,166 worker-seconds the two suites), three 53-68 minutes on a slow runner,
# four 47 minutes; with ALL_VARIANTS=1, a run takes them all.
ROTATION = 12
WHOLE_SUITE_TURNS = 2
DEEP_SUITE_TURN = 0
"""`whole_suite_turn()` of the commits that run the other deep variant's whole suite; the other turn runs a grown
default's. A deep variant's suite then runs every 24 commits, each framework's grown default every 4."""


@functools.cache
def commit_under_test() -> int | None:
    """The hash of the template's checked-out commit, as a number; None outside a git clone (asked once: every
    module that collects variants asks again)."""
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        check=False,
    )
    return int(head.stdout.strip(), 16) if head.returncode == 0 else None


def rotation_slot() -> int | None:
    """The commit under test's hash modulo ROTATION; None (every variant) with ALL_VARIANTS=1 or outside a git
    clone."""
    commit = commit_under_test()
    if os.environ.get("ALL_VARIANTS", "").strip() == "1" or commit is None:
        return None
    return commit % ROTATION


def whole_suite_turn() -> int | None:
    """Which whole rendered suite this run takes, by the commit (the turn changes every ROTATION slots, so each slot
    meets both turns): DEEP_SUITE_TURN, the other deep variant's; else a grown default's. None (both) with
    ALL_VARIANTS=1 or outside a git clone."""
    commit = commit_under_test()
    if rotation_slot() is None or commit is None:
        return None
    return commit // ROTATION % WHOLE_SUITE_TURNS


def sharded() -> bool:
    """Whether TEMPLATE_VARIANTS names the deep variants of this run (a shard of the template's own CI, or a person
    iterating on one variant)."""
    return bool(os.environ.get("TEMPLATE_VARIANTS", "").strip())


def runs_deep_suites() -> bool:
    """Whether the deep variants this run installs run their whole suites (tests/test_rendered_checks.py): on the
    commits of DEEP_SUITE_TURN, with ALL_VARIANTS=1, and in a shard TEMPLATE_VARIANTS names."""
    return sharded() or whole_suite_turn() in (None, DEEP_SUITE_TURN)


def frameworks_in_turn(index: int) -> list[str]:
    """Both frameworks with ALL_VARIANTS=1 or outside a git clone; else one, by the commit's slot and `index`: for a
    test that runs one deep scenario per framework (a `copier update` from a release, then the project's own checks).
    Successive tests of a module pass successive indexes, so every run updates projects of both frameworks, and
    successive commits run each test with each framework in turn."""
    frameworks = ["fastapi", "django"]
    slot = rotation_slot()
    return frameworks if slot is None else [frameworks[(slot + index) % len(frameworks)]]


def in_turn(turn: int, turns: int = 2) -> bool:
    """Whether this run takes the `turn`-th of `turns` shares of a module's costly cases (update scenarios, delivery
    validators): all of them with ALL_VARIANTS=1 or outside a git clone, else the share the commit's slot picks, so
    that successive commits run each share in turn."""
    slot = rotation_slot()
    return slot is None or slot % turns == turn


def variants_in_slot(slot: int) -> list[Answers]:
    """The default and the deep variants dealt to the `slot`-th of ROTATION slots: the others, one framework's and
    the next's in turn (so successive slots alternate frameworks), dealt round the slots (one each while there are
    ROTATION of them, more in some slots beyond that)."""
    default, *others = deep_variants()
    frameworks = sorted({str(answers.get("framework", DEFAULT_ANSWERS["framework"])) for answers in others})
    by_framework = [
        [answers for answers in others if answers.get("framework", DEFAULT_ANSWERS["framework"]) == framework]
        for framework in frameworks
    ]
    interleaved = [
        rows[index] for index in range(max(map(len, by_framework))) for rows in by_framework if index < len(rows)
    ]
    return [default, *(answers for index, answers in enumerate(interleaved) if index % ROTATION == slot)]


def deep_variants_to_run() -> list[Answers]:
    """The deep variants this run installs and tests in full: those TEMPLATE_VARIANTS names if it is set, else the
    commit's slot of the rotation (`rotation_slot`), so that successive commits run each variant in turn."""
    if sharded():
        return selected(deep_variants())
    slot = rotation_slot()
    return deep_variants() if slot is None else variants_in_slot(slot)


def grown_suite_frameworks() -> list[str]:
    """The frameworks whose default, grown by a resource, runs its whole `make check` this run
    (tests/test_new_resource.py): both with ALL_VARIANTS=1 or outside a git clone; none on the commits whose whole
    suite is the other deep variant's (`whole_suite_turn`), but in a shard TEMPLATE_VARIANTS names; else the framework
    none of whose other deep variants this run installs (the slot's deep variant is Django's: FastAPI's grown default,
    and the next slot the other way round; should a slot hold both frameworks' variants, the first framework's)."""
    frameworks = [str(framework) for framework in QUESTION_VALUES["framework"]]
    turn = whole_suite_turn()
    if turn is None:
        return frameworks
    if turn == DEEP_SUITE_TURN and not sharded():
        return []
    others = [with_defaults(answers) for answers in deep_variants_to_run() if answers != pairwise()[0]]
    deep = {str(answers["framework"]) for answers in others}
    return [framework for framework in frameworks if framework not in deep] or frameworks_in_turn(0)


def pairwise_to_run() -> list[Answers]:
    """The pairwise variants among `deep_variants_to_run()`: those the contract suite runs against."""
    return [answers for answers in deep_variants_to_run() if answers in pairwise()]


def contract_variants() -> list[Answers]:
    """The variants the contract suite runs against: `pairwise_to_run()`, and the default of each framework none of
    them is (a run's one other deep variant is of one framework; every run checks both against the contract)."""
    chosen = pairwise_to_run()
    frameworks = {answers.get("framework", DEFAULT_ANSWERS["framework"]) for answers in chosen}
    return chosen + [
        {"framework": framework} for framework in QUESTION_VALUES["framework"] if framework not in frameworks
    ]


def first_to_run(matches: Callable[[Answers], bool]) -> Answers | None:
    """The first deep variant (with the defaults) that `matches`: one this run installs anyway if there is one, else
    the first of the pairwise set; None if none matches."""
    for answers in [*deep_variants_to_run(), *pairwise()]:
        if matches(with_defaults(answers)):
            return answers
    return None


def selected(variants: list[Answers]) -> list[Answers]:
    """Honour TEMPLATE_VARIANTS (comma-separated variant ids) so CI can shard the deep checks."""
    wanted = os.environ.get("TEMPLATE_VARIANTS", "").strip()
    if not wanted:
        return variants
    names = {name.strip() for name in wanted.split(",")}
    return [variant for variant in variants if variant_id(with_defaults(variant)) in names]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--github-matrix", action="store_true", help="print a GitHub Actions matrix (JSON)")
    parser.add_argument("--shards", type=int, default=4, help="shards for --github-matrix")
    args = parser.parse_args(argv)
    deep = deep_variants()
    ids = [variant_id(with_defaults(variant)) for variant in deep]
    if args.github_matrix:
        shards = [",".join(ids[index :: args.shards]) for index in range(min(args.shards, len(ids)))]
        print(json.dumps({"include": [{"shard": index, "variants": shard} for index, shard in enumerate(shards)]}))
        return 0
    print(f"one-at-a-time (rendered + static checks): {len(one_at_a_time())}")
    for variant in one_at_a_time():
        print(f"  {variant_id(with_defaults(variant))}")
    running = deep_variants_to_run()
    print(f"pairwise + extras (installed + mypy + pytest; contract for the pairwise ones): {len(deep)}")
    print(f"  (* this run: {len(running)}, rotation slot {rotation_slot()} of {ROTATION}; ALL_VARIANTS=1 runs all)")
    grown = ", ".join(grown_suite_frameworks()) or "none"
    print(f"  whole suites: the deep variants' {'yes' if runs_deep_suites() else 'no'}; grown defaults': {grown}")
    for variant, name in zip(deep, ids, strict=True):
        mark = "*" if variant in running else " "
        print(f" {mark}{name}: {json.dumps(variant, sort_keys=True)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
