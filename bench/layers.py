"""Per-layer middleware cost, then the whole app against bare FastAPI, in process (no server, no network).

uv run python bench/layers.py                       # renders the default variant at HEAD
uv run python bench/layers.py --vcs-ref f83535d     # the same for an older template version
uv run python bench/layers.py --project DIR         # an installed rendered project

FastAPI: then the coroutine frames re-entered per resumption of a request waiting on I/O (apps/resumptions.py).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import bench_parser, machine_description, render_arguments
from middleware import FRAMEWORKS, framework_of, package_name, prepare_project

SCRIPT = Path(__file__).resolve().parent / "apps" / "layer_costs.py"
APP_SCRIPT = Path(__file__).resolve().parent / "apps" / "app_cost.py"
RESUMPTIONS_SCRIPT = Path(__file__).resolve().parent / "apps" / "resumptions.py"


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser(__doc__)
    parser.add_argument("--framework", choices=sorted(FRAMEWORKS), help="the variant to render (default fastapi)")
    render_arguments(parser)
    parser.add_argument("--requests", type=int, default=20_000, help="requests per round (default 20000)")
    args = parser.parse_args(argv)

    print(machine_description(), flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="bench-layers-"))
    try:
        project = prepare_project(args, workdir)
        python = project / ".venv" / "bin" / "python"
        print(f"\nmiddleware cost per request, in process, thread CPU time (best of 7 x {args.requests})")
        framework = framework_of(project)
        command = [str(python), str(SCRIPT), package_name(project), str(args.requests), str(workdir / "access.log")]
        subprocess.run([*command, framework], cwd=project, check=True)
        if framework != "fastapi":
            return 0  # the whole-app comparison exists for FastAPI only: middleware.py compares the Django apps
        print(f"\nwhole app against bare FastAPI, in process, thread CPU time (best of 7 x {args.requests // 4})")
        command = [str(python), str(APP_SCRIPT), package_name(project), str(args.requests // 4), str(workdir / "a.log")]
        subprocess.run(command, cwd=project, check=True)
        print("\nframes re-entered each time GET /api/v1/items/{id} resumes after waiting on I/O")
        command = [str(python), str(RESUMPTIONS_SCRIPT), package_name(project), str(workdir / "r.log")]
        subprocess.run(command, cwd=project, check=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
