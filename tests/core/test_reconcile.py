"""A database restore from a backup taken mid-run, then ``core.reconcile``: nothing the workflow did is lost or paid twice.

The restore is simulated on the rows the backup did not hold: the first payment (its
``fund_payments`` row and ledger lines, the balances put back), the audit entries from the backup
point on (with the stored chain head moved back, as the restored ``audit_heads`` would be), and the
case row as it stood at the backup.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update

from core.audit_anchor import check_anchored_chain
from core.reconcile import reconcile_case
from db.models import AuditEntry, AuditHead, CaseRecord, FundAccount, FundPayment, LedgerEntry
from db.repositories.fund import household_areas
from domain.fund_ledger import shares_for
from tests.clock import skip_past
from tests.factories import create_test_estate
from tests.factories_fund import FundCaseDriver
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment
from tests.tamper import tamper


async def _case_row(sessions: Sessions, case_id: str) -> dict[str, Any]:
    async with sessions() as s:
        row = (await s.execute(select(CaseRecord.__table__).where(CaseRecord.__table__.c.id == case_id))).mappings().one()
        return dict(row)


async def _restore(sessions: Sessions, case_id: str, backup_seq: int, row: dict[str, Any]) -> None:
    """Put the case back as a backup taken when its chain ended at ``backup_seq`` held it."""
    async with sessions() as s, s.begin():
        lines = (await s.execute(select(LedgerEntry.household_id, LedgerEntry.amount_fen).where(LedgerEntry.case_id == case_id))).all()
        for household_id, amount in lines:
            await s.execute(update(FundAccount).where(FundAccount.household_id == household_id)
                            .values(balance_fen=FundAccount.balance_fen - amount))
        await s.execute(delete(LedgerEntry).where(LedgerEntry.case_id == case_id))
        await s.execute(delete(FundPayment).where(FundPayment.case_id == case_id))
        await s.execute(update(CaseRecord).where(CaseRecord.id == case_id).values(**row))
        head = (await s.execute(select(AuditEntry.seq, AuditEntry.hash).where(AuditEntry.case_id == case_id, AuditEntry.seq == backup_seq))).one()
        await s.execute(update(AuditHead).where(AuditHead.chain_id == case_id).values(seq=head.seq, hash=head.hash))
    await tamper(sessions, delete(AuditEntry).where(AuditEntry.case_id == case_id, AuditEntry.seq > backup_seq))


async def _ledger(sessions: Sessions, case_id: str) -> list[tuple[str, str | None, int]]:
    async with sessions() as s:
        rows = await s.execute(select(LedgerEntry.household_id, LedgerEntry.payment_key, LedgerEntry.amount_fen)
                               .where(LedgerEntry.case_id == case_id))
        return [tuple(r) for r in rows.all()]  # type: ignore[misc]


async def _balances_are_their_ledgers(sessions: Sessions, households: list[str]) -> None:
    async with sessions() as s:
        sums = dict((await s.execute(select(LedgerEntry.household_id, func.sum(LedgerEntry.amount_fen))
                                     .where(LedgerEntry.household_id.in_(households)).group_by(LedgerEntry.household_id))).all())
        balances = dict((await s.execute(select(FundAccount.household_id, FundAccount.balance_fen)
                                         .where(FundAccount.household_id.in_(households)))).all())
    assert balances == {h: sums.get(h, 0) for h in balances}


async def test_reconcile_after_a_restore_brings_back_the_payment_and_the_audit_tail(
    api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = FundCaseDriver(api, cast)
    await drv.start()
    await drv.verify()
    await drv.decide("company", "budget_submission", "submit", {"amount_fen": 5_000_000, "contractor": "青州建安"})
    # The backup: the chain so far and the case row as they stand now.
    async with sessions() as s:
        backup_seq = int(await s.scalar(select(func.max(AuditEntry.seq)).where(AuditEntry.case_id == drv.case_id)) or 0)
    row = await _case_row(sessions, drv.case_id)
    await drv.decide("agency", "price_review", "approve", {"approved_amount_fen": 4_200_000, "reasons": "单价核减"})
    await drv.decide("bureau", "bureau_review", "approve", comment="同意")  # the first payment: 2,100,000 fen
    await drv.decide("committee", "completion_acceptance", "confirm", {"certificate": "验收单-001"})
    paid_first = await _ledger(sessions, drv.case_id)
    assert len(paid_first) == len(cast.households)

    await _restore(sessions, drv.case_id, backup_seq, row)
    async with sessions() as s:
        cut = await check_anchored_chain(s, env.client, drv.case_id)
    assert cut.broken is not None and "missing tail" in cut.broken.reason

    repair = await reconcile_case(env.client, sessions, drv.case_id)
    assert repair.error is None and repair.row_written and repair.entries_appended > 0
    assert repair.payments_reapplied == [f"{drv.case_id}:first"]
    assert sorted(await _ledger(sessions, drv.case_id)) == sorted(paid_first)
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(FundPayment).where(FundPayment.case_id == drv.case_id)) == 1
        check = await check_anchored_chain(s, env.client, drv.case_id)
    assert check.broken is None and check.workflow_events is not None and check.entries >= check.workflow_events
    await _balances_are_their_ledgers(sessions, cast.households)
    assert (await drv.case())["step"]["code"] == "completion_acceptance"
    # Run again: everything is there, nothing is written twice.
    again = await reconcile_case(env.client, sessions, drv.case_id)
    assert (again.entries_appended, again.row_written, again.payments_reapplied) == (0, False, [])

    await drv.decide("company", "completion_acceptance", "confirm", {"certificate": "验收单-001"})
    await drv.decide("company", "settlement_submission", "submit", {"amount_fen": 4_000_000, "acceptance_certificate": "验收单-001"})
    r = await drv.decide("agency", "settlement_review", "approve", {"approved_amount_fen": 4_000_000})
    await skip_past(env, datetime.fromisoformat(r.json()["facts"]["public_notice"]["end"]))
    await drv.wait_for(status="completed")

    async with sessions() as s:
        areas = await household_areas(s, cast.estate_id, "estate", None)
        check = await check_anchored_chain(s, env.client, drv.case_id)
    assert check.broken is None
    lines = await _ledger(sessions, drv.case_id)
    # Each household debited exactly its share of each payment, once.
    assert Counter((h, key) for h, key, _ in lines) == Counter({(h, k): 1 for h in cast.households for k in
                                                                (f"{drv.case_id}:first", f"{drv.case_id}:final")})
    assert {h: -sum(a for hh, _, a in lines if hh == h) for h in cast.households} == shares_for(4_000_000, areas)
    assert {h: -a for h, k, a in lines if k == f"{drv.case_id}:first"} == shares_for(2_100_000, areas)
    await _balances_are_their_ledgers(sessions, cast.households)
