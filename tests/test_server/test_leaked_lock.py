"""A child completing after its parent closed leaks a lock in the test server; the test clock gives it back."""

from __future__ import annotations

import uuid
from datetime import timedelta

from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from tests.clock import skip_past
from tests.test_server.abandoned_child import AbandoningParent, OutlivingChild


async def test_the_clock_moves_on_after_an_abandoned_child_completes(env: WorkflowEnvironment) -> None:
    queue = f"leaked-lock-{uuid.uuid4().hex[:8]}"
    child_id = f"outliving-child-{uuid.uuid4().hex[:8]}"
    async with Worker(env.client, task_queue=queue, workflows=[AbandoningParent, OutlivingChild]):
        parent = await env.client.start_workflow(AbandoningParent.run, child_id, id=f"abandoning-{child_id}", task_queue=queue)
        await parent.result()
        start = await env.get_current_time()
        # The child completes a day on, with its parent long closed: the server keeps a lock then.
        await skip_past(env, start + timedelta(days=2))
        assert (await env.client.get_workflow_handle(child_id).describe()).status == WorkflowExecutionStatus.COMPLETED
        # And the clock still skips (without the lock given back this waited for real days).
        await skip_past(env, start + timedelta(days=30))
        assert await env.get_current_time() >= start + timedelta(days=30)
