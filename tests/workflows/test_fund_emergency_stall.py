"""聊城 Art. 51: a repair that stalls after its verification — the street office sets the responsible party a
deadline (督促限期完成), and when it passes organises the repair itself, paid from the fund."""

from __future__ import annotations

from datetime import datetime, timedelta

from db.repositories import holiday_calendar as calendar_repo
from domain.calendar import party_deadline, period_end, sla_deadlines
from domain.rules import FUND_EMERGENCY
from tests.clock import skip_past, skip_to
from tests.factories import create_test_estate
from tests.factories_fund import FundCaseDriver
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment


async def verified(api: AsyncClient, sessions: Sessions, settings: Settings) -> tuple[FundCaseDriver, datetime]:
    cast = await create_test_estate(sessions, settings)
    drv = FundCaseDriver(api, cast)
    await drv.start()
    await drv.verify()
    budget = await drv.open_task("budget_submission")
    return drv, datetime.fromisoformat(budget["created_at"])


async def test_a_stalled_repair_is_urged_with_a_deadline_then_taken_over(
    api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    drv, at = await verified(api, sessions, settings)
    # The time the budget is due before the street urges it is on the task, as every period is (DOMAIN: time).
    assert datetime.fromisoformat((await drv.open_task("budget_submission"))["due_at"]) == at + FUND_EMERGENCY.repair_stall_after
    # One minute before the stall limit the company still has the repair, and nobody is urged.
    await skip_to(env, at + FUND_EMERGENCY.repair_stall_after - timedelta(minutes=1))
    assert (await drv.case())["step"]["code"] == "budget_submission"
    await skip_past(env, at + FUND_EMERGENCY.repair_stall_after)
    case = await drv.wait_for(step="street_urge")
    assert sorted(t["step"]["code"] for t in case["open_tasks"]) == ["budget_submission", "street_urge"]
    inbox = await drv.inbox("street")
    assert any(i["case_id"] == drv.case_id and i["step"]["label"] == "督促限期完成" for i in inbox)
    await drv.decide("company", "street_urge", "urge", expect=403)
    r = await drv.decide("street", "street_urge", "urge", comment="责令三日内提交预算并开工")
    ordered = datetime.fromisoformat(r.json()["facts"]["street_urged_at"])
    async with sessions() as session:
        cal = await calendar_repo.calendar(session)
    limit = party_deadline(period_end(ordered, FUND_EMERGENCY.urge_period), calendar=cal)
    budget = await drv.open_task("budget_submission")
    assert datetime.fromisoformat(budget["due_at"]) == limit
    assert budget["overdue_at"] is None and budget["card"]["code"] != "red"  # the cards start afresh for the new deadline
    assert datetime.fromisoformat(r.json()["facts"]["street_urge_deadline"]) == limit

    # One minute before the deadline the company may still act; after it the street organises the repair.
    await skip_to(env, limit - timedelta(minutes=1))
    assert (await drv.case())["step"]["code"] == "budget_submission"
    await skip_past(env, limit)
    case = await drv.wait_for(step="street_takeover")
    stalled = next(t for t in case["tasks"] if t["step"]["code"] == "budget_submission")
    assert stalled["status"]["code"] == "cancelled"
    # The deadline passed at 24:00 of its day: the takeover's working days count from that day, not the next.
    takeover = next(t for t in case["open_tasks"] if t["step"]["code"] == "street_takeover")
    expected = sla_deadlines(limit - timedelta(minutes=1), FUND_EMERGENCY.street_takeover_working_days, calendar=cal)
    assert datetime.fromisoformat(takeover["due_at"]) == expected.due_at
    await drv.decide("street", "street_takeover", "organise", comment="街道组织维修")
    await drv.decide("company", "budget_submission", "submit", {"amount_fen": 100_000, "contractor": "建安"}, expect=403)
    r = await drv.decide("street", "budget_submission", "submit", {"amount_fen": 100_000, "contractor": "建安"})
    assert r.json()["facts"]["street_takeover"] is True and r.json()["step"]["code"] == "price_review"


async def test_a_company_that_acts_within_the_deadline_keeps_the_repair(
    api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    drv, at = await verified(api, sessions, settings)
    await skip_past(env, at + FUND_EMERGENCY.repair_stall_after)
    await drv.wait_for(step="street_urge")
    r = await drv.decide("street", "street_urge", "urge", comment="限期提交预算")
    limit = datetime.fromisoformat(r.json()["facts"]["street_urge_deadline"])
    await skip_to(env, limit - timedelta(minutes=1))
    r = await drv.decide("company", "budget_submission", "submit", {"amount_fen": 100_000, "contractor": "建安"})
    assert r.json()["step"]["code"] == "price_review" and r.json()["facts"]["street_takeover"] is False
    await skip_past(env, limit)
    assert (await drv.case())["step"]["code"] == "price_review"


async def test_a_company_that_acts_before_the_street_urges_cancels_the_urging(
    api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    drv, at = await verified(api, sessions, settings)
    await skip_past(env, at + FUND_EMERGENCY.repair_stall_after)
    await drv.wait_for(step="street_urge")
    r = await drv.decide("company", "budget_submission", "submit", {"amount_fen": 100_000, "contractor": "建安"})
    assert r.json()["step"]["code"] == "price_review"
    urge = next(t for t in r.json()["tasks"] if t["step"]["code"] == "street_urge")
    assert urge["status"]["code"] == "cancelled"


async def test_a_verification_completed_within_the_urged_deadline_keeps_the_repair_with_the_parties(
    api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    drv = FundCaseDriver(api, await create_test_estate(sessions, settings))
    case = (await drv.start()).json()
    due = datetime.fromisoformat(case["open_tasks"][0]["created_at"]) + FUND_EMERGENCY.verification_deadline
    assert datetime.fromisoformat(case["open_tasks"][0]["due_at"]) == due  # the countersign's time is on the task
    await drv.decide("owner_rep", "onsite_verification", "confirm")
    await skip_past(env, due)
    await drv.wait_for(step="street_urge")
    r = await drv.decide("street", "street_urge", "urge", comment="限期完成现场联合核实")
    limit = datetime.fromisoformat(r.json()["facts"]["street_urge_deadline"])
    await skip_to(env, limit - timedelta(minutes=1))
    await drv.decide("committee", "onsite_verification", "confirm")
    r = await drv.decide("company", "onsite_verification", "confirm")
    assert r.json()["step"]["code"] == "budget_submission" and r.json()["facts"]["street_takeover"] is False
    await drv.decide("company", "budget_submission", "submit", {"amount_fen": 100_000, "contractor": "建安"})


async def test_parties_that_verify_before_the_street_urges_cancel_the_urging(
    api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    drv = FundCaseDriver(api, await create_test_estate(sessions, settings))
    case = (await drv.start()).json()
    await skip_past(env, datetime.fromisoformat(case["created_at"]) + FUND_EMERGENCY.verification_deadline)
    await drv.wait_for(step="street_urge")
    await drv.verify()
    case = await drv.case()
    assert case["step"]["code"] == "budget_submission" and case["facts"]["street_urged_at"] is None
    urge = next(t for t in case["tasks"] if t["step"]["code"] == "street_urge")
    assert urge["status"]["code"] == "cancelled"
