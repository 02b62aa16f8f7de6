"""What one hot read of an item costs by each way of reaching PostgreSQL, in process (run by `bench/read_paths.py`).

    python read_paths.py <package> <reads> <log> <database url>    # in a rendered project's venv, cwd = the project

The database (a throwaway cluster the driver started, migrated, one item) is real: every read is one round trip
on a warm pool. The event loop is uvloop, as the service's server runs it. Thread CPU time, best of 7 rounds, the
ways alternated round by round, so a burst of load on the machine hits them alike; PostgreSQL's own CPU is another
process's and is not counted.

1. The read alone, `await read(item_id)` returning the service's `Item`:
   - `session`: what the service's item route does: a read session (`create_read_sessions`, autocommit) in
     `session_transaction`, the repository's `get` through `AsyncSession.execute`;
   - `session + Core`: the same session, the statement executed on its connection (`await session.connection()`),
     past the ORM's execution path;
   - `Core`: no session, a Core `AsyncConnection` of the engine in autocommit mode executing the same `select()`
     (SQLAlchemy's compiled cache on, as by default);
   - `raw asyncpg`: a connection from SQLAlchemy's pool (`AsyncEngine.raw_connection`), the `select()` compiled once
     and sent with asyncpg's `fetchrow` (prepared statement cache);
   - `floor1`: an asyncpg pool of its own, `fetchrow` of the same `SELECT` (what `bench/apps/items.py` reads with).
2. The whole request, `GET /api/v1/items/{id}` through the rendered app as an ASGI callable (production settings,
   as `bench/middleware.py` serves it): `service` as rendered, then its item repository overridden to read each way
   (`service, session` is the route as it was before `fetch_one`: a session in a transaction around
   `session.execute`; `service, memory` reads nothing, the cost of the rest of the route), against `floor1`: bare
   FastAPI plus the rendered service's response headers, reading with its own asyncpg pool (`bench/apps/floor.py`
   over `bench/apps/items.py`). The last line is JSON for the driver.
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from uuid import UUID

sys.path.insert(0, str(Path(__file__).resolve().parent))
from app_cost import bearer_headers, call, cost_us, http_scope, service_environment
from fixtures import ITEM_BODY

ROUNDS = 7
Read = Callable[[UUID], Awaitable[Any]]


def read_ways(package: str, engine: Any, read_sessions: Any) -> dict[str, Read]:
    """Each way of reading one item by id, all returning the service's `Item` (or None)."""
    from sqlalchemy import select

    database = importlib.import_module(f"{package}.database")
    repository = importlib.import_module(f"{package}.items.repository")
    table = importlib.import_module(f"{package}.items.table").items
    if hasattr(repository, "_item"):  # renders before the shared repository
        to_item = repository._item
    else:  # the shared repository's row-to-record step (it reads only class attributes)
        to_item = functools.partial(repository.ItemRepository._record, repository.ItemRepository)
    by_id = select(table).where(table.c.id == _bound("item_id"))
    autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
    compiled = by_id.compile(dialect=engine.dialect)
    # asyncpg's numbered parameters in the order the compiled statement names them.
    sql = str(compiled) % {name: f"${index}" for index, name in enumerate(compiled.positiontup or (), 1)}

    async def session(item_id: UUID) -> Any:
        async with database.session_transaction(read_sessions) as session:
            row = (await session.execute(by_id, {"item_id": item_id})).first()
            return None if row is None else to_item(row._mapping)

    async def session_core(item_id: UUID) -> Any:
        async with database.session_transaction(read_sessions) as session:
            connection = await session.connection()
            row = (await connection.execute(by_id, {"item_id": item_id})).first()
            return None if row is None else to_item(row._mapping)

    async def core(item_id: UUID) -> Any:
        async with autocommit.connect() as connection:
            row = (await connection.execute(by_id, {"item_id": item_id})).first()
            return None if row is None else to_item(row._mapping)

    async def raw(item_id: UUID) -> Any:
        pooled = await engine.raw_connection()
        try:
            row = await pooled.driver_connection.fetchrow(sql, item_id)
        finally:
            pooled.close()  # back to SQLAlchemy's pool (its reset: nothing to roll back, no round trip)
        return None if row is None else _asyncpg_item(package, row)

    async def session_raw(item_id: UUID) -> Any:
        async with database.session_transaction(read_sessions):
            return await raw(item_id)

    return {
        "session": session,
        "session + Core": session_core,
        "Core": core,
        "raw asyncpg": raw,
        "session, raw asyncpg": session_raw,
    }


def _bound(name: str) -> Any:
    from sqlalchemy import bindparam

    return bindparam(name)


def _asyncpg_item(package: str, row: Any) -> Any:
    values = dict(row)
    column = "row_version" if "row_version" in values else "version"  # renamed with the shared repository
    version = values.pop(column)
    values.pop("deleted_at", None)
    item = importlib.import_module(f"{package}.items.models").Item.model_validate(values)
    setattr(item, f"_{column}", version)
    return item


async def floor1_reader(url: str, table: Any, package: str, pool_size: int) -> tuple[Read, Any]:
    """`floor1`'s read: its own asyncpg pool (no reset on release), a prepared `SELECT`, JSON decoded by asyncpg."""
    import asyncpg

    columns = ", ".join(column.name for column in table.columns)
    query = f"SELECT {columns} FROM {table.name} WHERE id = $1"

    async def keep(connection: Any) -> None:
        return None

    async def decode_json(connection: Any) -> None:
        for kind in ("json", "jsonb"):
            await connection.set_type_codec(kind, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")

    pool = await asyncpg.create_pool(url, min_size=1, max_size=pool_size, init=decode_json, reset=keep)

    async def read(item_id: UUID) -> Any:
        row = await pool.fetchrow(query, item_id)
        return None if row is None else _asyncpg_item(package, row)

    return read, pool


async def read_cost_us(read: Read, item_id: UUID, reads: int) -> float:
    started = time.thread_time()
    for _ in range(reads):
        await read(item_id)
    return (time.thread_time() - started) / reads * 1e6


def repository_reading_with(read: Read) -> Any:
    class Repository:
        async def get(self, item_id: UUID) -> Any:
            return await read(item_id)

    async def repository() -> Repository:
        return Repository()

    return repository


async def main(package: str, reads: int, log_path: str, url: str) -> None:
    os.environ["DATABASE_URL"] = url
    has_auth = service_environment(package, str(Path(log_path).parent))
    settings = importlib.import_module(f"{package}.config").load_settings()
    headers = bearer_headers(package, settings, has_auth)
    table = importlib.import_module(f"{package}.items.table").items
    with open(log_path, "w") as access_log:
        app = importlib.import_module(f"{package}.app").create_app(settings, access_log_stream=access_log)
        context = importlib.import_module(f"{package}.context").app_context(app)
        async with app.router.lifespan_context(app):
            body = json.dumps(ITEM_BODY).encode()
            post = ((b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers)
            created = await call(app, http_scope("/api/v1/items", "POST", post), body)
            if created[0]["status"] != 201:
                raise SystemExit(f"POST /api/v1/items answered {created[0]['status']}: {created[1]['body']!r}")
            item_id = UUID(json.loads(created[1]["body"])["id"])
            path = f"/api/v1/items/{item_id}"
            ways = read_ways(package, context.engine, context.read_sessions)
            floor1_read, floor1_pool = await floor1_reader(
                settings.database.url, table, package, settings.database_pool_size
            )
            ways["floor1"] = floor1_read
            remembered = await ways["session"](item_id)

            async def memory(item_id: UUID) -> Any:  # no read at all: what the rest of a request costs
                return remembered

            expected = (await ways["session"](item_id)).model_dump()
            for name, read in ways.items():
                if (got := await read(item_id)) is None or got.model_dump() != expected:
                    raise SystemExit(f"{name} read {got!r}, not the item")

            print(f"  the read alone: await read(item_id), thread CPU time per read (best of {ROUNDS} x {reads})")
            alone = {name: float("inf") for name in ways}
            for _ in range(ROUNDS):
                for name, read in ways.items():
                    alone[name] = min(alone[name], await read_cost_us(read, item_id, reads))
            for name, us in alone.items():
                print(f"    {name:<22} {us:7.1f} us   floor1 / this {alone['floor1'] / us:5.2f}")

            # The whole request: the rendered app with its repository reading each way, and floor1's app.
            sent = await call(app, http_scope(path, headers=headers))
            if sent[0]["status"] != 200:
                raise SystemExit(f"GET {path} answered {sent[0]['status']}")
            floor_app = floor1_app(package, url, contract_headers(sent[0]))
            items = importlib.import_module(f"{package}.items.dependencies")
            apps: dict[str, Any] = {"service": app}
            for name in ("session", "session + Core", "Core", "raw asyncpg", "session, raw asyncpg", "memory"):
                apps[f"service, {name}"] = app  # the same app, its repository overridden per round
            apps["floor1"] = floor_app
            request_ways = {**ways, "memory": memory}
            for name, candidate in apps.items():
                override(app, items, request_ways, name)
                status = (await call(candidate, http_scope(path, headers=headers)))[0]["status"]
                if status != 200:
                    raise SystemExit(f"{name}: GET {path} answered {status}")
            print(f"\n  GET {{path}} through the whole app, thread CPU time per request (best of {ROUNDS} x {reads})")
            whole = {name: float("inf") for name in apps}
            for _ in range(ROUNDS):
                for name, candidate in apps.items():
                    override(app, items, request_ways, name)
                    whole[name] = min(whole[name], await cost_us(candidate, path, reads, headers))
            override(app, items, ways, "service")
            for name, us in whole.items():
                print(f"    {name:<32} {us:7.1f} us   floor1 / this {whole['floor1'] / us:5.2f}")
            await floor1_pool.close()
    print(json.dumps({"read_us": alone, "request_us": whole}))


def override(app: Any, items: Any, ways: dict[str, Read], name: str) -> None:
    app.dependency_overrides.clear()
    way = name.removeprefix("service, ")
    if name != "service" and way in ways:
        app.dependency_overrides[items.get_item_repository] = repository_reading_with(ways[way])


def contract_headers(start: dict[str, Any]) -> list[list[str]]:
    """The headers of the service's answer that floor1 sends as constants: all but the body's own framing."""
    framing = {b"content-type", b"content-length", b"etag", b"cache-control"}
    return [
        [name.decode("latin-1"), value.decode("latin-1")] for name, value in start["headers"] if name not in framing
    ]


def floor1_app(package: str, url: str, headers: list[list[str]]) -> Any:
    """bench/apps/floor.py over bench/apps/items.py's asyncpg reader: what `bench/middleware.py` serves as floor1."""
    os.environ.update(
        BENCH_PACKAGE=package, BENCH_READER="asyncpg", DATABASE_URL=url, FLOOR_HEADERS=json.dumps(headers)
    )
    return importlib.import_module("floor").app


if __name__ == "__main__":
    import uvloop

    uvloop.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]))
