"""Review paths of the emergency-use process: reductions, returns, rejections, countersign, withdraw."""

from __future__ import annotations

from tests.factories import create_test_estate
from tests.factories_fund import FundCaseDriver
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment
from tests.golden_recorder import keep_golden


async def test_price_review_cannot_raise_the_amount_and_a_cut_needs_reasons(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    drv = FundCaseDriver(api, await create_test_estate(sessions, settings))
    await drv.start()
    await drv.verify()
    await drv.decide("company", "budget_submission", "submit", {"amount_fen": 1_000_000, "contractor": "建安"})
    r = await drv.decide("agency", "price_review", "approve", {"approved_amount_fen": 1_000_001}, expect=422)
    assert r.json()["type"] == "/problems/validation-error" and "exceeds" in r.json()["detail"]
    r = await drv.decide("agency", "price_review", "approve", {"approved_amount_fen": 900_000}, expect=422)
    assert "reasons" in r.json()["detail"]
    r = await drv.decide("agency", "price_review", "approve", {"approved_amount_fen": 900_000, "reasons": "人工费按定额核减"})
    facts = r.json()["facts"]
    assert (facts["requested_fen"], facts["approved_fen"], facts["reduction_fen"]) == (1_000_000, 900_000, 100_000)
    assert facts["price_review_reasons"] == "人工费按定额核减"
    assert r.json()["step"]["code"] == "bureau_review"


async def test_returns_go_one_step_back_and_the_resubmission_is_reviewed_again(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    drv = FundCaseDriver(api, await create_test_estate(sessions, settings))
    await drv.start()
    await drv.verify()
    await drv.decide("company", "budget_submission", "submit", {"amount_fen": 2_000_000, "contractor": "建安"})
    r = await drv.decide("agency", "price_review", "return", comment="缺少工程量清单")
    assert r.json()["step"]["code"] == "budget_submission"
    # A return without a reason is refused.
    await drv.decide("company", "budget_submission", "submit", {"amount_fen": 1_800_000, "contractor": "建安", "items": ["钢丝绳更换"]})
    await drv.decide("agency", "price_review", "return", expect=422)
    await drv.decide("agency", "price_review", "approve", {"approved_amount_fen": 1_800_000})
    r = await drv.decide("bureau", "bureau_review", "return", comment="请复核人工费")
    assert r.json()["step"]["code"] == "price_review"
    await drv.decide("agency", "price_review", "approve", {"approved_amount_fen": 1_700_000, "reasons": "人工费复核核减"})
    r = await drv.decide("bureau", "bureau_review", "approve")
    case = r.json()
    assert case["facts"]["requested_fen"] == 1_800_000 and case["facts"]["approved_fen"] == 1_700_000
    assert case["step"]["code"] == "completion_acceptance"
    reviews = [t for t in case["tasks"] if t["step"]["code"] == "price_review"]
    assert [t["outcome"]["code"] for t in reviews] == ["return", "approve", "approve"]


async def test_a_rejection_closes_the_case_and_a_new_case_can_resubmit_it(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = FundCaseDriver(api, cast)
    await drv.start()
    await drv.verify()
    await drv.decide("company", "budget_submission", "submit", {"amount_fen": 3_000_000, "contractor": "建安"})
    await drv.decide("agency", "price_review", "approve", {"approved_amount_fen": 3_000_000})
    r = await drv.decide("bureau", "bureau_review", "reject", comment="不属于应急情形，应走一般使用程序")
    case = r.json()
    assert case["status"]["code"] == "rejected" and case["closed_at"] and case["open_tasks"] == []
    inbox = await drv.inbox("bureau")
    assert all(item["case_id"] != drv.case_id for item in inbox)
    # Deciding on the closed case's task is a conflict, not a crash.
    task = case["tasks"][-1]
    r = await api.post(f"/cases/{drv.case_id}/tasks/{task['id']}/decisions", json={"decision": "approve"}, headers=cast.headers("bureau"))
    assert r.status_code == 409 and r.json()["type"] == "/problems/conflict"
    body = {"estate_id": cast.estate_id, "category": "elevator_failure", "scope": "estate",
            "description": "补充材料后重新申请", "resubmission_of": drv.case_id}
    r = await api.post("/cases/fund-emergency", json=body, headers=cast.headers("clerk"))
    assert r.status_code == 201 and r.json()["facts"]["resubmission_of"] == drv.case_id
    await keep_golden(env.client, drv.case_id, "fund-emergency-rejected")


async def test_countersign_waits_for_every_party(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = FundCaseDriver(api, cast)
    await drv.start()
    await drv.decide("owner_rep", "onsite_verification", "confirm")
    r = await drv.decide("company", "onsite_verification", "confirm")
    case = r.json()
    assert case["step"]["code"] == "onsite_verification"
    task = case["open_tasks"][0]
    pending = [p["role"]["code"] for p in task["countersign"] if p["signed_by"] is None]
    assert pending == ["owners_committee"]
    assert [r["code"] for r in task["candidate_roles"]] == ["owners_committee"]
    # The company cannot sign twice, and the committee's inbox shows the task.
    r = await drv.decide("company", "onsite_verification", "confirm", expect=409)
    inbox = await drv.inbox("committee")
    assert any(i["case_id"] == drv.case_id and i["step"]["code"] == "onsite_verification" for i in inbox)
    company_inbox = await drv.inbox("company")
    assert all(i["case_id"] != drv.case_id for i in company_inbox)
    r = await drv.decide("committee", "onsite_verification", "confirm")
    assert r.json()["step"]["code"] == "budget_submission"


async def test_a_party_may_refuse_verification(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    drv = FundCaseDriver(api, await create_test_estate(sessions, settings))
    await drv.start()
    await drv.decide("owner_rep", "onsite_verification", "confirm")
    r = await drv.decide("committee", "onsite_verification", "reject", comment="现场核实非紧急情况")
    assert r.json()["status"]["code"] == "rejected"


async def test_without_an_owners_committee_the_residents_committee_signs(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings, committee=False)
    drv = FundCaseDriver(api, cast)
    case = (await drv.start()).json()
    roles = [p["role"]["code"] for p in case["open_tasks"][0]["countersign"]]
    assert roles == ["owner_rep", "community", "property_company"]
    await drv.decide("committee", "onsite_verification", "confirm", expect=403)
    await drv.verify(("owner_rep", "community", "company"))
    assert (await drv.case())["step"]["code"] == "budget_submission"


async def test_the_initiator_can_withdraw_before_anyone_acts(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = FundCaseDriver(api, cast)
    await drv.start()
    r = await api.post(f"/cases/{drv.case_id}/withdraw", json={"reason": "误报"}, headers=cast.headers("street"))
    assert r.status_code == 403
    r = await api.post(f"/cases/{drv.case_id}/withdraw", json={"reason": "误报"}, headers=cast.headers("clerk"))
    assert r.status_code == 200, r.text
    assert r.json()["status"]["code"] == "withdrawn"
    timeline = (await api.get(f"/cases/{drv.case_id}/timeline", headers=cast.headers("clerk"))).json()
    assert any(e["decision"] and e["decision"]["code"] == "withdraw" and e["comment"] == "误报" for e in timeline)

    drv2 = FundCaseDriver(api, cast)
    await drv2.start()
    await drv2.decide("owner_rep", "onsite_verification", "confirm")
    r = await api.post(f"/cases/{drv2.case_id}/withdraw", json={"reason": "误报"}, headers=cast.headers("clerk"))
    assert r.status_code == 409


async def test_two_signatures_sent_together_count_once(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    import asyncio

    cast = await create_test_estate(sessions, settings)
    drv = FundCaseDriver(api, cast)
    await drv.start()
    url = f"/cases/{drv.case_id}/tasks/t1/decisions"
    results = await asyncio.gather(*[
        api.post(url, json={"decision": "confirm"}, headers=cast.headers("company", f"k-{i}")) for i in range(3)
    ])
    assert sorted(r.status_code for r in results)[0] == 200
    assert all(r.status_code in (200, 409, 422) for r in results)
    task = (await drv.case())["open_tasks"][0]
    signed = [p for p in task["countersign"] if p["signed_by"]]
    assert [p["role"]["code"] for p in signed] == ["property_company"]
