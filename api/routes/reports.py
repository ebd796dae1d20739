"""Reports: the monthly ticket figures per street and company, read and (re)generated."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel
from temporalio.client import WorkflowFailureError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from api.deps import ClientDep, ReportReaderDep, ReportRunnerDep, SessionDep, SettingsDep
from api.errors import Invalid, Unavailable
from api.schemas import Labelled
from db.repositories import ticket_report as report_repo
from domain.access import Actor, Level
from domain.rules import TICKET
from domain.ticket_report import DIMENSION_LABELS, FIRST_REPORT_MONTH, LAST_REPORT_MONTH, MONTH_PATTERN, check_report_month
from workflows.ticket_report import MonthlyReportInput, TicketMonthlyReportWorkflow

router = APIRouter(prefix="/reports/tickets", tags=["reports 报表"])

MonthPath = Path(pattern=MONTH_PATTERN, examples=["2026-11"], description=f"YYYY-MM, from {FIRST_REPORT_MONTH} to {LAST_REPORT_MONTH}")


def report_month(month: Annotated[str, MonthPath]) -> str:
    """A real month within the report's range (``FIRST_REPORT_MONTH`` to ``LAST_REPORT_MONTH``); 422 otherwise."""
    try:
        check_report_month(month)
    except ValueError as exc:
        raise Invalid(f"报表月份无效: {exc}", errors=[{"loc": ["path", "month"], "msg": str(exc), "type": "value_error"}]) from None
    return month


ReportMonth = Annotated[str, Depends(report_month)]


class ReportLine(BaseModel):
    month: str
    dimension: Labelled
    key: str
    intake: int
    closed: int
    overdue: int
    satisfied: int
    avg_handling_hours: float | None
    satisfaction_percent: float | None
    intake_last_year: int
    yoy_change_percent: float | None
    yoy_target_percent: int
    yoy_target_met: bool | None
    generated_at: datetime | None = None


def _visible(actor: Actor, dimension: str, key: str) -> bool:
    j = actor.jurisdiction
    if j.level == Level.CITY:
        return True
    if j.level == Level.STREET:
        return dimension == "street" and key == j.id
    if j.level == Level.COMPANY:
        return dimension == "company" and key == j.id
    return False


def _line(row: Any) -> ReportLine:
    return ReportLine(
        month=row.month, dimension=Labelled(code=row.dimension, label=DIMENSION_LABELS[row.dimension]), key=row.key,
        intake=row.intake, closed=row.closed, overdue=row.overdue, satisfied=row.satisfied,
        avg_handling_hours=round(row.avg_handling_seconds / 3600, 1) if row.avg_handling_seconds is not None else None,
        satisfaction_percent=row.satisfaction_percent, intake_last_year=row.intake_last_year,
        yoy_change_percent=row.yoy_change_percent, yoy_target_percent=TICKET.yoy_target_percent,
        yoy_target_met=row.yoy_target_met, generated_at=getattr(row, "generated_at", None),
    )


@router.get("/monthly/{month}", response_model=list[ReportLine], summary="A month's figures: city, per street, per company")
async def monthly(
    session: SessionDep, actor: ReportReaderDep, month: ReportMonth,
    dimension: Annotated[str | None, Query(pattern="^(city|street|company)$")] = None, key: str | None = None,
) -> list[ReportLine]:
    rows = await report_repo.lines_of(session, month, dimension, key)
    return [_line(r) for r in rows if _visible(actor, r.dimension, r.key)]


@router.post("/monthly/{month}", response_model=list[ReportLine], summary="Run the month's report now (the schedule runs it monthly)")
async def generate(runner: ReportRunnerDep, client: ClientDep, settings: SettingsDep, month: ReportMonth) -> list[ReportLine]:
    try:
        # The run's own timeout bounds the request: a report that cannot finish fails instead of hanging.
        result = await client.execute_workflow(
            TicketMonthlyReportWorkflow.run, MonthlyReportInput(month=month), id=f"ticket-monthly-report-{month}",
            task_queue=settings.task_queue, id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            execution_timeout=timedelta(seconds=settings.report_timeout_seconds),
        )
    except WorkflowFailureError as exc:
        cause: BaseException | None = exc.cause
        while cause is not None and not isinstance(cause, ApplicationError):
            cause = cause.__cause__
        if isinstance(cause, ApplicationError) and cause.non_retryable:
            raise Invalid(f"报表无法生成: {cause.message}") from None
        raise Unavailable(f"报表未能在 {settings.report_timeout_seconds} 秒内生成，请稍后重试") from None
    except RPCError as exc:
        raise Unavailable(f"the workflow engine did not answer: {exc.message}") from None
    return [_line(line) for line in result.lines]
