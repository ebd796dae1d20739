"""Payments out of the fund: a retried activity debits once; no balance ever goes negative."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from temporalio.testing import ActivityEnvironment

from activities.fund_emergency import FundEmergencyActivities, PaymentRequest
from db.models import FundAccount, LedgerEntry
from db.repositories import fund as fund_repo
from domain.rules import FUND_EMERGENCY
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
            shares={rich: 1, poor: before[poor] + 1}, at=datetime.now(UTC), rules=FUND_EMERGENCY,
        )
    assert not outcome.paid and [x.household_id for x in outcome.shortfalls] == [poor]
    assert outcome.shortfalls[0].missing_fen == 1
    async with sessions() as s:
        after = dict((await s.execute(select(FundAccount.household_id, FundAccount.balance_fen).where(FundAccount.household_id.in_(cast.households)))).all())
        entries = await s.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.payment_key == key))
    assert after == before and entries == 0


async def test_a_top_up_falls_due_under_the_rules_the_case_carries(sessions: Sessions, settings: Settings) -> None:
    """潍坊 Art. 66 as the case started under it: its threshold and its period, whatever today's rules say."""
    cast = await create_test_estate(sessions, settings, buildings=1, units=1, floors=1, rooms=2)
    first, second = cast.households
    async with sessions() as s:
        accounts = {a.household_id: a for a in (await s.scalars(select(FundAccount).where(FundAccount.household_id.in_(cast.households)))).all()}
    # The case's rules: a top-up below 50% of the first deposit, due within 20 days (today's: 30% and 30 days).
    rules = FUND_EMERGENCY.model_copy(update={"top_up_threshold_percent": 50, "top_up_period": timedelta(days=20)})
    a, b = accounts[first], accounts[second]
    # After the payment ``first`` holds exactly half its first deposit (not below: no top-up), ``second`` one fen less.
    shares = {first: a.balance_fen - a.initial_deposit_fen // 2, second: b.balance_fen - b.initial_deposit_fen // 2 + 1}
    assert a.initial_deposit_fen % 2 == 0 and b.initial_deposit_fen % 2 == 0
    at = datetime.now(UTC)
    async with sessions() as s, s.begin():
        outcome = await fund_repo.pay(s, key=f"case-{uuid.uuid4().hex[:6]}:first", case_id="c", kind="first", payee=None,
                                      shares=shares, at=at, rules=rules)
    assert outcome.paid and outcome.top_ups_due == [second]
    async with sessions() as s:
        due = {h: (await s.get(FundAccount, h)).top_up_due_at for h in cast.households}  # type: ignore[union-attr]
    # Owed under the case's 20 days, counted from the committee's notice (潍坊 Art. 66), not from the debit.
    async with sessions() as s:
        periods = {h: (await s.get(FundAccount, h)).top_up_period_days for h in cast.households}  # type: ignore[union-attr]
    assert due == {first: None, second: None} and periods == {first: None, second: 20}
