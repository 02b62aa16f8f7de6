"""Parts of the service found by declaration rather than listed: a package's modules each say what they bring with a
module-level name (an integration's `INTEGRATION`), and the service collects what is present. Adding or removing a
part is adding or removing its module, with no list to keep in step."""

from __future__ import annotations

import importlib
import pkgutil
from typing import TypeVar

Declared = TypeVar("Declared")


def declarations(package: str, attribute: str, kind: type[Declared], *, sign: str) -> list[Declared]:
    """The `attribute` of every module directly inside `package` that declares one (a `kind`), in module-name order.

    A module with `sign` (what a declaration would carry, e.g. an `install` function) and no declaration raises
    TypeError naming it: a part that forgot to declare itself stops the start instead of being left out silently."""
    found: list[Declared] = []
    modules = importlib.import_module(package).__path__
    for info in sorted(pkgutil.iter_modules(modules), key=lambda module: module.name):
        module = importlib.import_module(f"{package}.{info.name}")
        declared = getattr(module, attribute, None)
        if isinstance(declared, kind):
            found.append(declared)
        elif hasattr(module, sign):
            raise TypeError(f"{module.__name__} has an `{sign}` but no `{attribute} = {kind.__name__}(...)`")
    return found
