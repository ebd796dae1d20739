"""On the full dev server (search attributes, schedules): the caller's contact is in no search attribute,
and the monthly report's schedule is created once, on the city's calendar."""

from __future__ import annotations

import uuid

from tests.dev_server import dev_api, find_workflows
from tests.factories_tickets import PHONE, TicketDriver, create_ticket_cast
from tests.fixture_types import Sessions, Settings, WorkflowEnvironment
from workflows.ticket_report import SCHEDULE_ID, ensure_report_schedule


async def test_search_attributes_carry_no_personal_data(dev_env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    async with dev_api(dev_env, sessions, settings, search_attributes=True) as (api, local):
        cast = await create_ticket_cast(sessions, local)
        drv = TicketDriver(api, cast)
        await drv.start("parking")
        await drv.decide("dept-police", "acceptance", "sign")
        query = f"CaseKind = 'ticket' AND EstateId = '{cast.estate_id}' AND CaseStep = 'handling'"
        assert await find_workflows(dev_env.client, query) == [drv.case_id]
        attrs = (await dev_env.client.get_workflow_handle(drv.case_id).describe()).typed_search_attributes
        values = [str(pair.value) for pair in attrs]
        assert "ticket" in values and cast.estate_id in values
        assert all(PHONE not in v and "张女士" not in v for v in values)


async def test_the_report_schedule_is_created_once(dev_env: WorkflowEnvironment) -> None:
    queue = f"dev-{uuid.uuid4().hex[:6]}"
    assert await ensure_report_schedule(dev_env.client, queue) is True
    assert await ensure_report_schedule(dev_env.client, queue) is False
    handle = dev_env.client.get_schedule_handle(SCHEDULE_ID)
    spec = (await handle.describe()).schedule.spec
    assert spec.time_zone_name == "Asia/Shanghai"
    calendar = spec.calendars[0]
    assert [r.start for r in calendar.day_of_month] == [1] and [r.start for r in calendar.hour] == [1]
    await handle.delete()
