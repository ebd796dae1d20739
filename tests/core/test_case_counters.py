"""A database restored behind Temporal: the worker's start-up moves each case counter past the ids Temporal holds."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from core.case_counters import move_counters_past_temporal
from db.models import CaseSequence
from domain.cases import case_id_prefix
from tests.clock import wait_until
from tests.fixture_types import Sessions, WorkflowEnvironment


async def counter(sessions: Sessions, prefix: str) -> int | None:
    async with sessions() as s:
        return await s.scalar(select(CaseSequence.last).where(CaseSequence.prefix == prefix))


async def test_counters_move_past_the_highest_id_temporal_holds(dev_env: WorkflowEnvironment, sessions: Sessions) -> None:
    now = datetime.now(UTC)
    prefix = case_id_prefix("fund-emergency", f"restore-{uuid.uuid4().hex[:6]}", now)
    # Cases 1..7 ran in Temporal; the restored database's counter stands at 2.
    async with sessions() as s, s.begin():
        s.add(CaseSequence(prefix=prefix, last=2))
    handles = [
        await dev_env.client.start_workflow("NoSuchWorkflow", id=f"{prefix}-{n}", task_queue=f"nowhere-{uuid.uuid4().hex[:6]}")
        for n in (3, 7)
    ]
    try:
        async def listed() -> bool:
            moved = await move_counters_past_temporal(dev_env.client, sessions, now=now)
            return moved.get(prefix) == 7

        await wait_until(listed, within=10, every=0.2)  # visibility is eventually consistent
        assert await counter(sessions, prefix) == 7
        # Once past, the counter is left alone; it never moves back.
        assert prefix not in await move_counters_past_temporal(dev_env.client, sessions, now=now)
        assert await counter(sessions, prefix) == 7
    finally:
        for handle in handles:
            await handle.terminate("test over")
