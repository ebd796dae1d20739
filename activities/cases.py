"""Activities every process uses: keep the read models in step, compute working-day deadlines."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity

from db.repositories import audit as audit_repo
from db.repositories import cases as cases_repo
from db.session import transaction
from core.history_archive import ArchiveOnClose
from domain.calendar import WorkingCalendar, sla_deadlines
from domain.cases import FINAL_STATUSES, Projection


class SlaRequest(BaseModel):
    """A task's working-day period, counted from ``start``."""

    start: datetime
    working_days: int
    remind_before: int = 1
    escalate_after: int = 1


class SlaTimes(BaseModel):
    remind_at: datetime
    due_at: datetime
    escalate_at: datetime
    calendar_published: bool


class CaseActivities:
    """Built once by the worker with the session factory."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession], calendar: WorkingCalendar | None = None, *,
                 archive_on_close: ArchiveOnClose | None = None) -> None:
        self._sessions = session_factory
        self._calendar = calendar or WorkingCalendar.official()
        self._archive_on_close = archive_on_close

    @activity.defn(name="project_case")
    async def project_case(self, projection: Projection) -> None:
        """Write the case summary, its inbox rows and its new audit entries in one transaction."""
        snap = projection.snapshot
        async with transaction(self._sessions) as session:
            # Only a retry can find its own entries already written (the unique key still guards).
            await audit_repo.append_events(session, snap.case_id, projection.events, maybe_stored=activity.info().attempt > 1)
            await cases_repo.save_snapshot(session, snap, inbox_changed=projection.inbox_changed)
        if self._archive_on_close is not None and snap.status in FINAL_STATUSES:
            # The case has reached its end: its run closes right after this projection.
            info = activity.info()
            self._archive_on_close.submit(activity.client(), info.workflow_id, info.workflow_run_id)

    @activity.defn(name="compute_sla")
    async def compute_sla(self, request: SlaRequest) -> SlaTimes:
        """Deadlines on the official holiday calendar; computed here so replay never depends on calendar edits."""
        d = sla_deadlines(
            request.start, request.working_days, remind_before=request.remind_before,
            escalate_after=request.escalate_after, calendar=self._calendar,
        )
        published = self._calendar.is_published(d.escalate_at.year)
        if not published:
            activity.logger.warning("holiday calendar not published for %s; counting Mon-Fri only", d.escalate_at.year)
        return SlaTimes(remind_at=d.remind_at, due_at=d.due_at, escalate_at=d.escalate_at, calendar_published=published)
