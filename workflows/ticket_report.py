"""The monthly ticket report as a scheduled workflow: each run writes one month's figures.

The seed asks for a monthly analysis of complaint handling per company (附件3 item 10). A Temporal
Schedule starts this workflow on the configured day and hour (city time) for the month before;
``ensure_report_schedule`` creates that schedule once, at worker start.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, Field
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

from core.schedules import ensure_schedule

with workflow.unsafe.imports_passed_through():
    from activities.ticket_report import ReportRequest, ReportResult, TicketReportActivities
    from domain.rules import TICKET, TicketRules
    from domain.ticket_report import MONTH_PATTERN, previous_month

SCHEDULE_ID = "ticket-monthly-report"
CITY_TIME_ZONE = "Asia/Shanghai"


class MonthlyReportInput(BaseModel):
    """Which month to report; empty means the month before the run (what the schedule sends)."""

    month: str | None = Field(default=None, pattern=MONTH_PATTERN)
    rules: TicketRules = TICKET


@workflow.defn(name="TicketMonthlyReport")
class TicketMonthlyReportWorkflow:
    """Count one month's tickets per street and company and write the figures to the database."""

    @workflow.run
    async def run(self, inp: MonthlyReportInput) -> ReportResult:
        month = inp.month or previous_month(workflow.now())
        return await workflow.execute_activity_method(
            TicketReportActivities.generate, ReportRequest(month=month, rules=inp.rules),
            start_to_close_timeout=timedelta(minutes=5), retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=1)),
        )


def report_schedule(task_queue: str, rules: TicketRules = TICKET) -> Schedule:
    """The schedule: on ``report_day_of_month`` at ``report_hour`` city time, report the month before."""
    return Schedule(
        action=ScheduleActionStartWorkflow(
            TicketMonthlyReportWorkflow.run, MonthlyReportInput(rules=rules), id=SCHEDULE_ID, task_queue=task_queue,
        ),
        spec=ScheduleSpec(
            calendars=[ScheduleCalendarSpec(
                day_of_month=[ScheduleRange(rules.report_day_of_month)], hour=[ScheduleRange(rules.report_hour)],
            )],
            time_zone_name=CITY_TIME_ZONE,
        ),
    )


async def ensure_report_schedule(client: Client, task_queue: str) -> bool:
    """Create the monthly schedule, or bring the existing one in line; True when it was created."""
    return await ensure_schedule(client, SCHEDULE_ID, report_schedule(task_queue))
