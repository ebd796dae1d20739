"""Activity of the monthly ticket report: count the month's tickets and write the figures."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from db.repositories import ticket as ticket_repo
from db.repositories import ticket_report as report_repo
from db.session import transaction
from domain.rules import TICKET, TicketRules
from domain.ticket_report import (
    MonthlyFigures,
    TicketFacts,
    check_report_month,
    handling_company,
    month_bounds,
    monthly_figures,
    same_month_last_year,
)


class ReportRequest(BaseModel):
    month: str
    rules: TicketRules = TICKET


class ReportResult(BaseModel):
    month: str
    lines: list[MonthlyFigures]


def _facts(rows: Iterable[Any]) -> list[TicketFacts]:
    return [
        TicketFacts(street_id=r.street_id, company_id=handling_company(r.lead_unit_kind, r.lead_unit_id),
                    created_at=r.created_at, closed_at=r.closed_at, closure=r.closure, overdue=r.overdue)
        for r in rows
    ]


class TicketReportActivities:
    """Built once by the worker with the session factory."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    @activity.defn(name="ticket_monthly_report")
    async def generate(self, request: ReportRequest) -> ReportResult:
        """Count the month (and the same month a year before) and replace the month's report lines."""
        try:
            check_report_month(request.month)
        except ValueError as exc:
            # Invalid input never becomes valid: retrying it would keep the workflow running forever.
            raise ApplicationError(str(exc), type="InvalidMonth", non_retryable=True) from None
        async with transaction(self._sessions) as session:
            current = await ticket_repo.tickets_between(session, *month_bounds(request.month))
            last_year = await ticket_repo.tickets_between(session, *month_bounds(same_month_last_year(request.month)))
            lines = monthly_figures(request.month, _facts(current), _facts(last_year), request.rules)
            await report_repo.replace_month(session, request.month, lines, datetime.now(UTC))
        return ReportResult(month=request.month, lines=lines)
