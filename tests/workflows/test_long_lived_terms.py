"""A committee term timer keeps up with the code: a timer started under the old code finishes under the
new one, and a new timer continues as new every month, so no run outlives a month of code changes."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from temporalio.client import Client, WorkflowHistory
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from core.registry import activities, workflow_types
from core.replay import verify_histories
from core.settings import Settings
from domain.election_checks import reelection_starts_at
from tests.clock import wait_until
from tests.fixture_types import Sessions
from tests.golden_recorder import keep_golden
from tests.term_workflow_before import CommitteeTermBeforeCheckpoints
from workflows.election_term import CommitteeTermInput, CommitteeTermWorkflow


def term_input(now: datetime, days: int) -> CommitteeTermInput:
    # An estate with no registered committee: the timer fires, finds no term to claim and ends.
    return CommitteeTermInput(estate_id=f"e-term-{uuid.uuid4().hex[:6]}", term_end=now + timedelta(days=days))


async def runs_of(client: Client, workflow_id: str, first_run_id: str) -> list[WorkflowHistory]:
    """Every run of a workflow that continued as new, first to last."""
    histories, run_id = [], first_run_id
    while run_id:
        history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        histories.append(history)
        last = history.events[-1]
        run_id = (last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id
                  if last.HasField("workflow_execution_continued_as_new_event_attributes") else "")
    return histories


async def test_a_term_timer_started_under_the_old_code_finishes_under_the_new(env: WorkflowEnvironment, sessions: Sessions) -> None:
    queue = f"term-{uuid.uuid4().hex[:6]}"
    inp = term_input(await env.get_current_time(), days=400)  # fires in 310 days, far past a checkpoint
    workflow_id = f"committee-term-{inp.estate_id}"
    # No workflow cache: the next task goes to the task queue, not to this worker's sticky queue.
    async with Worker(env.client, task_queue=queue, workflows=[CommitteeTermBeforeCheckpoints], activities=activities(sessions),
                      max_cached_workflows=0):
        handle = await env.client.start_workflow(CommitteeTermBeforeCheckpoints.run, inp, id=workflow_id, task_queue=queue)

        async def sleeping():
            history = await handle.fetch_history()
            return any(e.HasField("timer_started_event_attributes") for e in history.events)

        await wait_until(sleeping)
    # A deployment: the old worker is gone, the current code picks the timer up when it fires.
    async with Worker(env.client, task_queue=queue, workflows=workflow_types(), activities=activities(sessions)):
        result = await handle.result()  # the start's handle: waiting on it lets the test server skip time
    assert result.case_id is None and result.fired_at >= inp.term_end - inp.rules.reelection_lead

    history = await handle.fetch_history()
    assert history.events[-1].HasField("workflow_execution_completed_event_attributes")
    timers = [e for e in history.events if e.HasField("timer_started_event_attributes")]
    assert len(timers) == 1  # the old run kept its one long timer: no checkpoint was forced on it
    # The recorded history replays on the current code (and still on the old).
    reports = [r async for r in verify_histories([history])]
    assert reports[0].consistent, reports[0].error
    old = [r async for r in verify_histories([history], workflows=[CommitteeTermBeforeCheckpoints])]
    assert old[0].consistent


async def test_a_new_term_timer_continues_as_new_every_month_until_it_fires(env: WorkflowEnvironment, worker: None, settings: Settings) -> None:
    # The re-election starts 150 days before the term ends (reelection_starts_at): it fires in
    # 110 days, after three 30-day checkpoints and in the fourth run.
    inp = term_input(await env.get_current_time(), days=260)
    workflow_id = f"committee-term-{inp.estate_id}"
    handle = await env.client.start_workflow(CommitteeTermWorkflow.run, inp, id=workflow_id, task_queue=settings.task_queue)
    result = await handle.result()
    assert result.fired_at >= reelection_starts_at(inp.term_end, inp.rules)

    assert handle.first_execution_run_id is not None
    histories = await runs_of(env.client, workflow_id, handle.first_execution_run_id)
    assert len(histories) == 4
    assert all(len(h.events) <= 20 for h in histories)  # each run stays a handful of events
    assert histories[-1].events[-1].HasField("workflow_execution_completed_event_attributes")
    reports = [r async for r in verify_histories(histories)]
    assert all(r.consistent for r in reports), [r.error for r in reports]
    await keep_golden(env.client, workflow_id, "committee-term-checkpoint", run_id=handle.first_execution_run_id)
