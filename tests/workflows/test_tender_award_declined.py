"""放弃中标 (实施条例 Art. 55): the winner declines at the contract; a bad record from the tender, the next candidate wins."""

from __future__ import annotations

from datetime import datetime

from db.repositories import credit as credit_repo
from tests.clock import skip_past
from tests.factories_tender import TenderDriver, create_tender_estate
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment
from tests.golden_recorder import keep_golden


async def test_a_winner_that_declines_gets_one_bad_record_and_the_next_candidate_signs(
    api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    drv = TenderDriver(api, env, settings, await create_tender_estate(sessions))
    await drv.to_evaluation()
    await drv.score_all()  # 信达 82, 绿苑 81, 华成 80
    case = await drv.wait_for(step="publicity")
    await skip_past(env, datetime.fromisoformat(case["facts"]["publicity"]["end"]))
    case = await drv.wait_for(step="contract")
    assert case["facts"]["winner"] == "co-xinda"
    contract = (await drv.tasks("contract"))[0]
    assert {"code": "decline_award", "label": "放弃中标"} in contract["decisions"]

    # The owners' side cannot decline for the company; the company must say why.
    await drv.decide("committee", contract, "decline_award", comment="不签了", expect=403)
    await drv.decide("co-xinda", contract, "decline_award", expect=422)
    r = await drv.decide("co-xinda", contract, "decline_award", comment="项目经理离职，无法按投标文件履约")
    assert r.status_code == 200, r.text

    case = await drv.wait_for(step="contract")
    assert case["facts"]["winner"] == "co-lvyuan"
    [declined] = case["facts"]["declined"]
    assert (declined["company_id"], declined["reason"]) == ("co-xinda", "项目经理离职，无法按投标文件履约")
    async with sessions() as s:
        records = await credit_repo.records_of_case(s, drv.case_id)
    by_key = {r.record_key: r for r in records}
    withdrawal = by_key[f"{drv.case_id}:tender_withdrawal:co-xinda"]
    assert (withdrawal.type, withdrawal.company_id, withdrawal.points, withdrawal.id) == (
        "tender_withdrawal", "co-xinda", -10, declined["credit_record_id"])
    # Each winner's award is its own good record; the decline is written once.
    assert {k for k in by_key if ":award" in k} == {f"{drv.case_id}:award", f"{drv.case_id}:award:co-lvyuan"}
    assert sum(1 for r in records if r.type == "tender_withdrawal") == 1
    timeline = [e for e in (await drv.timeline("auditor"))
                if e["kind"] == "decision" and (e.get("decision") or {}).get("code") == "decline_award"]
    assert [e["actor"]["role"]["code"] for e in timeline] == ["property_company"]

    contract = await drv.open_task("contract")
    await drv.decide("committee", contract, "confirm", {"contract_no": "QZWY-2027-017"})
    r = await drv.decide("co-lvyuan", contract, "confirm", {"contract_no": "QZWY-2027-017"})
    assert r.json()["status"]["code"] == "completed"
    assert (await drv.case())["facts"]["handover_case_id"] is not None
    await keep_golden(env.client, drv.case_id, "tender-award-declined")


async def test_when_every_candidate_declines_the_tender_has_failed(
    api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    drv = TenderDriver(api, env, settings, await create_tender_estate(sessions))
    await drv.to_evaluation()
    await drv.score_all()
    case = await drv.wait_for(step="publicity")
    await skip_past(env, datetime.fromisoformat(case["facts"]["publicity"]["end"]))
    order = [r["company_id"] for r in (await drv.wait_for(step="contract"))["facts"]["ranking"] if r["qualified"]]
    for company in order:
        assert (await drv.case())["facts"]["winner"] == company
        await drv.decide(company, await drv.open_task("contract"), "decline_award", comment="放弃中标")
    case = await drv.wait_for(step="tender_failed")
    assert [d["company_id"] for d in case["facts"]["declined"]] == order and case["facts"]["winner"] is None
    async with sessions() as s:
        assert sorted(r.company_id for r in await credit_repo.records_of_case(s, drv.case_id) if r.type == "tender_withdrawal") == sorted(order)
