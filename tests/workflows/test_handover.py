"""The handover between companies: checklist, disputes, the exit deadline, refusal and emergency service."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from db.models import CreditRecord, Estate
from db.repositories import credit as credit_repo
from db.repositories import holiday_calendar as calendar_repo
from domain.access import Scope
from domain.calendar import CITY_TZ, last_day, party_deadline, period_end
from domain.handover import CHECKLIST
from domain.rules import HANDOVER
from domain.tender import ExitReason
from tests.clock import skip_past, skip_to, wait_until
from tests.driver import CaseDriver, Json
from tests.factories_tender import TenderDriver, create_tender_estate
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment
from tests.golden_recorder import keep_golden
from workflows.handover import HandoverInput, PropertyHandoverWorkflow


async def start_handover(
    drv: TenderDriver, settings: Settings, reason: ExitReason = ExitReason.DISMISSAL, agreed_exit_days: int | None = None,
    contract_ends_on: date | None = None,
) -> CaseDriver:
    """A handover as the tender starts it once the contract is signed: 悦家 hands over to 信达."""
    estate_id = drv.cast.estate_id
    handover = drv.related(f"handover-{estate_id}-test")
    await handover.start_through_client(
        drv.env.client, PropertyHandoverWorkflow.run,
        HandoverInput(
            case_id=handover.case_id, estate_id=estate_id, estate_name="交接小区",
            scope=Scope(street_id="yidu", community_id="yidu-c1", estate_id=estate_id),
            incoming_company_id="co-xinda", outgoing_company_id="co-yuejia", reason=reason, agreed_exit_days=agreed_exit_days,
            contract_ends_on=contract_ends_on, initiator=drv.cast.actor("clerk"),
        ),
        id=handover.case_id, task_queue=settings.task_queue,
    )
    await handover.wait_for(step="exit")
    return handover


async def moved_off_rest_days(sessions: Sessions, end: datetime) -> datetime:
    """``end`` as the outgoing company must meet it: off a rest day on the published calendar (民法典 Art. 203 para. 1)."""
    async with sessions() as session:
        return party_deadline(end, calendar=await calendar_repo.calendar(session))


async def test_checklist_dispute_remedy_inspection_and_the_new_company_in_place(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    drv = TenderDriver(api, env, settings, await create_tender_estate(sessions))
    handover = await start_handover(drv, settings, ExitReason.NON_RENEWAL, agreed_exit_days=15)
    case_id = handover.case_id
    case = await handover.case()
    notice = case["facts"]["notice"]
    notified = datetime.fromisoformat(notice["notified_at"])
    # The owners' non-renewal owes no notice (民法典 Art. 947): the agreed 15 days alone, to 24:00 of the 15th day
    # after the notice, off a rest day.
    assert datetime.fromisoformat(notice["exit_deadline"]) == await moved_off_rest_days(sessions, period_end(notified, timedelta(days=15)))
    assert datetime.fromisoformat(notice["contract_ends"]) == notified and notice["notice_days"] == 0
    exit_task = case["open_tasks"][0]
    await handover.decide("co-xinda", exit_task, "confirm", expect=403)
    r = await handover.decide("co-yuejia", exit_task, "confirm")
    items = [t for t in r.json()["open_tasks"] if t["step"]["code"] == "item_check"]
    assert len(items) == len(CHECKLIST)
    keys = next(t for t in items if t["note"].startswith("keys"))
    await handover.decide("co-xinda", keys, "dispute", expect=422)
    r = await handover.decide("co-xinda", keys, "dispute", comment="缺3号楼配电室钥匙")
    assert r.json()["facts"]["checklist"]["keys"]["status"] == "disputed"
    remedy = next(t for t in r.json()["open_tasks"] if t["step"]["code"] == "remedy")
    await handover.decide("co-yuejia", remedy, "submit", {"action": "已补交配电室钥匙"})
    for task in await handover.tasks("item_check"):
        await handover.decide("co-xinda", task, "confirm")
    inspection = (await handover.tasks("inspection"))[0]
    r = await handover.decide("co-xinda", inspection, "submit",
                              {"defects": [{"location": "2号楼地下室", "description": "消防水泵锈蚀"}]})
    assert r.json()["status"]["code"] == "completed"
    assert r.json()["facts"]["defects"][0]["description"] == "消防水泵锈蚀"
    assert r.json()["facts"]["checklist"]["keys"]["remedy"] == "已补交配电室钥匙"
    async with sessions() as session:
        assert (await session.get(Estate, drv.cast.estate_id)).property_company_id == "co-xinda"  # type: ignore[union-attr]
        assert await credit_repo.records_of_case(session, case_id) == []
    await keep_golden(env.client, case_id, "handover-dispute-completed")


async def test_exit_deadline_passes_escalation_tasks_and_a_bad_credit_record(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    drv = TenderDriver(api, env, settings, await create_tender_estate(sessions))
    handover = await start_handover(drv, settings)
    case_id = handover.case_id
    case = await handover.case()
    exit_by = datetime.fromisoformat(case["facts"]["notice"]["exit_deadline"])
    notified = datetime.fromisoformat(case["facts"]["notice"]["notified_at"])
    raw = period_end(notified, HANDOVER.dismissal_notice + HANDOVER.default_exit_period)
    assert exit_by == await moved_off_rest_days(sessions, raw)
    assert case["facts"]["notice"]["exit_deadline_moved"] is (exit_by != raw)

    await skip_to(env, exit_by - timedelta(hours=2))
    assert (await handover.case())["step"]["code"] == "exit"
    await skip_past(env, exit_by)
    case = await handover.wait_for(step="escalation")
    steps = sorted(t["step"]["code"] for t in case["open_tasks"])
    assert steps == ["correction_order", "exit", "joint_meeting"]
    exit_task = next(t for t in case["open_tasks"] if t["step"]["code"] == "exit")
    assert exit_task["card"]["code"] == "red"
    inbox = (await api.get("/inbox", params={"case_id": case_id}, headers=drv.headers("street"))).json()
    assert any(i["case_id"] == case_id and i["step"]["code"] == "joint_meeting" for i in inbox)

    async def credit() -> list[CreditRecord]:
        async with sessions() as session:
            return await credit_repo.records_of_case(session, case_id)

    records = await wait_until(credit)
    assert [(r.company_id, r.kind, r.source, r.points) for r in records] == [("co-yuejia", "bad", "handover_overdue", HANDOVER.refusal_credit_points)]
    assert case["facts"]["escalations"][0]["credit_record_id"] == records[0].id

    # The bureau's correction order is recorded; the outgoing company then hands over after all.
    order = next(t for t in case["open_tasks"] if t["step"]["code"] == "correction_order")
    await handover.decide("street", order, "submit", {"order_no": "X"}, expect=403)
    r = await handover.decide("bureau", order, "submit", {"order_no": "青住建责改〔2027〕3号"})
    assert r.json()["facts"]["escalations"][0]["correction_order"] == "青住建责改〔2027〕3号"
    r = await handover.decide("co-yuejia", exit_task, "confirm")
    assert len([t for t in r.json()["open_tasks"] if t["step"]["code"] == "item_check"]) == len(CHECKLIST)
    assert len(await credit()) == 1


async def test_refusal_joint_meeting_emergency_company_and_a_follow_up_tender(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    drv = TenderDriver(api, env, settings, await create_tender_estate(sessions))
    handover = await start_handover(drv, settings)
    case_id = handover.case_id
    exit_task = (await handover.tasks("exit"))[0]
    await handover.decide("co-yuejia", exit_task, "refuse", expect=422)
    r = await handover.decide("co-yuejia", exit_task, "refuse", comment="业主欠费未结清，拒不退出")
    assert r.json()["step"]["code"] == "escalation"
    async with sessions() as session:
        records = await credit_repo.records_of_case(session, case_id)
    assert [(r.source, r.kind) for r in records] == [("handover_refused", "bad")]

    meeting = (await handover.tasks("joint_meeting"))[0]
    await handover.decide("bureau", meeting, "convene", {"minutes": "x"}, expect=403)
    r = await handover.decide("street", meeting, "convene", {"minutes": "原物业拒不退出，新物业无法进场", "estate_without_company": True})
    assert r.json()["step"]["code"] == "emergency_appointment"
    task = (await handover.tasks("emergency_appointment"))[0]
    await handover.decide("street", task, "appoint", {"company_id": "co-lvyuan", "months": 7, "services": "供水供电"}, expect=422)
    await handover.decide("street", task, "appoint", {"company_id": "co-blacklisted", "months": 6, "services": "供水供电"})
    task = (await handover.tasks("emergency_appointment"))[0]
    r = await handover.decide("street", task, "appoint", {"company_id": "co-lvyuan", "months": 6, "services": "供电、供水、垃圾清运、电梯运行"})
    emergency = r.json()["facts"]["emergency_service"]
    assert emergency["company_id"] == "co-lvyuan"
    start, until = datetime.fromisoformat(emergency["from"]), datetime.fromisoformat(emergency["until"])
    assert timedelta(days=181) <= until - start <= timedelta(days=184)
    follow = (await handover.tasks("follow_up_tender"))[0]
    assert datetime.fromisoformat(follow["due_at"]) == until - HANDOVER.tender_follow_up_lead
    async with sessions() as session:
        assert (await session.get(Estate, drv.cast.estate_id)).property_company_id == "co-lvyuan"  # type: ignore[union-attr]

    # No new selection by 60 days before the end: the bureau is brought in to supervise.
    await skip_past(env, datetime.fromisoformat(follow["due_at"]))

    async def escalated() -> Json | None:
        tasks = await handover.tasks("follow_up_tender")
        return tasks[0] if tasks and tasks[0]["escalated_at"] else None

    follow = await wait_until(escalated)
    assert [x["code"] for x in follow["escalated_to"]] == ["housing_bureau"]
    # A case that is not a tender of this estate does not count: the task opens again.
    r = await handover.decide("clerk", follow, "submit", {"tender_case_id": "tender-next"})
    assert r.json()["status"]["code"] == "active"
    again = (await handover.tasks("follow_up_tender"))[0]
    assert again["id"] != follow["id"] and "not a tender of this estate" in again["note"]
    tender = (await drv.start(selection="first", method="lowest_price")).json()["id"]
    r = await handover.decide("clerk", again, "submit", {"tender_case_id": tender})
    assert r.json()["status"]["code"] == "completed"
    assert r.json()["facts"]["emergency_service"]["follow_up_tender"] == tender
    await keep_golden(env.client, case_id, "handover-refused-emergency")


async def test_an_escalated_checklist_stays_the_incoming_companys(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    drv = TenderDriver(api, env, settings, await create_tender_estate(sessions))
    handover = await start_handover(drv, settings, ExitReason.NON_RENEWAL, agreed_exit_days=15)
    exit_task = (await handover.case())["open_tasks"][0]
    await handover.decide("co-yuejia", exit_task, "confirm")
    inspection = (await handover.tasks("inspection"))[0]
    await skip_past(env, datetime.fromisoformat(inspection["escalate_at"]))

    async def escalated() -> Json | None:
        tasks = await handover.tasks("inspection")
        return tasks[0] if tasks and tasks[0]["escalated_at"] else None

    inspection = await wait_until(escalated)
    assert [x["code"] for x in inspection["escalated_to"]] == ["street_office"]
    # The street sees the overdue check but cannot confirm or inspect in the incoming company's place.
    item = (await handover.tasks("item_check"))[0]
    assert item["escalated_at"]
    await handover.decide("street", item, "confirm", expect=403)
    await handover.decide("street", inspection, "submit", {"defects": []}, expect=403)
    await handover.decide("co-xinda", item, "confirm")


async def test_an_exit_deadline_on_a_sunday_is_met_by_the_end_of_monday(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    """The company declined to renew; its contract runs to the term's last day and it exits within 30 days of it
    (潍坊 Art. 50). A 30th day that is a Sunday ends at 24:00 of the next working day (民法典 Art. 203 para. 1):
    no escalation at 23:59 of that day, escalation and a bad credit record right after its 24:00."""
    async with sessions() as session:
        cal = await calendar_repo.calendar(session)
    today = (await env.get_current_time()).astimezone(CITY_TZ).date()
    # A term ending 30 days before a Sunday followed by a working day, with the exit period still ahead.
    ends_on = next(d for d in (today + timedelta(days=k) for k in range(1, 60))
                   if (d + timedelta(days=30)).weekday() == 6 and cal.is_working_day(d + timedelta(days=31)))
    drv = TenderDriver(api, env, settings, await create_tender_estate(sessions))
    handover = await start_handover(drv, settings, ExitReason.COMPANY_DECLINES, contract_ends_on=ends_on)
    notice = (await handover.case())["facts"]["notice"]
    exit_by = datetime.fromisoformat(notice["exit_deadline"])
    assert last_day(datetime.fromisoformat(notice["contract_ends"])) == ends_on
    assert last_day(exit_by) == ends_on + timedelta(days=31) and notice["exit_deadline_moved"] is True
    assert exit_by.astimezone(CITY_TZ).time().hour == 0  # 24:00 of the Monday, not a raw 30 × 24 h
    await skip_to(env, exit_by - timedelta(minutes=1))  # 23:59 of the Monday: still in time
    case = await handover.case()
    assert case["step"]["code"] == "exit" and case["facts"]["escalations"] == []
    await skip_past(env, exit_by)
    case = await handover.wait_for(step="escalation")
    assert [e["cause"] for e in case["facts"]["escalations"]] == ["handover_overdue"]
