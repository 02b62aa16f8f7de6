"""A resource's repository (api/crud.py) as a typed route parameter, built for each request with what it needs:
the request's database session, its owner (api/ownership.py: whose records it sees), its reads' cache
(api/record_cache.py) and where its writes' events go (api/events.py).

    get_booking_repository = repository_dependency(BookingRepository)
    BookingRepositoryDep = Annotated[BookingRepository, Depends(get_booking_repository)]

To keep a resource elsewhere (a test double, another store), override the dependency as any FastAPI dependency:
`app.dependency_overrides[get_booking_repository] = ...`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi import Request

from .crud import Repository
from .dependencies import DatabaseSessionDep
from .events import request_events
from .ownership import declare_admin_scope, request_owner
from .record_cache import RecordCachesDep

RepositoryT = TypeVar("RepositoryT", bound=Repository[Any])


def repository_dependency(repository: type[RepositoryT]) -> Callable[..., Awaitable[RepositoryT]]:
    """The FastAPI dependency giving each request its `repository`. Its admin scope shows among the scopes the
    service declares (api/ownership.py).

    FastAPI solves each dependency again on every request (~10 us each): the owner comes from the request, not from
    a dependency of its own (the route's `requires(...)` is what declares and checks its scopes)."""

    async def provide(
        request: Request,
        caches: RecordCachesDep,  # before the session: invalidated after its commit
        session: DatabaseSessionDep,
    ) -> RepositoryT:
        owner = await request_owner(request)
        client_host = request.client.host if request.client else None
        events = request_events(request, session)  # published after the session's commit
        return repository(session, owner, cache=caches.of(repository), events=events, client_host=client_host)

    declare_admin_scope(provide, repository.admin_scope)
    return provide
