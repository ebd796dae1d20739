"""The audit log's hash chain detects a changed entry at the entry that was changed."""

from __future__ import annotations

from sqlalchemy import update

from db.models import AuditEntry
from db.repositories import audit as audit_repo
from tests.factories import create_test_estate
from tests.factories_fund import FundCaseDriver
from tests.fixture_types import AsyncClient, Sessions, Settings


async def test_a_tampered_entry_breaks_the_chain_there(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    drv = FundCaseDriver(api, await create_test_estate(sessions, settings))
    await drv.start()
    await drv.verify()
    await drv.decide("company", "budget_submission", "submit", {"amount_fen": 800_000, "contractor": "建安"})
    async with sessions() as s:
        count, broken = await audit_repo.check_chain(s, drv.case_id)
        entries = await audit_repo.timeline(s, drv.case_id)
    assert count >= 8 and broken is None
    budget = next(e for e in entries if e.decision == "submit")

    async with sessions() as s, s.begin():
        await s.execute(update(AuditEntry).where(AuditEntry.id == budget.id).values(data={"amount_fen": 80_000, "contractor": "建安"}))
    async with sessions() as s:
        _, broken = await audit_repo.check_chain(s, drv.case_id)
    assert broken is not None and broken.seq == budget.seq and "content" in broken.reason

    async with sessions() as s, s.begin():
        await s.execute(update(AuditEntry).where(AuditEntry.id == budget.id).values(data=budget.data))
        await s.execute(update(AuditEntry).where(AuditEntry.case_id == drv.case_id, AuditEntry.seq == 2).values(hash="f" * 64))
    async with sessions() as s:
        _, broken = await audit_repo.check_chain(s, drv.case_id)
    assert broken is not None and broken.seq == 2
