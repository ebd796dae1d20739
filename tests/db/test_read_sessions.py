"""A read session (the inbox's) holds no transaction around its statement; a unit of work's session does.

On PostgreSQL the unit of work's ``BEGIN``/``COMMIT`` and the pre-ping's own transaction were four
of six round trips for one ``SELECT``; the read session runs in autocommit. SQLite starts no
transaction for a read in either.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import InboxEntry
from db.session import make_read_session_factory
from tests.fixture_types import Sessions


async def in_transaction(session: AsyncSession) -> bool:
    connection = await session.connection()
    raw: Any = (await connection.get_raw_connection()).driver_connection
    return bool(raw.is_in_transaction()) if hasattr(raw, "is_in_transaction") else bool(raw.in_transaction)


async def test_a_read_session_runs_its_statement_outside_a_transaction(sessions: Sessions) -> None:
    engine = sessions.kw["bind"]
    reads = make_read_session_factory(engine)
    async with reads() as session:
        assert (await session.execute(text("SELECT count(*) FROM inbox"))).scalar_one() >= 0
        assert not await in_transaction(session)
    async with sessions() as session:
        await session.execute(text("SELECT count(*) FROM inbox"))
        assert await in_transaction(session) == (engine.dialect.name == "postgresql")


async def test_a_read_session_sees_what_was_committed_before_it(sessions: Sessions) -> None:
    reads = make_read_session_factory(sessions.kw["bind"])
    case_id = f"read-session-{uuid.uuid4().hex[:8]}"
    async with sessions() as session:
        await session.execute(insert(InboxEntry), [{
            "case_id": case_id, "task_id": "t1", "role": "housing_bureau", "kind": "fund-emergency", "case_title": "读",
            "step": "bureau_review", "step_label": "住建局审核", "street_id": None, "community_id": None, "estate_id": None,
            "company_id": None, "assignee": None, "decisions": ["approve"], "created_at": datetime.now(UTC), "due_at": None,
        }])
        await session.commit()
    async with reads() as session:
        stored = await session.execute(select(InboxEntry.step_label).where(InboxEntry.case_id == case_id))
        assert stored.scalar_one() == "住建局审核"
