"""Lines the two frameworks' renders keep twice (the measure behind "one shared core", issue 11).

Renders the template with every option on (`use_redis=true`), once per framework, then:
- drops the files that are byte-identical at the same path in both renders: they come from one shared template file;
- for every pair (Django file, FastAPI file) of the remaining Python files, finds runs of at least 6 consecutive
  equal lines (whitespace folded; blank lines, comments, imports and lone brackets skipped) with difflib;
- counts each Django line at most once, whatever it matches, and prints the total and the files it comes from.

    uv run python bench/duplication.py                 # the working tree (uncommitted edits included)
    uv run python bench/duplication.py --vcs-ref 2bfdf1e

Before issue 11 (2bfdf1e): 810 lines. The issue's target: at most a third of that.
"""

from __future__ import annotations

import argparse
import difflib
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MIN_RUN = 6
SKIPPED = re.compile(r"^(#|(from \S+ )?import |[\[\](){}:,]+$)")


def render(framework: str, destination: Path, vcs_ref: str) -> None:
    command = [sys.executable, "-m", "copier", "copy", "--trust", "--defaults", "--skip-tasks", "--quiet"]
    command += ["--vcs-ref", vcs_ref, "--data", f"framework={framework}", "--data", "use_redis=true"]
    subprocess.run([*command, str(REPO), str(destination)], check=True, capture_output=True)


def code_lines(path: Path) -> list[str]:
    lines = (re.sub(r"\s+", " ", line.strip()) for line in path.read_text(errors="replace").splitlines())
    return [line for line in lines if line and not SKIPPED.match(line)]


def python_files(root: Path) -> dict[Path, Path]:
    return {path.relative_to(root): path for path in root.rglob("*.py") if ".venv" not in path.parts}


def lines_kept_twice(fastapi: Path, django: Path) -> dict[str, int]:
    fastapi_files, django_files = python_files(fastapi), python_files(django)
    shared = {
        relative
        for relative in fastapi_files.keys() & django_files.keys()
        if fastapi_files[relative].read_bytes() == django_files[relative].read_bytes()
    }
    others = [code_lines(path) for relative, path in fastapi_files.items() if relative not in shared]
    counts: dict[str, int] = {}
    for relative, path in django_files.items():
        if relative in shared:
            continue
        lines = code_lines(path)
        counted: set[int] = set()
        for other in others:
            matcher = difflib.SequenceMatcher(None, lines, other, autojunk=False)
            for block in matcher.get_matching_blocks():
                if block.size >= MIN_RUN:
                    counted.update(range(block.a, block.a + block.size))
        if counted:
            counts[str(relative)] = len(counted)
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vcs-ref", default="HEAD", help="template version to render (default: the working tree)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        renders = {framework: Path(scratch, framework) for framework in ("fastapi", "django")}
        for framework, destination in renders.items():
            render(framework, destination, args.vcs_ref)
        counts = lines_kept_twice(renders["fastapi"], renders["django"])
    for relative, count in sorted(counts.items(), key=lambda item: -item[1]):
        print(f"{count:5d}  {relative}")
    print(f"lines kept twice across the two renders: {sum(counts.values())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
