"""Copier compiles every template string it renders (each file's contents and each part of each path) anew: ~10,000
Jinja compilations per `copier update` of this template (its old render, its new one and the merge), about half the
CPU of a render in this suite, where hundreds of renders of the same files run. `install()` remembers each compiled
string for the rest of the process: the code Jinja generates is a function of the string and the environment's
syntax settings only (filters, globals and the render's answers are looked up when the template runs), so a render
is byte for byte what it would be without it (tests/test_render.py compares a render made with and without it).

The key leaves out the file name Jinja is given: copier renders from a fresh clone of the template each time, so
the same template file has a new absolute path in every render (keyed by it, each render of this suite compiled its
~240 template files anew: 1.8 s of a 7 s render). The name Jinja compiles under stays in the key; the file name is
only what a traceback from inside a template would show (the first clone's path).

`install()` also makes copier ask git for the destination's `core.fileMode` once per render instead of once per
file (`_sync_git_index_executable_bit`: one `git config` process per rendered file, 1.4 s of a render; it acts only
where the setting is `false`, which no render of this suite has, and then as before).

`python tests/copier_command.py ...` is the `copier` command line with it, for the tests that run copier as users do.
"""

from __future__ import annotations

from typing import Any

import jinja2
from copier._main import Worker

_ORIGINAL_COMPILE = jinja2.Environment.compile
_compiled: dict[tuple[object, ...], Any] = {}
reuses = 0
"""Compilations this process took from `_compiled` instead of making them (what the identity test checks happened)."""


def _syntax(environment: jinja2.Environment) -> tuple[object, ...]:
    """Everything of an environment that changes the code Jinja generates for a string."""
    return (
        type(environment),
        environment.block_start_string,
        environment.block_end_string,
        environment.variable_start_string,
        environment.variable_end_string,
        environment.comment_start_string,
        environment.comment_end_string,
        environment.line_statement_prefix,
        environment.line_comment_prefix,
        environment.trim_blocks,
        environment.lstrip_blocks,
        environment.newline_sequence,
        environment.keep_trailing_newline,
        tuple(sorted(environment.extensions)),
        environment.optimized,
        environment.autoescape,
        environment.is_async,
        environment.finalize,  # how the generated code calls it
    )


def _remembered_compile(
    self: jinja2.Environment,
    source: Any,
    name: str | None = None,
    filename: str | None = None,
    raw: bool = False,
    defer_init: bool = False,
) -> Any:
    if raw or not isinstance(source, str):  # Python source text, or an already parsed template: not worth a key
        return _ORIGINAL_COMPILE(self, source, name, filename, raw, defer_init)
    key = (*_syntax(self), source, name, defer_init)
    global reuses
    code = _compiled.get(key)
    if code is None:
        code = _compiled[key] = _ORIGINAL_COMPILE(self, source, name, filename, raw, defer_init)
    else:
        reuses += 1
    return code


_ORIGINAL_SYNC = Worker._sync_git_index_executable_bit
_FILE_MODE_IGNORED = "_file_mode_ignored_by_git"  # set on a Worker: None (not asked yet), True or False


def _sync_once_asked(self: Worker, dst_relpath: Any, src_mode: int) -> None:
    """Copier's own method, skipped once its first call found `core.fileMode` other than `false` (what it checks
    first on every call, and returns on): the answer cannot change during one render."""
    answer = self.__dict__.get(_FILE_MODE_IGNORED)
    if answer is None:
        import subprocess

        setting = subprocess.run(
            ["git", "config", "--type=bool", "--get", "core.fileMode"],
            cwd=self.subproject.local_abspath,
            capture_output=True,
            text=True,
            check=False,
        )
        answer = setting.returncode == 0 and setting.stdout.strip() == "false"
        self.__dict__[_FILE_MODE_IGNORED] = answer
    if answer:
        _ORIGINAL_SYNC(self, dst_relpath, src_mode)


def install() -> None:
    jinja2.Environment.compile = _remembered_compile  # type: ignore[method-assign]
    Worker._sync_git_index_executable_bit = _sync_once_asked  # type: ignore[method-assign]


def uninstall() -> None:
    jinja2.Environment.compile = _ORIGINAL_COMPILE  # type: ignore[method-assign]
    Worker._sync_git_index_executable_bit = _ORIGINAL_SYNC  # type: ignore[method-assign]
