"""The application factory: `create_app(settings)` wires routes, error handlers and middleware."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import IO, Final

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette.middleware import Middleware

from . import SERVICE_DESCRIPTION, SERVICE_NAME, __version__
from .api import debug, health
from .api.index import index_router
from .api.paths import API_V1
from .config import Settings
from .context import AppContext, attach_context
from .core.lifecycle import ServiceState
from .core.logs import AccessLog
from .core.middleware.body_limit import BodySizeLimitMiddleware
from .core.middleware.cors import EXPOSED_HEADERS, CORSMiddleware
from .core.middleware.errors import UnhandledErrorMiddleware
from .core.middleware.request_id import RequestIdMiddleware
from .core.middleware.security_headers import SecurityHeadersMiddleware
from .core.middleware.telemetry import RequestTelemetryMiddleware
from .core.service_index import openapi_servers, service_index
from .database import check_database, create_engine, create_probe_engine, create_sessions, pool_stats
from .integrations import install_integrations
from .integrations.base import Wiring
from .items import routes as items
from .middleware.head import HeadAsGetMiddleware
from .openapi import install_openapi, openapi_tags, operation_id
from .problems import install_problem_handlers
from .route_guards import require_declared_access, scopes_of

RESOURCE_ROUTERS: Final[tuple[APIRouter, ...]] = (
    # One line per resource: its package's router (its routes, scopes and limits come with it).
    items.router,
)


def api_scopes() -> frozenset[str]:
    """Every scope the resources' routes declare: what the development token holds (`python -m <package> token`)."""
    return scopes_of(route for router in RESOURCE_ROUTERS for route in router.routes)


def create_app(settings: Settings, *, access_log_stream: IO[str] | None = None) -> FastAPI:
    """The service built from `settings`, with the routes of every resource in `RESOURCE_ROUTERS`. To replace what a
    route depends on (a resource's repository, in tests), use `app.dependency_overrides`."""
    state = ServiceState(expose_errors=settings.is_development)
    wiring = Wiring(state=state)
    # Creating the engine opens no connection: the pool fills on demand, and a database that is down makes
    # readiness and the /api calls that need it 503 until it is back, not the start fail.
    engine = create_engine(settings)
    probe_engine = create_probe_engine(settings)  # readiness bypasses a saturated pool: busy is not down
    state.add_check("database", partial(check_database, engine, probe_engine))
    wiring.database_pool = partial(pool_stats, engine)
    wiring.engine = engine

    @asynccontextmanager
    async def lifespan(started: FastAPI) -> AsyncIterator[None]:
        # Every route, those included after `create_app` too: one that declares no access stops the start.
        require_declared_access(started.routes)
        if settings.effective_migrate_on_start:
            # Imported here: a service that does not migrate at start (staging, production) never loads Alembic.
            from .migrate import migrate  # noqa: PLC0415

            # Alembic runs its own event loop (migrations/env.py): in a thread, not inside this one.
            await asyncio.to_thread(migrate, settings)
        for start in wiring.on_startup:
            await start()
        yield
        state.begin_shutdown()
        for close in wiring.on_shutdown:
            await close()
        await engine.dispose()
        await probe_engine.dispose()

    app = FastAPI(
        title=SERVICE_NAME,
        description=SERVICE_DESCRIPTION,
        version=__version__,
        # Each router describes its own tag: a new resource needs no edit here beyond its line above.
        openapi_tags=openapi_tags([*RESOURCE_ROUTERS, health.router, debug.router]),
        openapi_url="/openapi.json" if settings.docs_enabled else None,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        # `/api/v1/items/` is not `/api/v1/items`: a 404 like any unknown path, not a redirect that drops the body.
        redirect_slashes=False,
    )
    context = AppContext(
        settings=settings,
        service=state,
        engine=engine,
        sessions=create_sessions(engine),
        subject_listeners=wiring.subject_listeners,
    )
    attach_context(app, context)  # before the integrations: they provide their objects to it

    install_problem_handlers(app)
    install_integrations(app, settings, wiring)
    app.include_router(health.router)
    app.include_router(index_router(service_index(settings, wiring, name=SERVICE_NAME, version=__version__)))
    routers = [*RESOURCE_ROUTERS, *([debug.router] if not settings.is_production else [])]
    app.state.api_guards = tuple(wiring.api_guards)
    for router in routers:
        app.include_router(router, dependencies=wiring.api_dependencies, responses=wiring.api_responses)
    for router in wiring.api_routers:  # the integrations' own routes, under the same version prefix
        app.include_router(router, prefix=API_V1, dependencies=wiring.api_dependencies, responses=wiring.api_responses)
    api_operations = [
        (prefix + route.path_format, route.methods or set())
        for prefix, included in [("", routers), (API_V1, wiring.api_routers)]
        for router in included
        for route in router.routes
        if isinstance(route, APIRoute)
    ]

    access_log = AccessLog(settings.effective_log_format, settings.log_level, access_log_stream)
    for layer in reversed(middleware_stack(settings, wiring, access_log=access_log)):  # the last added runs first
        app.add_middleware(layer.cls, *layer.args, **layer.kwargs)
    install_openapi(
        app, api_operations=api_operations, api_security=wiring.api_security, servers=openapi_servers(settings)
    )
    require_declared_access(app.routes)
    return app


def middleware_stack(settings: Settings, wiring: Wiring, *, access_log: AccessLog) -> list[Middleware]:
    """Every ASGI layer around the routes, outermost first, in one place:

    1. security headers (on every response, errors included); 2. the request id; 3. telemetry (timing, the access
    line, metrics: it sees the final status); 4. CORS (when origins are configured); 5. unhandled errors as a 500
    problem; 6. the body size limit; 7. HEAD answered as GET; then the integrations' own (`Wiring.inner_middleware`:
    the rate-limit headers, with rate limiting), closest to the routes.
    """
    cors = [
        Middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=settings.cors_allow_credentials,
            expose_headers=[*EXPOSED_HEADERS, *wiring.cors_exposed_headers],
        )
    ]
    return [
        Middleware(
            SecurityHeadersMiddleware,
            hsts=settings.is_production,
            hsts_value=settings.strict_transport_security,
            api_policy=settings.content_security_policy,
            page_policies=wiring.page_policies,
        ),
        Middleware(RequestIdMiddleware),
        Middleware(RequestTelemetryMiddleware, access_log=access_log, observers=wiring.observers),
        *(cors if settings.cors_origins else []),
        Middleware(UnhandledErrorMiddleware, expose_errors=settings.is_development),
        Middleware(BodySizeLimitMiddleware, max_body_size=settings.max_body_size),
        Middleware(HeadAsGetMiddleware),
        *wiring.inner_middleware,
    ]
