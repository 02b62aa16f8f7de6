"""Copier compiles every template string it renders (each file's contents and each part of each path) anew: ~10,000
Jinja compilations per `copier update` of this template (its old render, its new one and the merge), about half the
CPU of a render in this suite, where hundreds of renders of the same files run. `install()` remembers each compiled
string for the rest of the process: the code Jinja generates is a function of the string and the environment's
syntax settings only (filters, globals and the render's answers are looked up when the template runs), so a render
is byte for byte what it would be without it (tests/test_render.py compares a render made with and without it).

`python tests/copier_command.py ...` is the `copier` command line with it, for the tests that run copier as users do.
"""

from __future__ import annotations

from typing import Any

import jinja2

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
    key = (*_syntax(self), source, name, filename, defer_init)
    global reuses
    code = _compiled.get(key)
    if code is None:
        code = _compiled[key] = _ORIGINAL_COMPILE(self, source, name, filename, raw, defer_init)
    else:
        reuses += 1
    return code


def install() -> None:
    jinja2.Environment.compile = _remembered_compile  # type: ignore[method-assign]


def uninstall() -> None:
    jinja2.Environment.compile = _ORIGINAL_COMPILE  # type: ignore[method-assign]
