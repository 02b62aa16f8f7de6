"""`python -m <package> resource add <plural> [--singular <word>] [--shared] [--audit] [--grant ROLE[,ROLE]]` (also
`manage.py resource add ...`): the Django scaffold. The command is core/resource_command.py's; this declares what is
Django's own: the files of a resource app (scaffold/templates/: a model with a `name`, strict serializers, a
`ResourceViewSet`, scopes `<plural>:read|write|admin`, its own write budget, routes) and its tests, the app's
registration (settings.py `INSTALLED_APPS`) and its routes' (urls.py), and its migration (`manage.py makemigrations
<plural>`). Then edit the model and serializers for your fields, `makemigrations` again, and run `make check`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path
from typing import Final

from ..core.resource_command import Registration, Scaffold
from ..core.scaffolding import ResourceNames, run_tool

PACKAGE: Final = __name__.split(".", 1)[0]
PACKAGE_DIR: Final = Path(__file__).resolve().parents[1]
TEMPLATES: Final = files(__name__.rpartition(".")[0]) / "templates"  # package data beside this module


def make_migrations(project: Path, package_dir: Path, names: ResourceNames) -> list[Path]:
    run_tool([sys.executable, "manage.py", "makemigrations", names.plural], project)
    return sorted((package_dir / names.plural / "migrations").glob("0*.py"))


OWNED_IMPORTS: Final = "\nfrom ..fixtures import Caller, CreateUser\n"
SHARED_IMPORTS: Final = """
from $package.api.events import publisher
from $package.core.events import EventHub

from ..fixtures import Caller, CreateUser
"""

SCAFFOLD: Final = Scaffold(
    package=PACKAGE,
    templates=TEMPLATES,
    unit="app",
    reserved=frozenset({"api", "core", "integrations", "middleware", "management", "scaffold", "migrations", "tests"}),
    callers="api/caller.py",
    # The entries are f-strings of settings.py and urls.py themselves: their braces are written, not filled here.
    registrations=(
        Registration("settings.py", "INSTALLED_APPS = [", '    f"{PACKAGE}.$plural",\n'),
        Registration(
            "urls.py",
            "urlpatterns: list[URLPattern | URLResolver] = [",
            '    path(f"{API_V1}/", include("$package.$plural.urls")),\n',
        ),
    ),
    migrate=make_migrations,
    phrases={
        "owned": {
            "owned_sentence": "$a_singular is owned by the caller that created it",
            "admin_doc": "the scope that reaches every owner's $plural",
            "shared_declaration": "",
            "owned_words": ", ownership across two users and the admin scope",
            "conftest_import": OWNED_IMPORTS,
        },
        "shared": {
            "owned_sentence": "every caller with `$plural:read` reads every $singular, only `$plural:admin` writes "
            "them",
            "admin_doc": "the scope of their writers (they are shared: every reader reads them all)",
            "shared_declaration": "\n    shared = True  # every reader reads every $singular",
            "owned_words": ", every reader reading, the admin scope writing and the events of every reader",
            "conftest_import": SHARED_IMPORTS,
        },
        "unowned": {
            "owned_sentence": "$a_singular is owned by the caller that created it",
            "admin_doc": "the scope that reaches every owner's $plural",
            "shared_declaration": "",
            "owned_words": "",
            "conftest_import": "",
        },
    },
    next_steps="Next: your fields in $plural/models.py and serializers.py, then `makemigrations`, `make check`.",
)


def resource_command(
    arguments: Sequence[str], *, program: str = PACKAGE, project: Path | None = None, package_dir: Path | None = None
) -> int:
    return SCAFFOLD.command(arguments, program=program, project=project, package_dir=package_dir)
