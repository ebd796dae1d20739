"""A ticket deemed accepted (视为签收) when its return window passes: the 5 working days run from that day.

The return window ends at 24:00 of its last working day (民法典 Art. 203 para. 2): the deemed acceptance
happens on that day, so its handling period is counted from the day after it (Art. 201; 潍坊12345条例
Art. 20 (1)), exactly as for a unit that signs at 23:59 that day, not from the day after the midnight
instant, which gave the unit one working day more.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.calendar import WorkingCalendar, last_day, sla_deadlines
from domain.rules import TICKET
from tests.clock import skip_past
from tests.factories_tickets import TicketDriver, create_ticket_cast
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment


async def test_the_handling_period_of_a_deemed_acceptance_counts_from_the_windows_last_day(
    api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    cast = await create_ticket_cast(sessions, settings)
    drv = TicketDriver(api, cast)
    case = (await drv.start("service_quality")).json()
    window_end = datetime.fromisoformat(case["open_tasks"][0]["due_at"])
    await skip_past(env, window_end)
    case = await drv.wait_for(step="handling")
    handling = next(t for t in case["open_tasks"] if t["step"]["code"] == "handling")
    calendar = WorkingCalendar.official()
    # Signed in the window's last minute or deemed accepted at its end: the same deadline.
    expected = sla_deadlines(window_end - timedelta(minutes=1), TICKET.handling_working_days, calendar=calendar)
    assert datetime.fromisoformat(handling["due_at"]) == expected.due_at
    assert datetime.fromisoformat(handling["remind_at"]) == expected.remind_at
    # 5 working days after the window's last day, not 6.
    assert calendar.working_days_between(last_day(window_end), last_day(expected.due_at)) == TICKET.handling_working_days
