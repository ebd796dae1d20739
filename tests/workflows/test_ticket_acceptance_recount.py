"""The return window (退回, 潍坊12345条例 Art. 22) follows its deadline when a publication recounts it.

The test server starts on Wednesday 30 December 2026, 09:00 city time. A ticket taken in then has 2
working days to be returned: counted Monday to Friday over an unpublished 2027 they end at 24:00 of
Friday 1 January. Publishing 2027 (1–3 January off) moves the window's end to 24:00 of Monday 4
January: the unit may still return the ticket on Saturday, and it is deemed accepted (视为签收) only
once that new end has passed, not at the provisional one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest_asyncio
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import WorkflowEnvironment

from api.main import create_app
from core.settings import Settings
from domain.calendar import CITY_TZ
from tests.clock import wait_until
from tests.dev_server import time_skipping_server_path as server_path
from tests.factories_calendar import server_starting_at, unpublish, year_body
from tests.factories_tickets import TicketDriver, create_ticket_cast
from worker import build_worker
from workflows.holiday_calendar import SECOND_PASS_AFTER

WEDNESDAY = datetime(2026, 12, 30, 9, tzinfo=CITY_TZ)


def city(y: int, m: int, d: int, h: int = 0, minute: int = 0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=CITY_TZ)


class Year:
    def __init__(self, env: WorkflowEnvironment, api: AsyncClient, sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self.env, self.api, self.sessions, self.settings = env, api, sessions, settings

    async def skip_to(self, moment: datetime) -> None:
        now = await self.env.get_current_time()
        assert moment > now, f"the clock is at {now}, past {moment}"
        await self.env.sleep(moment - now)


@pytest_asyncio.fixture(scope="module")
async def year_end(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> AsyncIterator[Year]:
    local = settings.model_copy(update={"task_queue": "acceptance-recount-2027"})
    async with server_starting_at(WEDNESDAY, server_path()) as env:
        app = create_app(local, client=env.client)
        async with (
            build_worker(env.client, local, sessions), app.router.lifespan_context(app),
            AsyncClient(transport=ASGITransport(app=app), base_url="http://test", timeout=60) as api,
        ):
            try:
                yield Year(env, api, sessions, local)
            finally:
                await unpublish(sessions, 2027)


async def test_the_deemed_acceptance_waits_for_the_recounted_end_of_the_return_window(year_end: Year) -> None:
    env, api = year_end.env, year_end.api
    assert (await env.get_current_time()).astimezone(CITY_TZ).date() == WEDNESDAY.date()
    cast = await create_ticket_cast(year_end.sessions, year_end.settings)
    drv = TicketDriver(api, cast)
    await drv.start("service_quality")
    task = await drv.open_task("acceptance")
    assert datetime.fromisoformat(task["due_at"]) == city(2027, 1, 2) and task["calendar_published"] is False

    r = await api.put("/calendar/2027", json=year_body(2027), headers=cast.headers("admin"))
    assert r.status_code == 200, r.text
    await env.sleep(SECOND_PASS_AFTER + timedelta(minutes=1))  # the recount's second pass has run
    await env.client.get_workflow_handle(r.json()["recount_workflow_id"]).result()
    task = await drv.open_task("acceptance")
    assert datetime.fromisoformat(task["due_at"]) == city(2027, 1, 5) and task["calendar_published"] is True

    # Past the provisional end (24:00 of Friday 1 January): the window is still open.
    await year_end.skip_to(city(2027, 1, 2, 0, 1))
    case = await drv.case()
    assert case["step"]["code"] == "acceptance" and [t["step"]["code"] for t in case["open_tasks"]] == ["acceptance"]
    # One minute before the recounted end, still open; one minute after it, deemed accepted.
    await year_end.skip_to(city(2027, 1, 4, 23, 59))
    assert (await drv.case())["step"]["code"] == "acceptance"
    await year_end.skip_to(city(2027, 1, 5, 0, 1))

    async def accepted() -> dict | None:
        c = await drv.case()
        return c if c["step"]["code"] != "acceptance" else None

    case = await wait_until(accepted)
    assert "acceptance" not in [t["step"]["code"] for t in case["open_tasks"]]
    timeline = (await api.get(f"/cases/{drv.case_id}/timeline", headers=cast.headers("dispatcher"))).json()
    assert any("视为签收" in (e["comment"] or "") for e in timeline)
