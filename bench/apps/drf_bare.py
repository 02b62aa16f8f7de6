"""Bare Django REST framework: the same route shapes, minimal settings, no middleware. The Django baseline.

`GET /api/v1/items/{id}` reads the same row as the rendered service (PostgreSQL or SQLite, whichever DATABASE_URL
names), with the same query (`Item.objects.filter(pk=...).first()`), the rendered project's own model, serializer and
database options (Django's connection pool included): the rendered service reads the database on every request, so
a dict here would credit the database round trip to the service's stack. What differs is only what a service adds
around the view: the pure ASGI middleware, Django's middleware, the throttle, content negotiation, the problem+json
exception handler.

Run with the rendered project's interpreter and environment: BENCH_PACKAGE names its package, DATABASE_URL the
migrated database the rendered service writes the item to (DATABASE_PATH, a SQLite file, for renders from before
the `database` question).
"""

from __future__ import annotations

import importlib
import os
from typing import Any
from uuid import UUID

import django
from django.conf import settings

PACKAGE = os.environ["BENCH_PACKAGE"]


def _databases() -> dict[str, Any]:
    """The rendered project's DATABASES (pool, timeouts, ...), built by its own settings module from DATABASE_URL
    (older renders: `django_config.django_settings(Settings)` from DATABASE_PATH)."""
    try:
        django_config = importlib.import_module(f"{PACKAGE}.django_config")
    except ModuleNotFoundError:  # DJANGO_SETTINGS_MODULE=<package>.settings builds DATABASES at import
        return dict(importlib.import_module(f"{PACKAGE}.settings").DATABASES)
    config = importlib.import_module(f"{PACKAGE}.settings").Settings(database_path=os.environ["DATABASE_PATH"])
    return dict(django_config.django_settings(config)["DATABASES"])


class URLConf:
    """ROOT_URLCONF as an object (this module is loaded from a file, not importable by name); filled below."""

    urlpatterns: list[Any] = []  # noqa: RUF012


settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-bare-drf-" + "x" * 50,
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    INSTALLED_APPS=["rest_framework", f"{PACKAGE}.items"],
    MIDDLEWARE=[],
    ROOT_URLCONF=URLConf,
    DATABASES=_databases(),
    DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    USE_TZ=True,
    TIME_ZONE="UTC",
    USE_I18N=False,
    TEMPLATES=[],
    LOGGING_CONFIG=None,
    REST_FRAMEWORK={
        "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
        "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
        "DEFAULT_AUTHENTICATION_CLASSES": [],
        "DEFAULT_PERMISSION_CLASSES": [],
        "UNAUTHENTICATED_USER": None,
    },
)
django.setup(set_prefix=False)

# Imported once Django is configured (DRF and the models read the settings at import).
from django.core.handlers.asgi import ASGIHandler  # noqa: E402
from django.urls import path  # noqa: E402
from rest_framework.exceptions import NotFound  # noqa: E402
from rest_framework.request import Request  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402

Item = importlib.import_module(f"{PACKAGE}.items.models").Item
ItemSerializer = importlib.import_module(f"{PACKAGE}.items.serializers").ItemSerializer


class LiveView(APIView):
    def get(self, request: Request) -> Response:
        return Response({"status": "ok"})


class ItemView(APIView):
    def get(self, request: Request, item_id: str) -> Response:
        try:
            key = UUID(item_id)
        except ValueError:
            raise NotFound(f"Item {item_id} does not exist") from None
        item = Item.objects.filter(pk=key).first()
        if item is None:
            raise NotFound(f"Item {key} does not exist")
        return Response(ItemSerializer(item).data)


URLConf.urlpatterns = [
    path("health/live", LiveView.as_view()),
    path("api/v1/items/<str:item_id>", ItemView.as_view()),
]

django_app = ASGIHandler()


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Django plus the one thing uvicorn's `lifespan="on"` needs and Django lacks: answering the lifespan protocol."""
    if scope["type"] != "lifespan":
        await django_app(scope, receive, send)
        return
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
