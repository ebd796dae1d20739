"""The baseline's worker (``python -m bench.bare <address> <task-queue>``) and its bare client driver."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
import uuid

from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.worker import Worker

from bench.bare_workflow import BareWorkflow, bare_activity, bare_local


async def start_case(client: Client, task_queue: str, plan: list[list[str]], prefix: str = "bare") -> tuple[str, float]:
    """Start a bare workflow together with its first update; returns its id and the call's seconds."""
    wid = f"{prefix}-{uuid.uuid4().hex[:12]}"
    op = WithStartWorkflowOperation(
        BareWorkflow.run, plan, id=wid, task_queue=task_queue, id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
    )
    t0 = time.perf_counter()
    await client.execute_update_with_start_workflow(BareWorkflow.step, 0, start_workflow_operation=op)
    return wid, time.perf_counter() - t0


async def run_case(client: Client, task_queue: str, plan: list[list[str]], latencies: list[float]) -> str:
    """Start one bare workflow and send it every further update; appends each update's seconds."""
    wid, _ = await start_case(client, task_queue, plan)
    handle = client.get_workflow_handle(wid)
    for n in range(1, len(plan)):
        t0 = time.perf_counter()
        await handle.execute_update(BareWorkflow.step, n, id=uuid.uuid4().hex)
        latencies.append(time.perf_counter() - t0)
    return wid


async def _serve(address: str, task_queue: str) -> None:
    client = await Client.connect(address)
    worker = Worker(client, task_queue=task_queue, workflows=[BareWorkflow], activities=[bare_activity, bare_local])
    await worker.run()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(sys.argv[1], sys.argv[2]))
