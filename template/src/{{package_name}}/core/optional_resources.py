"""Resources some services have and others do not (the files resource, when the service keeps
files): each is a package of its own beside `items`, and the service takes in whichever are present, so that
having one or not is having its package or not, with no line of the wiring to change (FastAPI: app.py's
`RESOURCE_ROUTERS`; Django: the settings' `INSTALLED_APPS` and urls.py)."""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType
from typing import Final

OPTIONAL_RESOURCES: Final = ("files",)
"""The optional resources' packages, in the order their routes and tags come, after the service's own first ones."""


def present_resources(package: str) -> list[str]:
    """The names of the optional resources `package` (the service's package) holds."""
    return [name for name in OPTIONAL_RESOURCES if importlib.util.find_spec(f"{package}.{name}") is not None]


def resource_modules(package: str, module: str) -> list[ModuleType]:
    """The `module` (e.g. `routes`) of each optional resource present, imported."""
    return [importlib.import_module(f"{package}.{name}.{module}") for name in present_resources(package)]
