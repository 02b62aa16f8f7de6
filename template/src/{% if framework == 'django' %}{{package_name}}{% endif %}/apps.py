"""The service's own Django app: it holds the management commands (`runserver` serving the ASGI application) and
registers the service's system checks (api/scopes.py: every view declares its scopes or that it is public;
api/websockets.py: so does every WebSocket endpoint)."""

from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = __name__.rpartition(".")[0]
    verbose_name = "Service"

    def ready(self) -> None:
        from .api import resources, scopes, websockets  # noqa: F401, PLC0415 - registers their checks
