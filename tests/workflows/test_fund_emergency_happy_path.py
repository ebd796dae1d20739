"""A whole emergency repair through the HTTP API, checked the way its users would check it."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from db.models import FundAccount, LedgerEntry
from domain.calendar import CITY_TZ
from domain.fund_ledger import shares_for
from tests.clock import skip_past
from tests.factories import Cast, create_test_estate
from tests.factories_fund import FundCaseDriver
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment
from tests.golden_recorder import keep_golden


async def balances(sessions: Sessions, households: list[str]) -> dict[str, int]:
    async with sessions() as s:
        rows = await s.execute(select(FundAccount.household_id, FundAccount.balance_fen).where(FundAccount.household_id.in_(households)))
        return dict(rows.all())


async def test_full_case_through_the_api(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    before = await balances(sessions, cast.households)
    drv = FundCaseDriver(api, cast)
    started = (await drv.start()).json()
    assert started["status"]["code"] == "active"
    assert drv.case_id.startswith(f"fund-emergency-{cast.estate_id}-")

    await drv.verify()
    case = await drv.case()
    assert case["step"]["code"] == "budget_submission"

    await drv.decide("company", "budget_submission", "submit", {"amount_fen": 5_000_000, "contractor": "青州建安"})
    await drv.decide("agency", "price_review", "approve", {"approved_amount_fen": 4_200_000, "reasons": "单价核减"})
    review = await drv.open_task("bureau_review")
    assert review["due_at"] and review["remind_at"] < review["due_at"] < review["escalate_at"]
    r = await drv.decide("bureau", "bureau_review", "approve", comment="同意")
    case = r.json()
    assert case["facts"]["requested_fen"] == 5_000_000
    assert case["facts"]["approved_fen"] == 4_200_000
    assert case["facts"]["reduction_fen"] == 800_000
    assert case["approved_at"] is not None and case["approval_seconds"] is not None
    # First payment: at most 50% of the approved budget, debited from every household by area.
    assert case["facts"]["first_payment_fen"] == 2_100_000
    assert case["step"]["code"] == "completion_acceptance"
    after_first = await balances(sessions, cast.households)
    assert sum(before.values()) - sum(after_first.values()) == 2_100_000

    await drv.decide("committee", "completion_acceptance", "confirm", {"certificate": "验收单-001"})
    await drv.decide("company", "completion_acceptance", "confirm", {"certificate": "验收单-001"})
    await drv.decide("company", "settlement_submission", "submit", {"amount_fen": 4_100_000, "acceptance_certificate": "验收单-001"})
    r = await drv.decide("agency", "settlement_review", "approve", {"approved_amount_fen": 4_000_000, "reasons": "按实结算"})
    assert r.json()["step"]["code"] == "public_notice"

    notice = await api.get(f"/cases/fund-emergency/{drv.case_id}/notice", headers=cast.headers("owner"))
    assert notice.status_code == 200, notice.text
    shares = {s["household_id"]: s["share_fen"] for s in notice.json()["shares"]}
    assert sum(shares.values()) == 4_000_000 and len(shares) == len(cast.households)

    # An owner objects; the committee answers; payment waits for both the answer and the 5 days.
    r = await api.post(f"/cases/fund-emergency/{drv.case_id}/objections", json={"text": "分摊面积有误"}, headers=cast.headers("owner"))
    assert r.status_code == 200, r.text
    await drv.decide("committee", "objection", "answer", comment="已核对不动产登记面积，无误")
    case = await drv.case()
    assert case["step"]["code"] == "public_notice"
    assert case["facts"]["objections"][0]["outcome"] == "answer"

    # The notice ends at 24:00 city time of its fifth day (淄博 Art. 67; 民法典 Arts. 201, 203).
    end = datetime.fromisoformat(case["facts"]["public_notice"]["end"])
    assert end.astimezone(CITY_TZ).time() == time(0) and end - datetime.fromisoformat(case["facts"]["public_notice"]["start"]) > timedelta(days=5)
    await skip_past(env, end)
    case = await drv.wait_for(status="completed")
    assert case["facts"]["final_payment_fen"] == 4_000_000 - 2_100_000

    after = await balances(sessions, cast.households)
    # Each household paid exactly its area share of the settled cost, across both payments.
    assert {h: before[h] - after[h] for h in before} == shares_for(4_000_000, await _areas(sessions, cast))
    async with sessions() as s:
        n = await s.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.case_id == drv.case_id))
    assert n == 2 * len(cast.households)

    timeline = (await api.get(f"/cases/{drv.case_id}/timeline", headers=cast.headers("bureau"))).json()
    decisions = [(e["actor"]["role"]["code"] if e["actor"]["role"] else None, e["decision"]["code"]) for e in timeline if e["kind"] == "decision"]
    assert ("pricing_agency", "approve") in decisions and ("housing_bureau", "approve") in decisions
    assert [e["seq"] for e in timeline] == list(range(1, len(timeline) + 1))
    await keep_golden(env.client, drv.case_id, "fund-emergency-happy-path")


async def _areas(sessions: Sessions, cast: Cast) -> dict[str, int]:
    from db.repositories.fund import household_areas

    async with sessions() as s:
        return await household_areas(s, cast.estate_id, "estate", None)


async def test_an_objection_answers_with_its_task_open(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = FundCaseDriver(api, cast)
    await drv.start()
    await drv.through_approval()
    await drv.decide("committee", "completion_acceptance", "confirm")
    await drv.decide("company", "completion_acceptance", "confirm")
    await drv.decide("company", "settlement_submission", "submit", {"amount_fen": 4_000_000, "acceptance_certificate": "YS-1"})
    await drv.decide("agency", "settlement_review", "approve", {"approved_amount_fen": 4_000_000})
    r = await api.post(f"/cases/fund-emergency/{drv.case_id}/objections", json={"text": "分摊有误"}, headers=cast.headers("owner"))
    assert [t["step"]["code"] for t in r.json()["open_tasks"]] == ["objection"]
    # Upholding it sends the settlement back to the pricing agency and restarts the notice.
    r = await drv.decide("committee", "objection", "uphold", comment="面积登记确有错误")
    assert r.json()["step"]["code"] == "settlement_review"
    r = await drv.decide("agency", "settlement_review", "approve", {"approved_amount_fen": 3_900_000, "reasons": "更正面积后重算"})
    assert r.json()["step"]["code"] == "public_notice" and r.json()["facts"]["settlement_approved_fen"] == 3_900_000
    # Outside the notice, and from someone who is not an owner, an objection is refused.
    r = await api.post(f"/cases/fund-emergency/{drv.case_id}/objections", json={"text": "x"}, headers=cast.headers("company"))
    assert r.status_code == 403
