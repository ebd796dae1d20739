"""The audit log's hash chain detects a changed entry at the entry that was changed, and a cut tail
at its first missing entry; the log itself refuses UPDATE and DELETE."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import DBAPIError

from core.audit_cli import parser, run_verify_log
from db.models import AuditEntry, AuditHead
from db.repositories import audit as audit_repo
from tests.api.test_audit import auditor_headers
from tests.factories import create_test_estate
from tests.factories_fund import FundCaseDriver
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment
from tests.tamper import tamper


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

    await tamper(sessions, update(AuditEntry).where(AuditEntry.id == budget.id).values(data={"amount_fen": 80_000, "contractor": "建安"}))
    async with sessions() as s:
        _, broken = await audit_repo.check_chain(s, drv.case_id)
    assert broken is not None and broken.seq == budget.seq and "content" in broken.reason

    await tamper(
        sessions, update(AuditEntry).where(AuditEntry.id == budget.id).values(data=budget.data),
        update(AuditEntry).where(AuditEntry.case_id == drv.case_id, AuditEntry.seq == 2).values(hash="f" * 64),
    )
    async with sessions() as s:
        _, broken = await audit_repo.check_chain(s, drv.case_id)
    assert broken is not None and broken.seq == 2


async def test_a_cut_tail_is_reported_with_its_first_missing_entry(
    api: AsyncClient, sessions: Sessions, settings: Settings, env: WorkflowEnvironment,
) -> None:
    drv = FundCaseDriver(api, await create_test_estate(sessions, settings))
    await drv.start()
    await drv.verify()
    url = f"/audit/cases/{drv.case_id}/audit-log/verify"
    report = (await api.get(url, headers=auditor_headers(settings))).json()
    assert report["intact"] and report["workflow_events"] == report["entries"] >= 8
    count = report["entries"]

    # The newest two entries deleted: the anchored head still says where the chain ended.
    await tamper(sessions, delete(AuditEntry).where(AuditEntry.case_id == drv.case_id, AuditEntry.seq > count - 2))
    async with sessions() as s:
        stored, broken = await audit_repo.check_chain(s, drv.case_id)
    assert stored == count - 2
    assert broken is not None and broken.seq == count - 1 and "missing tail" in broken.reason
    report = (await api.get(url, headers=auditor_headers(settings))).json()
    assert not report["intact"] and report["first_broken_seq"] == count - 1 and "missing tail" in report["reason"]

    # The head moved back with the cut: the workflow still knows how many entries it projected.
    async with sessions() as s, s.begin():
        last = (await audit_repo.timeline(s, drv.case_id))[-1]
        await s.execute(update(AuditHead).where(AuditHead.chain_id == drv.case_id).values(seq=last.seq, hash=last.hash))
    report = (await api.get(url, headers=auditor_headers(settings))).json()
    assert not report["intact"] and report["first_broken_seq"] == count - 1 and report["workflow_events"] == count
    assert "missing tail" in report["reason"]
    out = io.StringIO()
    assert await run_verify_log(parser().parse_args(["verify-log", "--key", drv.case_id]), out, client=env.client) == 1
    assert f"BROKEN {drv.case_id} at entry {count - 1}: missing tail" in out.getvalue()

    # The case goes on: later entries follow the missing ones, so the gap stays where it was.
    await drv.decide("company", "budget_submission", "submit", {"amount_fen": 800_000, "contractor": "建安"})
    report = (await api.get(url, headers=auditor_headers(settings))).json()
    assert not report["intact"] and report["first_broken_seq"] == count - 1


async def test_the_audit_log_refuses_update_and_delete(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    drv = FundCaseDriver(api, await create_test_estate(sessions, settings))
    await drv.start()
    for statement in (
        update(AuditEntry).where(AuditEntry.case_id == drv.case_id, AuditEntry.seq == 1).values(comment="改过"),
        delete(AuditEntry).where(AuditEntry.case_id == drv.case_id, AuditEntry.seq == 1),
    ):
        async with sessions() as s:
            with pytest.raises(DBAPIError, match="append-only"):
                await s.execute(statement)
            await s.rollback()
    async with sessions() as s:
        count, broken = await audit_repo.check_chain(s, drv.case_id)
    assert count >= 1 and broken is None
