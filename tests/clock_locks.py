"""The time-skipping test server's leaked locks, found and given back.

The test server counts locks on its clock: a workflow task or an activity in flight holds one, and
the clock skips only when none is held. When a child workflow completes after its parent has closed,
the server takes a lock to tell the parent and never gives it back. Our processes do this by design:
an election's committee term and a tender's handover are abandoned children that outlive their
parent case (the real server has no such lock). Late in a suite whose shared clock has run for
decades, such a term ends during a skip and the clock stops for good.

``give_back_leaked_locks`` finds each child that completed after its parent had closed and releases
one lock for it, once. ``tests.clock`` calls it when a skip stops moving the clock.
"""

from __future__ import annotations

from datetime import UTC, datetime

from temporalio.api.enums.v1 import WorkflowExecutionStatus
from temporalio.api.testservice.v1 import UnlockTimeSkippingRequest
from temporalio.api.workflowservice.v1 import ListClosedWorkflowExecutionsRequest
from temporalio.client import Client
from temporalio.client import WorkflowExecutionStatus as ClientStatus

# Closed runs already looked at, per client (the test session's server): each is counted once.
_EXAMINED: dict[int, set[str]] = {}


async def give_back_leaked_locks(client: Client) -> int:
    """Release one clock lock per abandoned child that completed after its parent closed; how many."""
    examined = _EXAMINED.setdefault(id(client), set())
    request = ListClosedWorkflowExecutionsRequest(namespace=client.namespace, maximum_page_size=100_000)
    request.start_time_filter.earliest_time.FromDatetime(datetime(1970, 1, 1, tzinfo=UTC))
    request.start_time_filter.latest_time.FromDatetime(datetime(2999, 1, 1, tzinfo=UTC))
    closed = await client.workflow_service.list_closed_workflow_executions(request)
    released = 0
    for execution in closed.executions:
        run_id = execution.execution.run_id
        if run_id in examined:
            continue
        examined.add(run_id)
        if execution.status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW:
            continue  # the run goes on under a new id; the parent is not told
        child = await client.get_workflow_handle(execution.execution.workflow_id, run_id=run_id).describe()
        parent = child.raw_description.workflow_execution_info.parent_execution
        if not parent.workflow_id:
            continue
        parent_run = await client.get_workflow_handle(parent.workflow_id, run_id=parent.run_id or None).describe()
        if parent_run.status == ClientStatus.RUNNING:
            continue  # the parent is there to be told: no lock was kept
        if child.close_time and parent_run.close_time and child.close_time < parent_run.close_time:
            continue
        await client.test_service.unlock_time_skipping(UnlockTimeSkippingRequest())
        released += 1
    return released
