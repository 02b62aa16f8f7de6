"""The ASGI entry point: `application` is Django's ASGI handler inside the service's pure ASGI layers (security
headers, request id, telemetry, compression, CORS, errors, body limit, the liveness replay), plus the lifespan
protocol Django lacks and the WebSocket routes Django's handler refuses (api/websockets.py, behind the gate of
core/websockets.py).

`python -m <package>`, `manage.py runserver` and any ASGI server (`uvicorn <package>.asgi:application`) serve this
same object. Django is set up (`django.setup()`) from DJANGO_SETTINGS_MODULE (`<package>.settings`); its requests go
through request_threads.py's `RequestHandler`, Django's ASGI handler with each request's synchronous part in one
hand-off.
"""

from __future__ import annotations

import logging
import os
from typing import IO, cast

import django
from django.conf import settings as django_settings
from django.core import checks
from django.core.management.base import SystemCheckError

from .api.events import publisher
from .api.versions import api_deprecations
from .api.websockets import WebSocketRoutes
from .config import Settings
from .core.api_versions import DeprecationMiddleware
from .core.asgi_types import ASGIApp, Receive, Scope, Send
from .core.heap import settle_after_startup
from .core.logs import AccessLog
from .core.middleware.body_limit import BodySizeLimitMiddleware
from .core.middleware.compression import CompressionMiddleware
from .core.middleware.cors import EXPOSED_HEADERS, CORSMiddleware
from .core.middleware.errors import UnhandledErrorMiddleware
from .core.middleware.request_id import RequestIdMiddleware
from .core.middleware.security_headers import SecurityHeadersMiddleware
from .core.middleware.telemetry import RequestTelemetryMiddleware
from .core.websockets import WebSocketGate, socket_limits
from .fixed_responses import FixedResponseMiddleware
from .integrations import wiring
from .integrations.base import Wiring
from .integrations.tracing_framework import server_spans
from .request_threads import KeptRequestThreads, RequestHandler

FIXED_RESPONSE_URLS = ("health_live",)
"""The URL names (`urls.py`) whose view always gives the same answer: replayed from memory (fixed_responses.py)."""


class ServiceApp:
    """Django behind the middleware, plus the lifespan protocol: the integrations' startup hooks run before the
    first request (fetch the identity provider's keys); readiness turns 503 once shutdown begins, then the
    integrations' shutdown hooks run (close pools, flush event queues). WebSocket scopes go to `websockets` (the
    gate, then the WebSocket routes), never to Django's handler."""

    def __init__(self, app: ASGIApp, wiring: Wiring, websockets: ASGIApp) -> None:
        self.app = app
        self.wiring = wiring
        self.websockets = websockets

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":  # first: a request costs the one comparison it always did
            await self.app(scope, receive, send)
        elif kind == "websocket":
            await self.websockets(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                for start in self.wiring.on_startup:
                    await start()
                settle_after_startup()  # a serving process stops collecting its startup heap (core/heap.py)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.wiring.state.begin_shutdown()
                for close in self.wiring.on_shutdown:
                    await close()
                await send({"type": "lifespan.shutdown.complete"})
                return


def build_application(settings: Settings, *, access_log_stream: IO[str] | None = None) -> ServiceApp:
    """Django (already set up) inside the pure ASGI layers configured from `settings`."""
    # Django logs every 4xx as a warning ("Not Found: /x"): the access line already says it. Errors stay.
    logging.getLogger("django.request").setLevel(max(logging.ERROR, logging.getLogger().level))
    django.setup(set_prefix=False)  # once per process (what `get_asgi_application()` does)
    django_app = KeptRequestThreads(cast(ASGIApp, RequestHandler()))
    refuse_failing_checks()
    service_wiring = wiring()
    service_wiring.on_shutdown.append(django_app.close)
    events = publisher()  # the per-user event stream's transport between replicas: listening while serving
    service_wiring.on_startup.append(events.transport.start)
    service_wiring.on_shutdown.append(events.transport.stop)
    access_log = AccessLog(settings.effective_log_format, settings.log_level, access_log_stream)
    websocket_routes = WebSocketRoutes()
    gate = WebSocketGate(
        websocket_routes.serve,
        routes=websocket_routes,
        admission=service_wiring.socket_admission,
        origins=settings.cors_origins,
        shutdown_listeners=service_wiring.state.shutdown_listeners,
        limits=socket_limits(settings),
        observers=service_wiring.socket_observers,
    )
    return ServiceApp(
        # Outermost: a request's span holds every layer's work, its access line included (integrations/tracing.py).
        server_spans(install_middleware(django_app, settings, service_wiring, access_log=access_log)),
        service_wiring,
        websockets=server_spans(gate.serve),
    )


def refuse_failing_checks() -> None:
    """`manage.py check`'s errors stop the service before it serves (a view without scopes among them)."""
    errors = [issue for issue in checks.run_checks() if issue.is_serious() and not issue.is_silenced()]
    if errors:
        listed = "\n".join(f"  {issue}" for issue in errors)
        raise SystemCheckError(f"The service cannot start; `manage.py check` found:\n{listed}")


def install_middleware(app: ASGIApp, settings: Settings, wiring: Wiring, *, access_log: AccessLog) -> ASGIApp:
    """Innermost first: the liveness replay, body limit, errors, CORS, compression, telemetry, id, headers (the
    outermost)."""
    app = FixedResponseMiddleware(app, url_names=FIXED_RESPONSE_URLS)
    app = BodySizeLimitMiddleware(app, max_body_size=settings.max_body_size, larger_bodies=wiring.larger_bodies)
    app = UnhandledErrorMiddleware(app, expose_errors=settings.is_development)
    if settings.cors_origins:
        app = CORSMiddleware(
            app,
            allow_origins=settings.cors_origins,
            allow_credentials=settings.cors_allow_credentials,
            expose_headers=[*EXPOSED_HEADERS, *wiring.cors_exposed_headers],
        )
    if settings.compression_min_size:
        app = CompressionMiddleware(app, min_size=settings.compression_min_size)
    if deprecations := api_deprecations():  # the resource versions being retired (urls.py)
        app = DeprecationMiddleware(app, deprecations=deprecations)
    app = RequestTelemetryMiddleware(
        app, access_log=access_log, observers=wiring.observers, untimed_paths=wiring.untimed_paths
    )
    app = RequestIdMiddleware(app)
    return SecurityHeadersMiddleware(
        app,
        hsts=settings.is_production,
        hsts_value=settings.strict_transport_security,
        api_policy=settings.content_security_policy,
        page_policies=wiring.page_policies,
    )


os.environ.setdefault("DJANGO_SETTINGS_MODULE", f"{__package__}.settings")
application = build_application(django_settings.SERVICE_SETTINGS)
