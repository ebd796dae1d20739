"""Activities of the holiday calendar: is a year published, and tell the running cases that counted on it."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from db.repositories import holiday_calendar as calendar_repo
from domain.cases import CaseAck
from domain.holiday_calendar import CalendarPublication, reminder_case_id

# Updates in flight at once: a publication touches every running case with a deadline in the year.
RECOUNT_CONCURRENCY = 8


class RecountReport(BaseModel):
    """What one pass over the running cases did."""

    recounted: list[str] = Field(default_factory=list)
    # Closed or gone meanwhile (the update was refused or found no running workflow).
    skipped: list[str] = Field(default_factory=list)
    # Whether the year's reminder case was waiting (it closes on the publication).
    reminder_told: bool = False


def recount_update_id(publication: CalendarPublication) -> str:
    """One id per publication: a retried activity sends the same update, which a case applies once."""
    return f"calendar-{publication.year}-r{publication.revision}"


class HolidayCalendarActivities:
    """Built once by the worker with the session factory; it reaches Temporal through ``activity.client()``."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    @activity.defn(name="published_calendar_year")
    async def published_year(self, year: int) -> CalendarPublication | None:
        """``year``'s current publication; None while it is unpublished."""
        async with self._sessions() as session:
            published = await calendar_repo.year_of(session, year)
        return published.publication() if published is not None else None

    @activity.defn(name="recount_running_cases")
    async def recount_running_cases(self, publication: CalendarPublication) -> RecountReport:
        """Send ``calendar_published`` to every running case whose open deadlines counted on an older revision.

        The year's reminder case, if one is waiting, is told too. Progress is heartbeated; a retry
        repeats the sends under the same update id, which each case answers from its first time.
        """
        async with self._sessions() as session:
            case_ids = await calendar_repo.cases_counting_on(session, publication)
        client = activity.client()
        gate = asyncio.Semaphore(RECOUNT_CONCURRENCY)
        done: list[str] = []

        async def tell(case_id: str) -> bool:
            """True when the case took the update; False when it had closed or is gone."""
            async with gate:
                try:
                    await client.get_workflow_handle(case_id).execute_update(
                        "calendar_published", publication, id=recount_update_id(publication), result_type=CaseAck,
                    )
                except WorkflowUpdateFailedError:
                    return False  # refused: the case closed meanwhile
                except RPCError as exc:
                    if exc.status != RPCStatusCode.NOT_FOUND:
                        raise
                    return False  # no running workflow (completed, or never started on this server)
                done.append(case_id)
                activity.heartbeat(len(done))
                return True

        told = await asyncio.gather(*(tell(case_id) for case_id in case_ids))
        return RecountReport(
            recounted=sorted(c for c, ok in zip(case_ids, told, strict=True) if ok),
            skipped=sorted(c for c, ok in zip(case_ids, told, strict=True) if not ok),
            reminder_told=await tell(reminder_case_id(publication.year)),
        )
