"""What bearer tokens cost (issue 13), in process: the verifier per call, and the whole authenticated request.

    uv run python bench/auth.py                   # renders auth=jwt and auth=none (FastAPI, SQLite) at HEAD
    uv run python bench/auth.py --runs 5 --requests 4000

1. `TokenVerifier.authenticate_sync` in an `auth=jwt` render: RS256 (keys from a JWKS endpoint on loopback) and
   HS256, a token seen for the first time (signature and claims checked) and one repeated (remembered by its hash).
2. `GET /api/v1/items/{id}` through the whole app as an ASGI callable (production settings, SQLite), thread CPU time
   per request: the `auth=jwt` render with one repeated token against the `auth=none` render of the same answers,
   run alternately `--runs` times, best of each. The difference is what authentication adds to a request of a client
   that holds its access token (the issue's budget: 15 µs). Twice: with the item in SQLite, and with it in memory
   (no query: SQLite's run-to-run noise, ±50 µs, is larger than the budget).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    bench_parser,
    clean_env,
    machine_description,
    measured_figure,
    python_interpreter,
    render,
    render_arguments,
    uv_binary,
)

SCRIPT = Path(__file__).resolve().parent / "apps" / "auth_cost.py"
ANSWERS = {"framework": "fastapi", "database": "sqlite", "use_sentry": "false", "use_prometheus": "true"}


def installed(workdir: Path, auth: str, vcs_ref: str) -> Path:
    project = workdir / f"auth-{auth}"
    print(f"rendering auth={auth} at {vcs_ref} and installing it (uv sync --no-dev)", flush=True)
    render(project, {**ANSWERS, "auth": auth}, vcs_ref)
    version = (project / ".python-version").read_text().strip()
    env = clean_env(UV_PYTHON=python_interpreter(version))
    subprocess.run([uv_binary(), "sync", "--no-dev", "--quiet"], cwd=project, env=env, check=True)
    return project


def request_cost(project: Path, requests: int, workdir: Path, store: str) -> float:
    database = workdir / f"{project.name}.sqlite3"
    env = clean_env(DATABASE_URL=f"sqlite:///{database}", MIGRATE_ON_START="true")
    arguments = ["request", "my_service", str(requests), str(workdir / "access.log")]
    arguments += ["memory"] if store == "memory" else []
    return float(measured_figure(project, SCRIPT, arguments, env)["us_per_request"])


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser(__doc__)
    render_arguments(parser, project=False, data=False)
    parser.add_argument("--runs", type=int, default=3, help="alternated runs of each render (default 3)")
    parser.add_argument("--requests", type=int, default=2000, help="requests per round (default 2000)")
    parser.add_argument("--calls", type=int, default=500, help="verifier calls per round (default 500)")
    args = parser.parse_args(argv)

    print(machine_description(), flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="bench-auth-"))
    try:
        jwt_project = installed(workdir, "jwt", args.vcs_ref)
        none_project = installed(workdir, "none", args.vcs_ref)
        print(f"\nTokenVerifier.authenticate_sync, thread CPU time per call (best of 7 x {args.calls})", flush=True)
        python = str(jwt_project / ".venv" / "bin" / "python")
        subprocess.run([python, str(SCRIPT), "verify", "my_service", str(args.calls)], cwd=jwt_project, check=True)

        for store, label in [("sqlite", "the item in SQLite"), ("memory", "the item in memory, no query")]:
            print(
                f"\nGET /api/v1/items/{{id}}, {label}: whole app in process, thread CPU time per request "
                f"(best of 7 x {args.requests}, {args.runs} alternated runs each)",
                flush=True,
            )
            costs: dict[str, list[float]] = {"jwt": [], "none": []}
            for _ in range(args.runs):
                costs["jwt"].append(request_cost(jwt_project, args.requests, workdir, store))
                costs["none"].append(request_cost(none_project, args.requests, workdir, store))
            with_token, without = min(costs["jwt"]), min(costs["none"])
            runs = {name: " ".join(f"{cost:.1f}" for cost in figures) for name, figures in costs.items()}
            print(f"  auth=jwt, one repeated token  {with_token:7.1f} us   runs: {runs['jwt']}")
            print(f"  auth=none                     {without:7.1f} us   runs: {runs['none']}")
            print(f"  authentication adds           {with_token - without:+7.1f} us per request (budget: 15 us)")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
