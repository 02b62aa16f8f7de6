"""Django's settings, derived from the one typed `Settings`: nothing here reads the environment itself."""

from __future__ import annotations

from typing import Any, Final

from . import SERVICE_DESCRIPTION, SERVICE_NAME, __version__
from .settings import Settings

PACKAGE: Final = __name__.rpartition(".")[0]

OPENAPI_TAGS: Final = [
    {"name": "items", "description": "The example resource: copy its conventions for your own."},
    {"name": "health", "description": "Liveness, readiness and a summary for monitors."},
    {"name": "debug", "description": "Endpoints that exist only outside production."},
]

# `manage.py check --deploy` findings that do not apply to this service, each with the reason.
SILENCED_CHECKS: Final = [
    # SecurityMiddleware, XFrameOptionsMiddleware: their headers (nosniff, Referrer-Policy, COOP, HSTS in production,
    # X-Frame-Options: DENY, and more) come from the service's own pure ASGI SecurityHeadersMiddleware, on every
    # response including the ones Django never sees. Django's versions would only repeat them, and each costs two
    # thread hand-offs per request (Django runs a sync middleware's hooks through sync_to_async).
    "security.W001",
    "security.W002",
    # CsrfViewMiddleware: DRF's views are exempt from it anyway (DRF's SessionAuthentication checks CSRF itself),
    # and this JSON API authenticates nothing by cookie. A plain Django view with cookie authentication needs
    # `@csrf_protect`, or this middleware back in MIDDLEWARE (docs/security.md).
    "security.W003",
    # SECURE_SSL_REDIRECT: TLS ends at the load balancer or ingress, which redirects plain HTTP. Redirecting here
    # as well would break plain-HTTP health probes from the orchestrator inside the cluster.
    "security.W008",
    # SECURE_HSTS_PRELOAD: preloading is a one-way commitment for the whole domain; the contract's HSTS value
    # (sent on every production response by our own middleware) deliberately omits it.
    "security.W021",
]


def django_settings(settings: Settings) -> dict[str, Any]:
    return {
        "SECRET_KEY": settings.secret_key.get_secret_value(),
        # Never on: Django's debug pages are HTML with stack traces and settings. Errors are problem+json in every
        # environment; in development the 500 body names the exception and the log carries the trace.
        "DEBUG": False,
        "ALLOWED_HOSTS": settings.allowed_hosts,
        "CSRF_TRUSTED_ORIGINS": settings.csrf_trusted_origins,
        "INSTALLED_APPS": ["rest_framework", "drf_spectacular", f"{PACKAGE}.items"],
        # Only the service's own (async) middleware: see SILENCED_CHECKS for why Django's security ones are not here.
        "MIDDLEWARE": [f"{PACKAGE}.middleware.django.ServiceMiddleware"],
        "ROOT_URLCONF": f"{PACKAGE}.urls",
        "DATABASES": {
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": settings.database_path,
                "OPTIONS": {
                    # Writers queue instead of failing with "database is locked"; readers never block writers.
                    "timeout": 5,
                    "transaction_mode": "IMMEDIATE",
                    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                },
            }
        },
        "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
        "USE_TZ": True,
        "TIME_ZONE": "UTC",
        "USE_I18N": False,
        "TEMPLATES": [],
        # Logging is configured once by `logs.configure_logging`; Django must not install its own handlers.
        "LOGGING_CONFIG": None,
        # The body-size limit is enforced (with a 413) by BodySizeLimitMiddleware before Django reads the body.
        "DATA_UPLOAD_MAX_MEMORY_SIZE": None,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SILENCED_SYSTEM_CHECKS": SILENCED_CHECKS,
        "REST_FRAMEWORK": {
            "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
            "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
            "DEFAULT_CONTENT_NEGOTIATION_CLASS": f"{PACKAGE}.api.negotiation.JSONOnlyNegotiation",
            "DEFAULT_AUTHENTICATION_CLASSES": [],
            "DEFAULT_PERMISSION_CLASSES": [],
            "UNAUTHENTICATED_USER": None,
            "EXCEPTION_HANDLER": f"{PACKAGE}.api.errors.problem_exception_handler",
            "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
        },
        "SPECTACULAR_SETTINGS": {
            "TITLE": SERVICE_NAME,
            "DESCRIPTION": SERVICE_DESCRIPTION,
            "VERSION": __version__,
            "TAGS": OPENAPI_TAGS,
            "OAS_VERSION": "3.1.0",
            "COMPONENT_SPLIT_REQUEST": True,
            "SERVE_INCLUDE_SCHEMA": False,
            "POSTPROCESSING_HOOKS": [
                "drf_spectacular.hooks.postprocess_schema_enums",
                f"{PACKAGE}.api.schema.forbid_unknown_request_fields",
            ],
        },
    }
