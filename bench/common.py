"""Helpers shared by the benchmark scripts: rendering the template, finding interpreters, machine facts."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

REPO_ROOT = Path(__file__).resolve().parent.parent


def python_interpreter(version: str) -> str:
    """A real interpreter for `version` (uv cannot download one here): pyenv's, else one on PATH."""
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    for candidate in sorted((pyenv_root / "versions").glob(f"{version}.*"), reverse=True):
        binary = candidate / "bin" / f"python{version}"
        if binary.exists():
            return str(binary)
    found = shutil.which(f"python{version}")
    if found:
        return found
    raise SystemExit(f"no Python {version} interpreter found (pyenv or PATH)")


def uv_binary() -> str:
    try:
        from uv import find_uv_bin

        return find_uv_bin()
    except ImportError:
        found = shutil.which("uv")
        if not found:
            raise SystemExit("uv is not installed (run `uv sync` in the template repo first)") from None
        return found


def copier_command(destination: Path, answers: dict[str, str], vcs_ref: str = "HEAD") -> list[str]:
    """The real `copier copy` command line, as users run it (at HEAD, uncommitted template changes are included)."""
    command = [sys.executable, "-m", "copier", "copy", "--trust", "--defaults", "--vcs-ref", vcs_ref, "--quiet"]
    for key, value in answers.items():
        command += ["--data", f"{key}={value}"]
    return [*command, str(REPO_ROOT), str(destination)]


def render(destination: Path, answers: dict[str, str], vcs_ref: str = "HEAD") -> None:
    result = subprocess.run(copier_command(destination, answers, vcs_ref), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"copier copy failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")


# A service with accounts and jobs sends email, and outside development and test refuses to start without a mail
# server: one nothing here connects to (a benchmark sends no email). Settings a render lacks are ignored.
DEPLOYED_MAIL = {
    "MAIL_SMTP_URL": "smtps://mailer:not-a-real-password@smtp.example.invalid",
    "MAIL_FROM": "Bench <no-reply@example.com>",
    "AUTH_PASSWORD_RESET_URL": "https://app.example.com/reset-password",
}


def clean_env(**extra: str) -> dict[str, str]:
    """The environment minus anything that would point uv or Python at the template repo's own venv."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("VIRTUAL_ENV", "PYTEST", "UV_PROJECT", "COV_", "PYTHONPATH"))
    }
    env.update(UV_PYTHON_DOWNLOADS="never", UV_NO_PROGRESS="1")
    env.update(extra)
    return env


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_description() -> str:
    load = os.getloadavg()
    return (
        f"{os.cpu_count()} CPUs ({cpu_model()}), Linux {platform.release()}, "
        f"harness Python {platform.python_version()}, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )


def measured_figure(
    project: Path, script: Path, arguments: list[str], env: dict[str, str], *, echo: bool = False
) -> dict[str, Any]:
    """Run a measuring `script` (bench/apps/) with the rendered `project`'s interpreter, in the project, and return
    the JSON object it prints on its last line; `echo` prints the lines before it. A failed run stops the harness
    with everything the script wrote."""
    command = [str(project / ".venv" / "bin" / "python"), str(script), *arguments]
    result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{script.name} in {project.name}: exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    *lines, last = result.stdout.strip().splitlines() or [""]
    if echo and lines:
        print("\n".join(lines), flush=True)
    try:
        figures = json.loads(last)
    except json.JSONDecodeError:
        raise SystemExit(f"{script.name} in {project.name} printed no figures:\n{result.stdout}") from None
    if not isinstance(figures, dict):
        raise SystemExit(f"{script.name} in {project.name} printed {last!r}, not an object of figures")
    return figures


# --- Arguments ---------------------------------------------------------------------------------------------------


def bench_parser(description: str | None) -> argparse.ArgumentParser:
    """A script's parser: its docstring, laid out as written, is its help."""
    return argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)


def render_arguments(parser: argparse.ArgumentParser, *, project: bool = True, data: bool = True) -> None:
    """What to measure: a rendered project (`project`), or a template version to render, with extra answers (`data`)."""
    if project:
        parser.add_argument("--project", help="a rendered project to use (installed unless it has a .venv)")
    parser.add_argument("--vcs-ref", default="HEAD", help="template version to render (default HEAD, with local edits)")
    if data:
        parser.add_argument("--data", action="append", default=[], metavar="KEY=VALUE", help="extra copier answers")


def load_arguments(
    parser: argparse.ArgumentParser,
    *,
    runs: int,
    duration: float,
    warmup: float | None = None,
    connections: int | None = None,
    pin: bool = True,
    no_pin: bool = True,
) -> None:
    """How a load is measured, each script with its own defaults: rounds, seconds per run, the warm-up (`warmup`
    given), wrk's connections (`connections` given), and the cores the servers and wrk are pinned to (`pin`, with
    `--no-pin` unless `no_pin` is false)."""
    parser.add_argument("--runs", type=int, default=runs, help=f"measured runs (default {runs})")
    parser.add_argument(
        "--duration", type=float, default=duration, help=f"seconds per measured run (default {duration:g})"
    )
    if warmup is not None:
        parser.add_argument(
            "--warmup", type=float, default=warmup, help=f"seconds of warm-up (default {warmup:g}; 0: none)"
        )
    if connections is not None:
        parser.add_argument(
            "--connections", type=int, default=connections, help=f"wrk connections (default {connections})"
        )
    if pin:
        parser.add_argument("--server-core", type=int, default=1, help="the core each server runs on (default 1)")
        parser.add_argument("--wrk-core", type=int, default=0, help="the core wrk runs on (default 0)")
        if no_pin:
            parser.add_argument("--no-pin", action="store_true", help="do not pin with taskset (single-core machines)")


def output_arguments(parser: argparse.ArgumentParser, *, env: bool = True, keep: bool = True) -> None:
    """Where the results go (`--json`), the service's extra environment (`env`) and keeping the scratch directory
    (`keep`)."""
    if env:
        parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="extra service env vars")
    parser.add_argument("--json", help="also write the results to this file")
    if keep:
        parser.add_argument("--keep", action="store_true", help="keep the temporary directory (renders, logs)")


def harness_parser(description: str | None) -> argparse.ArgumentParser:
    """The arguments every in-process harness takes: a rendered project, or a template version to render."""
    parser = bench_parser(description)
    render_arguments(parser)
    return parser


def require_tools(*tools: str) -> None:
    for tool in tools:
        if shutil.which(tool) is None:
            raise SystemExit(f"`{tool}` is not installed (Debian: apt-get install -y {tool})")


def load_tools(args: argparse.Namespace) -> None:
    """wrk, and taskset unless `--no-pin`."""
    require_tools("wrk", *(() if args.no_pin else ("taskset",)))


@contextlib.contextmanager
def scratch_directory(prefix: str, *, keep: bool = False) -> Iterator[Path]:
    """A temporary directory for renders and logs, removed afterwards unless `keep` (then its path is printed)."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield workdir
    finally:
        if keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def run_in_scratch(run: Callable[[argparse.Namespace, Path], Any], args: argparse.Namespace, *, prefix: str) -> int:
    """`run(args, directory)` in a scratch directory, its result written to `--json` when given."""
    with tempfile.TemporaryDirectory(prefix=prefix) as directory:
        summary = run(args, Path(directory))
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))
    return 0


# --- Reports -------------------------------------------------------------------------------------------------------


class Measured(Protocol):
    """One wrk run's figures (`middleware.Run`, `peers.Run`)."""

    requests_per_s: float
    p50_ms: float
    p99_ms: float
    cpu_us_per_request: float
    cpu_share: float


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def medians(runs: Sequence[Measured], *, share: str = "cpu_share") -> dict[str, float]:
    """The median of each figure over `runs`; the core's share under the name `share` (the scripts' JSON differ)."""
    return {
        "requests_per_s": median([run.requests_per_s for run in runs]),
        "p50_ms": median([run.p50_ms for run in runs]),
        "p99_ms": median([run.p99_ms for run in runs]),
        "cpu_us_per_request": median([run.cpu_us_per_request for run in runs]),
        share: median([run.cpu_share for run in runs]),
    }


@dataclass(frozen=True)
class Column:
    title: str
    key: str
    width: int
    spec: str
    """The value's format after its width (`.0f`, `.0%`)."""


ITEM_ROUTE_COLUMNS = (
    Column("req/s", "requests_per_s", 8, ".0f"),
    Column("p50 ms", "p50_ms", 8, ".1f"),
    Column("p99 ms", "p99_ms", 8, ".1f"),
    Column("CPU µs/req", "cpu_us_per_request", 11, ".0f"),
    Column("core", "core_share", 6, ".2f"),
)
"""The item-route comparisons' table (read_cache.py, pooler.py, tracing.py)."""
SERVER_COLUMNS = (
    Column("req/s", "requests_per_s", 9, ".0f"),
    Column("p50 ms", "p50_ms", 8, ".2f"),
    Column("p99 ms", "p99_ms", 8, ".2f"),
    Column("CPU us/req", "cpu_us_per_request", 11, ".1f"),
    Column("core", "cpu_share", 5, ".0%"),
)
"""The server harnesses' table (middleware.py, peers.py)."""


def print_table(
    rows: Mapping[str, Mapping[str, float]],
    columns: Sequence[Column],
    *,
    label: str,
    width: int,
    indent: str = "",
    runs: Mapping[str, Iterable[float]] | None = None,
    runs_gap: str = "  ",
) -> None:
    """A header and a line per row (its label, then each column's figure); with `runs`, each row's runs' req/s last."""
    header = f"{indent}{label:<{width}}" + "".join(f" {column.title:>{column.width}}" for column in columns)
    print(header + (f"{runs_gap}runs (req/s)" if runs is not None else ""))
    for name, row in rows.items():
        figures = "".join(f" {row[column.key]:>{column.width}{column.spec}}" for column in columns)
        line = f"{indent}{name:<{width}}{figures}"
        if runs is not None:
            line += runs_gap + " ".join(f"{value:.0f}" for value in runs[name])
        print(line)


@contextlib.contextmanager
def harness_project(
    args: argparse.Namespace, *, script: str, framework: str, defaults: tuple[str, ...] = ()
) -> Iterator[tuple[Path, Path]]:
    """The rendered project a harness measures (rendered and installed in a throwaway directory unless `--project`
    names one) and that directory, with the machine's description before and after. `defaults` are copier answers
    `--data` may override; the framework and database=postgresql are fixed (and checked on a given project)."""
    from middleware import answer, prepare_project  # the server harness's helpers (it imports this module)

    args.data = [*defaults, *args.data, f"framework={framework}", "database=postgresql"]
    print(machine_description(), flush=True)
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-{Path(script).stem.replace('_', '-')}-"))
    try:
        project = prepare_project(args, workdir)
        if answer(project, "framework") != framework or answer(project, "database") != "postgresql":
            raise SystemExit(f"{script} prices a {framework} render with database=postgresql")
        yield project, workdir
        print(machine_description(), flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# The item route's side-by-side benchmarks (read_cache.py, pooler.py): one item, several servers serving it, wrk on
# each in turn. The helpers come from middleware.py (the server harness), which imports this module: imported late.
ITEM = {"name": "Pour-over kettle", "description": "Gooseneck, 1 litre", "price_cents": 4990, "tags": ["kitchen"]}
AUTH_SECRET = secrets.token_hex(32)


def service_env(project: Path, database: dict[str, str], extra: dict[str, str]) -> dict[str, str]:
    """A rendered service's environment in production shape (as `middleware.py` runs it), rate limiting off."""
    from middleware import GENEROUS_ENV, answer

    env = {
        **clean_env(PYTHONDONTWRITEBYTECODE="1", HOST="127.0.0.1"),
        **GENEROUS_ENV,
        **database,
        **DEPLOYED_MAIL,
        "ENVIRONMENT": "production",
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "json",
        "DOCS_ENABLED": "false",
        "MIGRATE_ON_START": "false",
        "RATE_LIMIT_ENABLED": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        **extra,
    }
    env.pop("SENTRY_DSN", None)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    if answer(project, "auth") == "jwt":
        env.update(
            AUTH_JWT_SECRET=AUTH_SECRET,
            AUTH_ISSUER="https://login.bench.example/",
            AUTH_AUDIENCE="https://api.bench.example",
        )
    return env


def item_route_arguments(parser: argparse.ArgumentParser) -> None:
    """The measuring arguments of an item-route comparison (`compare_item_route`)."""
    load_arguments(parser, runs=3, duration=10, warmup=3, connections=64)
    output_arguments(parser, env=False, keep=False)


@dataclass
class ItemRouteComparison:
    path: str
    """The item's path, `/api/v1/items/<id>`."""
    summary: dict[str, dict[str, float]]
    """Per server: median req/s, p50 and p99 (ms), CPU µs per request and the share of a core it used."""
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]

    def print(self, title: str, *, baseline: str) -> None:
        """The table, and each server's ratios to `baseline`'s."""
        width = max(12, *(len(name) for name in self.summary))
        print(f"\n{title}, GET {self.path.rsplit('/', 1)[0]}/{{id}}; {machine_description()}")
        print(f"load average (1, 5, 15 min) before {self.load_before}, after {self.load_after}")
        print_table(self.summary, ITEM_ROUTE_COLUMNS, label="server", width=width)
        base = self.summary[baseline]
        for name, row in self.summary.items():
            if name != baseline:
                print(
                    f"{name} / {baseline}: req/s {row['requests_per_s'] / base['requests_per_s']:.2f}, "
                    f"CPU per request {row['cpu_us_per_request'] / base['cpu_us_per_request']:.2f}, "
                    f"p50 {row['p50_ms'] / base['p50_ms']:.2f}"
                )


def compare_item_route(
    plan: list[tuple[str, Path, dict[str, str]]], args: argparse.Namespace, logs: Path
) -> ItemRouteComparison:
    """Start a server per `(name, project, env)` of `plan` (pinned to `--server-core`), create one item through the
    first, check every server answers it alike, then measure `GET` of it with wrk (pinned to `--wrk-core`) on each
    server in turn, the order rotating every round, and stop them all."""
    from middleware import Server, free_port, package_name, request, start, stop, wait_until_live, wrk

    core = None if args.no_pin else args.server_core
    wrk_core = None if args.no_pin else args.wrk_core
    servers: list[Server] = []
    try:
        for name, project, env in plan:
            command = [str(project / ".venv" / "bin" / "python"), "-m", package_name(project)]
            server_env = {**env, "PORT": str(free_port())}
            server = start(name.replace(" ", "-"), command, cwd=project, env=server_env, logs=logs, core=core)
            servers.append(server)
            wait_until_live(server, timeout=120)
        status, _, body = request(servers[0].url("/api/v1/items"), method="POST", body=ITEM)
        if status != 201:
            raise SystemExit(f"POST /api/v1/items answered {status}: {body[:300]!r}")
        path = f"/api/v1/items/{json.loads(body)['id']}"
        bodies = {server.name: request(server.url(path))[2] for server in servers}
        if len(set(bodies.values())) != 1:
            raise SystemExit(f"the servers answer differently: {bodies}")
        load_before = os.getloadavg()
        for round_number in range(args.runs + (1 if args.warmup else 0)):
            warming = round_number == 0 and bool(args.warmup)
            order = servers[round_number % len(servers) :] + servers[: round_number % len(servers)]
            for server in order:
                result = wrk(
                    server.url(path),
                    duration=args.warmup if warming else args.duration,
                    connections=args.connections,
                    core=wrk_core,
                    server_pid=server.process.pid,
                )
                if result.non_2xx or result.socket_errors:
                    raise SystemExit(f"{server.name}: {result.non_2xx} non-2xx, {result.socket_errors} errors")
                if not warming:
                    server.runs.setdefault(path, []).append(result)
        load_after = os.getloadavg()
    finally:
        for server in servers:
            stop(server)
    summary = {server.name: medians(server.runs[path], share="core_share") for server in servers}
    return ItemRouteComparison(path, summary, load_before, load_after)
