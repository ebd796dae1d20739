"""The candidates' publicity runs "不得少于3日" (实施条例 Art. 54) as the Civil Code counts days.

民法典 Art. 201: the day the publicity starts is not counted; Art. 203: the last day ends at 24:00.
A publicity started at 15:00 still takes objections at 23:59 of its third day, and the award
waits until that day is over.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from db.repositories import holiday_calendar as calendar_repo
from domain.calendar import CITY_TZ, last_day, party_deadline, period_end
from domain.rules import TENDER
from tests.clock import next_city_time, skip_past, skip_to, wait_until
from tests.factories_tender import BIDDERS, TenderDriver, create_tender_estate
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment


async def test_a_publicity_started_at_15_00_takes_objections_until_24_00_of_its_third_day(
    api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    drv = TenderDriver(api, env, settings, await create_tender_estate(sessions))
    await drv.to_evaluation()
    scores = {c: 80 + i for i, c in enumerate(BIDDERS)}  # 信达 first
    *others, last = await drv.tasks("evaluation")
    for t in others:
        await drv.decide(t["assignee"] or "committee", t, "submit", {"scores": scores})
    # The last score completes the report, and the publicity starts at once: at 15:00 city time.
    await skip_to(env, await next_city_time(env, time(15)))
    r = await drv.decide(last["assignee"] or "committee", last, "submit", {"scores": scores})
    assert r.json()["step"]["code"] == "publicity"
    publicity = r.json()["facts"]["publicity"]
    start = datetime.fromisoformat(publicity["start"]).astimezone(CITY_TZ)
    end = datetime.fromisoformat(publicity["end"])
    assert (start.hour, start.minute) == (15, 0)
    assert end == datetime.combine(start.date() + timedelta(days=4), time(0), tzinfo=CITY_TZ)

    # 72 hours later the third day is not over: no award yet.
    await skip_to(env, start + timedelta(days=3, minutes=1))
    case = await drv.case()
    assert case["step"]["code"] == "publicity" and case["facts"]["winner"] is None

    # 23:59 of the third day: a bidder's objection is taken, and the clerk's answer is due 3 days on.
    await skip_to(env, end - timedelta(minutes=1))
    objections = f"/cases/tender/{drv.case_id}/objections"
    r = await api.post(objections, json={"text": "第一候选人业绩材料不实"}, headers=drv.headers("co-huacheng"))
    assert r.status_code == 200, r.text
    task = (await drv.tasks("objection"))[0]
    objected_at = datetime.fromisoformat((await drv.case())["facts"]["objections"][0]["at"])
    # Off a rest day when the third day is one (民法典 Art. 203 para. 1): which day it is depends on where the
    # suite's shared clock stands, so the expectation asks the calendar too.
    async with sessions() as session:
        cal = await calendar_repo.calendar(session)
    due = party_deadline(period_end(objected_at, TENDER.objection_answer_period), calendar=cal)
    assert datetime.fromisoformat(task["due_at"]) == due
    r = await drv.decide("clerk", task, "answer", comment="经核实业绩材料真实")
    assert r.json()["step"]["code"] == "publicity" and r.json()["facts"]["winner"] is None

    # One minute after 24:00: objections are refused, and the winner is awarded.
    await skip_past(env, end)
    r = await api.post(objections, json={"text": "公示期满后提出"}, headers=drv.headers("co-lvyuan"))
    assert r.status_code == 409 and r.json()["type"] == "/problems/conflict", r.text
    case = await drv.wait_for(step="contract")
    assert case["facts"]["winner"] == "co-xinda"
    assert datetime.fromisoformat(case["facts"]["awarded_at"]) >= end
    assert datetime.fromisoformat(case["facts"]["publicity"]["closed"]) >= end


async def test_an_answer_and_a_contract_due_on_a_rest_day_are_due_at_the_end_of_the_next_working_day(
    api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    """The clerk's answer (实施条例 Art. 54: within 3 days) and the contract (招标投标法 Art. 46: within 30 days) are
    the parties' to meet: a last day that is a rest day ends at 24:00 of the next working day (民法典 Art. 203 para. 1)."""
    async with sessions() as session:
        cal = await calendar_repo.calendar(session)
    drv = TenderDriver(api, env, settings, await create_tender_estate(sessions))
    await drv.to_evaluation()
    scores = {c: 80 + i for i, c in enumerate(BIDDERS)}
    *others, last = await drv.tasks("evaluation")
    for t in others:
        await drv.decide(t["assignee"] or "committee", t, "submit", {"scores": scores})
    # The publicity starts on a Monday at 15:00 and runs to 24:00 of Thursday.
    monday = await next_city_time(env, time(15))
    while monday.weekday() != 0:
        monday += timedelta(days=1)
    await skip_to(env, monday)
    r = await drv.decide(last["assignee"] or "committee", last, "submit", {"scores": scores})
    end = datetime.fromisoformat(r.json()["facts"]["publicity"]["end"])

    # An objection on Wednesday: its 3rd day is Saturday, a rest day.
    await skip_to(env, monday + timedelta(days=2))
    r = await api.post(f"/cases/tender/{drv.case_id}/objections", json={"text": "业绩材料不实"}, headers=drv.headers("co-huacheng"))
    assert r.status_code == 200, r.text
    task = (await drv.tasks("objection"))[0]
    objected_at = datetime.fromisoformat((await drv.case())["facts"]["objections"][0]["at"])
    raw = period_end(objected_at, TENDER.objection_answer_period)
    assert last_day(raw).weekday() == 5
    due = datetime.fromisoformat(task["due_at"])
    assert due == party_deadline(raw, calendar=cal) and due > raw and cal.is_working_day(last_day(due))
    # Saturday's 24:00 has passed: no red card; the next working day's 24:00 has not.
    await skip_to(env, raw + timedelta(minutes=1))
    assert end < raw and (await drv.tasks("objection"))[0]["card"]["code"] != "red"

    async def red() -> dict | None:
        t = (await drv.tasks("objection"))[0]
        return t if t["card"]["code"] == "red" else None

    await skip_past(env, due)
    await wait_until(red)
    # Answered late, on the Thursday after: the award follows at once, and the contract's 30th day is a Saturday.
    await skip_to(env, monday + timedelta(days=10))
    await drv.decide("clerk", task, "answer", comment="经核实业绩材料真实")
    case = await drv.wait_for(step="contract")
    awarded = datetime.fromisoformat(case["facts"]["awarded_at"])
    raw = period_end(awarded, TENDER.contract_period)
    assert last_day(raw).weekday() == 5
    contract = (await drv.tasks("contract"))[0]
    assert datetime.fromisoformat(contract["due_at"]) == party_deadline(raw, calendar=cal) > raw
