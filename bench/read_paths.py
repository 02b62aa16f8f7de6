"""What a hot read of one item costs through each way of reaching PostgreSQL, in process (FastAPI, database=postgresql).

    uv run python bench/read_paths.py                         # renders the default variant at HEAD
    uv run python bench/read_paths.py --reads 2000 --vcs-ref <commit>   # an older template version (before/after)
    uv run python bench/read_paths.py --project DIR           # an installed rendered project

Starts a throwaway PostgreSQL cluster (the rendered project's tests/postgres_cluster.py), migrates it as a deploy
does, then runs `apps/read_paths.py` in the project's venv: the read alone through the service's session, the same
session executing Core on its connection, a Core `AsyncConnection`, a raw asyncpg connection from SQLAlchemy's pool,
and `floor1`'s own asyncpg pool; then `GET /api/v1/items/{id}` through the whole rendered app with its repository
reading each way, against `floor1` (bare FastAPI + the service's headers + one asyncpg round trip). Thread CPU time
per read or request, best of 7 rounds, every way alternated in each round.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import clean_env, harness_parser, harness_project, measured_figure
from middleware import database_for, migrate, package_name

SCRIPT = Path(__file__).resolve().parent / "apps" / "read_paths.py"


def main(argv: list[str] | None = None) -> int:
    parser = harness_parser(__doc__)
    parser.add_argument("--reads", type=int, default=2000, help="reads (and requests) per round (default 2000)")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)
    # auth=jwt (an HMAC key, one repeated token) as bench/layers.py and bench/auth.py run the app in process.
    with harness_project(args, script="read_paths.py", framework="fastapi", defaults=("auth=jwt",)) as (
        project,
        workdir,
    ):
        figures = run(project, workdir, args.reads)
        if args.json:
            Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0


def run(project: Path, workdir: Path, reads: int) -> dict[str, Any]:
    with database_for(project, workdir) as database_env:
        env = clean_env(**database_env, ENVIRONMENT="development")
        migrate(project, env, "fastapi")
        arguments = [package_name(project), str(reads), str(workdir / "access.log"), database_env["DATABASE_URL"]]
        figures = measured_figure(project, SCRIPT, arguments, clean_env(), echo=True)
    return figures


if __name__ == "__main__":
    raise SystemExit(main())
