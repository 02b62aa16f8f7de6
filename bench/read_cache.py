"""Does the application cache (`use_redis`) pay on `GET /api/v1/items/{id}`? Side by side in one run:

- **cache**: the service rendered with `use_redis=true`, Redis up: every read after the first is a hit;
- **no cache**: the same template rendered with `use_redis=false` (no Redis at all): every read is a database read;
- **redis down**: the `use_redis=true` service with Redis stopped: every read is a miss that skips Redis (the circuit
  breaker) and goes to the database, the fallback's cost.

All three read the same row of one throwaway PostgreSQL cluster (or SQLite file), in production shape (as
`middleware.py` runs the service), with rate limiting off on all three (it would add a Redis round trip to the
`use_redis` service only). Each server is pinned to `--server-core`, wrk to `--wrk-core`, the order rotates every
round. Prints median req/s, p50/p99 and server CPU per request, and the machine's load average before and after.

    uv run python bench/read_cache.py                      # FastAPI, 3 runs x 10 s
    uv run python bench/read_cache.py --framework django
    uv run python bench/read_cache.py --cached-project DIR --uncached-project DIR   # rendered, installed projects
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ITEM, bench_parser, compare_item_route, item_route_arguments, run_in_scratch, service_env
from middleware import AUTH_HEADERS, answer, bearer_token, database_for, free_port, migrate, prepare_project

__all__ = ["ITEM", "redis_server", "service_env"]  # events.py and older scripts import them from here


def project_for(args: argparse.Namespace, workdir: Path, *, use_redis: bool, given: str | None) -> Path:
    options = argparse.Namespace(
        project=given,
        vcs_ref="HEAD",
        data=[f"use_redis={'true' if use_redis else 'false'}"],
        framework=args.framework,
    )
    return prepare_project(options, workdir / ("cached" if use_redis else "uncached"))


@contextlib.contextmanager
def redis_server() -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    executable = shutil.which("redis-server")
    if executable is None:
        raise SystemExit("redis-server is not installed")
    port = free_port()
    command = [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.3)
    try:
        yield process, port
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def run(args: argparse.Namespace, workdir: Path) -> dict[str, dict[str, float]]:
    cached = project_for(args, workdir, use_redis=True, given=args.cached_project)
    uncached = project_for(args, workdir, use_redis=False, given=args.uncached_project)
    logs = workdir / "logs"
    logs.mkdir(exist_ok=True)
    with database_for(cached, workdir) as database, redis_server() as (_, redis_port):
        cached_env = service_env(cached, database, {"REDIS_URL": f"redis://127.0.0.1:{redis_port}/0"})
        migrate(cached, cached_env, args.framework)
        if answer(cached, "auth") == "jwt":
            AUTH_HEADERS["Authorization"] = f"Bearer {bearer_token(cached, cached_env)}"
        plan = [
            ("cache", cached, cached_env),
            ("no cache", uncached, service_env(uncached, database, {})),
            ("redis down", cached, service_env(cached, database, {"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})),
        ]
        comparison = compare_item_route(plan, args, logs)
    comparison.print(
        f"{args.framework}, {args.runs} runs x {args.duration:g} s, wrk -c{args.connections}", baseline="no-cache"
    )
    return comparison.summary


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser(__doc__)
    parser.add_argument("--framework", choices=["fastapi", "django"], default="fastapi")
    item_route_arguments(parser)
    parser.add_argument("--cached-project", help="a rendered, installed project with use_redis=true")
    parser.add_argument("--uncached-project", help="a rendered, installed project with use_redis=false")
    args = parser.parse_args(argv)
    return run_in_scratch(run, args, prefix="bench-cache-")


if __name__ == "__main__":
    raise SystemExit(main())
