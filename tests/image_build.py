"""Build what a rendered Dockerfile builds, without a Docker engine, and run it the way the image runs it.

The Dockerfile itself is the script: its stages, `ENV`, `WORKDIR`, `COPY` and `RUN uv ...` lines are read and
replayed in order into a scratch root (`/app` becomes `<root>/app`), with the build context filtered by
`.dockerignore`, `--mount=type=bind` files present only during their `RUN`, and the interpreter of the project's
Python version standing in for the base image's. The runtime stage keeps only what it copies from the builder.
The service is then started with the runtime stage's `ENV`, `USER` and exec-form `CMD` — as uid/gid from `USER`,
with the application directory mounted read-only (a private mount namespace) — and probed with the image's own
`HEALTHCHECK` command.

Not covered (no engine here): the base images themselves, BuildKit cache mounts, layer order, image size.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

Instruction = tuple[str, str]


def instructions(dockerfile: str) -> list[Instruction]:
    """(KEYWORD, arguments) per instruction: continuation lines joined, comments and parser directives dropped."""
    result: list[Instruction] = []
    pending = ""
    for raw in dockerfile.splitlines():
        line = raw.strip()
        if line.startswith("#") or (not line and not pending):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        pending += line
        keyword, _, arguments = pending.strip().partition(" ")
        result.append((keyword.upper(), arguments.strip()))
        pending = ""
    return result


def stages(dockerfile: str) -> dict[str, list[Instruction]]:
    """Instructions per stage name (`FROM ... AS name`)."""
    named: dict[str, list[Instruction]] = {}
    current: list[Instruction] | None = None
    for keyword, arguments in instructions(dockerfile):
        if keyword == "FROM":
            parts = arguments.split()
            name = parts[-1] if len(parts) >= 3 and parts[-2].upper() == "AS" else str(len(named))
            current = named.setdefault(name, [])
        if current is not None:
            current.append((keyword, arguments))
    return named


def env_assignments(arguments: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in shlex.split(arguments))


def exec_form(arguments: str) -> list[str]:
    """The JSON array of an exec-form CMD/HEALTHCHECK (options such as --interval before `CMD` are skipped)."""
    start = arguments.index("[")
    value = json.loads(arguments[start:])
    assert isinstance(value, list), arguments
    return [str(item) for item in value]


def _pattern(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern as a regex: `*` and `?` stay within one path segment, `**/` spans directories."""
    regex = ""
    index = 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            regex, index = regex + "(?:.*/)?", index + 3
        elif pattern.startswith("**", index):
            regex, index = regex + ".*", index + 2
        elif pattern[index] == "*":
            regex, index = regex + "[^/]*", index + 1
        elif pattern[index] == "?":
            regex, index = regex + "[^/]", index + 1
        else:
            regex, index = regex + re.escape(pattern[index]), index + 1
    return re.compile(regex)


def dockerignore_filter(context: Path, patterns: list[str]) -> list[Path]:
    """Files of `context` that Docker sends to the builder: the last matching pattern wins, `!` re-includes, and a
    pattern matching a directory matches everything below it."""
    rules = [(line.startswith("!"), _pattern(line.lstrip("!").strip("/"))) for line in patterns]
    kept = []
    for path in sorted(context.rglob("*")):
        if not path.is_file():
            continue
        parts = path.relative_to(context).parts
        candidates = ["/".join(parts[:depth]) for depth in range(1, len(parts) + 1)]
        included = True
        for negated, regex in rules:
            if any(regex.fullmatch(candidate) for candidate in candidates):
                included = negated
        if included:
            kept.append(path)
    return kept


@dataclass
class BuiltImage:
    root: Path
    app: Path
    env: dict[str, str]
    user: tuple[int, int]
    cmd: list[str]
    healthcheck: list[str]
    log: list[str] = field(default_factory=list)


def build(project: Path, root: Path, uv: str, python: str) -> BuiltImage:
    """Replay the builder stage into `root`, then strip it down to what the runtime stage copies."""
    dockerfile = (project / "Dockerfile").read_text()
    named = stages(dockerfile)
    ignore = [
        line.strip()
        for line in (project / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    context = root / "context"
    for path in dockerignore_filter(project, ignore):
        target = context / path.relative_to(project)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)

    def inside(container_path: str) -> Path:
        return root / container_path.lstrip("/")

    log: list[str] = []
    env: dict[str, str] = {}
    workdir = inside("/")
    for keyword, arguments in named["builder"]:
        if keyword == "ENV":
            env.update(env_assignments(arguments))
        elif keyword == "WORKDIR":
            workdir = inside(arguments)
            workdir.mkdir(parents=True, exist_ok=True)
        elif keyword == "COPY" and not arguments.startswith("--from"):
            *sources, destination = shlex.split(arguments)
            for source in sources:
                origin = context / source
                target = workdir / destination / source if destination.endswith("/") else workdir / destination
                if origin.is_dir():
                    shutil.copytree(origin, target, dirs_exist_ok=True)
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(origin, target)
        elif keyword == "RUN":
            words = shlex.split(arguments)
            mounts = [word.removeprefix("--mount=") for word in words if word.startswith("--mount=")]
            command = [word for word in words if not word.startswith("--mount=")]
            assert command[0] == "uv", f"only uv steps are replayed, got RUN {arguments}"
            bound: list[Path] = []
            for mount in mounts:
                options = dict(option.split("=", 1) for option in mount.split(","))
                if options["type"] == "bind":
                    target = workdir / options["target"]
                    shutil.copy2(context / options["source"], target)
                    bound.append(target)
            # The host's network settings (proxy, certificates) and the shared uv cache stand in for the builder's
            # network and its cache mount; everything else comes from the Dockerfile.
            run_env = {
                key: value
                for key, value in os.environ.items()
                if not key.startswith(("UV_", "VIRTUAL_ENV", "PYTHON", "PYTEST", "COV_")) or key == "UV_CACHE_DIR"
            }
            run_env.update(
                PATH="/usr/local/bin:/usr/bin:/bin",
                UV_PYTHON=python,
                UV_NO_PROGRESS="1",
                **{key: value.replace("/app", str(inside("/app"))) for key, value in env.items()},
            )
            result = subprocess.run(
                [uv, *command[1:]], cwd=workdir, env=run_env, capture_output=True, text=True, timeout=600, check=False
            )
            log.append(f"$ {' '.join(command)}\n{result.stdout}{result.stderr}")
            assert result.returncode == 0, "\n".join(log)
            for target in bound:  # bind mounts are gone after their RUN
                target.unlink()

    runtime = named["runtime"]
    copied = [shlex.split(arguments) for keyword, arguments in runtime if keyword == "COPY"]
    keep = {inside(words[-1]) for words in copied if words[0] == "--from=builder"}
    app = inside(next(arguments for keyword, arguments in runtime if keyword == "WORKDIR"))
    for child in app.iterdir():  # the runtime stage holds only what it copied from the builder
        if child not in keep:
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    shutil.rmtree(context)

    runtime_env: dict[str, str] = {}
    for keyword, arguments in runtime:
        if keyword == "ENV":
            for key, value in env_assignments(arguments).items():
                value = value.replace("$PATH", "/usr/local/bin:/usr/bin:/bin")
                runtime_env[key] = value.replace("/app", str(app))
    user_spec = next(arguments for keyword, arguments in runtime if keyword == "USER")
    uid, _, gid = user_spec.partition(":")
    return BuiltImage(
        root=root,
        app=app,
        env=runtime_env,
        user=(int(uid), int(gid or uid)),
        cmd=exec_form(next(arguments for keyword, arguments in runtime if keyword == "CMD")),
        healthcheck=exec_form(next(arguments for keyword, arguments in runtime if keyword == "HEALTHCHECK")),
        log=log,
    )


def as_image_user(image: BuiltImage, command: list[str], interpreter_home: Path) -> list[str]:
    """`command` as the image's USER, with the app read-only, in a private mount namespace.

    The stand-in interpreter lives under /root (mode 700 here): a tmpfs over /root with only the interpreter's
    tree bound back in lets an unprivileged uid run it, as the base image's /usr/local would.
    """
    if os.geteuid() != 0:  # already unprivileged: run as we are (no namespace needed, nothing to hide)
        return command
    uid, gid = image.user
    home = shlex.quote(str(interpreter_home))
    stash = shlex.quote(str(image.root / "interpreter"))
    app = shlex.quote(str(image.app))
    hide_root = (
        f"mkdir -p {stash} && mount --bind {home} {stash} && "
        "mount -t tmpfs -o mode=0755 tmpfs /root && "
        f"mkdir -p {home} && mount --bind {stash} {home} && "
        if interpreter_home.is_relative_to("/root")
        else ""
    )
    script = (
        hide_root + f"mount --bind {app} {app} && mount -o remount,bind,ro {app} && "
        f"cd {app} && exec setpriv --reuid={uid} --regid={gid} --clear-groups --inh-caps=-all "
        + " ".join(shlex.quote(part) for part in command)
    )
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script]
