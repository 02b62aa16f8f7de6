"""The database of the service: the `metadata` every table belongs to and the column types tables share, the
SQLAlchemy engine built from the one `Settings`, checked for readiness, the sessions requests use, and the one place
that turns "the database cannot answer" into `DatabaseUnavailableError` (a 503 problem, see problems.py)."""

from __future__ import annotations

import asyncio
import enum
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final
from weakref import ref

import asyncpg  # type: ignore[import-untyped]  # no stubs or py.typed: its names are Any here
from sqlalchemy import DateTime, Dialect, Enum, MetaData, Select, TypeDecorator, event, text
from sqlalchemy.exc import DisconnectionError, IntegrityError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, NullPool, Pool, PoolProxiedConnection, QueuePool

from .config import Settings
from .core.database import Database, PoolStats

# Every table of the service belongs to this metadata (Alembic compares it with the migrations: `alembic check`).
# Constraint names are the same on every database, so that a migration can drop or alter them by name.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp with time zone, read back as UTC on SQLite too (it stores no zone). Use it for every timestamp
    column; migrations/env.py renders it as `UTCDateTime()` with its import in generated migrations."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if isinstance(value, datetime) and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value if isinstance(value, datetime) else None


def string_enum(values: type[enum.StrEnum], *, length: int = 32) -> Enum:
    """The column type of a string enum: its values (`"confirmed"`, not the member's name) in a `VARCHAR(length)`,
    read back as members. `Column("status", string_enum(BookingStatus), nullable=False)`.

    Never a PostgreSQL enum type (`CREATE TYPE`): Alembic's generated downgrade drops the column but leaves such a
    type behind, so upgrading again fails, and a new value would need an `ALTER TYPE` Alembic does not generate.
    Here a new value is a code change and no migration, as with a Django `CharField` with `choices`, as long as it
    fits in `length`. The models refuse other values at the door; a write of one is refused before SQL is sent."""
    return Enum(
        values,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class DatabaseUnavailableError(Exception):
    """The database did not answer (down, unreachable, pool exhausted, statement timeout): the client may retry."""


def create_engine(settings: Settings, database: Database | None = None) -> AsyncEngine:
    """One engine per process, created in the lifespan and disposed at shutdown. `database`: another than
    DATABASE_URL's, with the same pool settings (the read replica's, integrations/replica.py)."""
    database = database or settings.database
    if database.engine == "sqlite":
        # One file, one writer at a time: SQLite waits up to the pool timeout for a lock instead of failing at once.
        sqlite = create_async_engine(
            database.sqlalchemy_url(), connect_args={"timeout": settings.database_pool_timeout}
        )
        begin_sqlite_transactions_explicitly(sqlite)
        return sqlite
    engine = create_async_engine(
        database.sqlalchemy_url(),
        pool_size=settings.database_pool_size,
        max_overflow=0,  # DATABASE_POOL_SIZE is the most connections a process opens: size the server for it
        pool_timeout=settings.database_pool_timeout,
        # No `pool_pre_ping`: it costs two round trips (BEGIN, ROLLBACK) on every checkout. A connection the server
        # closed is found without one (`_replace_closed_connection`).
        connect_args=_postgresql_connect_args(settings, application_name="api", database=database),
    )
    event.listen(engine.sync_engine.pool, "checkout", _replace_closed_connection)
    return engine


def begin_sqlite_transactions_explicitly(engine: AsyncEngine) -> None:
    """SQLite's driver begins a transaction only before a write, so a savepoint taken first (`begin_nested`) starts
    one of its own, and releasing it commits: a change and what must commit with it (its sign-outs, its audit event)
    would no longer be one transaction. Here the driver begins nothing and every transaction starts with BEGIN
    IMMEDIATE (SQLAlchemy's recipe for pysqlite); the read sessions' AUTOCOMMIT connections begin none. IMMEDIATE
    takes the write lock at the start, where SQLite waits for it (the connection's `timeout`): a transaction that read
    first would fail at once ("database is locked") when it came to write while another held the lock."""

    @event.listens_for(engine.sync_engine, "connect")
    def _no_implicit_transactions(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection: Any) -> None:
        if connection.get_isolation_level() != "AUTOCOMMIT":
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def _replace_closed_connection(
    dbapi_connection: Any, record: ConnectionPoolEntry, proxy: PoolProxiedConnection
) -> None:
    """A pooled connection whose server has gone (PostgreSQL restarted or failed over) is replaced at checkout,
    without a round trip: asyncpg reads every connection's socket on the event loop, so the server's goodbye (or the
    closed socket) has already marked the idle connection closed. Raising `DisconnectionError` makes the pool
    discard it and hand out another (a new one when none is left), so the request never sees the dead one."""
    if record.driver_connection is not None and record.driver_connection.is_closed():
        raise DisconnectionError("the server closed this pooled connection")


def create_probe_engine(settings: Settings) -> AsyncEngine:
    """The readiness check's engine while the pool is saturated: a connection of its own per check, outside the
    pool. Requests holding every pooled connection make the pool busy, not the database down: readiness must stay
    200 while PostgreSQL answers (a Kubernetes probe failing on every saturated replica would take them all out of
    service at once)."""
    database = settings.database
    if database.engine == "sqlite":
        return create_async_engine(
            database.sqlalchemy_url(), poolclass=NullPool, connect_args={"timeout": settings.database_pool_timeout}
        )
    return create_async_engine(
        database.sqlalchemy_url(),
        poolclass=NullPool,
        connect_args=_postgresql_connect_args(settings, application_name="api-readiness"),
    )


def _postgresql_connect_args(
    settings: Settings, *, application_name: str, database: Database | None = None
) -> dict[str, Any]:
    """`database`: another than DATABASE_URL's (the replica's); its URL is asyncpg's DSN (`Database.sqlalchemy_url`)."""
    database = database or settings.database
    server_settings = {"application_name": application_name}
    if settings.database_statement_timeout and not database.transaction_pooled:  # PgBouncer refuses it
        server_settings["statement_timeout"] = str(settings.database_statement_timeout)
    arguments = {"dsn": database.url, "timeout": settings.database_connect_timeout, "server_settings": server_settings}
    return {**arguments, **TRANSACTION_POOLER_CONNECT_ARGS} if database.transaction_pooled else arguments


# Behind a transaction pooler (DATABASE_POOLER=transaction) the next statement may reach another server connection,
# which lacks this one's prepared statements ("__asyncpg_stmt_1__ does not exist / already exists"). So nothing is
# kept, and every statement is PostgreSQL's unnamed one, which asyncpg parses again in the message that runs it: safe
# outside a transaction too (`fetch_one`, the read sessions' autocommit). SQLAlchemy's recipe (a UUID per statement)
# would leave every name prepared on the server connections.
TRANSACTION_POOLER_CONNECT_ARGS: dict[str, Any] = {
    "statement_cache_size": 0,
    "prepared_statement_cache_size": 0,
    "prepared_statement_name_func": lambda: "",
}


def create_sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """The factory of the sessions requests use. Objects stay readable after the commit (`expire_on_commit=False`):
    the response is built from them once the transaction is over."""
    return async_sessionmaker(engine, expire_on_commit=False)


def create_read_sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """The sessions of requests that only read (GET, HEAD): the same pool, with the driver in autocommit mode. A
    read by id is then one round trip: no `BEGIN` before the `SELECT` and no `COMMIT` after it. Nothing is lost:
    at PostgreSQL's READ COMMITTED each statement sees its own snapshot, inside a transaction or not, and a
    statement that changes nothing has nothing to commit."""
    autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
    return async_sessionmaker(autocommit, class_=ReadSession, expire_on_commit=False)


class ReadSession(AsyncSession):
    """A read session (`create_read_sessions`) whose ORM session is made on its first use. A read by id through
    `fetch_one` never uses it (it takes a pooled connection of `read_engine` itself), and making one, then reading its
    bind back through it, was a fifth of the Python calls of an item read (`bench/fastapi_parts.py`). Anything else
    (`execute`, `get`, `info`, ...) makes it as `AsyncSession` would have, with the same options."""

    def __init__(self, bind: AsyncEngine, **options: Any) -> None:
        self.read_engine = bind
        self._session_options = options

    @property
    def made(self) -> bool:
        """Whether the ORM session exists (something other than `fetch_one` used this session)."""
        return "sync_session" in self.__dict__

    def __getattr__(self, name: str) -> Any:
        # Reached only for an attribute the instance lacks: the ORM session, until it is made.
        if name not in _MADE_ON_FIRST_USE or "_session_options" not in self.__dict__:
            raise AttributeError(name)
        AsyncSession.__init__(self, self.read_engine, **self._session_options)
        return self.__dict__[name]


_MADE_ON_FIRST_USE: Final = frozenset({"sync_session", "_proxied"})


class _ReadSessionScope:
    """`read_session`'s context: a class, not an `@asynccontextmanager`, which costs a generator and ~6 calls more on
    every read."""

    __slots__ = ("_session",)

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._session = sessions()

    async def __aenter__(self) -> AsyncSession:
        return self._session

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None, traceback: Any) -> None:
        session = self._session
        with _AS_503:
            # A statement ran through the ORM session: give its connection back.
            if (not isinstance(session, ReadSession) or session.made) and session.in_transaction():
                await session.close()
        _AS_503.__exit__(kind, error, traceback)


def read_session(sessions: async_sessionmaker[AsyncSession]) -> AbstractAsyncContextManager[AsyncSession]:
    """The session of a request that only reads (GET, HEAD; `sessions` from `create_read_sessions`): no transaction
    to begin or commit, and closed only when a statement took a connection. An empty `session_transaction` costs
    ~90 µs of CPU (begin, commit and close each cross into SQLAlchemy's greenlet); a read by id through `fetch_one`
    never touches the session at all. Failures to reach the database become `DatabaseUnavailableError`."""
    return _ReadSessionScope(sessions)


@asynccontextmanager
async def session_transaction(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session in one transaction: committed when the block ends, rolled back when it raises. It takes a pooled
    connection on its first statement only and gives it back when the block ends, whatever happens. Failures to
    reach the database (the commit's included) become `DatabaseUnavailableError`; constraint violations stay
    `IntegrityError` for the caller to map."""
    with _AS_503:
        async with sessions() as session, session.begin():
            yield session


AfterCommit = Callable[[], Awaitable[None]]
_AFTER_COMMIT = "after_commit"
"""The key, in a session's `info`, of what waits for its transaction to commit (`after_commit`)."""


def after_commit(session: AsyncSession, hook: AfterCommit) -> None:
    """Await `hook` once `session`'s transaction has committed (`session_transaction`'s caller runs them with
    `run_after_commit`); never when it rolls back or the commit fails."""
    session.info.setdefault(_AFTER_COMMIT, []).append(hook)


async def run_after_commit(session: AsyncSession) -> None:
    """Await what waited for `session`'s commit, in the order it was registered: call it once the commit is done."""
    for hook in session.info.pop(_AFTER_COMMIT, ()):
        await hook()


@asynccontextmanager
async def transaction(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection in a transaction, for work outside a request (the readiness check, scripts), with the same
    error mapping as `session_transaction`."""
    with _AS_503:
        async with engine.begin() as connection:
            yield connection


async def fetch_one(session: AsyncSession, statement: Select[Any], **parameters: Any) -> Mapping[str, Any] | None:
    """The first row of a read-only `statement` as a mapping of its columns, in one round trip: the hot path of a
    read by id. Build `statement` once, at import, with `bindparam()`s named by `parameters` (it is compiled once
    per statement and kept while the statement lives).

    In a read session (GET, HEAD) on PostgreSQL the statement goes straight to asyncpg on a connection from the
    service's SQLAlchemy pool: compiled by SQLAlchemy, its values converted by the columns' own types, sent as
    asyncpg's prepared statement. That skips the ORM session and Core's execution and result machinery (in process,
    ~140 µs of CPU per read against ~640 µs through `session.execute`). A dead pooled connection (PostgreSQL
    restarted, failed over) is replaced and the read sent once more on a fresh one: a read is idempotent. Anywhere
    else (a write's transaction, whose own changes a read must see; SQLite) it runs in `session` as any statement
    does."""
    engine = session.read_engine if isinstance(session, ReadSession) else session.bind
    if (
        not isinstance(engine, AsyncEngine)
        or engine.sync_engine.dialect.driver != "asyncpg"
        or not _autocommits(engine)
    ):
        row = (await session.execute(statement, parameters)).first()
        return None if row is None else row._mapping
    dialect = engine.sync_engine.dialect
    prepared = _on_driver(statement, dialect)
    if prepared is None:  # a column type that needs the driver's description of the result (Numeric): the session
        row = (await session.execute(statement, parameters)).first()
        return None if row is None else row._mapping
    arguments = prepared.arguments(parameters)
    pool = engine.sync_engine.pool
    observers = _observers.get(ref(pool), ())  # a plain dict read: no observer, no clock
    with _AS_503:
        for attempt in range(2):
            pooled = _idle_connection(pool) or await _next_connection(engine, pool)
            driver: Any = pooled.driver_connection  # asyncpg's Connection
            started = time.perf_counter() if observers else 0.0
            try:
                record = await driver.fetchrow(prepared.sql, *arguments)
            except BaseException as exc:
                if observers:
                    _observe(observers, prepared.sql, started)
                dead = driver.is_closed()
                if dead or not isinstance(exc, Exception):
                    # The server ended it, or the read was cut short (the client left): the connection is closed,
                    # never lent again. Outside SQLAlchemy's greenlet this closes the socket at once, no round trip.
                    pooled.invalidate(exc)
                else:
                    pooled.close()  # a refusal or a statement timeout: the connection itself is fine
                if attempt or not dead or not isinstance(exc, Exception):
                    raise
                continue  # a read is idempotent: once more, on a fresh connection
            if observers:
                _observe(observers, prepared.sql, started)
            # Back to the pool at once. No transaction was begun, so the pool's reset on return sends nothing.
            pooled.close()
            return None if record is None else prepared.row(record)
    raise AssertionError("unreachable")  # pragma: no cover


def _idle_connection(pool: Pool) -> PoolProxiedConnection | None:
    """The connection the pool would hand out next, taken without entering SQLAlchemy's greenlet when taking it needs
    no I/O: `engine.raw_connection()` starts a greenlet for every checkout (~10 µs of a read by id). The checkout
    hook and the pool's bookkeeping run as usual. None, and the caller takes one the usual way, when none is idle or
    the next one must first be replaced or reconnected (the server closed it, the pool was invalidated, it was
    recycled): SQLAlchemy does that I/O only inside its greenlet."""
    if not isinstance(pool, QueuePool) or not pool.checkedin():
        return None
    record = _next_idle_record(pool)
    if record is None or not _ready_without_io(record, pool):
        return None
    return pool.connect()


async def _next_connection(engine: AsyncEngine, pool: Pool) -> PoolProxiedConnection:
    """A connection when none is idle. With every connection the pool may open lent out, the read waits in the pool's
    own queue (asyncio's: first come, first served with SQLAlchemy's waiters) without a greenlet, and takes the one
    given back when it needs no I/O. Under load this is most reads by id: `engine.raw_connection()` would start a
    greenlet and an `asyncio.wait_for` for each (a pool of 64 against one of 5, 64 clients: ~13 % more requests a
    second before this). A pool that may still open one, or a returned one that must first be replaced, goes the
    usual way, inside SQLAlchemy's greenlet. Past DATABASE_POOL_TIMEOUT the wait ends as SQLAlchemy's would."""
    queue = _pool_queue(pool)
    if queue is None or not isinstance(pool, QueuePool) or _may_open_one(pool):
        return await engine.raw_connection()
    try:
        async with asyncio.timeout(pool._timeout):
            record = await queue.get()
    except TimeoutError:
        raise PoolTimeoutError(
            f"QueuePool limit of size {pool.size()} overflow {pool.overflow()} reached, connection timed out, "
            f"timeout {pool._timeout:0.2f}",
            code="3o7r",
        ) from None
    # Handed back where the pool takes its next one, and taken through the pool at once (no await in between): its
    # bookkeeping, the checkout hook and the return on close run as for any checkout.
    if isinstance(queue, asyncio.LifoQueue):
        queue._queue.append(record)  # type: ignore[attr-defined]
    else:
        queue._queue.appendleft(record)  # type: ignore[attr-defined]
    return _idle_connection(pool) or await engine.raw_connection()


def _may_open_one(pool: QueuePool) -> bool:
    """Whether a checkout now would open a connection rather than wait for one (`QueuePool._do_get`'s test)."""
    return pool._max_overflow < 0 or pool._overflow < pool._max_overflow


def _pool_queue(pool: Pool) -> asyncio.Queue[Any] | None:
    """The asyncio queue of `pool`'s idle connections, or None when the pool keeps them otherwise (then every
    checkout takes the greenlet)."""
    queue = getattr(getattr(pool, "_pool", None), "_queue", None)
    return queue if isinstance(queue, asyncio.Queue) else None


def _next_idle_record(pool: QueuePool) -> Any:
    """The record `pool` hands out next (the head of its queue, the tail for a LIFO pool), or None when the pool's
    queue is not the asyncio one this reads (another SQLAlchemy's: then every checkout takes the greenlet)."""
    queue = _pool_queue(pool)
    waiting = getattr(queue, "_queue", None)
    if not waiting:
        return None
    return waiting[-1] if isinstance(queue, asyncio.LifoQueue) else waiting[0]


def _ready_without_io(record: Any, pool: QueuePool) -> bool:
    """What `_ConnectionRecord.get_connection` and the checkout hook check before they reconnect: a live driver
    connection, not past the pool's recycle time nor older than an invalidation of the pool or of itself."""
    driver = getattr(record, "driver_connection", None)
    started = getattr(record, "starttime", None)
    if driver is None or started is None or driver.is_closed():
        return False
    recycle: float = getattr(pool, "_recycle", -1)
    if recycle > -1 and time.time() - started > recycle:
        return False
    invalidated = max(getattr(pool, "_invalidate_time", 0), getattr(record, "_soft_invalidate_time", 0))
    return bool(invalidated <= started)


StatementObserver = Callable[[str, float], None]
_observers: dict[ref[Pool], list[StatementObserver]] = {}
"""Each pool's observers of the statements `fetch_one` sends, by a weak reference to the pool (forgotten with it):
read on every read by id, where a `WeakKeyDictionary` costs Python calls and a dict of references costs none."""


def observe_direct_statements(engine: AsyncEngine, observer: StatementObserver) -> None:
    """Call `observer(sql, seconds)` for each statement `fetch_one` sends to the driver itself, which SQLAlchemy's
    cursor events do not see (metrics time every statement: both hooks together)."""
    pool = engine.sync_engine.pool
    key = ref(pool)
    if key not in _observers:
        key = ref(pool, _forget_observers)
    _observers.setdefault(key, []).append(observer)


def _forget_observers(key: ref[Pool]) -> None:
    _observers.pop(key, None)


def _observe(observers: Sequence[StatementObserver], sql: str, started: float) -> None:
    seconds = time.perf_counter() - started
    for observer in observers:
        observer(sql, seconds)


def _autocommits(engine: AsyncEngine) -> bool:
    return engine.get_execution_options().get("isolation_level") == "AUTOCOMMIT"


Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _DriverStatement:
    """A statement compiled for the driver: its SQL with `$n` parameters, and the conversions SQLAlchemy would apply
    to the values sent and the columns read (the column types' bind and result processors)."""

    sql: str
    parameters: tuple[tuple[str, Processor], ...]
    columns: tuple[tuple[str, Processor], ...]

    def arguments(self, values: Mapping[str, Any]) -> list[Any]:
        return [values[name] if convert is None else convert(values[name]) for name, convert in self.parameters]

    def row(self, record: Any) -> dict[str, Any]:
        return {
            name: value if convert is None else convert(value)
            for (name, convert), value in zip(self.columns, record, strict=True)
        }


_compiled: dict[ref[Select[Any]], _DriverStatement | None] = {}
"""Each statement compiled for the driver, by a weak reference to it (forgotten with it): a plain dict read per read."""


def _forget_compiled(key: ref[Select[Any]]) -> None:
    _compiled.pop(key, None)


def _on_driver(statement: Select[Any], dialect: Dialect) -> _DriverStatement | None:
    """The statement compiled for the driver, or None when a column's type cannot say how to read its values
    without the driver's description of the result (PostgreSQL's Numeric asks for the result's type code)."""
    key = ref(statement)
    if key in _compiled:
        return _compiled[key]
    try:
        compiled = statement.compile(dialect=dialect)
        binds = compiled.binds
        found: _DriverStatement | None = _DriverStatement(
            sql=compiled.string,
            parameters=tuple(
                (name, binds[name].type.dialect_impl(dialect).bind_processor(dialect))
                for name in compiled.positiontup or ()
            ),
            columns=tuple(
                (str(column.key), column.type.dialect_impl(dialect).result_processor(dialect, None))
                for column in statement.selected_columns
            ),
        )
    except (SQLAlchemyError, TypeError, ValueError):  # Numeric: "Unknown PG numeric type" (or a TypeError of it)
        found = None
    _compiled[ref(statement, _forget_compiled)] = found
    return found


_UNAVAILABLE: Final = (SQLAlchemyError, asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError)


class _UnavailableAs503:
    """Failures to reach the database as `DatabaseUnavailableError` (a 503); a constraint violation stays itself. A
    class, not a `@contextmanager`: it is entered twice per read by id, and a generator costs ~4 calls each time."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, traceback: Any) -> None:
        if error is None or isinstance(error, IntegrityError) or not isinstance(error, _UNAVAILABLE):
            return
        raise DatabaseUnavailableError(type(error).__name__) from error


_AS_503: Final = _UnavailableAs503()


def pool_stats(engine: AsyncEngine) -> PoolStats | None:
    """The engine's pool right now (metrics); None for a pool that keeps no count (SQLite in memory)."""
    pool = engine.sync_engine.pool
    if not isinstance(pool, QueuePool):
        return None
    # `overflow()` counts down from zero while the pool is below its size: only what is beyond it is overflow.
    return PoolStats(
        in_use=pool.checkedout(), idle=pool.checkedin(), overflow=max(pool.overflow(), 0), size=pool.size()
    )


# The readiness checks running, held so that one outliving its timeout still finishes (see check_database).
_running_checks: set[asyncio.Task[None]] = set()


async def check_database(engine: AsyncEngine, probe_engine: AsyncEngine) -> None:
    """The readiness check (`ServiceState.add_check`, which bounds it with its timeout). A saturated pool is
    bypassed (`create_probe_engine`): busy is not down. Otherwise the check takes a pooled connection, so that
    readiness also says when the pool itself cannot connect.

    The timeout stops waiting for the check but never interrupts it: cancelled while closing its connection, the
    driver would leave the connection half closed and the pool would log the cancellation as an error."""
    pool = engine.sync_engine.pool
    saturated = isinstance(pool, QueuePool) and pool.checkedout() >= pool.size()
    check = asyncio.create_task(_select_one(probe_engine if saturated else engine))
    _running_checks.add(check)
    check.add_done_callback(_running_checks.discard)
    await asyncio.shield(check)


async def _select_one(engine: AsyncEngine) -> None:
    async with transaction(engine) as connection:
        await connection.execute(text("SELECT 1"))
