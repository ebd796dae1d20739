"""A payment the accounts cannot cover blocks visibly, writes nothing, and resumes after top-ups."""

from __future__ import annotations

from sqlalchemy import func, select

from db.models import FundAccount, LedgerEntry
from tests.factories import create_test_estate
from tests.factories_election import owner_of
from tests.factories_fund import FundCaseDriver
from tests.fixture_types import AsyncClient, Sessions, Settings


async def test_shortfall_blocks_the_payment_until_topped_up(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    # Balances at 1% of the first deposit: a 50% first payment of a large budget cannot be covered.
    cast = await create_test_estate(sessions, settings, balance_percent=1, buildings=1, units=1, floors=2, rooms=2)
    drv = FundCaseDriver(api, cast)
    await drv.start()
    await drv.verify()
    await drv.decide("company", "budget_submission", "submit", {"amount_fen": 400_000, "contractor": "建安"})
    await drv.decide("agency", "price_review", "approve", {"approved_amount_fen": 400_000})
    r = await drv.decide("bureau", "bureau_review", "approve")
    case = r.json()
    assert case["status"]["code"] == "blocked" and case["step"]["code"] == "top_up"
    shortfalls = case["facts"]["shortfalls"]
    assert shortfalls and all(s["missing_fen"] > 0 for s in shortfalls)
    async with sessions() as s:
        debits = await s.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.case_id == drv.case_id))
        balances = dict((await s.execute(select(FundAccount.household_id, FundAccount.balance_fen).where(FundAccount.household_id.in_(cast.households)))).all())
    assert debits == 0  # nothing half-written
    inbox = await drv.inbox("committee")
    assert any(i["case_id"] == drv.case_id and i["step"]["code"] == "top_up" for i in inbox)

    # Retrying before the top-up blocks again with a new task.
    r = await drv.decide("committee", "top_up", "retry")
    assert r.json()["status"]["code"] == "blocked"

    for s in shortfalls:
        r = await api.post(f"/households/{s['household_id']}/fund/deposits", json={"amount_fen": s["missing_fen"] + 10_000, "reason": "续交"},
                           headers=cast.headers("bureau", key=f"top-up-{s['household_id']}"))
        assert r.status_code == 201, r.text
    r = await api.post(f"/households/{cast.households[0]}/fund/deposits", json={"amount_fen": 1}, headers=cast.headers("committee"))
    assert r.status_code == 403
    r = await drv.decide("committee", "top_up", "retry")
    case = r.json()
    assert case["status"]["code"] == "active" and case["step"]["code"] == "completion_acceptance"
    assert case["facts"]["first_payment_fen"] == 200_000
    async with sessions() as s:
        after = dict((await s.execute(select(FundAccount.household_id, FundAccount.balance_fen).where(FundAccount.household_id.in_(cast.households)))).all())
        due = (await s.scalars(select(FundAccount.top_up_period_days).where(FundAccount.household_id.in_(cast.households)))).all()
    assert all(v >= 0 for v in after.values())
    topped = sum(s["missing_fen"] + 10_000 for s in shortfalls)
    assert sum(balances.values()) + topped - sum(after.values()) == 200_000
    # Accounts left below 30% of their first deposit owe a top-up within 30 days of the notice (潍坊 Art. 66).
    assert 30 in due

    # The unit's owner of record reads its ledger (a unit without a record is its own owner).
    account = (await api.get(f"/households/{cast.households[0]}/fund", headers=cast.headers(owner_of(cast, cast.households[0])))).json()
    kinds = [line["kind"] for line in account["ledger"]]
    assert kinds[0] == "deposit" and "debit" in kinds
