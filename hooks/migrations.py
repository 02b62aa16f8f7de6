"""Migrations that `copier update` runs in the user's project after it applied a newer template.

Why this exists: when the template moves a file, copier sees one file deleted and another added, and it deletes
the old path even when the team edited it — their edits would silently vanish. After the update, this script
takes the team's last committed version of the old file and merges it three-way into the new location
(base: the old template's file, theirs: the new template's file), with copier's own conflict markers when both
sides changed the same lines. Nothing is lost: if a merge is impossible the team's file is restored at its old
path and a warning says what to do.

Usage (from copier.yml `_migrations`): migrations.py <release> <template_src_path> <version_from>
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

# release -> files that release moved (old path -> new path), relative to the project root. Only files that are
# copied verbatim (no .jinja suffix) can be moved this way: the old template source is the old rendered file.
MOVES: dict[str, dict[str, str]] = {
    "0.2.0": {"tests/test_server.py": "tests/test_process.py"},
}


def git_show(repo: Path, revision_path: str) -> str | None:
    result = subprocess.run(["git", "show", revision_path], cwd=repo, capture_output=True, text=True, check=False)
    return result.stdout if result.returncode == 0 else None


def merge_moved_file(project: Path, template_src: Path, version_from: str, old: str, new: str) -> str:
    ours = git_show(project, f"HEAD:{old}")
    if ours is None:
        return f"{old}: not in the project, nothing to carry over"
    base = git_show(template_src, f"{version_from}:template/{old}")
    target = project / new
    if base is not None and ours == base:
        return f"{old}: unchanged by the team, the template's {new} replaces it"
    if base is None or not target.exists():
        (project / old).write_text(ours)
        return f"WARNING {old}: could not merge it into {new}; your version is restored at {old}, move it by hand"
    with tempfile.TemporaryDirectory() as scratch:
        ours_file, base_file = Path(scratch, "ours"), Path(scratch, "base")
        ours_file.write_text(ours)
        base_file.write_text(base)
        merged = subprocess.run(
            ["git", "merge-file", "-p", "-L", "before updating", "-L", "base", "-L", "after updating",
             str(ours_file), str(base_file), str(target)],
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip
    if merged.returncode < 0 or merged.returncode > 127:
        (project / old).write_text(ours)
        return f"WARNING {old}: merge failed ({merged.stderr.strip()}); your version is restored at {old}"
    target.write_text(merged.stdout)
    (project / old).unlink(missing_ok=True)
    if merged.returncode:
        return f"CONFLICT {new}: your edits to {old} were merged here; resolve the inline markers"
    return f"{old}: your edits were merged into {new}"


def main(argv: list[str]) -> int:
    if len(argv) != 4 or argv[1] not in MOVES:
        print(f"usage: migrations.py <{'|'.join(MOVES)}> <template_src_path> <version_from>", file=sys.stderr)
        return 2
    release, template_src, version_from = argv[1], Path(argv[2]), argv[3]
    for old, new in MOVES[release].items():
        print(f"migration {release}: {merge_moved_file(Path.cwd(), template_src, version_from, old, new)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
