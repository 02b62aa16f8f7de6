"""What each view says about who may call it, checked before the service starts: fail closed, never a default.

Every DRF view declares either its scopes, `required_scopes = MethodScopes(read=(...), write=(...))` or scopes by
method (`{"GET": ("orders:read",), "POST": ("orders:create",)}`, `()` meaning any valid token), or that anyone may
call it (`public = True`, which `api.base.PublicAPIView` sets). A view that declares neither is a `manage.py check`
error (`check_scope_declarations`), and the service refuses to start with it (`asgi.build_application` runs the
checks). The bearer token authentication (when the service has it) requires exactly what is declared here.

`declared_scopes()` is every scope the routed views declare: what the development token holds by default.
`is_admin_scope` tells the scopes that act on everyone's records (`<resource>:admin`) from the others.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from django.apps import apps
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.urls import URLPattern, URLResolver, get_resolver

SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
CHECK_ID: Final = "api.E001"


@dataclass(frozen=True, slots=True)
class MethodScopes:
    """Scopes by kind of method: `read` for the safe ones (GET, HEAD, OPTIONS), `write` for the others. `admin`, when
    a resource has one, widens what `read` and `write` reach to every owner's records (api/resources.py); it grants
    neither by itself."""

    read: tuple[str, ...]
    write: tuple[str, ...]
    admin: str | None = None

    def for_method(self, method: str) -> tuple[str, ...]:
        return self.read if method.upper() in SAFE_METHODS else self.write


ScopeDeclaration = MethodScopes | Mapping[str, tuple[str, ...]]
"""What a view's `required_scopes` may be: `MethodScopes`, or scopes by method name; HEAD needs what GET needs."""


class UndeclaredScopes(ImproperlyConfigured):
    """A view was called without declaring what its method needs (the startup check names it first)."""


def is_public(view: Any) -> bool:
    return getattr(view, "public", False) is True


def required_scopes(view: Any, method: str) -> tuple[str, ...]:
    """The scopes `method` on `view` needs, as it declares them; a view or method without a declaration is an error
    (refused, never given someone else's scopes)."""
    declared: ScopeDeclaration | None = getattr(view, "required_scopes", None)
    if isinstance(declared, MethodScopes):
        return declared.for_method(method)
    name = "GET" if method.upper() == "HEAD" else method.upper()
    if declared is None or name not in declared:
        raise UndeclaredScopes(f"{type(view).__qualname__} declares no scopes for {name}")
    return tuple(declared[name])


# --- the routed views --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RoutedView:
    route: str
    view_class: type[Any]
    methods: tuple[str, ...]
    """The HTTP methods the route serves (upper case; HEAD and OPTIONS left out: they follow GET, or nobody)."""


def routed_views() -> Iterator[RoutedView]:
    """Every DRF view the URL configuration routes to, with the methods each route serves."""
    from rest_framework.views import APIView  # noqa: PLC0415 - DRF's views import this package's authentication

    def walk(patterns: list[Any], prefix: str) -> Iterator[RoutedView]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                view_class = getattr(entry.callback, "cls", None)
                if isinstance(view_class, type) and issubclass(view_class, APIView):
                    yield RoutedView(prefix + str(entry.pattern), view_class, served_methods(entry.callback))

    yield from walk(get_resolver().url_patterns, "/")


def served_methods(callback: Any) -> tuple[str, ...]:
    actions: Mapping[str, str] | None = getattr(callback, "actions", None)  # a ViewSet's routed actions
    view_class = callback.cls
    names = actions.keys() if actions else (name for name in view_class.http_method_names if hasattr(view_class, name))
    return tuple(sorted(name.upper() for name in names if name not in ("head", "options")))


def missing_declaration(routed: RoutedView) -> str | None:
    """What `routed` fails to declare, or None when it declares enough."""
    view = routed.view_class
    if is_public(view):
        return None
    declared = getattr(view, "required_scopes", None)
    if isinstance(declared, MethodScopes):
        return None
    if isinstance(declared, Mapping):
        missing = [method for method in routed.methods if method not in declared]
        return f"declares no scopes for {', '.join(missing)}" if missing else None
    return "declares neither its scopes nor that it is public"


@checks.register(checks.Tags.security, checks.Tags.urls)
def check_scope_declarations(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """`manage.py check` (and the service's start): every routed DRF view declares its scopes or that it is public."""
    errors: list[checks.CheckMessage] = []
    for routed in routed_views():
        problem = missing_declaration(routed)
        if problem is not None:
            view = routed.view_class
            errors.append(
                checks.Error(
                    f"{view.__module__}.{view.__qualname__} ({routed.route}) {problem}",
                    hint=(
                        "Add `required_scopes = MethodScopes(read=(...), write=(...))` (api/scopes.py) or scopes "
                        'by method (`{"GET": (...), "POST": (...)}`), or derive from api.base.PublicAPIView '
                        "when anyone may call it."
                    ),
                    obj=view,
                    id=CHECK_ID,
                )
            )
    return errors


def is_admin_scope(scope: str) -> bool:
    """`items:admin`, `users:admin`: a scope that reaches every owner's records, held by administrators only."""
    return scope.endswith(":admin")


def declared_scopes() -> frozenset[str]:
    """Every scope the routed views declare (what a caller holding every scope holds). Sets Django up when the
    caller (a command run outside the server) has not."""
    if not apps.ready:
        import django  # noqa: PLC0415 - only outside a running service

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", f"{__name__.rsplit('.', 2)[0]}.settings")
        django.setup(set_prefix=False)
    scopes: set[str] = set()
    for routed in routed_views():
        declared = getattr(routed.view_class, "required_scopes", None)
        if isinstance(declared, MethodScopes):
            scopes.update(declared.read, declared.write)
            if declared.admin is not None:
                scopes.add(declared.admin)
        elif isinstance(declared, Mapping) and not is_public(routed.view_class):
            for needed in declared.values():
                scopes.update(needed)
    return frozenset(scopes)
