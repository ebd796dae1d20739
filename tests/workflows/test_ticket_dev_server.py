"""On the full dev server (search attributes, schedules): the caller's contact is in no search attribute,
and the monthly report's schedule is created once, on the city's calendar."""

from __future__ import annotations

import asyncio
import uuid

from httpx import ASGITransport, AsyncClient

from api.main import create_app
from tests.factories_tickets import PHONE, TicketDriver, create_ticket_cast
from tests.integration.test_dev_server import dev_env  # noqa: F401 - the module-scoped dev-server fixture
from worker import build_worker
from workflows.ticket_report import SCHEDULE_ID, ensure_report_schedule


async def test_search_attributes_carry_no_personal_data(dev_env, sessions, settings) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    local = settings.model_copy(update={"search_attributes": True, "task_queue": f"dev-{uuid.uuid4().hex[:6]}"})
    app = create_app(local, client=dev_env.client)
    async with build_worker(dev_env.client, local, sessions), app.router.lifespan_context(app):
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test", timeout=60) as api:
            cast = await create_ticket_cast(sessions, local)
            drv = TicketDriver(api, cast)
            await drv.start("parking")
            await drv.decide("dept-police", "acceptance", "sign")
            query = f"CaseKind = 'ticket' AND EstateId = '{cast.estate_id}' AND CaseStep = 'handling'"
            found: list[str] = []
            for _ in range(50):  # visibility is eventually consistent
                found = [wf.id async for wf in dev_env.client.list_workflows(query)]
                if found:
                    break
                await asyncio.sleep(0.2)
            assert found == [drv.case_id]
            attrs = (await dev_env.client.get_workflow_handle(drv.case_id).describe()).typed_search_attributes
            values = [str(pair.value) for pair in attrs]
            assert "ticket" in values and cast.estate_id in values
            assert all(PHONE not in v and "张女士" not in v for v in values)


async def test_the_report_schedule_is_created_once(dev_env) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    queue = f"dev-{uuid.uuid4().hex[:6]}"
    assert await ensure_report_schedule(dev_env.client, queue) is True
    assert await ensure_report_schedule(dev_env.client, queue) is False
    handle = dev_env.client.get_schedule_handle(SCHEDULE_ID)
    spec = (await handle.describe()).schedule.spec
    assert spec.time_zone_name == "Asia/Shanghai"
    calendar = spec.calendars[0]
    assert [r.start for r in calendar.day_of_month] == [1] and [r.start for r in calendar.hour] == [1]
    await handle.delete()
