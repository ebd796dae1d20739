"""The public notice runs "不少于五日" (淄博 Art. 67) as the Civil Code counts days: to 24:00 of the fifth.

民法典 Art. 201: the day the notice starts is not counted; Art. 203: the last day ends at 24:00.
A notice started at 15:00 therefore still takes objections at 23:59 of its fifth day, nine hours
after five times 24 hours have passed, and the final payment waits until that day is over.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from domain.calendar import CITY_TZ
from tests.clock import next_city_time, skip_past, skip_to
from tests.factories import create_test_estate
from tests.factories_fund import FundCaseDriver
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment


async def _to_settlement_review(drv: FundCaseDriver) -> None:
    await drv.start()
    await drv.through_approval()
    await drv.decide("committee", "completion_acceptance", "confirm")
    await drv.decide("company", "completion_acceptance", "confirm")
    await drv.decide("company", "settlement_submission", "submit", {"amount_fen": 4_000_000, "acceptance_certificate": "YS-9"})


async def test_a_notice_started_at_15_00_takes_objections_until_24_00_of_its_fifth_day(
    api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = FundCaseDriver(api, cast)
    await _to_settlement_review(drv)
    # The settlement review's approval starts the notice, at 15:00 city time.
    await skip_to(env, await next_city_time(env, time(15)))
    r = await drv.decide("agency", "settlement_review", "approve", {"approved_amount_fen": 4_000_000})
    notice = r.json()["facts"]["public_notice"]
    start = datetime.fromisoformat(notice["start"]).astimezone(CITY_TZ)
    end = datetime.fromisoformat(notice["end"])
    assert (start.hour, start.minute) == (15, 0)
    assert end == datetime.combine(start.date() + timedelta(days=6), time(0), tzinfo=CITY_TZ)

    # Five times 24 hours later the fifth day is not over: the notice still runs, nothing is paid.
    await skip_to(env, start + timedelta(days=5, minutes=1))
    case = await drv.case()
    assert case["step"]["code"] == "public_notice" and case["facts"]["final_payment_fen"] is None

    # 23:59 of the fifth day: an objection is taken; answering it does not end the notice early.
    await skip_to(env, end - timedelta(minutes=1))
    objections = f"/cases/fund-emergency/{drv.case_id}/objections"
    r = await api.post(objections, json={"text": "公示期内提出：分摊面积有误"}, headers=cast.headers("owner"))
    assert r.status_code == 200, r.text
    r = await drv.decide("committee", "objection", "answer", comment="已核对，无误")
    assert r.json()["step"]["code"] == "public_notice" and r.json()["facts"]["final_payment_fen"] is None

    # One minute after 24:00: objections are refused, and the final payment is made.
    await skip_past(env, end)
    r = await api.post(objections, json={"text": "公示期满后提出"}, headers=cast.headers("owner"))
    assert r.status_code == 409 and r.json()["type"] == "/problems/conflict", r.text

    case = await drv.wait_for(status="completed")
    facts = case["facts"]
    assert datetime.fromisoformat(facts["final_paid_at"]) >= end
    assert datetime.fromisoformat(facts["public_notice"]["closed"]) >= end
    assert [(o["text"], o["outcome"]) for o in facts["objections"]] == [("公示期内提出：分摊面积有误", "answer")]
