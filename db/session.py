"""Engine, session factory and the units of work; only request and activity boundaries commit."""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, DisconnectionError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from core.settings import Settings
from db.errors import NotStored, integrity_as, translated

# The connections one process keeps: as many as its requests (or activities) use at once, up to
# 30, the peak it had before as 10 kept and 20 opened for a burst. A connection returned past the
# pool's size is closed and the next request opens another: on PostgreSQL a new backend process
# (fork, authentication, cold catalog caches: about 5 ms of the server's CPU and 2 of the
# client's, and its statements prepared again). With 10 kept, the city year's API opened one for
# every 3 to 4 requests; kept, a connection costs an idle backend's memory.
POOL_SIZE, POOL_OVERFLOW = 30, 0

# A pooled PostgreSQL connection idle at least this long is pinged before it is handed out, and
# replaced if the server has gone (restarted, or the connection was cut while nobody used it).
# One used more recently is handed out as it is: the pool's own pre-ping cost every checkout a
# round trip (three outside autocommit: ``BEGIN; ; ROLLBACK;``), about 7 per request of the city
# year's API and worker together. If the server went within these seconds, the first statement on
# a stale connection fails as a lost connection (503 with ``Retry-After`` from the API, an
# activity's retry in the worker) and SQLAlchemy renews every connection the pool held then.
PING_WHEN_IDLE_FOR = 5.0  # seconds

STORED_MEANWHILE = "a record with the same key was stored meanwhile; nothing was stored"
NOT_STORED = "the database did not take the change; nothing was stored, send the request again"


def make_engine(settings: Settings) -> AsyncEngine:
    """An engine for the configured database; SQLite gets WAL and a busy timeout for two writers.

    SQL parameters (a caller's phone number, a comment) never appear in logs or in the text of a
    database error, which the API logs: ``hide_parameters``.
    """
    url = settings.database_url
    if settings.is_sqlite:
        db_path = url.split("///", 1)[-1]
        on_disk = db_path not in ("", ":memory:")
        if on_disk:
            Path(db_path).parent.mkdir(parents=True, exist_ok=True)
        pool = {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW} if on_disk else {}
        engine = create_async_engine(
            url, echo=settings.database_echo, hide_parameters=True, connect_args={"timeout": 30}, **pool,
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: object) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return ping_when_idle(create_async_engine(
        url, echo=settings.database_echo, hide_parameters=True, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW,
    ))


def ping_when_idle(engine: AsyncEngine) -> AsyncEngine:
    """Ping a pooled connection at checkout only when it has been idle ``PING_WHEN_IDLE_FOR`` or longer."""

    @event.listens_for(engine.sync_engine, "checkin")
    def _returned(_dbapi_conn: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _handed_out(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        returned_at = record.info.get("returned_at")
        if returned_at is None or time.monotonic() - returned_at < PING_WHEN_IDLE_FOR:
            return  # a new connection, or one in use a moment ago
        try:
            dbapi_conn.ping()
        except Exception as exc:  # the pool replaces the connection and hands out another
            raise DisconnectionError("the pooled connection's server has gone") from exc

    return engine


def dialect_name(session: AsyncSession) -> str:
    """The database the session talks to ("postgresql" or "sqlite"), for statements that differ by dialect."""
    return session.get_bind().dialect.name


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


# The read engine's pool (PostgreSQL): a read holds its connection for one short statement; kept
# up to the earlier peak (5 kept and 5 for a burst), as the main pool is.
READ_POOL_SIZE, READ_POOL_OVERFLOW = 10, 0


def make_read_engine(settings: Settings, engine: AsyncEngine) -> AsyncEngine:
    """The engine for reads of one statement: on PostgreSQL its own small pool in autocommit.

    In a unit of work one ``SELECT`` took six round trips: ``BEGIN`` and ``COMMIT`` around it, and
    the pool's pre-ping its own ``BEGIN``, ping, ``ROLLBACK`` at every checkout (SQLAlchemy's
    asyncpg dialect pings inside a transaction unless the connection is in autocommit when it is
    checked out, which only an engine created in autocommit is). Here: the ping and the statement.
    One statement sees one snapshot either way. SQLite reads start no transaction anyway: the
    same engine (``engine``).
    """
    if engine.dialect.name != "postgresql":
        return engine
    return ping_when_idle(create_async_engine(
        settings.database_url, echo=settings.database_echo, hide_parameters=True, isolation_level="AUTOCOMMIT",
        pool_size=READ_POOL_SIZE, max_overflow=READ_POOL_OVERFLOW,
    ))


# One writer at a time per SQLite engine inside a process. SQLite takes one writer at a time
# anyway; without this gate concurrent writers of one process (the worker's local activities)
# meet in SQLite's busy handler, which sleeps in growing steps of up to 100 ms instead of waking
# the next writer when the lock is free. PostgreSQL needs no gate.
_WRITE_GATES: weakref.WeakKeyDictionary[object, weakref.WeakKeyDictionary[object, asyncio.Lock]] = weakref.WeakKeyDictionary()


@asynccontextmanager
async def write_gate(engine: AsyncEngine) -> AsyncIterator[None]:
    """Hold the process's SQLite writer gate (nothing to hold on PostgreSQL)."""
    if engine.dialect.name != "sqlite":
        yield
        return
    per_loop = _WRITE_GATES.setdefault(engine.sync_engine, weakref.WeakKeyDictionary())
    async with per_loop.setdefault(asyncio.get_running_loop(), asyncio.Lock()):
        yield


@asynccontextmanager
async def transaction(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session in a transaction that commits on success; on SQLite, one such writer at a time.

    An integrity violation, in the block or at the commit, comes out as the data layer's error.
    """
    async with write_gate(sessions.kw["bind"]), sessions() as session:
        with integrity_as(exists=STORED_MEANWHILE):
            async with session.begin():
                yield session


@dataclass
class _UnitOfWork:
    """What a unit of work keeps in ``session.info`` until it ends."""

    held: AsyncExitStack
    gated: bool = False
    after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)


_UNIT = "wuyeflow.unit_of_work"


def _unit(session: AsyncSession) -> _UnitOfWork:
    unit: _UnitOfWork | None = session.info.get(_UNIT)
    if unit is None:
        raise RuntimeError("the session is not a unit of work (db.session.unit_of_work)")
    return unit


@asynccontextmanager
async def unit_of_work(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A request's session: commits when the block succeeds, rolls back when it raises.

    A failed commit comes out as a data-layer error (nothing was stored), so the caller never
    answers as if it had been. Callbacks registered with ``after_commit`` run once the commit has
    succeeded, the session is closed and the SQLite writer gate released.
    """
    async with AsyncExitStack() as held, sessions() as session:
        unit = session.info[_UNIT] = _UnitOfWork(held)
        try:
            yield session
        except OperationalError as exc:  # a lost connection, a lock wait given up: not the request's fault
            await session.rollback()
            raise NotStored(NOT_STORED) from exc
        except BaseException:
            await session.rollback()
            raise
        try:
            await session.commit()
        except IntegrityError as exc:
            await session.rollback()
            raise translated(exc, exists=STORED_MEANWHILE) from exc
        except DBAPIError as exc:
            await session.rollback()
            raise NotStored(NOT_STORED) from exc
    for callback in unit.after_commit:
        await callback()


async def hold_write_gate(session: AsyncSession) -> None:
    """Hold the SQLite writer gate until the session's unit of work has committed or rolled back."""
    unit, engine = _unit(session), session.bind
    assert isinstance(engine, AsyncEngine), "a unit of work's session is bound to its engine"
    if not unit.gated:
        await unit.held.enter_async_context(write_gate(engine))
        unit.gated = True


def after_commit(session: AsyncSession, callback: Callable[[], Awaitable[None]]) -> None:
    """Run ``callback`` once the unit of work has committed (a Temporal call that needs the rows stored)."""
    _unit(session).after_commit.append(callback)
