"""Deadlines by time skipping: yellow and red cards, the return window, a whistle that escalates."""

from __future__ import annotations

from datetime import datetime, timedelta

from db.repositories import credit as credit_repo
from domain.calendar import WorkingCalendar, sla_deadlines
from domain.rules import TICKET
from tests.clock import skip_past, wait_until
from tests.driver import Json
from tests.factories_tickets import TicketDriver, create_ticket_cast
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment
from tests.golden_recorder import keep_golden


async def test_handling_gets_a_yellow_then_a_red_card_and_a_credit_record(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    cast = await create_ticket_cast(sessions, settings)
    drv = TicketDriver(api, cast)
    await drv.start("service_quality")
    r = await drv.decide("company", "acceptance", "sign")
    task = r.json()["open_tasks"][0]
    accepted = datetime.fromisoformat(task["created_at"])
    # 5 working days on the official calendar (holidays and 调休 Saturdays counted; see the domain tests).
    expected = sla_deadlines(accepted, TICKET.handling_working_days, remind_before=1, calendar=WorkingCalendar.official())
    assert datetime.fromisoformat(task["due_at"]) == expected.due_at
    assert datetime.fromisoformat(task["remind_at"]) == expected.remind_at

    async def card_is(code: str) -> Json | None:
        t = await drv.open_task("handling")
        return t if t["card"]["code"] == code else None

    await skip_past(env, expected.remind_at)
    t = await wait_until(lambda: card_is("yellow"))
    assert t["reminded_at"] and not t["overdue_at"]
    inbox = await drv.inbox("company")
    assert [i["card"]["label"] for i in inbox if i["case_id"] == drv.case_id] == ["黄牌预警"]
    assert (await drv.ledger(card="yellow"))["total"] == 1

    await skip_past(env, expected.due_at)
    t = await wait_until(lambda: card_is("red"))
    assert t["overdue_at"]

    async def overdue_line() -> Json | None:
        page = await drv.ledger(overdue=True, card="red")
        return page if page["total"] == 1 else None

    await wait_until(overdue_line)
    async with sessions() as s:
        records = await credit_repo.records_of_case(s, drv.case_id)
    assert [(r.company_id, r.source) for r in records] == [("co-yuejia", "ticket_overdue")]
    timeline = (await api.get(f"/cases/{drv.case_id}/timeline", headers=cast.headers("dispatcher"))).json()
    assert [e["decision"]["code"] for e in timeline if e["kind"] == "timer"] == ["reminder", "overdue"]
    # An overdue ticket can still be answered and closed; the overdue flag stays in the ledger.
    await drv.decide("company", "handling", "answer", comment="已处理")
    await drv.decide("dispatcher", "callback", "satisfied")
    line = (await drv.ledger())["items"][0]
    assert line["overdue"] is True and line["card"]["code"] == "none" and line["status"]["code"] == "completed"


async def test_without_a_decision_in_the_return_window_the_ticket_counts_as_accepted(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    cast = await create_ticket_cast(sessions, settings)
    drv = TicketDriver(api, cast)
    case = (await drv.start("pollution")).json()
    window_end = datetime.fromisoformat(case["open_tasks"][0]["due_at"])
    await skip_past(env, window_end)
    case = await drv.wait_for(step="handling")
    acceptance = next(t for t in case["tasks"] if t["step"]["code"] == "acceptance")
    assert acceptance["status"]["code"] == "cancelled" and "视为签收" in acceptance["note"]
    assert [t["step"]["code"] for t in case["open_tasks"]] == ["handling"]


async def test_a_whistle_escalates_to_the_street_then_the_joint_meeting(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    cast = await create_ticket_cast(sessions, settings)
    drv = TicketDriver(api, cast)
    await drv.start("committee_conduct")
    url = f"/tickets/{drv.case_id}/whistle"
    body = {"department_id": "dept-police", "reason": "业委会换届现场有人堵门"}
    r = await api.post(url, json=body, headers=cast.headers("community"))
    assert r.status_code == 409  # not before the community has accepted and is handling it
    await drv.decide("community", "acceptance", "sign")
    assert (await api.post(url, json=body, headers=cast.headers("street"))).status_code == 403  # the community whistles
    assert (await api.post(url, json=body, headers=cast.headers("company"))).status_code == 404  # not the company's ticket
    assert (await api.post(url, json=body, headers=cast.headers("other_community"))).status_code == 404
    r = await api.post(url, json={**body, "department_id": "dept-nope"}, headers=cast.headers("community"))
    assert r.status_code == 422
    r = await api.post(url, json=body, headers=cast.headers("community", key="whistle-1"))
    assert r.status_code == 200, r.text
    whistled_at = await env.get_current_time()
    task = next(t for t in r.json()["open_tasks"] if t["step"]["code"] == "whistle")
    assert [c["code"] for c in task["candidate_roles"]] == ["department"]
    # The same request again (same Idempotency-Key) blows no second whistle.
    r = await api.post(url, json=body, headers=cast.headers("community", key="whistle-1"))
    assert r.status_code == 200 and len(r.json()["facts"]["whistles"]) == 1
    assert (await api.post(url, json=body, headers=cast.headers("community"))).status_code == 409
    assert any(i["step"]["label"] == "吹哨报到" for i in await drv.inbox("dept-police"))
    # A second department reports in time: its whistle never escalates.
    r = await api.post(url, json={"department_id": "dept-emergency", "reason": "消防通道被占"}, headers=cast.headers("community"))
    await drv.decide("dept-emergency", "whistle", "report", comment="已到场检查消防通道", note="消防通道")

    await skip_past(env, whistled_at + TICKET.whistle_report_period)
    await drv.wait_for(open_task="whistle_street")
    assert any(i["step"]["code"] == "whistle_street" for i in await drv.inbox("street"))
    await skip_past(env, whistled_at + TICKET.whistle_report_period + TICKET.whistle_street_period)
    case = await drv.wait_for(open_task="whistle_joint_meeting")
    whistles = case["facts"]["whistles"]
    assert [(w["department_id"], w["status"], w["level"]) for w in whistles] == [("dept-police", "open", 2), ("dept-emergency", "report", 0)]
    # The department finally reports: the whistle closes and the escalated tasks are cancelled.
    r = await drv.decide("dept-police", "whistle", "report", comment="已派员到场维持秩序", note="堵门")
    steps = [t["step"]["code"] for t in r.json()["open_tasks"]]
    assert steps == ["handling"]
    timeline = (await api.get(f"/cases/{drv.case_id}/timeline", headers=cast.headers("dispatcher"))).json()
    escalations = [e["step"]["code"] for e in timeline if e["kind"] == "timer" and e["decision"]["code"] == "escalation"]
    assert escalations == ["whistle_street", "whistle_joint_meeting"]
    line = (await drv.ledger())["items"][0]
    assert line["whistles"] == 2
    assert (await drv.ledger(who="dept-police"))["total"] == 1  # the whistled department sees the ticket
    await keep_golden(env.client, drv.case_id, "ticket-whistle-escalated")


async def test_a_pending_extension_request_does_not_stop_the_handling_deadline(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    cast = await create_ticket_cast(sessions, settings)
    drv = TicketDriver(api, cast)
    await drv.start("service_quality")
    r = await drv.decide("company", "acceptance", "sign")
    handling = r.json()["open_tasks"][0]
    remind_at, due_at = datetime.fromisoformat(handling["remind_at"]), datetime.fromisoformat(handling["due_at"])
    r = await drv.decide("company", "handling", "extend", {"working_days": 3, "reason": "电梯配件需厂家调货"})
    assert r.json()["step"]["code"] == "extension"
    # The handling task stays open on the original deadline; only an answer is possible while the dispatcher decides.
    pending = await drv.open_task("handling")
    assert pending["due_at"] == handling["due_at"] and [d["code"] for d in pending["decisions"]] == ["answer"]

    async def handling_card(code: str) -> Json | None:
        t = await drv.open_task("handling")
        return t if t["card"]["code"] == code else None

    await skip_past(env, remind_at)
    await wait_until(lambda: handling_card("yellow"))
    # The dispatcher never decides: the ticket turns red on its first overdue day and the company gets a record.
    await skip_past(env, due_at)
    await wait_until(lambda: handling_card("red"))

    async def overdue_line() -> Json | None:
        page = await drv.ledger(overdue=True, card="red")
        return page if page["total"] == 1 else None

    await wait_until(overdue_line)
    async with sessions() as s:
        records = await credit_repo.records_of_case(s, drv.case_id)
    assert [(r.company_id, r.source) for r in records] == [("co-yuejia", "ticket_overdue")]
    # A late approval still moves the deadline from the original one; the overdue record stays single.
    r = await drv.decide("dispatcher", "extension", "approve", comment="同意延期3个工作日")
    extended = next(t for t in r.json()["open_tasks"] if t["step"]["code"] == "handling")
    expected = sla_deadlines(due_at - timedelta(seconds=1), 3, calendar=WorkingCalendar.official())
    assert datetime.fromisoformat(extended["due_at"]) == expected.due_at
    assert extended["card"]["code"] == "none" and [d["code"] for d in extended["decisions"]] == ["answer", "extend"]
    await drv.decide("company", "handling", "answer", comment="已更换配件")
    line = (await drv.ledger())["items"][0]
    assert line["overdue"] is True and line["extension_days"] == 3
    async with sessions() as s:
        assert len(await credit_repo.records_of_case(s, drv.case_id)) == 1
