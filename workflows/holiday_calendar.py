"""The holiday calendar's workflows: the daily check from 1 November, the administrator's reminder, the recount.

- ``HolidayCalendarCheckWorkflow`` runs every day at 09:00 city time in November and December
  (a Temporal Schedule created at worker start, ``ensure_calendar_schedule``). While next year is
  unpublished it starts that year's reminder case, once: the case id is the year's.
- ``HolidayCalendarReminderWorkflow`` is a small registered process: one task in the
  administrator's inbox, due by 30 November, that closes when the year is published.
- ``CalendarRecountWorkflow`` runs after every publication (``PUT /calendar/{year}`` or the import
  command start it): it sends each running case whose open working-day deadlines were counted on
  an older revision of the year the ``calendar_published`` update, and tells the reminder case.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel
from temporalio import workflow
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleCalendarSpec,
    ScheduleRange,
    ScheduleSpec,
)
from temporalio.common import RetryPolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

from core.schedules import ensure_schedule

with workflow.unsafe.imports_passed_through():
    from activities.holiday_calendar import HolidayCalendarActivities, RecountReport
    from domain.access import SYSTEM_ACTOR, Role, Scope
    from domain.calendar import CITY_TZ
    from domain.cases import CaseSnapshot, CaseStatus
    from domain.holiday_calendar import (
        PROCESS_KIND,
        PROCESS_LABEL,
        STEP_LABELS,
        CalendarPublication,
        CalendarReminderFacts,
        Step,
        publish_by,
        reminder_case_id,
        reminder_note,
    )
    from domain.rules import CALENDAR, CalendarRules
    from domain.tasks import TaskStatus
    from workflows.human_tasks import CaseWorkflow

SCHEDULE_ID = "holiday-calendar-check"
CITY_TIME_ZONE = "Asia/Shanghai"
ACTIVITY_TIMEOUT = timedelta(seconds=60)
ACTIVITY_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1))
# A case may count a deadline on the old revision just before the publication commits and store it
# (its read model) just after the first pass looked: a second pass after this long catches it.
SECOND_PASS_AFTER = timedelta(minutes=10)


class CalendarReminderInput(BaseModel):
    year: int
    rules: CalendarRules = CALENDAR


@workflow.defn(name="HolidayCalendarReminder")
class HolidayCalendarReminderWorkflow(CaseWorkflow):
    """发布节假日安排: the administrator's task while ``year`` is unpublished; it closes on the publication."""

    kind = PROCESS_KIND
    kind_label = PROCESS_LABEL
    step_labels = STEP_LABELS

    @workflow.init
    def __init__(self, inp: CalendarReminderInput) -> None:
        self.init_case(case_id=reminder_case_id(inp.year), title=f"发布{inp.year}年节假日安排", scope=Scope(),
                       initiator=SYSTEM_ACTOR, first_step=Step.AWAITING_PUBLICATION)
        self._inp = inp
        self._published: CalendarPublication | None = None

    @workflow.run
    async def run(self, inp: CalendarReminderInput) -> CaseSnapshot:
        return await self.run_process(self._process)

    async def _process(self) -> None:
        year = self._inp.year
        self.enter_step(Step.AWAITING_PUBLICATION, year=year)
        task = await self.open_task(Step.AWAITING_PUBLICATION, [Role.ADMIN], decisions=[], note=reminder_note(year))
        task.due_at = publish_by(year, self._inp.rules)
        # Published between the check and this start? A publication tells only the cases running then.
        already = await workflow.execute_activity_method(
            HolidayCalendarActivities.published_year, year, start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
        )
        if already is not None and self._published is None:
            self._published = already
        await self.wait_for([task], interrupt=lambda: self._published is not None)
        published = self._published
        assert published is not None
        task.status, task.outcome, task.closed_at = TaskStatus.DONE, "calendar_published", workflow.now()
        self.finish(CaseStatus.COMPLETED, Step.PUBLISHED, f"{year}年节假日安排已发布：{published.notice}",
                    revision=published.revision, notice=published.notice)

    def on_calendar_published(self, publication: CalendarPublication) -> None:
        if publication.year == self._inp.year and self._published is None:
            self._published = publication

    def facts(self) -> CalendarReminderFacts:
        published = self._published
        return CalendarReminderFacts(year=self._inp.year, notice=published.notice if published else None,
                                     revision=published.revision if published else None)


class CalendarCheckInput(BaseModel):
    """The year to check; empty means the year after the run's city date (what the schedule sends)."""

    year: int | None = None
    rules: CalendarRules = CALENDAR


class CalendarCheckResult(BaseModel):
    year: int
    published: bool
    # The year's reminder case: started by this run, or already waiting.
    reminder_case_id: str | None = None
    raised: bool = False


@workflow.defn(name="HolidayCalendarCheck")
class HolidayCalendarCheckWorkflow:
    """While next year is unpublished, its reminder case is waiting in the administrator's inbox."""

    @workflow.run
    async def run(self, inp: CalendarCheckInput) -> CalendarCheckResult:
        year = inp.year or workflow.now().astimezone(CITY_TZ).year + 1
        published = await workflow.execute_activity_method(
            HolidayCalendarActivities.published_year, year, start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY,
        )
        if published is not None:
            return CalendarCheckResult(year=year, published=True)
        case_id = reminder_case_id(year)
        try:
            await workflow.start_child_workflow(
                HolidayCalendarReminderWorkflow.run, CalendarReminderInput(year=year, rules=inp.rules),
                id=case_id, parent_close_policy=ParentClosePolicy.ABANDON,
            )
        except WorkflowAlreadyStartedError:
            return CalendarCheckResult(year=year, published=False, reminder_case_id=case_id, raised=False)
        return CalendarCheckResult(year=year, published=False, reminder_case_id=case_id, raised=True)


class CalendarRecountResult(BaseModel):
    year: int
    revision: int
    recounted: list[str]
    skipped: list[str]
    reminder_told: bool


def recount_workflow_id(publication: CalendarPublication) -> str:
    """One recount per publication: starting it again (a retried publication) finds it started."""
    return f"calendar-recount-{publication.year}-r{publication.revision}"


@workflow.defn(name="HolidayCalendarRecount")
class CalendarRecountWorkflow:
    """Tell every running case whose working-day deadlines counted on an older revision of the year."""

    @workflow.run
    async def run(self, publication: CalendarPublication) -> CalendarRecountResult:
        passes: list[RecountReport] = []
        for pass_no in range(2):
            if pass_no:
                await workflow.sleep(SECOND_PASS_AFTER, summary="second pass: cases that stored a count after the first")
            passes.append(await workflow.execute_activity_method(
                HolidayCalendarActivities.recount_running_cases, publication,
                start_to_close_timeout=timedelta(minutes=30), heartbeat_timeout=timedelta(minutes=2), retry_policy=ACTIVITY_RETRY,
            ))
        recounted = sorted({c for p in passes for c in p.recounted})
        return CalendarRecountResult(
            year=publication.year, revision=publication.revision, recounted=recounted,
            skipped=sorted({c for p in passes for c in p.skipped} - set(recounted)),
            reminder_told=any(p.reminder_told for p in passes),
        )


def calendar_check_schedule(task_queue: str, rules: CalendarRules = CALENDAR) -> Schedule:
    """Every day from 1 November to 31 December at ``check_hour`` city time: is next year published?"""
    return Schedule(
        action=ScheduleActionStartWorkflow(
            HolidayCalendarCheckWorkflow.run, CalendarCheckInput(rules=rules), id=SCHEDULE_ID, task_queue=task_queue,
        ),
        spec=ScheduleSpec(
            calendars=[ScheduleCalendarSpec(month=[ScheduleRange(rules.check_from_month, 12)], hour=[ScheduleRange(rules.check_hour)])],
            time_zone_name=CITY_TIME_ZONE,
        ),
    )


async def ensure_calendar_schedule(client: Client, task_queue: str) -> bool:
    """Create the daily check's schedule, or bring the existing one in line; True when it was created."""
    return await ensure_schedule(client, SCHEDULE_ID, calendar_check_schedule(task_queue))
