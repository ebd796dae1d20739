"""Working-day deadlines of a case's tasks: counted in a local activity, counted again when a year is published.

``CaseWorkflow`` (``workflows/human_tasks.py``) inherits this. A working-day count reads the
holiday calendar, so it runs in the local activity ``compute_sla``: its result is in the history
and a replay never reads the calendar. A task keeps how its deadlines were counted
(``HumanTask.sla``: the start, the length and the revision of every year the count looked at), so:

- a deadline counted on a year nobody has published yet (Monday to Friday) says so on the task,
  the inbox and the timeline (``calendar_published: false``);
- when a year is published, the ``calendar_published`` update counts every open deadline that
  looked at an older revision of it again, in the same local activity, and puts the moved
  deadline on the timeline. The update is new code: histories recorded before it never received
  one, so it changes no command of an existing path.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.cases import CaseActivities, SlaRequest, SlaTimes
    from domain.cases import FINAL_STATUSES, CaseAck
    from domain.holiday_calendar import CalendarPublication
    from domain.tasks import HumanTask, RefusalKind, WorkingDayPeriod, recount_deadlines
    from workflows.case_state import CaseState

COUNT_TIMEOUT = timedelta(seconds=30)


class WorkingDayDeadlines(CaseState):
    """Counting a task's working-day deadlines, and counting them again on a newly published calendar."""

    async def count_deadlines(self, task: HumanTask, request: SlaRequest) -> None:
        """Give ``task`` the reminder, due and escalation times of ``request``'s working-day period."""
        times = await self._count(request)
        task.remind_at, task.due_at, task.escalate_at = times.remind_at, times.due_at, times.escalate_at
        task.sla = WorkingDayPeriod(**request.model_dump(), calendar=times.calendar)

    async def extend_deadline(self, task: HumanTask, previous: HumanTask, extra: int, *, remind_before: int = 1) -> None:
        """Give ``task`` the deadlines of ``previous`` moved by ``extra`` working days (counted from its last day).

        The count is what it always was (from the instant before the old deadline's 24:00); the
        task keeps it as one period from the first start, so a newly published calendar counts the
        whole of it again (N working days and then M more are N + M working days).
        """
        assert previous.due_at is not None
        basis = previous.sla
        times = await self._count(SlaRequest(start=previous.due_at - timedelta(seconds=1), working_days=extra, remind_before=remind_before))
        task.remind_at, task.due_at, task.escalate_at = times.remind_at, times.due_at, times.escalate_at
        if basis is not None:
            task.sla = WorkingDayPeriod(start=basis.start, working_days=basis.working_days + extra, remind_before=remind_before,
                                        calendar={**basis.calendar, **times.calendar})

    @staticmethod
    def calendar_flag(task: HumanTask) -> dict[str, Any]:
        """What the timeline says of a deadline counted on an unpublished year (nothing otherwise)."""
        if task.sla is None or task.calendar_published:
            return {}
        return {"calendar_published": False, "provisional_years": task.sla.provisional_years}

    @workflow.update
    async def calendar_published(self, publication: CalendarPublication) -> CaseAck:
        """A year of the holiday calendar was published: count the open deadlines that used an older revision again."""
        stale = [t for t in self.all_tasks() if t.is_open and t.sla is not None and t.sla.counts_on(publication.year, publication.revision)]
        for task in stale:
            assert task.sla is not None
            times = await self._count(SlaRequest.of(task.sla))
            if not task.is_open:  # decided while the count ran
                continue
            changed = recount_deadlines(task, remind_at=times.remind_at, due_at=times.due_at, escalate_at=times.escalate_at,
                                        calendar=times.calendar, now=workflow.now())
            if changed is not None:
                self.record(
                    "system", step=task.step, task_id=task.id, decision="deadline_recounted",
                    comment=f"{publication.year}年节假日安排已发布（{publication.notice}），期限按工作日重新计算",
                    data={"year": publication.year, "revision": publication.revision, "notice": publication.notice, **changed},
                )
        self.on_calendar_published(publication)
        return await self.answer()

    @calendar_published.validator
    def _validate_calendar_published(self, publication: CalendarPublication) -> None:
        # A closed case has nothing to count: refused before anything reaches its history.
        if self.status in FINAL_STATUSES:
            raise ApplicationError(f"the case is {self.status.value}", type=f"Refused.{RefusalKind.CONFLICT.value}", non_retryable=True)

    def on_calendar_published(self, publication: CalendarPublication) -> None:
        """A process that waits for a publication itself (the calendar reminder) reacts here; override."""

    async def _count(self, request: SlaRequest) -> SlaTimes:
        return await workflow.execute_local_activity_method(CaseActivities.compute_sla, request, start_to_close_timeout=COUNT_TIMEOUT)
