"""Deadlines by time skipping: the bureau's 2-working-day review and the verification takeover."""

from __future__ import annotations

from datetime import datetime

from domain.calendar import WorkingCalendar, sla_deadlines
from domain.rules import FUND_EMERGENCY
from tests.clock import skip_past, wait_until
from tests.driver import Json
from tests.factories import create_test_estate
from tests.factories_fund import FundCaseDriver
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment


async def test_bureau_review_reminds_turns_red_and_escalates(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = FundCaseDriver(api, cast)
    await drv.start()
    await drv.verify()
    await drv.decide("company", "budget_submission", "submit", {"amount_fen": 600_000, "contractor": "建安"})
    r = await drv.decide("agency", "price_review", "approve", {"approved_amount_fen": 600_000})
    task = r.json()["open_tasks"][0]
    created = datetime.fromisoformat(task["created_at"])
    expected = sla_deadlines(created, FUND_EMERGENCY.bureau_review_working_days, calendar=WorkingCalendar.official())
    assert datetime.fromisoformat(task["due_at"]) == expected.due_at
    assert task["card"]["code"] == "none"

    async def card_is(code: str) -> Json | None:
        t = await drv.open_task("bureau_review")
        return t if t["card"]["code"] == code else None

    await skip_past(env, expected.remind_at)
    t = await wait_until(lambda: card_is("yellow"))
    assert t["reminded_at"] and not t["overdue_at"]
    inbox = await drv.inbox("bureau")
    assert [i["card"]["label"] for i in inbox if i["case_id"] == drv.case_id] == ["黄牌预警"]

    await skip_past(env, expected.due_at)
    t = await wait_until(lambda: card_is("red"))
    assert t["overdue_at"] and not t["escalated_at"]
    supervisor_inbox = await drv.inbox("supervisor")
    assert all(i["case_id"] != drv.case_id for i in supervisor_inbox)

    await skip_past(env, expected.escalate_at)

    async def escalated() -> Json | None:
        t = await drv.open_task("bureau_review")
        return t if t["escalated_at"] else None

    t = await wait_until(escalated)
    assert [r["code"] for r in t["escalated_to"]] == ["bureau_supervisor"]
    supervisor_inbox = await drv.inbox("supervisor")
    assert any(i["case_id"] == drv.case_id and i["escalated"] for i in supervisor_inbox)
    timeline = (await api.get(f"/cases/{drv.case_id}/timeline", headers=cast.headers("bureau"))).json()
    timers = [e["decision"]["code"] for e in timeline if e["kind"] == "timer"]
    assert timers == ["reminder", "overdue", "escalation"]
    # The supervisor can now decide the overdue review.
    r = await drv.decide("supervisor", "bureau_review", "approve", comment="督办后同意")
    assert r.json()["step"]["code"] == "completion_acceptance"


async def test_no_verification_in_time_hands_the_repair_to_the_street(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = FundCaseDriver(api, cast)
    case = (await drv.start()).json()
    await drv.decide("owner_rep", "onsite_verification", "confirm")
    created = datetime.fromisoformat(case["created_at"])
    await skip_past(env, created + FUND_EMERGENCY.verification_deadline)
    # 聊城 Art. 51: the street office first urges the parties with a deadline (督促限期完成) …
    await drv.wait_for(step="street_urge")
    assert (await drv.open_task("onsite_verification"))["status"]["code"] == "open"
    r = await drv.decide("street", "street_urge", "urge", comment="限三日内完成现场联合核实")
    limit = datetime.fromisoformat(r.json()["facts"]["street_urge_deadline"])
    assert datetime.fromisoformat((await drv.open_task("onsite_verification"))["due_at"]) == limit
    # … and organises the repair itself only when that deadline passes.
    await skip_past(env, limit)
    case = await drv.wait_for(step="street_takeover")
    verification = next(t for t in case["tasks"] if t["step"]["code"] == "onsite_verification")
    assert verification["status"]["code"] == "cancelled"
    inbox = await drv.inbox("street")
    assert any(i["case_id"] == drv.case_id and i["step"]["label"] == "街道组织维修" for i in inbox)
    await drv.decide("street", "street_takeover", "organise", comment="街道组织维修，限期三日")
    # The street office now submits the budget in the company's place.
    await drv.decide("company", "budget_submission", "submit", {"amount_fen": 100_000, "contractor": "建安"}, expect=403)
    r = await drv.decide("street", "budget_submission", "submit", {"amount_fen": 100_000, "contractor": "建安"})
    assert r.json()["facts"]["street_takeover"] is True and r.json()["step"]["code"] == "price_review"


async def test_the_supervisor_can_hand_a_review_to_a_named_person(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = FundCaseDriver(api, cast)
    await drv.start()
    await drv.verify()
    await drv.decide("company", "budget_submission", "submit", {"amount_fen": 300_000, "contractor": "建安"})
    await drv.decide("agency", "price_review", "approve", {"approved_amount_fen": 300_000})
    task = await drv.open_task("bureau_review")
    url = f"/cases/{drv.case_id}/tasks/{task['id']}/assignee"
    body = {"assignee": "bureau-wang", "reason": "承办人出差"}
    r = await api.post(url, json=body, headers=cast.headers("bureau"))
    assert r.status_code == 403  # a reviewer is not the review's supervisor
    r = await api.post(url, json=body, headers=cast.headers("supervisor"))
    assert r.status_code == 200, r.text
    assert r.json()["open_tasks"][0]["assignee"] == "bureau-wang"
    # The generic bureau reviewer no longer sees or decides it; the named one does.
    inbox = await drv.inbox("bureau")
    assert all(i["case_id"] != drv.case_id for i in inbox)
    await drv.decide("bureau", "bureau_review", "approve", expect=403)
    from api.auth import issue_token
    from domain.access import Level, Role
    from tests.factories import make_actor

    wang = make_actor(Role.HOUSING_BUREAU, Level.CITY, subject="bureau-wang")
    headers = {"Authorization": f"Bearer {issue_token(settings, wang)}"}
    inbox = (await api.get("/inbox", headers=headers)).json()
    assert any(i["case_id"] == drv.case_id for i in inbox)
    r = await api.post(f"/cases/{drv.case_id}/tasks/{task['id']}/decisions", json={"decision": "approve"}, headers=headers)
    assert r.status_code == 200 and r.json()["step"]["code"] == "completion_acceptance"


async def test_one_timer_per_deadline_however_many_decisions_wait_on_it(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    """Three countersign confirms on the verification task keep its one SLA timer running."""
    from temporalio.api.enums.v1 import EventType

    cast = await create_test_estate(sessions, settings)
    drv = FundCaseDriver(api, cast)
    await drv.start()
    await drv.decide("owner_rep", "onsite_verification", "confirm")
    await drv.decide("committee", "onsite_verification", "confirm")
    history = await env.client.get_workflow_handle(drv.case_id).fetch_history()
    types = [e.event_type for e in history.events]
    assert types.count(EventType.EVENT_TYPE_TIMER_STARTED) == 1
    assert types.count(EventType.EVENT_TYPE_TIMER_CANCELED) == 0
    # The last confirm closes the task and its timer goes; the budget's stall limit (聊城 Art. 51) starts one ...
    await drv.decide("company", "onsite_verification", "confirm")
    history = await env.client.get_workflow_handle(drv.case_id).fetch_history()
    types = [e.event_type for e in history.events]
    assert (types.count(EventType.EVENT_TYPE_TIMER_STARTED), types.count(EventType.EVENT_TYPE_TIMER_CANCELED)) == (2, 1)
    # ... which the budget cancels, and the price review's 2 working days start the next one.
    await drv.decide("company", "budget_submission", "submit", {"amount_fen": 600_000, "contractor": "建安"})
    history = await env.client.get_workflow_handle(drv.case_id).fetch_history()
    types = [e.event_type for e in history.events]
    assert (types.count(EventType.EVENT_TYPE_TIMER_STARTED), types.count(EventType.EVENT_TYPE_TIMER_CANCELED)) == (3, 2)
