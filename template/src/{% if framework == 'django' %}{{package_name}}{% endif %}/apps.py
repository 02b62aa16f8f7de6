"""The service's own Django app: it holds the management commands (`runserver` serving the ASGI application)."""

from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = __name__.rpartition(".")[0]
    verbose_name = "Service"
