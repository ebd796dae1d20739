"""实施条例 Art. 21 counted in calendar days, as the 20-day bid period is (招标投标法 Art. 24; 民法典 Art. 201).

A clarification is early enough when the deadline falls on the 15th day after the clarification's day or
later, whatever the hour; otherwise the deadline moves to that 15th day, at the hour the tender announced
(the opening stays at the announced hour, 招标投标法 Art. 34).
"""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

from domain.calendar import CITY_TZ
from tests.clock import next_city_time, skip_to
from tests.factories_tender import TenderDriver, create_tender_estate
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment


async def test_a_clarification_fifteen_days_before_the_deadlines_day_keeps_it_fourteen_moves_it_to_the_fifteenth(
    api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    start = await next_city_time(env, time(14))
    await skip_to(env, start)
    drv = TenderDriver(api, env, settings, await create_tender_estate(sessions))
    deadline_day = start.date() + timedelta(days=30)
    deadline = datetime.combine(deadline_day, time(9), tzinfo=CITY_TZ)
    body = {"estate_id": drv.cast.estate_id, "selection": "first", "method": "comprehensive", "summary": "物业服务招标：服务期三年",
            "bid_deadline": deadline.isoformat()}
    await drv.start_through_api("/cases/tender", body, key=uuid.uuid4().hex)
    url = f"/cases/tender/{drv.case_id}/clarifications"

    # 14:00 on the 15th day before the deadline's day (less than 15 × 24 hours before 09:00): early enough.
    await skip_to(env, datetime.combine(deadline_day - timedelta(days=15), time(14), tzinfo=CITY_TZ))
    r = await api.post(url, json={"text": "补充服务标准"}, headers=drv.headers("clerk"))
    assert r.status_code == 200, r.text
    assert datetime.fromisoformat(r.json()["facts"]["bid_deadline"]) == deadline
    assert datetime.fromisoformat(r.json()["facts"]["clarifications"][-1]["deadline_after"]) == deadline

    # 08:00 on the 14th day before: too late by one day, the deadline moves to the 15th day after it, at 09:00.
    clarified_day = deadline_day - timedelta(days=14)
    await skip_to(env, datetime.combine(clarified_day, time(8), tzinfo=CITY_TZ))
    r = await api.post(url, json={"text": "物业服务用房面积更正为120㎡"}, headers=drv.headers("clerk"))
    assert r.status_code == 200, r.text
    moved = datetime.combine(clarified_day + timedelta(days=15), time(9), tzinfo=CITY_TZ)
    assert datetime.fromisoformat(r.json()["facts"]["bid_deadline"]) == moved
