"""What the election workflow and its aftermath share: calendar-day tasks and the activity options."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from domain.access import Role
    from domain.calendar import period_end
    from domain.rules import ElectionRules
    from domain.tasks import HumanTask
    from workflows.human_tasks import CaseWorkflow

ACTIVITY_TIMEOUT = timedelta(seconds=60)
ACTIVITY_RETRY = RetryPolicy(maximum_interval=timedelta(seconds=30))


async def calendar_task(
    case: CaseWorkflow, rules: ElectionRules, step: str, roles: list[Role], *, decisions: list[str], period: timedelta,
    escalate_to: list[Role], note: str | None = None,
) -> HumanTask:
    """A task due within calendar days (日): yellow before, red at and escalation after its due time."""
    task = await case.open_task(step, roles, decisions=decisions, escalate_to=escalate_to, note=note)
    now = workflow.now()
    task.due_at = period_end(now, period)
    task.remind_at = max(now, task.due_at - rules.remind_before)
    task.escalate_at = task.due_at + rules.escalate_after
    return task
