"""Render speed: wall time of the real `copier copy` command for the default and the largest variant.

    uv run python bench/render_speed.py              # 7 runs of each, median printed; target <= 1.0 s
    uv run python bench/render_speed.py --runs 3 --json out.json

Each run is a fresh process (`python -m copier copy --trust --defaults --vcs-ref HEAD ...`) into a new directory,
so interpreter start-up, copier's imports, the git clone of the template and rendering are all included.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO_ROOT, copier_command, machine_description

TARGET_S = 1.0
VARIANTS: dict[str, dict[str, str]] = {
    "default": {},
    # Every option on: the most files and the most Jinja to render.
    "largest": {
        "use_redis": "true",
        "rate_limiting": "true",
        "use_sentry": "true",
        "use_prometheus": "true",
        "docs_ui": "scalar",
        "ci_provider": "github",
        "kubernetes": "true",
    },
}


def time_render(answers: dict[str, str], workdir: Path, vcs_ref: str) -> tuple[float, int]:
    destination = Path(tempfile.mkdtemp(dir=workdir)) / "project"
    command = copier_command(destination, answers, vcs_ref)
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"copier copy failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")
    files = sum(1 for path in destination.rglob("*") if path.is_file())
    shutil.rmtree(destination.parent)
    return elapsed, files


def _median_wall_s(command: list[str], runs: int, *, check: bool = True) -> float:
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="bench-render-part-") as tmp:
            started = time.perf_counter()
            subprocess.run([part.replace("{tmp}", tmp) for part in command], check=check, capture_output=True)
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def breakdown(runs: int, files: int) -> dict[str, float]:
    """Where one `copier copy` goes: what the template controls is only what is left after the first three."""
    clone = ["git", "clone", "--quiet", "--no-checkout", "--filter=blob:none", "--", str(REPO_ROOT), "{tmp}/t"]
    parts = {
        "python start-up": [sys.executable, "-c", "pass"],
        "import copier": [sys.executable, "-c", "import copier"],
        # What copier does for a local template at HEAD (copier/_vcs.py `clone`), then the checkout of the ref.
        "git clone --filter=blob:none": clone,
        "git checkout (fetches every blob)": ["sh", "-c", f"{shlex.join(clone)} && git -C {{tmp}}/t checkout -q HEAD"],
    }
    medians = {name: _median_wall_s(command, runs) for name, command in parts.items()}
    medians["git checkout (fetches every blob)"] -= medians["git clone --filter=blob:none"]
    # copier 9.19 asks git for `core.fileMode` once per rendered file (`_sync_git_index_executable_bit`).
    # Exit status 1 (the key is unset, as usual on Linux) is the answer copier gets, too.
    one = _median_wall_s(["git", "-C", "{tmp}", "config", "--type=bool", "--get", "core.fileMode"], runs, check=False)
    medians[f"git config per file ({files} files)"] = one * files
    print(f"\nparts of one render, median of {runs} runs each")
    for name, seconds in medians.items():
        print(f"  {name:<36} {seconds:5.2f} s")
    return medians


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="renders per variant (default 7)")
    parser.add_argument("--vcs-ref", default="HEAD", help="template version (default HEAD, with local edits)")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument(
        "--breakdown", action="store_true", help="also time the parts: interpreter, `import copier`, the git clone"
    )
    args = parser.parse_args(argv)

    print(machine_description(), flush=True)
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-render-") as tmp:
        workdir = Path(tmp)
        for answers in VARIANTS.values():
            time_render(answers, workdir, args.vcs_ref)  # warm-up: page cache, bytecode
        times: dict[str, list[float]] = {name: [] for name in VARIANTS}
        files: dict[str, int] = {}
        for _ in range(args.runs):
            # Interleaved, so that a burst of load on the machine hits both variants alike.
            for name, answers in VARIANTS.items():
                elapsed, files[name] = time_render(answers, workdir, args.vcs_ref)
                times[name].append(elapsed)
    print(f"\ncopier copy wall time, median of {args.runs} runs (target <= {TARGET_S:.1f} s)")
    worst = 0.0
    for name, values in times.items():
        median = statistics.median(values)
        worst = max(worst, median)
        each = " ".join(f"{value:.2f}" for value in values)
        print(f"  {name:<8} {median:5.2f} s  ({files[name]} files; runs: {each})")
        results[name] = {"median_s": median, "runs_s": values, "files": files[name], "answers": VARIANTS[name]}
    print(f"  {'within target' if worst <= TARGET_S else 'OVER TARGET'}")
    if args.breakdown:
        results["breakdown_s"] = breakdown(args.runs, files["default"])
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": machine_description(), "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
