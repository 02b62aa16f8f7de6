"""What the rendered FastAPI service's `GET /api/v1/items/{id}` costs, part by part, in process, against `floor1`
(bare FastAPI + the service's headers + one asyncpg round trip), on PostgreSQL. The default answers (auth=users).

    uv run python bench/fastapi_parts.py                     # renders the default variant at HEAD, 3 runs
    uv run python bench/fastapi_parts.py --project DIR --runs 5 --requests 1000
    uv run python bench/fastapi_parts.py --data auth=jwt     # another variant
    uv run python bench/fastapi_parts.py --vcs-ref <commit>  # an older template version (before/after)

Starts a throwaway PostgreSQL cluster (the project's tests/postgres_cluster.py), migrates it as a deploy does, then
runs `apps/fastapi_parts.py` `--runs` times, each in a process of its own: the whole app in production shape, then
the same with each part taken out in turn (each pure ASGI layer, the token's verification and scopes, the default
rate limit, the conditional read and `ETag`, response validation and serialisation, the database read), and
`floor1`, alternated round by round. Thread CPU time per request, best of 9 rounds; the exact count of Python calls
per request beside it (steady whatever the machine's load). The best run is printed with each part's cost.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import clean_env, harness_parser, harness_project, measured_figure
from middleware import answer, database_for, migrate, package_name

SCRIPT = Path(__file__).resolve().parent / "apps" / "fastapi_parts.py"


def main(argv: list[str] | None = None) -> int:
    parser = harness_parser(__doc__)
    parser.add_argument("--runs", type=int, default=3, help="runs, each in a process of its own (default 3)")
    parser.add_argument("--requests", type=int, default=500, help="requests per round (default 500)")
    parser.add_argument("--json", help="write the best run's figures to this file")
    args = parser.parse_args(argv)
    with harness_project(args, script="fastapi_parts.py", framework="fastapi") as (project, workdir):
        best = run(project, workdir, args.runs, args.requests)
        if args.json:
            Path(args.json).write_text(json.dumps(best, indent=2))
    return 0


def signing_keys(project: Path) -> dict[str, str]:
    """auth=users: a key set made by the service's own command (production refuses to start without one)."""
    if answer(project, "auth") != "users":
        return {}
    python = str(project / ".venv" / "bin" / "python")
    command = [python, "-m", package_name(project), "signing-key"]
    keys = subprocess.run(command, cwd=project, env=clean_env(), capture_output=True, text=True, check=False)
    if keys.returncode != 0:
        raise SystemExit(f"signing-key: {keys.stderr}")
    return {"AUTH_SIGNING_KEYS": keys.stdout.strip()}


def run(project: Path, workdir: Path, runs: int, requests: int) -> dict[str, Any]:
    with database_for(project, workdir) as database_env:
        migrate(project, clean_env(**database_env, ENVIRONMENT="development"), "fastapi")
        url = database_env["DATABASE_URL"]
        env = clean_env(**signing_keys(project))
        arguments = [package_name(project), str(requests), str(workdir / "access.log"), url]
        results = [measured_figure(project, SCRIPT, arguments, env, echo=True) for _ in range(runs)]
    best = min(results, key=lambda figures: figures["us"]["whole"])
    us, calls = best["us"], best["calls"]
    whole = us["whole"]
    print(f"\nbest of {runs} runs, GET /api/v1/items/{{id}} in process:")
    print(f"  rendered {whole:.1f} us, {calls['whole']:.0f} calls; floor1 {us['floor1']:.1f} us, {calls['floor1']:.0f}")
    print(f"  floor1 / rendered: {us['floor1'] / whole:.2f} by CPU, {calls['floor1'] / calls['whole']:.2f} by calls")
    unread = "floor1 without its database read"
    print(f"  without their reads: floor1 / rendered {us[unread] / us['database read']:.2f} by CPU")
    for part in us:
        if not part.startswith("floor1"):
            print(f"  {part:<50} {whole - us[part]:+7.1f} us  {calls['whole'] - calls[part]:+6.0f} calls")
    print(f"  a remembered token's authenticate(): {best['remembered token us']:.1f} us per call")
    return best


if __name__ == "__main__":
    raise SystemExit(main())
