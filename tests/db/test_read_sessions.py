"""A read session (the inbox's) holds no transaction around its statement; a unit of work's session does.

On PostgreSQL one ``SELECT`` in a unit of work took six round trips: the pool's pre-ping in a
transaction of its own (``BEGIN; ; ROLLBACK;``), then ``BEGIN``, the statement, ``COMMIT``. The read
engine runs in autocommit, and a connection is pinged only when it has been idle a while
(``db.session.PING_WHEN_IDLE_FOR``): a read is its statement. SQLite starts no transaction for a read.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

import db.session
from db.models import InboxEntry
from db.session import make_engine, make_read_engine, make_session_factory
from tests.fixture_types import Sessions, Settings


@pytest_asyncio.fixture
async def read_engine(sessions: Sessions, settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = make_read_engine(settings, sessions.kw["bind"])
    yield engine
    if engine is not sessions.kw["bind"]:
        await engine.dispose()


async def driver(session: AsyncSession) -> Any:
    return (await (await session.connection()).get_raw_connection()).driver_connection


async def in_transaction(session: AsyncSession) -> bool:
    raw = await driver(session)
    return bool(raw.is_in_transaction()) if hasattr(raw, "is_in_transaction") else bool(raw.in_transaction)


async def test_a_read_session_runs_its_statement_outside_a_transaction(sessions: Sessions, read_engine: AsyncEngine) -> None:
    async with make_session_factory(read_engine)() as session:
        assert (await session.execute(text("SELECT count(*) FROM inbox"))).scalar_one() >= 0
        assert not await in_transaction(session)
    async with sessions() as session:
        await session.execute(text("SELECT count(*) FROM inbox"))
        assert await in_transaction(session) == (read_engine.dialect.name == "postgresql")


async def control_statements(engine: AsyncEngine) -> list[str]:
    """What a checked-out connection sends around one SELECT besides it (asyncpg logs the simple queries)."""
    factory = make_session_factory(engine)
    async with factory() as session:
        raw = await driver(session)
        await session.execute(text("SELECT 1"))
    sent: list[str] = []

    def log(record: Any) -> None:
        sent.append(record.query)

    raw.add_query_logger(log)
    try:
        async with factory() as session:
            assert await driver(session) is raw  # the same pooled connection
            await session.execute(text("SELECT 2"))
            await session.commit()
    finally:
        raw.remove_query_logger(log)
    return sent


@pytest.mark.parametrize("idle", [False, True], ids=["in-use", "idle"])
async def test_on_postgresql_a_read_is_its_statement_and_an_idle_connection_is_pinged(
    sessions: Sessions, settings: Settings, monkeypatch: pytest.MonkeyPatch, idle: bool,
) -> None:
    # Engines of their own: the session's engine is shared with the suite's worker, whose activities
    # may take the pooled connection this test looks at.
    if idle:
        monkeypatch.setattr(db.session, "PING_WHEN_IDLE_FOR", 0.0)
    ping = [";"] if idle else []
    engine = make_engine(settings)
    read_engine = make_read_engine(settings, engine)
    try:
        if read_engine.dialect.name != "postgresql":
            pytest.skip("SQLite: a read starts no transaction in either session (the test above)")
        assert await control_statements(engine) == (["BEGIN;", *ping, "ROLLBACK;"] if idle else []) + ["BEGIN;", "COMMIT;"]
        assert await control_statements(read_engine) == ping
    finally:
        await read_engine.dispose()
        await engine.dispose()


async def test_a_read_session_sees_what_was_committed_before_it(sessions: Sessions, read_engine: AsyncEngine) -> None:
    case_id = f"read-session-{uuid.uuid4().hex[:8]}"
    async with sessions() as session:
        await session.execute(insert(InboxEntry), [{
            "case_id": case_id, "task_id": "t1", "role": "housing_bureau", "kind": "fund-emergency", "case_title": "读",
            "step": "bureau_review", "step_label": "住建局审核", "street_id": None, "community_id": None, "estate_id": None,
            "company_id": None, "assignee": None, "decisions": ["approve"], "created_at": datetime.now(UTC), "due_at": None,
        }])
        await session.commit()
    async with make_session_factory(read_engine)() as session:
        stored = await session.execute(select(InboxEntry.step_label).where(InboxEntry.case_id == case_id))
        assert stored.scalar_one() == "住建局审核"
