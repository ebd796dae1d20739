"""A process keeps the connections its requests and activities use at once instead of re-opening
them, and pings one only when it has been idle.

A pool smaller than the requests in flight closes every connection returned past its size and
opens a new one for the next request: on PostgreSQL a new backend process (fork, authentication,
cold catalog caches: about 5 ms of the server's CPU) and the client's start-up and statement
preparation again. The city year's API, with 10 to 24 requests in flight, opened one connection
for every 3 to 4 requests that way.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

import db.session
from api.errors import database_unavailable
from core.settings import Settings
from db.session import POOL_SIZE, READ_POOL_SIZE, make_engine, make_read_engine

# The city year's calls in flight: below the pool's size, as any burst up to the request limit is.
BURST = 24
# Reads of one statement in flight at once (the read pool of PostgreSQL; SQLite reads share the engine).
READ_BURST = 10


def _count_connects(engine: AsyncEngine) -> list[int]:
    opened = [0]

    @event.listens_for(engine.sync_engine, "connect")
    def _opened(*_: Any) -> None:
        opened[0] += 1

    return opened


async def _bursts(engine: AsyncEngine, size: int, rounds: int = 3) -> None:
    async def one() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
            await asyncio.sleep(0.02)  # every connection of the burst is out at once

    for _ in range(rounds):
        await asyncio.gather(*(one() for _ in range(size)))


async def test_bursts_of_requests_reuse_the_connections_of_the_first(settings: Settings) -> None:
    assert BURST <= POOL_SIZE
    engine = make_engine(settings)
    opened = _count_connects(engine)
    try:
        await _bursts(engine, BURST)
    finally:
        await engine.dispose()
    assert opened[0] == BURST, f"{opened[0]} connections opened for 3 bursts of {BURST}"


async def test_bursts_of_reads_reuse_the_read_pool(settings: Settings) -> None:
    assert READ_BURST <= READ_POOL_SIZE
    engine = make_engine(settings)
    reads = make_read_engine(settings, engine)
    opened = _count_connects(reads)
    try:
        await _bursts(reads, READ_BURST)
    finally:
        await reads.dispose()
        await engine.dispose()
    assert opened[0] == READ_BURST, f"{opened[0]} connections opened for 3 bursts of {READ_BURST} reads"


async def _backend_pid(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def _cut(engine: AsyncEngine, pid: int) -> None:
    """End a pooled connection's backend from another connection, as a server restart would."""
    async with engine.connect() as other:
        assert (await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})).scalar_one()
    await asyncio.sleep(0.2)


@pytest.fixture
def postgresql(settings: Settings) -> None:
    if settings.is_sqlite:
        pytest.skip("SQLite: a file, no server to lose")


async def test_an_idle_connection_whose_server_went_is_replaced_before_it_is_handed_out(
    settings: Settings, postgresql: None, monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = make_engine(settings)
    try:
        pid = await _backend_pid(engine)
        cutter = make_engine(settings)
        await _cut(cutter, pid)
        await cutter.dispose()
        monkeypatch.setattr(db.session, "PING_WHEN_IDLE_FOR", 0.0)  # every pooled connection counts as idle
        assert await _backend_pid(engine) != pid  # the ping found it gone: a new one, no error
    finally:
        await engine.dispose()


async def test_a_connection_in_use_a_moment_ago_fails_once_as_unavailable_then_the_pool_is_renewed(
    settings: Settings, postgresql: None,
) -> None:
    engine, cutter = make_engine(settings), make_engine(settings)
    try:
        pid = await _backend_pid(engine)
        await _cut(cutter, pid)
        with pytest.raises(DBAPIError) as lost:
            await _backend_pid(engine)
        assert database_unavailable(lost.value)  # the API answers 503 with Retry-After: send it again
        assert await _backend_pid(engine) not in (pid, None)
    finally:
        await cutter.dispose()
        await engine.dispose()
