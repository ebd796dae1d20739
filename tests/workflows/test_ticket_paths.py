"""Every decision path of a ticket: return and re-assignment, extension, re-handling, supervision, credit."""

from __future__ import annotations

from datetime import datetime, timedelta

from db.repositories import credit as credit_repo
from domain.calendar import WorkingCalendar, sla_deadlines
from tests.factories_tickets import TicketDriver, create_ticket_cast
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment
from tests.golden_recorder import keep_golden


async def credit_sources(sessions: Sessions, case_id: str) -> list[tuple[str, str, int]]:
    async with sessions() as s:
        return [(r.company_id, r.source, r.points) for r in await credit_repo.records_of_case(s, case_id)]


async def test_return_within_the_window_then_reassigned_cannot_be_returned_again(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_ticket_cast(sessions, settings)
    drv = TicketDriver(api, cast)
    await drv.start("illegal_construction")
    await drv.decide("dept-enforcement", "acceptance", "return", expect=422)  # a return needs a reason
    r = await drv.decide("dept-enforcement", "acceptance", "return", comment="系经营噪音，不属违建")
    assert r.json()["step"]["code"] == "reassignment"
    task = r.json()["open_tasks"][0]
    assert [c["code"] for c in task["candidate_roles"]] == ["dispatcher"]
    await drv.decide("dispatcher", "reassignment", "assign", {"lead_unit_id": "dept-nope"}, expect=422)
    await drv.decide("street", "reassignment", "assign", {"lead_unit_id": "dept-police"}, expect=403)
    r = await drv.decide("dispatcher", "reassignment", "assign", {"lead_unit_id": "dept-market", "co_unit_ids": ["dept-ecology"]})
    case = r.json()
    acceptance = next(t for t in case["open_tasks"] if t["step"]["code"] == "acceptance")
    assert [d["code"] for d in acceptance["decisions"]] == ["sign"]  # 潍坊12345条例 Art. 22 para. 2
    assert case["facts"]["returnable"] is False and case["facts"]["lead_unit"]["id"] == "dept-market"
    await drv.decide("dept-market", "acceptance", "return", comment="仍不属本部门", expect=422)
    await drv.decide("dept-enforcement", "acceptance", "sign", expect=403)  # no longer its ticket
    r = await drv.decide("dept-market", "acceptance", "sign")
    steps = sorted(t["step"]["code"] for t in r.json()["open_tasks"])
    assert steps == ["co_handling", "handling"]
    await drv.decide("dept-ecology", "co_handling", "submit", comment="现场检测噪音超标")
    case = await drv.case()
    assert case["facts"]["co_handling"][0]["opinion"] == "现场检测噪音超标"
    line = (await drv.ledger())["items"][0]
    assert line["returned"] is True and line["lead_unit"]["id"] == "dept-market"
    assert (await drv.ledger(unit_id="dept-enforcement"))["total"] == 1  # the ledger keeps who handled it
    # A department only sees tickets it handled.
    assert (await drv.ledger(who="dept-police"))["total"] == 0
    assert await credit_sources(sessions, drv.case_id) == []  # departments get no company credit records


async def test_a_returned_company_ticket_writes_a_credit_record(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_ticket_cast(sessions, settings)
    drv = TicketDriver(api, cast)
    await drv.start("service_quality")
    await drv.decide("company", "acceptance", "return", comment="系业主之间的邻里纠纷")
    await drv.decide("dispatcher", "reassignment", "assign", {"lead_unit_id": "yidu-c1"})
    r = await drv.decide("community", "acceptance", "sign")
    assert r.json()["step"]["code"] == "handling"
    assert await credit_sources(sessions, drv.case_id) == [("co-yuejia", "ticket_returned", -1)]


async def test_extension_needs_the_dispatchers_approval_and_moves_the_deadline(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    cast = await create_ticket_cast(sessions, settings)
    drv = TicketDriver(api, cast)
    await drv.start("service_quality")
    r = await drv.decide("company", "acceptance", "sign")
    handling = r.json()["open_tasks"][0]
    due = datetime.fromisoformat(handling["due_at"])
    await drv.decide("company", "handling", "extend", {"working_days": 11, "reason": "需采购配件"}, expect=422)
    await drv.decide("company", "handling", "extend", {"working_days": 3}, expect=422)  # no reason
    r = await drv.decide("company", "handling", "extend", {"working_days": 3, "reason": "电梯配件需厂家调货"})
    assert r.json()["step"]["code"] == "extension"
    await drv.decide("company", "extension", "approve", expect=403)
    await drv.decide("dispatcher", "extension", "reject", expect=422)  # a rejection needs a reason
    r = await drv.decide("dispatcher", "extension", "approve", comment="同意延期3个工作日")
    extended = next(t for t in r.json()["open_tasks"] if t["step"]["code"] == "handling")
    expected = sla_deadlines(due - timedelta(seconds=1), 3, calendar=WorkingCalendar.official())
    assert datetime.fromisoformat(extended["due_at"]) == expected.due_at
    assert r.json()["facts"]["extension_days"] == 3
    # Ten working days in all: 8 more is too many, 7 may be asked and refused, keeping the deadline.
    await drv.decide("company", "handling", "extend", {"working_days": 8, "reason": "再延"}, expect=422)
    await drv.decide("company", "handling", "extend", {"working_days": 7, "reason": "再延"})
    r = await drv.decide("dispatcher", "extension", "reject", comment="应在时限内办结")
    again = next(t for t in r.json()["open_tasks"] if t["step"]["code"] == "handling")
    assert again["due_at"] == extended["due_at"]
    line = (await drv.ledger())["items"][0]
    assert line["extension_days"] == 3 and datetime.fromisoformat(line["due_at"]) == expected.due_at
    await keep_golden(env.client, drv.case_id, "ticket-extension")


async def test_unsatisfied_twice_goes_to_supervision_which_closes_with_a_reason(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    cast = await create_ticket_cast(sessions, settings)
    drv = TicketDriver(api, cast)
    await drv.start("service_quality")
    await drv.decide("company", "acceptance", "sign")
    await drv.decide("company", "handling", "answer", comment="已安排保洁")
    await drv.decide("dispatcher", "callback", "unsatisfied", expect=422)  # needs what the caller said
    r = await drv.decide("dispatcher", "callback", "unsatisfied", comment="仍无人打扫")
    assert r.json()["step"]["code"] == "handling"  # 重办
    await drv.decide("company", "handling", "answer", comment="已更换保洁员")
    r = await drv.decide("dispatcher", "callback", "unsatisfied", comment="问题依旧")
    case = r.json()
    assert case["step"]["code"] == "supervision"
    task = case["open_tasks"][0]
    assert [c["code"] for c in task["candidate_roles"]] == ["street_office"]
    await drv.decide("other_street", "supervision", "close", comment="x", expect=404)
    await drv.decide("street", "supervision", "close", expect=422)  # the closing reason is recorded
    r = await drv.decide("street", "supervision", "rehandle", comment="责令三日内整改")
    assert r.json()["step"]["code"] == "handling"
    await drv.decide("company", "handling", "answer", comment="已整改")
    await drv.decide("dispatcher", "callback", "unsatisfied", comment="不认可")
    r = await drv.decide("street", "supervision", "close", comment="经现场核查已整改到位，诉求人要求超出合同约定")
    case = r.json()
    assert case["status"]["code"] == "completed" and case["facts"]["closure"] == "supervisor"
    assert len(case["facts"]["replies"]) == 3 and len(case["facts"]["callbacks"]) == 3
    line = (await drv.ledger())["items"][0]
    assert line["supervised"] and line["unsatisfied"] == 3 and line["closure"]["label"] == "督办销号"
    assert sorted(await credit_sources(sessions, drv.case_id)) == sorted([
        ("co-yuejia", "ticket_unsatisfied", -2), ("co-yuejia", "ticket_unsatisfied", -2),
        ("co-yuejia", "ticket_supervised", -3), ("co-yuejia", "ticket_unsatisfied", -2),
        ("co-yuejia", "ticket_supervised", -3),
    ])
    timeline = (await api.get(f"/cases/{drv.case_id}/timeline", headers=cast.headers("dispatcher"))).json()
    assert any(e["decision"] and e["decision"]["label"] == "督办销号" for e in timeline)
    await keep_golden(env.client, drv.case_id, "ticket-supervision-closed")


async def test_the_initiator_withdraws_before_anyone_acts(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_ticket_cast(sessions, settings)
    drv = TicketDriver(api, cast)
    await drv.start("parking")
    r = await api.post(f"/cases/{drv.case_id}/withdraw", json={"reason": "重复登记"}, headers=cast.headers("dispatcher"))
    assert r.status_code == 200 and r.json()["status"]["code"] == "withdrawn"
    line = (await drv.ledger())["items"][0]
    assert line["closure"]["code"] == "withdrawn"


async def test_the_callback_keeps_the_remark_the_dispatcher_entered(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    """回访记录: the form's remark is what the caller said; the comment stands in only when there is no remark."""
    cast = await create_ticket_cast(sessions, settings)
    drv = TicketDriver(api, cast)
    await drv.start("service_quality")
    await drv.decide("company", "acceptance", "sign")
    await drv.decide("company", "handling", "answer", comment="已安排保洁")
    r = await drv.decide("dispatcher", "callback", "unsatisfied", {"remark": "楼道仍未打扫"}, comment="来电人不满意")
    await drv.decide("company", "handling", "answer", comment="已更换保洁员")
    r = await drv.decide("dispatcher", "callback", "satisfied", comment="已解决")
    calls = r.json()["facts"]["callbacks"]
    assert [(c["outcome"], c["remark"]) for c in calls] == [("unsatisfied", "楼道仍未打扫"), ("satisfied", "已解决")]
