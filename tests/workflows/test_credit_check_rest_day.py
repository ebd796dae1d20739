"""月检查: a rectification period whose last day is a rest day ends at 24:00 of the next working day (民法典 Art. 203 para. 1)."""

from __future__ import annotations

from datetime import datetime, timedelta

from db.repositories import holiday_calendar as calendar_repo
from domain.calendar import CITY_TZ, party_deadline, period_end
from domain.rules import CREDIT_CHECK
from tests.factories_credit_check import company_serving_yidu, sheet, start_check
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment


async def test_a_rectification_period_ending_on_a_rest_day_moves_to_the_next_working_day(
    api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    drv = await start_check(api, env, settings, await company_serving_yidu(sessions), "2027-04")
    async with sessions() as session:
        cal = await calendar_repo.calendar(session)
    today = (await env.get_current_time()).astimezone(CITY_TZ).date()
    # The shortest period within the rules whose last day is a rest day where the suite's clock stands.
    days = next(n for n in range(CREDIT_CHECK.rectify_min_days, CREDIT_CHECK.rectify_max_days + 1)
                if not cal.is_working_day(today + timedelta(days=n)))
    await drv.decide("street", "check", "submit", sheet(deficient="safety", days=days, safety=10))
    case = await drv.wait_for(step="rectification", open_task="rectification")
    checked_at = datetime.fromisoformat(case["facts"]["checked_at"])
    counted = period_end(checked_at, timedelta(days=days))
    assert not cal.is_working_day((counted - timedelta(microseconds=1)).astimezone(CITY_TZ).date())
    [safety] = [i for i in case["facts"]["items"] if i["item"] == "safety"]
    due = party_deadline(counted, calendar=cal)
    assert due > counted
    assert datetime.fromisoformat(safety["rectify_by"]) == due
    [follow_up] = await drv.tasks("rectification")
    assert datetime.fromisoformat(follow_up["due_at"]) == due
