"""The monthly check's start: on the month's first working day, one case per street and company, never twice.

The run is tested on its own test server starting on 1 January 2027 at 02:00 city time (libfaketime),
the moment the schedule fires, with a 2027 published whose New Year is 1–3 January: the checks open
on Monday 4 January. The schedule itself on the full dev server.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime

import pytest_asyncio
from httpx import ASGITransport, AsyncClient
from temporalio.testing import WorkflowEnvironment

from api.main import create_app
from core.settings import Settings
from db.models import CaseRecord
from db.repositories import credit_check as check_repo
from db.repositories import holiday_calendar as calendar_repo
from domain.access import Level, Role
from domain.calendar import CITY_TZ
from domain.credit_check import check_case_id
from domain.holiday_calendar import CalendarYearWrite
from tests.clock import wait_until
from tests.dev_server import time_skipping_server_path as server_path
from tests.factories import Cast, make_actor
from tests.factories_calendar import server_starting_at, unpublish, year_body
from tests.fixture_types import Sessions
from tests.golden_recorder import keep_golden
from worker import build_worker
from workflows.credit_check import SCHEDULE_ID, CreditMonthWorkflow, ensure_credit_month_schedule
from workflows.credit_check_models import CreditMonthInput, CreditMonthResult

FIRES_AT = datetime(2027, 1, 1, 2, tzinfo=CITY_TZ)


@pytest_asyncio.fixture
async def new_year(sessions: Sessions, settings: Settings) -> AsyncIterator[tuple[WorkflowEnvironment, Settings, AsyncClient]]:
    async with sessions() as s, s.begin():
        await calendar_repo.publish(s, 2027, CalendarYearWrite.model_validate(year_body(2027)), actor=make_actor(Role.ADMIN, Level.CITY),
                                    at=FIRES_AT, source="test")
    local = settings.model_copy(update={"task_queue": f"credit-month-{uuid.uuid4().hex[:6]}"})
    try:
        async with server_starting_at(FIRES_AT, server_path()) as env, build_worker(env.client, local, sessions):
            app = create_app(local, client=env.client)
            async with app.router.lifespan_context(app), AsyncClient(transport=ASGITransport(app=app), base_url="http://test",
                                                                      timeout=60) as api:
                yield env, local, api
    finally:
        await unpublish(sessions, 2027)


async def open_checks(sessions: Sessions, case_ids: list[str]) -> list[CaseRecord] | None:
    async with sessions() as s:
        rows = [await s.get(CaseRecord, case_id) for case_id in case_ids]
    return [r for r in rows if r is not None] if all(r is not None and r.step == "check" for r in rows) else None


async def test_the_run_on_new_years_day_opens_one_check_per_street_and_company_on_4_january_once(
    new_year: tuple[WorkflowEnvironment, Settings, AsyncClient], sessions: Sessions,
) -> None:
    env, settings, api = new_year
    async with sessions() as s:
        pairs = await check_repo.check_pairs(s)
    expected = [check_case_id("2027-01", p.street_id, p.company_id) for p in pairs]
    assert expected and len(set(expected)) == len(expected)
    workflow_id = f"{SCHEDULE_ID}-{uuid.uuid4().hex[:6]}"
    result: CreditMonthResult = await env.client.execute_workflow(
        CreditMonthWorkflow.run, CreditMonthInput(), id=workflow_id, task_queue=settings.task_queue)
    assert (result.month, result.opens_on, result.checks) == ("2027-01", date(2027, 1, 4), len(pairs))
    assert result.started == expected
    cases = await wait_until(lambda: open_checks(sessions, expected))
    # Each case holds exactly one task: the street's sheet, opened on Monday 4 January.
    for case in cases:
        tasks = case.snapshot["tasks"]
        assert [(t["step"], t["status"], t["candidate_roles"]) for t in tasks] == [("check", "open", ["street_office"])]
        assert case.created_at.astimezone(CITY_TZ).date() == date(2027, 1, 4)
    # The schedule firing again, or the bureau opening the month by hand, starts no case twice.
    again = await env.client.execute_workflow(CreditMonthWorkflow.run, CreditMonthInput(), id=f"{workflow_id}-again",
                                              task_queue=settings.task_queue)
    assert (again.checks, again.started) == (len(pairs), [])
    r = await api.post("/credit/checks", json={"month": "2027-01"}, headers=Cast(settings=settings, estate_id="").headers("bureau"))
    assert r.status_code == 200, r.text
    assert (r.json()["checks"], r.json()["started"]) == (len(pairs), [])
    await keep_golden(env.client, workflow_id, "credit-month-started")


async def test_the_schedule_fires_on_the_first_of_every_month_at_two(dev_env) -> None:  # type: ignore[no-untyped-def]
    queue = f"dev-{uuid.uuid4().hex[:6]}"
    assert await ensure_credit_month_schedule(dev_env.client, queue) is True
    assert await ensure_credit_month_schedule(dev_env.client, queue) is False
    handle = dev_env.client.get_schedule_handle(SCHEDULE_ID)
    described = await handle.describe()
    assert described.schedule.spec.time_zone_name == "Asia/Shanghai"
    upcoming = [t.astimezone(CITY_TZ) for t in described.info.next_action_times]
    assert len(upcoming) >= 2 and all((t.day, t.hour, t.minute) == (1, 2, 0) for t in upcoming)
    assert all((b.month - a.month) % 12 == 1 for a, b in itertools.pairwise(upcoming))  # every month, none skipped
    await handle.delete()
