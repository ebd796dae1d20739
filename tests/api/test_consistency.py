"""The auditors' consistency check: the audit log and the read model against the case's history."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from sqlalchemy import update

from core.audit_cli import parser, run_consistency
from db.models import CaseRecord
from db.repositories import audit as audit_repo
from domain.audit import CORRECTION, AuditEvent
from tests.api.test_audit import auditor_headers
from tests.factories import create_test_estate
from tests.factories_fund import FundCaseDriver
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment


async def _report(api: AsyncClient, settings: Settings, case_id: str) -> dict[str, Any]:
    r = await api.get(f"/audit/cases/{case_id}/consistency", headers=auditor_headers(settings))
    assert r.status_code == 200, r.text
    report: dict[str, Any] = r.json()
    return report


async def test_a_case_run_through_the_api_is_consistent_with_its_history(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = FundCaseDriver(api, cast)
    await drv.start()
    await drv.through_approval()
    await drv.decide("bureau", "completion_acceptance", "confirm", expect=403)  # a refused attempt: logged, never in the history
    report = await _report(api, settings, drv.case_id)
    assert report["consistent"] is True and report["issues"] == [] and report["error"] is None
    assert report["accepted_updates"] == 1 + 3 + 3  # ready, the three signatures, budget, price review, bureau
    assert report["refused_attempts"] == 1 and report["withdrawn"] == report["corrections"] == 0
    assert report["workflow_entries"] == report["entries"] - 1
    assert report["read_model_version"] == report["history_version"]
    # Auditors only.
    assert (await api.get(f"/audit/cases/{drv.case_id}/consistency", headers=cast.headers("bureau"))).status_code == 403


async def test_an_entry_no_task_completed_and_a_decision_without_its_entry_are_reported(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = FundCaseDriver(api, cast)
    await drv.start()
    await drv.verify()
    async with sessions() as s:
        entries = await audit_repo.stored_entries(s, drv.case_id)
    last = entries[-1]
    company = next(e for e in entries if e.event.decision == "confirm" and e.event.update_id)
    # What a task that failed after its projection leaves behind, and a correction that took a
    # decision the history holds: both must show.
    phantom = AuditEvent(key=f"{drv.case_id}:{int(last.key.rsplit(':', 1)[-1]) + 1}", at=last.event.at + timedelta(seconds=1),
                         kind="decision", step="budget_submission", task_id="t2", actor_subject="company-x", decision="submit")
    wrong = AuditEvent(key=f"{drv.case_id}:{CORRECTION}:x", at=last.event.at, kind=CORRECTION, actor_subject="system",
                       data={"withdrawn": [company.seq]})
    async with sessions() as s, s.begin():
        await audit_repo.append_events(s, drv.case_id, [phantom, wrong], maybe_stored=False)
        await s.execute(update(CaseRecord).where(CaseRecord.id == drv.case_id).values(step="price_review"))
    report = await _report(api, settings, drv.case_id)
    assert report["consistent"] is False
    kinds = {(i["kind"], i["update_id"]) for i in report["issues"]}
    assert ("entry-without-history", None) in kinds
    assert ("decision-without-entry", company.event.update_id) in kinds
    assert any(i["kind"] == "read-model" for i in report["issues"])
    # The command line reports the same and exits 1.
    out = io.StringIO()
    assert await run_consistency(parser().parse_args(["consistency", "--estate", cast.estate_id]), out, client=env.client) == 1
    assert "0 consistent, 1 inconsistent" in out.getvalue() and "decision-without-entry" in out.getvalue()


async def test_the_command_line_checks_a_filter_of_cases(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    for _ in range(2):
        drv = FundCaseDriver(api, cast)
        await drv.start()
        await drv.verify()
    out = io.StringIO()
    assert await run_consistency(parser().parse_args(["consistency", "--estate", cast.estate_id]), out, client=env.client) == 0
    assert "checked 2 cases against their histories: 2 consistent, 0 inconsistent" in out.getvalue()


async def test_a_case_whose_history_temporal_no_longer_holds_is_gone(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = FundCaseDriver(api, cast)
    await drv.start()
    async with sessions() as s, s.begin():  # the same case under an id Temporal never ran (as after its retention)
        record = await s.get(CaseRecord, drv.case_id)
        assert record is not None
        await s.execute(update(CaseRecord).where(CaseRecord.id == drv.case_id).values(id=f"{drv.case_id}-gone"))
    r = await api.get(f"/audit/cases/{drv.case_id}-gone/consistency", headers=auditor_headers(settings))
    assert r.status_code == 410 and r.headers["content-type"].startswith("application/problem+json")
