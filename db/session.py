"""Engine and session factory; only request and activity boundaries commit."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from core.settings import Settings


def make_engine(settings: Settings) -> AsyncEngine:
    """An engine for the configured database; SQLite gets WAL and a busy timeout for two writers."""
    url = settings.database_url
    if settings.is_sqlite:
        db_path = url.split("///", 1)[-1]
        if db_path and db_path != ":memory:":
            Path(db_path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=settings.database_echo, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_async_engine(url, echo=settings.database_echo, pool_size=10, max_overflow=20, pool_pre_ping=True)


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


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
    """A session in a transaction that commits on success; on SQLite, one such writer at a time."""
    async with write_gate(sessions.kw["bind"]), sessions() as session, session.begin():
        yield session
