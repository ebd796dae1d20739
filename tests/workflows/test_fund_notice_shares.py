"""The public notice's shares are those published: frozen when the notice starts, paid as published.

淄博 Art. 67: the notice shows each household's apportionment; owners object to what they read. A
registry change during the notice (an area corrected) must not change what the notice says nor what
the final payment debits; a new notice (after an upheld objection) publishes the shares of its day.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select, update

from db.models import FundAccount, Household
from tests.clock import skip_past
from tests.factories import create_test_estate
from tests.factories_fund import FundCaseDriver
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment


async def test_the_notice_keeps_the_shares_it_published(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    async with sessions() as s:
        before = dict((await s.execute(select(FundAccount.household_id, FundAccount.balance_fen).where(FundAccount.household_id.in_(cast.households)))).all())
    drv = FundCaseDriver(api, cast)
    await drv.start()
    await drv.through_approval()
    await drv.decide("committee", "completion_acceptance", "confirm")
    await drv.decide("company", "completion_acceptance", "confirm")
    await drv.decide("company", "settlement_submission", "submit", {"amount_fen": 4_000_000, "acceptance_certificate": "YS-1"})
    r = await drv.decide("agency", "settlement_review", "approve", {"approved_amount_fen": 4_000_000})
    assert r.json()["step"]["code"] == "public_notice"
    published = (await api.get(f"/cases/fund-emergency/{drv.case_id}/notice", headers=cast.headers("owner"))).json()
    shares = {x["household_id"]: x["share_fen"] for x in published["shares"]}
    assert sum(shares.values()) == 4_000_000

    # The registry corrects one unit's area during the notice: doubling it would double its share.
    corrected = cast.households[0]
    async with sessions() as s, s.begin():
        area = (await s.get(Household, corrected)).area_m2  # type: ignore[union-attr]
        await s.execute(update(Household).where(Household.id == corrected).values(area_m2=area * Decimal(2)))
    again = (await api.get(f"/cases/fund-emergency/{drv.case_id}/notice", headers=cast.headers("owner"))).json()
    assert {x["household_id"]: x["share_fen"] for x in again["shares"]} == shares
    assert again["frozen"] is True

    await skip_past(env, datetime.fromisoformat(published["end"]))
    await drv.wait_for(status="completed")
    async with sessions() as s:
        after = dict((await s.execute(select(FundAccount.household_id, FundAccount.balance_fen).where(FundAccount.household_id.in_(cast.households)))).all())
    # Across both payments each household paid exactly the share the notice published.
    assert {h: before[h] - after[h] for h in before} == shares
