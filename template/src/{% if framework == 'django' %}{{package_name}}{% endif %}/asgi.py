"""The application factory: `create_app(settings)` configures Django and wraps it in the pure ASGI middleware."""

from __future__ import annotations

import logging
from typing import IO, cast

import django
from django.conf import settings as django_conf

from .asgi_types import ASGIApp, Receive, Scope, Send
from .django_config import django_settings
from .integrations import install_integrations
from .integrations.base import Wiring
from .lifecycle import ServiceState
from .logs import AccessLog
from .middleware.body_limit import BodySizeLimitMiddleware
from .middleware.cors import CORSMiddleware
from .middleware.errors import UnhandledErrorMiddleware
from .middleware.request_id import RequestIdMiddleware
from .middleware.security_headers import SecurityHeadersMiddleware
from .middleware.telemetry import RequestTelemetryMiddleware
from .runtime import SCOPE_KEY, Service
from .config import Settings


def configure_django(settings: Settings) -> None:
    """Django's settings are process-wide: configured from `settings` once (unless DJANGO_SETTINGS_MODULE did)."""
    if not django_conf.configured:
        django_conf.configure(**django_settings(settings))
    django.setup(set_prefix=False)
    # Django logs every 4xx as a warning ("Not Found: /x"): the access line already says it. Errors stay.
    logging.getLogger("django.request").setLevel(max(logging.ERROR, logging.getLogger().level))


class ServiceApp:
    """The ASGI application: Django behind the middleware, plus the lifespan protocol (Django has none)."""

    def __init__(self, service: Service, app: ASGIApp) -> None:
        self.service = service
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        scope[SCOPE_KEY] = self.service
        await self.app(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.service.state.begin_shutdown()
                for close in self.service.wiring.on_shutdown:
                    await close()
                await send({"type": "lifespan.shutdown.complete"})
                return


def create_app(settings: Settings, *, access_log_stream: IO[str] | None = None) -> ServiceApp:
    configure_django(settings)
    # Imported once Django is set up: the URL patterns import views, serializers and models.
    from django.core.handlers.asgi import ASGIHandler  # noqa: PLC0415

    from .database import check_database  # noqa: PLC0415
    from .urls import urlconf_for  # noqa: PLC0415

    state = ServiceState()
    state.add_check("database", check_database)
    wiring = Wiring(state=state)
    install_integrations(settings, wiring)
    urlconf = urlconf_for(settings, tuple(wiring.urlpatterns))
    service = Service(settings=settings, state=state, wiring=wiring, urlconf=urlconf)
    access_log = AccessLog(settings.effective_log_format, settings.log_level, access_log_stream)
    django_app = cast(ASGIApp, ASGIHandler())
    return ServiceApp(service, install_middleware(django_app, settings, wiring, access_log=access_log))


def install_middleware(app: ASGIApp, settings: Settings, wiring: Wiring, *, access_log: AccessLog) -> ASGIApp:
    """Innermost first: body limit, errors, CORS, telemetry, id, headers (the outermost)."""
    app = BodySizeLimitMiddleware(app, max_body_size=settings.max_body_size)
    app = UnhandledErrorMiddleware(app, expose_errors=settings.is_development)
    if settings.cors_origins:
        app = CORSMiddleware(
            app,
            allow_origins=settings.cors_origins,
            allow_credentials=settings.cors_allow_credentials,
            allow_methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID", "X-Correlation-ID"],
            expose_headers=[
                "X-Request-ID",
                "X-Correlation-ID",
                "Server-Timing",
                "Location",
                "Retry-After",
                *wiring.cors_exposed_headers,
            ],
            max_age=600,
        )
    app = RequestTelemetryMiddleware(app, access_log=access_log, observers=wiring.observers)
    app = RequestIdMiddleware(app)
    return SecurityHeadersMiddleware(app, hsts=settings.is_production, page_policies=wiring.page_policies)
