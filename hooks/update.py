"""What `copier update` runs in the project before and after it applies the template (copier.yml `_migrations`).

Copier runs these on every update, whatever the versions: they work from the project's git history and the commit
its `.copier-answers.yml` records (`_commit`), never from release tags, which a clone of the template may not have.

before: refuses an update that changes `framework`: the other framework's tree would be merged into the team's
        code (the run stops before anything is written); answers `database: sqlite` for a Django project from
        before that question (its items were in a SQLite file).
after:  1. every file the team had edited that the update deleted is kept: merged three-way into its new home when
           the template moved it (hooks/moves.py), otherwise restored where it was; each one is named;
        2. names the files with conflict markers;
        3. relocks uv.lock when the update changed pyproject.toml (or says the one command to run);
        4. says loudly when the update put the API behind bearer tokens (a project from before the `auth`
           question gets its default, users; a project that answered it keeps its answer), and the ways back.
        (It also catches a framework change answered interactively, which `before` cannot see, and undoes the
        update.)

Usage: update.py before <new framework, or empty when not given on the command line>
       update.py after <template checkout>
Run in the project root, by copier's interpreter (copier is importable).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from after_copy import lock, uv_command
from moves import new_paths

ANSWERS_FILE = ".copier-answers.yml"
MARKER = "<<<<<<< before updating"


def git(*args: str, check: bool = True) -> str:
    result = subprocess.run(["git", *args], capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {result.stderr.strip()}")
    return result.stdout


def committed_bytes(path: str) -> bytes | None:
    """The file as the project's last commit has it (an update starts from a clean tree, so: before updating)."""
    # `./`: relative to the project, which may be a subdirectory of its repository.
    result = subprocess.run(["git", "show", f"HEAD:./{path}"], capture_output=True, check=False)
    return result.stdout if result.returncode == 0 else None


def answers_before_update() -> dict[str, Any]:
    committed = committed_bytes(ANSWERS_FILE)
    return yaml.safe_load(committed) if committed else {}


# --- before -------------------------------------------------------------------------------------------------------


def framework_change_message(old: object, new: object) -> str:
    return (
        f"Refusing to change framework from {old!r} to {new!r}: copier would merge the {new} tree into your {old} "
        "code. Nothing was changed. To move to the other framework, generate a new project "
        f"(`copier copy --trust --data framework={new} ...`) and move your code into it (docs/upgrading.md)."
    )


def before(new_framework: str) -> int:
    answers = answers_before_update()
    old_framework = answers.get("framework", "fastapi")  # releases before `framework` were FastAPI
    if new_framework and new_framework != old_framework:
        print(framework_change_message(old_framework, new_framework), file=sys.stderr)
        return 1
    if old_framework == "django" and "database" not in answers:
        keep_the_sqlite_file()
    return 0


def keep_the_sqlite_file() -> None:
    """A Django project from before the `database` question kept its items in a SQLite file: it stays on SQLite
    (`--data database=postgresql` still wins). Copier reads the answers file again after this stage."""
    answers_file = Path(ANSWERS_FILE)
    text = answers_file.read_text()
    answers_file.write_text(text + ("" if text.endswith("\n") else "\n") + "database: sqlite\n")


# --- after --------------------------------------------------------------------------------------------------------


@dataclass
class Report:
    kept: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)

    def print(self) -> None:
        if self.kept:
            print("\ncopier update kept your edits to files this update removed or moved:")
            for line in self.kept:
                print(f"  {line}")
        if self.conflicts:
            print(f"\nFiles with conflict markers ('{MARKER}'): resolve them, then run the checks and commit:")
            for path in self.conflicts:
                print(f"  {path}")
        elif self.kept:
            print("\nNo conflict markers.")


def render_old_template(template: Path, answers: dict[str, Any], destination: Path) -> bool:
    """Render the release the project was last generated/updated from, with its answers, into `destination`."""
    from copier import run_copy  # only the `after` stage needs it

    commit = str(answers.get("_commit", ""))
    source = str(template)
    if subprocess.run(
        ["git", "-C", source, "rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}"],
        capture_output=True,
        check=False,
    ).returncode:
        source = str(answers.get("_src_path", ""))  # the template checkout lacks that commit: clone as copier did
    data = {key: value for key, value in answers.items() if not key.startswith("_")}
    try:
        run_copy(
            source,
            destination,
            data=data,
            vcs_ref=commit,
            defaults=True,
            quiet=True,
            skip_tasks=True,
            unsafe=True,
            overwrite=True,
        )
    except Exception as exc:  # any failure means: we cannot tell edited files apart
        print(f"warning: could not render the previous template release ({exc}); keeping every deleted file")
        return False
    return True


def merge(ours: str, base: str, theirs: Path) -> tuple[str, bool]:
    """Three-way merge with copier's own conflict labels; returns the text and whether it has conflicts."""
    with tempfile.TemporaryDirectory() as scratch:
        ours_file, base_file = Path(scratch, "ours"), Path(scratch, "base")
        ours_file.write_text(ours)
        base_file.write_text(base)
        merged = subprocess.run(
            ["git", "merge-file", "-p", "-L", "before updating", "-L", "base", "-L", "after updating",
             str(ours_file), str(base_file), str(theirs)],
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip
    if merged.returncode < 0 or merged.returncode > 127:
        raise RuntimeError(merged.stderr.strip())
    return merged.stdout, merged.returncode > 0


def keep_edited_file(path: str, ours: bytes, base: bytes | None, package_name: str, report: Report) -> None:
    """`path` was deleted by the update although the team changed it: carry the change over or restore it."""
    target = next((Path(new) for new in new_paths(path, package_name) if Path(new).is_file()), None)
    if target is not None:
        try:
            merged, conflicted = merge(ours.decode(), (base or b"").decode(), target)
        except (UnicodeDecodeError, RuntimeError):
            pass  # not text, or git cannot merge it: restore it where it was (below)
        else:
            target.write_text(merged)
            report.kept.append(
                f"{path} -> merged into {target} (moved by the template)" + (", with conflicts" if conflicted else "")
            )
            return
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_bytes(ours)
    report.kept.append(f"{path} -> kept as you left it (the template no longer renders it; delete it if unused)")


def undo_update() -> None:
    git("reset", "--quiet", "--hard", "HEAD")
    git("clean", "--quiet", "-d", "--force")


def after(template: Path) -> int:
    old_answers = answers_before_update()
    new_answers = yaml.safe_load(Path(ANSWERS_FILE).read_text()) if Path(ANSWERS_FILE).exists() else {}
    old_framework, new_framework = old_answers.get("framework", "fastapi"), new_answers.get("framework", "fastapi")
    if old_framework != new_framework:
        undo_update()
        print(framework_change_message(old_framework, new_framework), file=sys.stderr)
        return 1

    report = Report()
    deleted = [path for path in git("ls-tree", "-r", "--name-only", "-z", "HEAD").split("\0") if path]
    deleted = [path for path in deleted if not Path(path).exists() and not Path(path).is_symlink()]
    if deleted:
        package_name = str(old_answers.get("package_name", ""))
        with tempfile.TemporaryDirectory() as scratch:
            old_render = Path(scratch, "previous-release")
            rendered = render_old_template(template, old_answers, old_render)
            for path in deleted:
                ours = committed_bytes(path)
                base_file = old_render / path
                base = base_file.read_bytes() if rendered and base_file.is_file() else None
                if ours is None or (rendered and ours == base):
                    continue  # the team never changed it: the template may delete it
                keep_edited_file(path, ours, base, package_name, report)

    # Porcelain paths are relative to the repository root; the project may be a subdirectory of it.
    prefix = git("rev-parse", "--show-prefix").strip()
    changed = git("status", "--porcelain", "-z", "--untracked-files=all", "--", ".").split("\0")
    for entry in changed:
        path = Path(entry[3:].removeprefix(prefix)) if len(entry) > 3 else None
        if path is not None and path.is_file():
            try:
                if MARKER in path.read_text():
                    report.conflicts.append(str(path))
            except UnicodeDecodeError:
                continue
    report.conflicts.sort()
    report.print()
    relock_if_dependencies_changed()
    if "auth" not in old_answers and new_answers.get("auth") in ("users", "jwt"):
        package_name = str(new_answers.get("package_name", "<package>"))
        print(api_now_protected_message(package_name, str(new_answers["auth"])))
    return 0


def relock_if_dependencies_changed() -> None:
    """An update that changes pyproject.toml (e.g. `--data use_redis=true` adds redis) leaves uv.lock stale, and
    `uv sync --locked` (CI, `make install`, the Docker build) then fails: relock, or say the one command to run."""
    before = committed_bytes("pyproject.toml")
    pyproject, lock_file = Path("pyproject.toml"), Path("uv.lock")
    if not lock_file.is_file() or not pyproject.is_file() or pyproject.read_bytes() == before:
        return
    uv = uv_command()
    result = lock(uv) if uv is not None else None
    if result is not None and result.returncode == 0:
        print("\npyproject.toml changed: uv.lock updated (`uv lock`); commit it with the update.")
        return
    why = "no uv found" if result is None else f"`uv lock` failed: {result.stderr.strip()[-500:]}"
    print(
        f"\n!!! pyproject.toml changed and uv.lock is stale ({why}).\n"
        "  Run `uv lock` in the project before committing: `uv sync --locked` (CI, make install, the Docker build)\n"
        "  fails until you do."
    )


def api_now_protected_message(package_name: str, auth: str = "users") -> str:
    if auth == "users":
        how = f"""  - The service now keeps its own users and issues tokens: create one with
    `uv run python -m {package_name} users create you@example.com --admin` (password on standard input), then
    POST /api/v1/auth/token (grant_type=password). Run `uv run python -m {package_name} migrate` first.
  - Staging and production refuse to start until AUTH_SIGNING_KEYS (a JWK Set of private keys) is set.
  To verify tokens from your own identity provider instead: copier update --trust --defaults --data auth=jwt"""
    else:
        how = f"""  - Development and tests: nothing to configure; `uv run python -m {package_name} token` prints one.
  - Staging and production refuse to start until AUTH_JWKS_URL (your identity provider's keys) or
    AUTH_JWT_SECRET is set, with AUTH_ISSUER and AUTH_AUDIENCE: set them before you deploy."""
    return f"""
!!! YOUR API NOW REQUIRES BEARER TOKENS (new question `auth`, answered `{auth}`) !!!
  Every /api route answers 401 without a valid JWT, 403 without the scope it needs (items:read, items:write);
  health, metrics, /docs and /openapi.json stay open.
{how}
  - Clients of the API must send `Authorization: Bearer <token>`.
  To keep the API open instead: copier update --trust --defaults --data auth=none
  (CHANGELOG.md of the template and docs/upgrading.md have the details.)"""


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[1] == "before":
        return before(argv[2])
    if len(argv) == 3 and argv[1] == "after":
        return after(Path(argv[2]))
    print("usage: update.py before <new framework> | update.py after <template checkout>", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
