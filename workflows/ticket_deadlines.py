"""办理时限: a ticket's handling task, due in 5 working days with its cards, and how an extension moves it.

An approved extension (申请延期, 潍坊12345条例 Art. 20 (3)) counts its working days from the old
deadline's last day; the working days come from the published calendar in an activity, so replay
never depends on a publication (``CaseWorkflow.extend_deadline``: the task keeps the whole count,
so a newly published year counts it again).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.routing import Unit
    from domain.rules import TicketRules
    from domain.tasks import HumanTask
    from domain.ticket import Step
    from domain.ticket import TicketDecision as D
    from workflows.human_tasks import CaseWorkflow

# Patch id: a ticket deemed accepted (视为签收) when its return window ends at 24:00 counts its handling
# days from the window's last day, the day the acceptance happened (民法典 Arts. 201, 203); before, from
# the day after that midnight instant, one working day more.
DEEMED_ACCEPTANCE_DAY = "ticket-deemed-acceptance-counts-from-its-day"


def deemed_acceptance_start(window_end: datetime) -> datetime | None:
    """Where the handling days of a ticket deemed accepted at ``window_end`` count from (None: from now, as recorded)."""
    if workflow.patched(DEEMED_ACCEPTANCE_DAY):
        return window_end - timedelta(microseconds=1)  # the instant before its 24:00: still the window's last day
    return None


async def open_handling(
    case: CaseWorkflow, rules: TicketRules, lead: Unit, previous: tuple[HumanTask, int] | None,
    decisions: list[str] | None = None, start: datetime | None = None,
) -> HumanTask:
    """A handling task: 5 working days from now (or ``start``), or ``previous``'s deadline moved by that many extra working days."""
    decisions = decisions or [D.ANSWER, D.EXTEND]
    if previous is None:
        return await case.open_task(
            Step.HANDLING, [lead.role], decisions=decisions, company_id=lead.company_id,
            sla_working_days=rules.handling_working_days, remind_before=rules.yellow_card_before_working_days, sla_start=start,
        )
    old, extra = previous
    task = await case.open_task(Step.HANDLING, [lead.role], decisions=decisions, company_id=lead.company_id)
    assert old.due_at is not None
    if extra == 0:
        task.remind_at, task.due_at, task.escalate_at = old.remind_at, old.due_at, old.escalate_at
        task.reminded_at, task.overdue_at = old.reminded_at, old.overdue_at
        task.sla = old.sla
        return task
    # The extension counts from the old deadline's last day (the instant before its 24:00).
    await case.extend_deadline(task, old, extra, remind_before=rules.yellow_card_before_working_days)
    assert task.due_at is not None
    case.record("step", step=Step.HANDLING, task_id=task.id,
                data={"extended_by": extra, "due_at": task.due_at.isoformat(), **case.calendar_flag(task)})
    return task


async def extend_handling(case: CaseWorkflow, rules: TicketRules, task: HumanTask, extra: int) -> None:
    """Move an open handling task's deadline by an approved extension; its cards start afresh."""
    assert task.due_at is not None
    # The extension counts from the old deadline's last day (the instant before its 24:00).
    await case.extend_deadline(task, task, extra, remind_before=rules.yellow_card_before_working_days)
    assert task.due_at is not None
    task.reminded_at = task.overdue_at = None
    case.record("step", step=Step.HANDLING, task_id=task.id,
                data={"extended_by": extra, "due_at": task.due_at.isoformat(), **case.calendar_flag(task)})
    case.touch()


Waiter = Callable[[list[HumanTask], datetime | None, Callable[[], bool] | None], Awaitable[HumanTask | None]]


async def wait_until_due(wait: Waiter, task: HumanTask) -> HumanTask | None:
    """Wait (with the ticket's ``wait``) for ``task`` until its due time, the one a calendar publication may
    recount meanwhile (None: it passed)."""
    while True:
        due = task.due_at

        def recounted(due: datetime | None = due) -> bool:
            return task.due_at != due

        done = await wait([task], due, recounted)
        if done is not None or task.due_at == due:
            return done
