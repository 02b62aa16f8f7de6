"""Frames re-entered each time a request waiting on I/O resumes (run by `bench/layers.py`): the rendered app serves
`GET /api/v1/items/{id}` from a repository that suspends its task N times (`asyncio.sleep(0)`, as a query waiting for
the database does), and a profiler counts the coroutine frames entered. Every suspension resumes the whole chain of
coroutines awaiting one another, from the task's outermost coroutine down to the one that waited: each layer that
`await`s the next one is entered again. (entries with N suspensions - entries with none) / N, per function, is what
one resumption costs in frames.
"""

from __future__ import annotations

import asyncio
import collections
import importlib
import inspect
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from app_cost import bearer_headers, call, http_scope, service_environment
from fixtures import ITEM_BODY

SUSPENSIONS = 20


def serve_waiting_item(package: str, app: Any, waits: list[int]) -> uuid.UUID:
    """The item from memory after `waits[0]` suspensions of the request's task."""
    models = importlib.import_module(f"{package}.items.models")
    items = importlib.import_module(f"{package}.items.dependencies")
    now = datetime.now(UTC)
    item = models.Item(id=uuid.uuid4(), created_at=now, updated_at=now, **ITEM_BODY)

    class WaitingItem:
        async def get(self, item_id: uuid.UUID) -> Any:
            for _ in range(waits[0]):
                await asyncio.sleep(0)
            return item if item_id == item.id else None

    async def waiting_item() -> WaitingItem:
        return WaitingItem()

    app.dependency_overrides[items.get_item_repository] = waiting_item
    return item.id


async def entries(app: Any, path: str, headers: tuple[Any, ...]) -> collections.Counter[str]:
    counted: collections.Counter[str] = collections.Counter()

    def profile(frame: FrameType, event: str, arg: object) -> None:
        if event == "call" and frame.f_code.co_flags & inspect.CO_COROUTINE:
            counted[f"{frame.f_globals.get('__name__')}:{frame.f_code.co_qualname}"] += 1

    sys.setprofile(profile)
    try:
        sent = await call(app, http_scope(path, headers=headers))
    finally:
        sys.setprofile(None)
    if sent[0]["status"] != 200:
        raise SystemExit(f"{path} answered {sent[0]['status']}")
    return counted


async def main(package: str, log_path: str) -> None:
    has_auth = service_environment(package, str(Path(log_path).parent))
    settings = importlib.import_module(f"{package}.config").load_settings()
    headers = bearer_headers(package, settings, has_auth)
    waits = [0]
    with open(log_path, "w") as access_log:
        service = importlib.import_module(f"{package}.app").create_app(settings, access_log_stream=access_log)
        path = f"/api/v1/items/{serve_waiting_item(package, service, waits)}"
        async with service.router.lifespan_context(service):
            await entries(service, path, headers)  # warm: first-request work is not a resumption
            quiet = await entries(service, path, headers)
            waits[0] = SUSPENSIONS
            waiting = await entries(service, path, headers)
    per_resumption = {name: (waiting[name] - quiet[name]) / SUSPENSIONS for name in waiting}
    chain = sorted(name for name, count in per_resumption.items() if count >= 0.5 and not name.startswith("__main__"))
    print(f"  coroutine frames entered per resumption (the harness's own left out): {len(chain)}")
    layers = [name for name in chain if name.startswith(package) and "Middleware." in name]
    print(f"  of which the service's middleware layers: {len(layers)}")
    for name in chain:
        print(f"    {per_resumption[name]:4.1f}  {name}")
    for name in sorted(waiting):
        if name.startswith(package) and "Middleware." in name and name not in chain:
            print(f"    0      {name} (not on the chain)")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
