"""办理时限: a ticket's handling task, due in 5 working days with its cards, and how an extension moves it.

An approved extension (申请延期, 潍坊12345条例 Art. 20 (3)) counts its working days from the old
deadline's last day; the working days come from the official calendar in an activity, so replay
never depends on calendar edits.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.cases import CaseActivities, SlaRequest, SlaTimes
    from domain.routing import Unit
    from domain.rules import TicketRules
    from domain.tasks import HumanTask
    from domain.ticket import Step
    from domain.ticket import TicketDecision as D
    from workflows.human_tasks import PROJECTION_TIMEOUT, CaseWorkflow


async def open_handling(
    case: CaseWorkflow, rules: TicketRules, lead: Unit, previous: tuple[HumanTask, int] | None,
    decisions: list[str] | None = None,
) -> HumanTask:
    """A handling task: 5 working days from now, or ``previous``'s deadline moved by that many extra working days."""
    decisions = decisions or [D.ANSWER, D.EXTEND]
    if previous is None:
        return await case.open_task(
            Step.HANDLING, [lead.role], decisions=decisions, company_id=lead.company_id,
            sla_working_days=rules.handling_working_days, remind_before=rules.yellow_card_before_working_days,
        )
    old, extra = previous
    task = await case.open_task(Step.HANDLING, [lead.role], decisions=decisions, company_id=lead.company_id)
    assert old.due_at is not None
    if extra == 0:
        task.remind_at, task.due_at, task.escalate_at = old.remind_at, old.due_at, old.escalate_at
        task.reminded_at, task.overdue_at = old.reminded_at, old.overdue_at
        return task
    times = await _extended(rules, old.due_at, extra)
    task.remind_at, task.due_at, task.escalate_at = times.remind_at, times.due_at, times.escalate_at
    case.record("step", step=Step.HANDLING, task_id=task.id, data={"extended_by": extra, "due_at": task.due_at.isoformat()})
    return task


async def extend_handling(case: CaseWorkflow, rules: TicketRules, task: HumanTask, extra: int) -> None:
    """Move an open handling task's deadline by an approved extension; its cards start afresh."""
    assert task.due_at is not None
    times = await _extended(rules, task.due_at, extra)
    task.remind_at, task.due_at, task.escalate_at = times.remind_at, times.due_at, times.escalate_at
    task.reminded_at = task.overdue_at = None
    case.record("step", step=Step.HANDLING, task_id=task.id, data={"extended_by": extra, "due_at": task.due_at.isoformat()})
    case.touch()


async def _extended(rules: TicketRules, due_at: datetime, extra: int) -> SlaTimes:
    # The extension counts from the old deadline's last day (the instant before its 24:00).
    return await workflow.execute_local_activity_method(
        CaseActivities.compute_sla,
        SlaRequest(start=due_at - timedelta(seconds=1), working_days=extra, remind_before=rules.yellow_card_before_working_days),
        start_to_close_timeout=PROJECTION_TIMEOUT,
    )
