"""The daily check raises one task for the administrator while next year is unpublished; the publication closes it.

Its own test server, starting on Monday 2 November 2026 (libfaketime): the check asks about the
year after the run's city date, as the schedule does. (The time-skipping test server stops
skipping time once a workflow has started an abandoned child, so these tests skip none.)
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

import pytest_asyncio
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import WorkflowEnvironment

from api.auth import issue_token
from api.main import create_app
from core.settings import Settings
from domain.access import Level, Role
from domain.calendar import CITY_TZ
from domain.cases import CaseSnapshot
from domain.holiday_calendar import reminder_case_id
from tests.clock import wait_until
from tests.dev_server import time_skipping_server_path as server_path
from tests.factories import make_actor
from tests.factories_calendar import server_starting_at, unpublish, year_body
from tests.golden_recorder import keep_golden
from worker import build_worker
from workflows.holiday_calendar import (
    CalendarCheckInput,
    CalendarCheckResult,
    CalendarReminderInput,
    HolidayCalendarCheckWorkflow,
    HolidayCalendarReminderWorkflow,
)

NOVEMBER = datetime(2026, 11, 2, 9, tzinfo=CITY_TZ)
YEAR = 2027


@dataclass
class Calendar:
    env: WorkflowEnvironment
    api: AsyncClient
    settings: Settings


@pytest_asyncio.fixture(scope="module")
async def november(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> AsyncIterator[Calendar]:
    local = settings.model_copy(update={"task_queue": "calendar-november"})
    await unpublish(sessions, YEAR)
    async with server_starting_at(NOVEMBER, server_path()) as env:
        app = create_app(local, client=env.client)
        async with (
            build_worker(env.client, local, sessions), app.router.lifespan_context(app),
            AsyncClient(transport=ASGITransport(app=app), base_url="http://test", timeout=60) as api,
        ):
            try:
                yield Calendar(env, api, local)
            finally:
                await unpublish(sessions, YEAR)


async def check(env: WorkflowEnvironment, settings: Settings, year: int | None, workflow_id: str | None = None) -> CalendarCheckResult:
    """One run of the daily check, as the schedule starts it (with the year given)."""
    return await env.client.execute_workflow(
        HolidayCalendarCheckWorkflow.run, CalendarCheckInput(year=year),
        id=workflow_id or f"holiday-calendar-check-{uuid.uuid4().hex[:8]}", task_queue=settings.task_queue,
    )


async def test_the_check_raises_one_task_for_the_administrator_until_next_year_is_published(november: Calendar) -> None:
    env, api, settings = november.env, november.api, november.settings
    admin = {"Authorization": f"Bearer {issue_token(settings, make_actor(Role.ADMIN, Level.CITY))}"}
    bureau = {"Authorization": f"Bearer {issue_token(settings, make_actor(Role.HOUSING_BUREAU, Level.CITY))}"}
    case_id = reminder_case_id(YEAR)
    first_id = f"holiday-calendar-check-{uuid.uuid4().hex[:8]}"
    first = await check(env, settings, None, first_id)  # what the schedule sends: the year after today
    assert (first.published, first.raised, first.reminder_case_id) == (False, True, case_id)
    again = await check(env, settings, None)  # the next day's run: the task is there already
    assert (again.published, again.raised, again.reminder_case_id) == (False, False, case_id)

    async def in_inbox(headers: dict[str, str]) -> list[dict[str, object]]:
        page = (await api.get("/inbox", params={"limit": 500}, headers=headers)).json()  # other tests leave admin tasks
        return [i for i in page if i["case_id"] == case_id]

    # The check returns once it has started the reminder (an abandoned child), not once the reminder
    # has projected its task: under load the inbox row lands a moment later.
    [item] = await wait_until(lambda: in_inbox(admin))
    assert item["step"] == {"code": "awaiting_publication", "label": "待发布节假日安排"} and item["decisions"] == []
    assert datetime.fromisoformat(str(item["due_at"])) == datetime(YEAR - 1, 12, 1, tzinfo=CITY_TZ)  # by 30 November
    assert await in_inbox(bureau) == []
    case = (await api.get(f"/cases/{case_id}", headers=admin)).json()
    assert case["kind"] == {"code": "holiday-calendar", "label": "节假日安排发布"}
    assert f"PUT /calendar/{YEAR}" in case["open_tasks"][0]["note"] and case["facts"] == {"year": YEAR, "notice": None, "revision": None}

    r = await api.put(f"/calendar/{YEAR}", json=year_body(YEAR), headers=admin)
    assert r.status_code == 200, r.text
    done = await asyncio.wait_for(env.client.get_workflow_handle(case_id, result_type=CaseSnapshot).result(), 30)
    assert done.status == "completed" and done.step == "published" and done.facts["revision"] == 1
    assert await in_inbox(admin) == []
    timeline = (await api.get(f"/cases/{case_id}/timeline", headers=admin)).json()
    assert timeline[-1]["step"]["label"] == "已发布" and year_body(YEAR)["notice"] in timeline[-1]["comment"]

    after = await check(env, settings, YEAR)
    assert (after.published, after.raised, after.reminder_case_id) == (True, False, None)
    await keep_golden(env.client, case_id, "holiday-calendar-reminder-published")
    await keep_golden(env.client, first_id, "holiday-calendar-check-raised")


async def test_a_reminder_for_a_year_already_published_closes_at_once(november: Calendar) -> None:
    # The check saw the year unpublished, the publication came before the reminder started: it must not wait forever.
    done = await november.env.client.execute_workflow(
        HolidayCalendarReminderWorkflow.run, CalendarReminderInput(year=2026), id=reminder_case_id(2026),
        task_queue=november.settings.task_queue,
    )
    assert done.status == "completed" and done.facts["notice"] == "国办发明电〔2025〕7号"
    assert [t.status for t in done.tasks] == ["done"]
