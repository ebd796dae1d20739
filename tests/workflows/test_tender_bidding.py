"""The bidding phase: deadlines, clarifications, eligibility, too few bids, callers who may not act."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from db.models import TenderBid
from db.repositories import holiday_calendar as calendar_repo
from domain.calendar import CITY_TZ, party_deadline, period_end
from tests.clock import skip_past, skip_to
from tests.factories_tender import TenderDriver, create_tender_estate
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment
from tests.golden_recorder import keep_golden


async def test_bid_deadline_less_than_20_days_after_publication_is_refused(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    drv = TenderDriver(api, env, settings, await create_tender_estate(sessions))
    # The API checks against the wall clock (the test server's clock may run ahead of it): day 19 is too early.
    body = {"estate_id": drv.cast.estate_id, "selection": "first", "method": "comprehensive", "summary": "前期物业服务招标",
            "bid_deadline": (datetime.now(UTC) + timedelta(days=19)).isoformat()}
    r = await api.post("/cases/tender", json=body, headers=drv.headers("clerk"))
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["errors"][0]["loc"] == ["body", "bid_deadline"]
    # A re-selection needs the outgoing company's terms; a first tender must not have them.
    body = {"estate_id": drv.cast.estate_id, "selection": "reselection", "method": "comprehensive", "summary": "物业服务招标",
            "bid_deadline": ((await env.get_current_time()) + timedelta(days=30)).isoformat()}
    r = await api.post("/cases/tender", json=body, headers=drv.headers("clerk"))
    assert r.status_code == 422
    r = await api.post("/cases/tender", json={**body, "bid_deadline": "not a date", "outgoing": {"reason": "dismissal"}}, headers=drv.headers("clerk"))
    assert r.status_code == 422


async def test_a_deadline_the_api_accepts_at_the_boundary_is_not_rejected_by_the_workflow(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    drv = TenderDriver(api, env, settings, await create_tender_estate(sessions))
    # The workflow's clock runs ahead of the API's; both count from the one publication time.
    await skip_to(env, await env.get_current_time() + timedelta(days=1))
    before = datetime.now(UTC)
    body = {"estate_id": drv.cast.estate_id, "selection": "first", "method": "comprehensive", "summary": "前期物业服务招标",
            "bid_deadline": (before + timedelta(days=20)).isoformat()}
    r = await api.post("/cases/tender", json=body, headers=drv.headers("clerk"))
    assert r.status_code == 201, r.text
    # Before the fix the workflow re-checked against its own later clock and closed the case as rejected.
    assert r.json()["status"]["code"] == "active" and r.json()["step"]["code"] != "closed"
    published = datetime.fromisoformat(r.json()["facts"]["published_at"])
    assert before <= published <= datetime.now(UTC)
    if await env.get_current_time() < published + timedelta(days=20):  # the shared test clock may already be past the deadline
        assert r.json()["step"]["code"] == "bidding"


async def test_wrong_role_or_jurisdiction_is_403(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    drv = TenderDriver(api, env, settings, await create_tender_estate(sessions))
    body = {"estate_id": drv.cast.estate_id, "selection": "first", "method": "lowest_price", "summary": "前期物业服务招标",
            "bid_deadline": ((await env.get_current_time()) + timedelta(days=25)).isoformat()}
    for who in ("other_clerk", "co-huacheng", "bureau"):
        r = await api.post("/cases/tender", json=body, headers=drv.headers(who))
        assert r.status_code == 403 and r.json()["type"] == "/problems/forbidden", who
    await drv.start()
    r = await api.post(f"/cases/tender/{drv.case_id}/clarifications", json={"text": "更正"}, headers=drv.headers("other_clerk"))
    assert r.status_code == 404  # another street's clerk cannot read the tender's case
    r = await api.post(f"/cases/tender/{drv.case_id}/bids", json={"price_fen_per_m2": 100, "plan": "方案"}, headers=drv.headers("committee"))
    assert r.status_code == 403
    assert (await api.get("/experts", headers=drv.headers("co-huacheng"))).status_code == 403
    r = await api.get("/experts", headers=drv.headers("auditor"))
    assert r.status_code == 200 and {"expert-001", "expert-012"} <= {e["id"] for e in r.json()}


async def test_blacklisted_and_unregistered_bidders_are_refused_with_the_reason(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    drv = TenderDriver(api, env, settings, await create_tender_estate(sessions, resettlement=True))
    await drv.start()
    r = await drv.bid("co-blacklisted", expect=403)
    assert "blacklist" in r.json()["detail"]
    r = await drv.bid("co-unregistered", expect=403)
    assert "business registration" in r.json()["detail"]
    await drv.bid("co-lvyuan")
    r = await drv.bid("co-lvyuan", expect=409)
    async with sessions() as session:
        bids = (await session.scalars(select(TenderBid).where(TenderBid.case_id == drv.case_id))).all()
    assert {(b.company_id, b.status) for b in bids} == {
        ("co-blacklisted", "refused"), ("co-unregistered", "refused"), ("co-lvyuan", "valid"),
    }
    # Each refused company reads its own refusal; who tried to bid stays sealed to everyone else (招标投标法 Art. 22).
    own = (await api.get(f"/cases/tender/{drv.case_id}", headers=drv.headers("co-blacklisted"))).json()["facts"]["refused_bids"]
    assert [(x["company_id"], "blacklist" in x["reason"]) for x in own] == [("co-blacklisted", True)]
    timeline = (await api.get(f"/cases/{drv.case_id}/timeline", headers=drv.headers("co-blacklisted"))).json()
    assert sum(1 for e in timeline if e["decision"] and e["decision"]["code"] == "bid_refused") == 1
    assert (await drv.case())["facts"]["refused_bids"] == []
    timeline = (await api.get(f"/cases/{drv.case_id}/timeline", headers=drv.headers("bureau"))).json()
    assert not [e for e in timeline if e["decision"] and e["decision"]["code"] in ("bid", "bid_refused")]
    # One valid bid: not opened, and a resettlement estate may only re-tender (open tender required).
    await skip_past(env, datetime.fromisoformat((await drv.case())["facts"]["bid_deadline"]))
    case = await drv.wait_for(step="tender_failed")
    assert [(r["valid_bids"], r["refused"]) for r in case["facts"]["rounds"]] == [(1, 2)]
    assert [d["code"] for d in (await drv.tasks("tender_failed"))[0]["decisions"]] == ["retender"]


async def test_grade_a_is_encouraged_not_required_for_a_resettlement_estates_first_company(
    api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    """附件3 item 8(2) encourages grade A and above for a resettlement estate's 前期物业: a grade B bid stands,
    and the tender's officials read, on each opened bid, whether it meets the encouraged grade."""
    drv = TenderDriver(api, env, settings, await create_tender_estate(sessions, resettlement=True))
    await drv.start(selection="first")
    await drv.bid("co-anju")     # grade B: one grade below the encouraged A, admitted
    await drv.bid("co-xinda")    # grade A: exactly the encouraged grade
    await drv.bid("co-lvyuan")   # grade AAA
    await skip_past(env, datetime.fromisoformat((await drv.case())["facts"]["bid_deadline"]))
    case = await drv.wait_for(step="evaluation")
    facts = case["facts"]
    assert {b["company_id"]: (b["credit_grade"], b["grade_encouraged"]) for b in facts["bids"]} == {
        "co-anju": ("B", False), "co-xinda": ("A", True), "co-lvyuan": ("AAA", True),
    }
    assert facts["grade_encouragement"] and "A" in facts["grade_encouragement"]
    assert [(r["valid_bids"], r["refused"]) for r in facts["rounds"]] == [(3, 0)]


async def test_the_owners_reselection_of_a_resettlement_estate_carries_no_grade_encouragement(
    api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    drv = TenderDriver(api, env, settings, await create_tender_estate(sessions, resettlement=True))
    await drv.start()  # a re-selection by the owners
    await drv.bid("co-anju")
    for c in ("co-xinda", "co-lvyuan"):
        await drv.bid(c)
    await skip_past(env, datetime.fromisoformat((await drv.case())["facts"]["bid_deadline"]))
    facts = (await drv.wait_for(step="evaluation"))["facts"]
    assert {b["company_id"]: b["grade_encouraged"] for b in facts["bids"]} == {"co-anju": None, "co-xinda": None, "co-lvyuan": None}
    assert facts["grade_encouragement"] is None


async def test_late_clarification_moves_the_deadline(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    drv = TenderDriver(api, env, settings, await create_tender_estate(sessions))
    await drv.start(days=30)
    deadline = datetime.fromisoformat((await drv.case())["facts"]["bid_deadline"])
    # 16 days before the deadline: early enough, the deadline stays.
    r = await api.post(f"/cases/tender/{drv.case_id}/clarifications", json={"text": "补充服务标准"}, headers=drv.headers("clerk"))
    assert datetime.fromisoformat(r.json()["facts"]["bid_deadline"]) == deadline
    await skip_to(env, await env.get_current_time() + timedelta(days=20))
    r = await api.post(f"/cases/tender/{drv.case_id}/clarifications", json={"text": "物业服务用房面积更正为120㎡"}, headers=drv.headers("clerk"))
    assert r.status_code == 200
    moved = datetime.fromisoformat(r.json()["facts"]["bid_deadline"])
    clarified = datetime.fromisoformat(r.json()["facts"]["clarifications"][-1]["at"])
    # Moved to the 15th day after the clarification's day, at the announced hour (实施条例 Art. 21, whole days).
    day = clarified.astimezone(CITY_TZ).date() + timedelta(days=15)
    assert moved == datetime.combine(day, deadline.astimezone(CITY_TZ).timetz()) and moved > deadline
    # The old deadline passes and bids are still taken; the round closes at the moved one.
    await skip_past(env, deadline)
    await drv.bid("co-xinda")
    assert (await drv.case())["step"]["code"] == "bidding"
    # Once a company has bid, the clerk can no longer withdraw the tender.
    r = await api.post(f"/cases/{drv.case_id}/withdraw", json={"reason": "误发"}, headers=drv.headers("clerk"))
    assert r.status_code == 409
    await skip_past(env, moved)
    case = await drv.wait_for(step="tender_failed")
    assert datetime.fromisoformat(case["facts"]["rounds"][0]["deadline"]) == moved


async def test_fewer_than_three_bids_no_opening_retender_then_direct_selection(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    drv = TenderDriver(api, env, settings, await create_tender_estate(sessions, company_id=None))
    await drv.start(selection="first", method="lowest_price")
    await drv.bid("co-huacheng")
    await drv.bid("co-xinda")
    await skip_past(env, datetime.fromisoformat((await drv.case())["facts"]["bid_deadline"]))
    case = await drv.wait_for(step="tender_failed")
    assert case["facts"]["rounds"] == [{"round": 1, "deadline": case["facts"]["bid_deadline"], "valid_bids": 2, "refused": 0}]
    assert "expert_draw" not in case["facts"] or not case["facts"]["expert_draw"]["draws"]
    task = (await drv.tasks("tender_failed"))[0]
    assert [d["code"] for d in task["decisions"]] == ["retender", "direct_select"]
    assert [d["label"] for d in task["decisions"]] == ["重新招标", "申请直接选聘"]

    # Re-tender: the new deadline must again be ≥ 20 days away.
    soon = ((await env.get_current_time()) + timedelta(days=5)).isoformat()
    await drv.decide("clerk", task, "retender", {"bid_deadline": soon}, expect=422)
    later = ((await env.get_current_time()) + timedelta(days=21)).isoformat()
    r = await drv.decide("clerk", task, "retender", {"bid_deadline": later})
    assert r.json()["step"]["code"] == "bidding" and r.json()["facts"]["round"] == 2
    await drv.bid("co-huacheng")
    await skip_past(env, datetime.fromisoformat(later))
    await drv.wait_for(step="tender_failed")

    # Direct selection: a blacklisted company is not put to the bureau; an eligible one is, and approved.
    task = (await drv.tasks("tender_failed"))[0]
    await drv.decide("clerk", task, "direct_select", {"company_id": "co-blacklisted"})
    task = (await drv.tasks("tender_failed"))[0]
    assert "blacklist" in task["note"]
    await drv.decide("clerk", task, "direct_select", {"company_id": "co-huacheng"})
    approval = (await drv.tasks("direct_selection"))[0]
    await drv.decide("street", approval, "approve", expect=403)
    r = await drv.decide("bureau", approval, "approve", comment="投标人少于三个，同意直接选聘")
    assert r.json()["step"]["code"] == "contract" and r.json()["facts"]["winner"] == "co-huacheng"
    contract = (await drv.tasks("contract"))[0]
    due = datetime.fromisoformat(contract["due_at"])
    # 招标投标法 Art. 46: 30 days from the award, ending at 24:00 city time of the 30th (民法典 Arts. 201, 203),
    # or of the next working day when the 30th is a rest day (Art. 203 para. 1).
    async with sessions() as session:
        cal = await calendar_repo.calendar(session)
    assert due == party_deadline(period_end(datetime.fromisoformat(r.json()["facts"]["awarded_at"]), timedelta(days=30)), calendar=cal)
    # A first tender: the clerk signs for the developer, and the developer hands over (no outgoing company).
    await drv.decide("clerk", contract, "confirm", {"contract_no": "QZQQ-2027-009"})
    r = await drv.decide("co-huacheng", contract, "confirm", {"contract_no": "QZQQ-2027-009"})
    assert r.json()["status"]["code"] == "completed"
    await keep_golden(env.client, drv.case_id, "tender-failed-retender-direct-selection")
    handover = await drv.related((await drv.case())["facts"]["handover_case_id"]).wait_for(step="item_check")
    assert handover["facts"]["outgoing_company_id"] is None and handover["facts"]["reason_label"] == "建设单位移交"
    assert {t["step"]["code"] for t in handover["open_tasks"]} == {"item_check", "inspection"}
