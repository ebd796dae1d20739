"""What the election workflow and its aftermath share: calendar-day tasks and the activity options."""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from domain.access import Role
    from domain.calendar import counts_in_days, period_end
    from domain.rules import ElectionRules
    from domain.tasks import HumanTask
    from workflows.calendar_periods import party_end
    from workflows.human_tasks import CaseWorkflow

ACTIVITY_TIMEOUT = timedelta(seconds=60)
ACTIVITY_RETRY = RetryPolicy(maximum_interval=timedelta(seconds=30))

# Patch id: the election's statutory periods as the law counts them. The dates a re-election is held
# by are tasks with cards and escalation (潍坊 Art. 40); a deadline a party must meet moves off a rest
# day (民法典 Art. 203 para. 1); the first meeting, the filing and the acting body's handover count
# from the day the committee is elected (山东 Arts. 30–31, 潍坊 Art. 44). One id, so a case takes the
# change as a whole; cases started before it keep their recorded commands.
STATUTORY_PERIODS = "election-statutory-periods"
# Patch id: a first election carries the date its preparatory group holds the assembly by (山东 Art. 22
# para. 3: within 90 days of its formation) as a task like the re-election's dates; earlier cases have none.
FIRST_ASSEMBLY_DATE = "election-first-assembly-date"

async def party_period_end(start: datetime, period: timedelta) -> datetime:
    """The end of a calendar-day period (日) a party must meet: 24:00 of its last day, moved off a rest day.

    民法典 Arts. 201, 203 (``period_end``), then para. 1 of Art. 203 in a local activity, since the
    holiday calendar is data. The local demo's minutes are added as they are and never moved.
    """
    end = period_end(start, period)
    if not counts_in_days(period):
        return end
    return (await party_end(end)).end


async def calendar_task(
    case: CaseWorkflow, rules: ElectionRules, step: str, roles: list[Role], *, decisions: list[str], period: timedelta,
    escalate_to: list[Role], note: str | None = None, start: datetime | None = None,
) -> HumanTask:
    """A task due within calendar days (日) of ``start`` (now): yellow before, red at and escalation after its due time."""
    task = await case.open_task(step, roles, decisions=decisions, escalate_to=escalate_to, note=note)
    now = workflow.now()
    if workflow.patched(STATUTORY_PERIODS):
        task.due_at = await party_period_end(start or now, period)
    else:
        task.due_at = period_end(now, period)
    task.remind_at = max(now, task.due_at - rules.remind_before)
    task.escalate_at = task.due_at + rules.escalate_after
    return task
