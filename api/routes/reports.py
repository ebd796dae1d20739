"""Reports: the monthly ticket figures per street and company, read and (re)generated."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy

from api.deps import ClientDep, ReportReaderDep, ReportRunnerDep, SessionDep, SettingsDep
from api.schemas import Labelled
from db.repositories import ticket_report as report_repo
from domain.access import Actor, Level
from domain.rules import TICKET
from domain.ticket_report import DIMENSION_LABELS, MONTH_PATTERN
from workflows.ticket_report import MonthlyReportInput, TicketMonthlyReportWorkflow

router = APIRouter(prefix="/reports/tickets", tags=["reports 报表"])

MonthPath = Path(pattern=MONTH_PATTERN, examples=["2026-11"])


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


def _line(row) -> ReportLine:  # type: ignore[no-untyped-def]
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
    session: SessionDep, actor: ReportReaderDep, month: str = MonthPath,
    dimension: Annotated[str | None, Query(pattern="^(city|street|company)$")] = None, key: str | None = None,
) -> list[ReportLine]:
    rows = await report_repo.lines_of(session, month, dimension, key)
    return [_line(r) for r in rows if _visible(actor, r.dimension, r.key)]


@router.post("/monthly/{month}", response_model=list[ReportLine], summary="Run the month's report now (the schedule runs it monthly)")
async def generate(runner: ReportRunnerDep, client: ClientDep, settings: SettingsDep, month: str = MonthPath) -> list[ReportLine]:
    result = await client.execute_workflow(
        TicketMonthlyReportWorkflow.run, MonthlyReportInput(month=month), id=f"ticket-monthly-report-{month}",
        task_queue=settings.task_queue, id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )
    return [_line(line) for line in result.lines]
