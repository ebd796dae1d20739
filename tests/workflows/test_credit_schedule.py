"""The quarterly schedule: on the first day of each quarter it starts the assessment of the quarter that ended.

The run is tested on its own test server starting on 1 October 2026 at 02:00 city time (libfaketime),
the moment the schedule fires; the schedule itself on the full dev server.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator
from datetime import datetime

import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from core.settings import Settings
from db.repositories import cases as cases_repo
from db.repositories import credit as credit_repo
from domain.calendar import CITY_TZ
from tests.clock import wait_until
from tests.dev_server import time_skipping_server_path as server_path
from tests.factories_calendar import server_starting_at
from tests.factories_credit import clear_quarter
from tests.fixture_types import Sessions
from tests.golden_recorder import keep_golden
from worker import build_worker
from workflows.credit import SCHEDULE_ID, CreditQuarterWorkflow, assessment_case_id, ensure_credit_schedule
from workflows.credit_models import CreditQuarterInput

FIRES_AT = datetime(2026, 10, 1, 2, tzinfo=CITY_TZ)


@pytest_asyncio.fixture
async def october(sessions: Sessions, settings: Settings) -> AsyncIterator[tuple[WorkflowEnvironment, Settings]]:
    local = settings.model_copy(update={"task_queue": f"credit-october-{uuid.uuid4().hex[:6]}"})
    async with server_starting_at(FIRES_AT, server_path()) as env, build_worker(env.client, local, sessions):
        try:
            yield env, local
        finally:
            await clear_quarter(sessions, "2026Q3")


async def test_the_run_on_1_october_starts_the_third_quarters_case_once(october: tuple[WorkflowEnvironment, Settings], sessions: Sessions) -> None:
    env, settings = october
    workflow_id = f"{SCHEDULE_ID}-{uuid.uuid4().hex[:6]}"
    result = await env.client.execute_workflow(CreditQuarterWorkflow.run, CreditQuarterInput(), id=workflow_id, task_queue=settings.task_queue)
    assert (result.quarter, result.case_id, result.started) == ("2026Q3", assessment_case_id("2026Q3"), True)

    async def reviewing() -> bool:
        async with sessions() as s:
            case = await cases_repo.get_case(s, result.case_id, snapshot=False)
            return case is not None and case.step == "bureau_review"

    await wait_until(reviewing)
    async with sessions() as s:
        lines = await credit_repo.lines_of(s, "2026Q3")
    assert lines and all(line.published_at is None for line in lines)
    again = await env.client.execute_workflow(CreditQuarterWorkflow.run, CreditQuarterInput(), id=f"{workflow_id}-again",
                                              task_queue=settings.task_queue)
    assert (again.case_id, again.started) == (result.case_id, False)
    await keep_golden(env.client, workflow_id, "credit-quarter-started")


async def test_the_schedule_fires_on_the_first_day_of_each_quarter_at_two(dev_env) -> None:  # type: ignore[no-untyped-def]
    queue = f"dev-{uuid.uuid4().hex[:6]}"
    assert await ensure_credit_schedule(dev_env.client, queue) is True
    assert await ensure_credit_schedule(dev_env.client, queue) is False
    handle = dev_env.client.get_schedule_handle(SCHEDULE_ID)
    described = await handle.describe()
    assert described.schedule.spec.time_zone_name == "Asia/Shanghai"
    upcoming = [t.astimezone(CITY_TZ) for t in described.info.next_action_times]
    assert upcoming and all((t.month, t.day, t.hour, t.minute) in {(m, 1, 2, 0) for m in (1, 4, 7, 10)} for t in upcoming)
    months = [t.month for t in upcoming]
    assert all((b - a) % 12 == 3 for a, b in itertools.pairwise(months))  # every quarter, none skipped
    await handle.delete()
