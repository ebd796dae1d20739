"""Payments out of the fund: a retried activity debits once; no balance ever goes negative."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy import func, select
from temporalio.testing import ActivityEnvironment

from activities.fund_emergency import FundEmergencyActivities, PaymentRequest
from db.models import FundAccount, LedgerEntry
from db.repositories import fund as fund_repo
from tests.factories import create_test_estate
from tests.fixture_types import Sessions, Settings


async def test_a_retried_payment_debits_once(sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings, buildings=1, units=1)
    acts = FundEmergencyActivities(sessions)
    request = PaymentRequest(case_id=f"case-{uuid.uuid4().hex[:6]}", kind="first", amount_fen=123_457, estate_id=cast.estate_id, scope="estate")
    env = ActivityEnvironment()
    first = await env.run(acts.pay, request)
    second = await env.run(acts.pay, request)  # what Temporal does after a lost acknowledgement
    assert first.paid and second.paid and first.amount_fen == second.amount_fen == 123_457
    async with sessions() as s:
        rows = await s.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.payment_key == request.key))
        debited = await s.scalar(select(func.sum(LedgerEntry.amount_fen)).where(LedgerEntry.payment_key == request.key))
    assert rows == len(cast.households) and debited == -123_457


async def test_one_short_account_blocks_the_whole_payment(sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings, buildings=1, units=1, floors=1, rooms=2)
    rich, poor = cast.households
    async with sessions() as s:
        before = dict((await s.execute(select(FundAccount.household_id, FundAccount.balance_fen).where(FundAccount.household_id.in_(cast.households)))).all())
    key = f"case-{uuid.uuid4().hex[:6]}:first"
    async with sessions() as s, s.begin():
        outcome = await fund_repo.pay(
            s, key=key, case_id="c", kind="first", payee=None,
            shares={rich: 1, poor: before[poor] + 1}, at=datetime.now(timezone.utc),
        )
    assert not outcome.paid and [x.household_id for x in outcome.shortfalls] == [poor]
    assert outcome.shortfalls[0].missing_fen == 1
    async with sessions() as s:
        after = dict((await s.execute(select(FundAccount.household_id, FundAccount.balance_fen).where(FundAccount.household_id.in_(cast.households)))).all())
        entries = await s.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.payment_key == key))
    assert after == before and entries == 0
