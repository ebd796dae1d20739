"""Publishing 2027 through the API moves open provisional deadlines across New Year's Day 2027.

The test server starts on Monday 28 December 2026, 09:00 city time (``faketime``), whatever day the
suite runs. Until 2027 is published its days are counted Monday to Friday, so Friday 1 January
counts as a working day; the made-up 2027 published here (not the State Council's notice) makes
1–3 January days off.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

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
from tests.golden_recorder import keep_golden
from worker import build_worker
from workflows.holiday_calendar import SECOND_PASS_AFTER, CalendarRecountResult

MONDAY = datetime(2026, 12, 28, 9, tzinfo=CITY_TZ)


def city(y: int, m: int, d: int, h: int = 0, minute: int = 0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=CITY_TZ)


def at(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class NewYear:
    def __init__(self, env: WorkflowEnvironment, api: AsyncClient, sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self.env, self.api, self.sessions, self.settings = env, api, sessions, settings

    async def skip_to(self, moment: datetime) -> None:
        now = await self.env.get_current_time()
        if moment > now:
            await self.env.sleep(moment - now)

    async def recount(self, workflow_id: str) -> CalendarRecountResult:
        """The recount's result, once its second pass has run (skipped to explicitly: nothing else moves the clock)."""
        await self.env.sleep(SECOND_PASS_AFTER + timedelta(minutes=1))
        return await self.env.client.get_workflow_handle(workflow_id, result_type=CalendarRecountResult).result()


@pytest_asyncio.fixture(scope="module")
async def new_year(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> AsyncIterator[NewYear]:
    local = settings.model_copy(update={"task_queue": "new-year-2027"})
    async with server_starting_at(MONDAY, server_path()) as env:
        app = create_app(local, client=env.client)
        async with (
            build_worker(env.client, local, sessions), app.router.lifespan_context(app),
            AsyncClient(transport=ASGITransport(app=app), base_url="http://test", timeout=60) as api,
        ):
            try:
                yield NewYear(env, api, sessions, local)
            finally:
                await unpublish(sessions, 2027)


async def handling(drv: TicketDriver) -> dict[str, Any]:
    return await drv.open_task("handling")


async def test_publishing_2027_moves_a_provisional_five_working_day_deadline_across_new_year(new_year: NewYear) -> None:
    env, api = new_year.env, new_year.api
    assert (await env.get_current_time()).astimezone(CITY_TZ).date() == MONDAY.date()
    cast = await create_ticket_cast(new_year.sessions, new_year.settings)
    plain, extended = TicketDriver(api, cast), TicketDriver(api, cast)
    for drv in (plain, extended):
        await drv.start("service_quality")
        await drv.decide("company", "acceptance", "sign")

    # Counted Monday to Friday over an unpublished 2027: Tue 29, Wed 30, Thu 31, Fri 1 Jan, Mon 4 Jan.
    task = await handling(plain)
    assert (at(task["remind_at"]), at(task["due_at"]), at(task["escalate_at"])) == (city(2027, 1, 2), city(2027, 1, 5), city(2027, 1, 6))
    assert task["calendar_published"] is False and "2027年节假日安排尚未发布" in task["calendar_note"]
    inbox = [i for i in (await api.get("/inbox", params={"limit": 500}, headers=cast.headers("company"))).json() if i["case_id"] == plain.case_id]
    assert [(i["calendar_published"], at(i["due_at"])) for i in inbox] == [(False, city(2027, 1, 5))]
    timeline = (await api.get(f"/cases/{plain.case_id}/timeline", headers=cast.headers("dispatcher"))).json()
    opened = [e for e in timeline if e["kind"] == "step" and e["task_id"] == task["id"]]
    assert opened[0]["data"]["calendar_published"] is False and opened[0]["data"]["provisional_years"] == [2027]

    # The other ticket gets 3 more working days: Tue 5, Wed 6, Thu 7 January after its (provisional) Monday.
    await extended.decide("company", "handling", "extend", {"working_days": 3, "reason": "电梯配件需厂家调货"})
    await extended.decide("dispatcher", "extension", "approve")
    task = await handling(extended)
    assert at(task["due_at"]) == city(2027, 1, 8) and task["calendar_published"] is False

    assert (await api.get("/calendar/2027", headers=cast.headers("company"))).status_code == 404
    r = await api.put("/calendar/2027", json=year_body(2027), headers=cast.headers("admin"))
    assert r.status_code == 200, r.text
    published = r.json()
    assert (published["revision"], published["changed"], published["days_off"]) == (1, True, 10)
    result = await new_year.recount(published["recount_workflow_id"])
    assert {plain.case_id, extended.case_id} <= set(result.recounted)

    # Published: 1–3 January are off, so Tue 29, Wed 30, Thu 31, Mon 4, Tue 5 January.
    task = await handling(plain)
    assert (at(task["remind_at"]), at(task["due_at"]), at(task["escalate_at"])) == (city(2027, 1, 5), city(2027, 1, 6), city(2027, 1, 7))
    assert task["calendar_published"] is True and task["calendar_note"] is None
    inbox = [i for i in (await api.get("/inbox", params={"limit": 500}, headers=cast.headers("company"))).json() if i["case_id"] == plain.case_id]
    assert [(i["calendar_published"], at(i["due_at"])) for i in inbox] == [(True, city(2027, 1, 6))]
    timeline = (await api.get(f"/cases/{plain.case_id}/timeline", headers=cast.headers("dispatcher"))).json()
    [moved] = [e for e in timeline if e["decision"] and e["decision"]["code"] == "deadline_recounted"]
    assert moved["decision"]["label"] == "期限重算" and moved["task_id"] == task["id"] and "2027年节假日安排已发布" in moved["comment"]
    assert at(moved["data"]["due_at_before"]) == city(2027, 1, 5) and at(moved["data"]["due_at"]) == city(2027, 1, 6)
    assert moved["data"]["was_provisional"] is True and moved["data"]["calendar_published"] is True
    # The extension is counted again as the whole period: 5 + 3 working days from Monday 28 December.
    task = await handling(extended)
    assert at(task["due_at"]) == city(2027, 1, 9) and task["calendar_published"] is True

    async def card_is(code: str) -> dict[str, Any] | None:
        t = await handling(plain)
        return t if t["card"]["code"] == code else None

    # Just past the provisional deadline (24:00 of Mon 4 January): only the yellow card, due at that moment now.
    await new_year.skip_to(city(2027, 1, 5, 0, 1))
    t = await wait_until(lambda: card_is("yellow"))
    assert t["overdue_at"] is None
    # One minute before the recounted deadline still no red card; one minute after it, red.
    await new_year.skip_to(city(2027, 1, 5, 23, 59))
    t = await handling(plain)
    assert t["card"]["code"] == "yellow" and t["overdue_at"] is None
    await new_year.skip_to(city(2027, 1, 6, 0, 1))
    t = await wait_until(lambda: card_is("red"))
    overdue_at = at(t["overdue_at"])
    assert overdue_at is not None and city(2027, 1, 6) <= overdue_at < city(2027, 1, 6, 0, 1)

    await plain.decide("company", "handling", "answer", comment="已处理")
    await plain.decide("dispatcher", "callback", "satisfied")
    await keep_golden(env.client, plain.case_id, "ticket-new-year-recount")
    await keep_golden(env.client, published["recount_workflow_id"], "holiday-calendar-recount")


async def test_a_repeated_publication_is_no_new_revision_and_a_correction_is(new_year: NewYear) -> None:
    api = new_year.api
    cast = await create_ticket_cast(new_year.sessions, new_year.settings)
    again = await api.put("/calendar/2027", json=year_body(2027), headers=cast.headers("admin"))
    assert again.status_code == 200 and (again.json()["revision"], again.json()["changed"]) == (1, False)
    fixed = await api.put("/calendar/2027", json=year_body(2027, notice="测试用通知（更正）"), headers=cast.headers("admin"))
    assert (fixed.json()["revision"], fixed.json()["changed"], fixed.json()["recount_workflow_id"]) == (2, True, "calendar-recount-2027-r2")
    log = (await api.get("/calendar/2027/publications", headers=cast.headers("admin"))).json()
    assert log["intact"] and [e["revision"] for e in log["entries"]] == [1, 2]
    assert log["entries"][-1]["by"]["subject"] == cast.actors["admin"].subject
    assert log["entries"][-1]["data"]["previous_revision"] == 1 and log["entries"][-1]["notice"] == "测试用通知（更正）"
    # The correction is counted again too: nothing left on revision 1 (the first ticket has closed).
    result = await new_year.recount("calendar-recount-2027-r2")
    assert result.revision == 2 and result.reminder_told is False
