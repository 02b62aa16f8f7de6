"""What separates the rendered Django service's `GET /api/v1/items/{id}` from bare DRF reading the same row, in
process, part by part (Django, database=postgresql, auth=jwt by default).

    uv run python bench/django_parts.py                  # renders framework=django auth=jwt at HEAD, 3 runs
    uv run python bench/django_parts.py --project DIR --runs 5 --requests 1000
    uv run python bench/django_parts.py --vcs-ref <commit>   # an older template version (before/after)

Starts a throwaway PostgreSQL cluster (the project's tests/postgres_cluster.py), migrates it as a deploy does, then
alternates `--runs` times: the rendered service in production shape (`apps/django_parts.py rendered`: the whole
app, then each part taken out in turn) and bare DRF (`apps/drf_bare.py`: no middleware, no authentication, the same
model, serializer, query and `DATABASES`), each in a process of its own, reading the same row. Process CPU time per
request (the view runs on Django's worker thread), best of 15 rounds per run; the best run of each is printed with
the ratio bare / rendered.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DEPLOYED_MAIL, clean_env, harness_parser, harness_project, measured_figure
from middleware import answer, database_for, migrate, package_name

APPS = Path(__file__).resolve().parent / "apps"
AUTH = {"AUTH_JWT_SECRET": "bench-hmac-secret-" + "s" * 32}
AUTH |= {"AUTH_ISSUER": "https://login.bench.example/", "AUTH_AUDIENCE": "https://api.bench.example"}
SERVICE = {
    **DEPLOYED_MAIL,
    "ENVIRONMENT": "production",
    "LOG_FORMAT": "json",
    "LOG_LEVEL": "INFO",
    "DOCS_ENABLED": "false",
}
SERVICE |= {"CORS_ORIGINS": "https://app.example.com", "RATE_LIMIT_DEFAULT": "1000000/second"}


def main(argv: list[str] | None = None) -> int:
    parser = harness_parser(__doc__)
    parser.add_argument("--runs", type=int, default=3, help="alternated runs of each app (default 3)")
    parser.add_argument("--requests", type=int, default=500, help="requests per round (default 500)")
    args = parser.parse_args(argv)
    with harness_project(args, script="django_parts.py", framework="django", defaults=("auth=jwt",)) as (
        project,
        workdir,
    ):
        run(project, workdir, args.runs, args.requests)
    return 0


def run(project: Path, workdir: Path, runs: int, requests: int) -> None:
    package = package_name(project)
    with database_for(project, workdir) as database_env:
        env = clean_env(**database_env, **SERVICE, SECRET_KEY=secrets.token_urlsafe(64), MIGRATE_ON_START="false")
        env |= AUTH if answer(project, "auth") == "jwt" else {}
        env |= {"DJANGO_SETTINGS_MODULE": f"{package}.settings"}
        migrate(project, env, "django")
        rendered: list[dict[str, Any]] = []
        bare: list[float] = []
        bare_calls = 0.0
        for _ in range(runs):
            arguments = ["rendered", package, str(requests), str(workdir / "access.log")]
            rendered.append(measured_figure(project, APPS / "django_parts.py", arguments, env, echo=True))
            bare_env = {**env, "BENCH_PACKAGE": package, "BENCH_ITEM_ID": rendered[-1]["item_id"]}
            bare_env.pop("DJANGO_SETTINGS_MODULE")
            figures = measured_figure(project, APPS / "django_parts.py", ["bare", package, str(requests)], bare_env)
            bare.append(figures["whole"])
            bare_calls = figures["calls"]
            print(f"  bare DRF: {bare[-1]:7.1f} us", flush=True)
    best = min(rendered, key=lambda figures: figures["whole"])
    print(f"\nbest of {runs} runs each, CPU per request: rendered {best['whole']:.1f} us, bare DRF {min(bare):.1f} us")
    print(f"  bare DRF / rendered: {min(bare) / best['whole']:.2f}")
    print(f"  Python calls per request: rendered {best['calls: whole']:.0f}, bare DRF {bare_calls:.0f}")
    for part, us in best.items():
        if part not in ("whole", "item_id", "closed_by_server per call") and not part.startswith("calls"):
            extra_calls = best["calls: whole"] - best[f"calls: {part}"]
            print(f"  {part:<32} {best['whole'] - us:+7.1f} us  {extra_calls:+6.0f} calls per request")


if __name__ == "__main__":
    raise SystemExit(main())
