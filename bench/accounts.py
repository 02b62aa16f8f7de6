"""What the service's own accounts (`auth=users`) cost, in process, side by side with `auth=jwt`:

    uv run python bench/accounts.py                  # renders auth=users and auth=jwt (FastAPI, SQLite) at HEAD
    uv run python bench/accounts.py --runs 5 --requests 4000

1. The argon2id parameters the service hashes with and the time of one hash and one verify on this machine.
2. One login (`POST /api/v1/auth/token`, password grant) and one refresh (refresh_token grant: the spent token marked,
   a new one stored), medians of wall time through the whole app as an ASGI callable, SQLite.
3. `GET /api/v1/items/{id}` (the item in memory: no query) with a `users` access token (EdDSA, signed by the
   service) against the `auth=jwt` render with an HS256 token: the same `TokenVerifier`, a repeated token remembered
   by its hash, so the difference should be noise. Thread CPU time per request, best of 7 rounds, `--runs`
   alternated runs of each render.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from auth import installed
from common import bench_parser, clean_env, machine_description, measured_figure, render_arguments

APPS = Path(__file__).resolve().parent / "apps"
EMAIL = "bench@example.com"
PASSWORD = "bench passphrase of the accounts benchmark"


def prepared_users_database(project: Path, workdir: Path) -> dict[str, str]:
    """A migrated SQLite file holding the benchmark's account, and the environment that reads it (production, with
    a signing key set made by the service's own command)."""
    python = str(project / ".venv" / "bin" / "python")
    keys = subprocess.run(
        [python, "-m", "my_service", "signing-key"], cwd=project, env=clean_env(), capture_output=True, text=True
    )
    if keys.returncode != 0:
        raise SystemExit(f"signing-key: {keys.stderr}")
    env = clean_env(
        DATABASE_URL=f"sqlite:///{workdir / 'users.sqlite3'}",
        AUTH_SIGNING_KEYS=keys.stdout.strip(),
        ENVIRONMENT="production",
    )
    for command, stdin in (["migrate"], None), (["users", "create", EMAIL], PASSWORD + "\n"):
        done = subprocess.run(
            [python, "-m", "my_service", *command], cwd=project, env=env, input=stdin, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)}: {done.stdout}{done.stderr}")
    return env


def users_figures(project: Path, env: dict[str, str], requests: int, workdir: Path) -> dict[str, Any]:
    arguments = ["my_service", str(requests), str(workdir / "users-access.log")]
    return measured_figure(project, APPS / "accounts_cost.py", arguments, env)


def jwt_item_us(project: Path, requests: int, workdir: Path) -> float:
    arguments = ["request", "my_service", str(requests), str(workdir / "jwt-access.log"), "memory"]
    env = clean_env(DATABASE_URL=f"sqlite:///{workdir / 'jwt.sqlite3'}", MIGRATE_ON_START="true")
    return float(measured_figure(project, APPS / "auth_cost.py", arguments, env)["us_per_request"])


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser(__doc__)
    render_arguments(parser, project=False, data=False)
    parser.add_argument("--runs", type=int, default=3, help="alternated runs of each render (default 3)")
    parser.add_argument("--requests", type=int, default=2000, help="item requests per round (default 2000)")
    parser.add_argument("--users-project", help="an installed FastAPI render with auth=users, database=sqlite")
    parser.add_argument("--jwt-project", help="an installed FastAPI render with auth=jwt, database=sqlite")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)

    print(machine_description(), flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="bench-accounts-"))
    try:
        users_project = Path(args.users_project) if args.users_project else installed(workdir, "users", args.vcs_ref)
        jwt_project = Path(args.jwt_project) if args.jwt_project else installed(workdir, "jwt", args.vcs_ref)
        env = prepared_users_database(users_project, workdir)
        runs: list[dict[str, Any]] = []
        jwt_runs: list[float] = []
        for _ in range(args.runs):
            runs.append(users_figures(users_project, env, args.requests, workdir))
            jwt_runs.append(jwt_item_us(jwt_project, args.requests, workdir))
        first = runs[0]
        argon2 = first["argon2"]
        print(
            f"\nargon2 parameters: {argon2['variant']}, m={argon2['memory_kib']} KiB, t={argon2['time_cost']}, "
            f"p={argon2['parallelism']}"
        )
        print(f"{'':34}{'median of runs':>16}   runs")

        def row(label: str, values: list[float], unit: str) -> float:
            middle = sorted(values)[len(values) // 2]
            print(f"  {label:32}{middle:12.2f} {unit:<3}   {' '.join(f'{value:.2f}' for value in values)}")
            return middle

        row("argon2id hash", [run["hash_ms"] for run in runs], "ms")
        verify_ms = row("argon2id verify", [run["verify_ms"] for run in runs], "ms")
        login_ms = row("login (password grant)", [run["login_ms"] for run in runs], "ms")
        refresh_ms = row("refresh (refresh_token grant)", [run["refresh_ms"] for run in runs], "ms")
        users_us = row("item route, users token", [run["item_us"] for run in runs], "us")
        jwt_us = row("item route, jwt token", jwt_runs, "us")
        print(f"\n  verify / login                {verify_ms / login_ms:6.2f}   (the share of a login argon2 takes)")
        print(f"  refresh / login               {refresh_ms / login_ms:6.2f}")
        print(f"  item: users / jwt token       {users_us / jwt_us:6.2f}   (same verifier: 1.00 within noise)")
        if args.json:
            summary = {"argon2": argon2, "hash_ms": runs[0]["hash_ms"], "verify_ms": verify_ms, "login_ms": login_ms}
            summary |= {"refresh_ms": refresh_ms, "item_users_us": users_us, "item_jwt_us": jwt_us}
            Path(args.json).write_text(json.dumps(summary, indent=2))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
