"""Activities every process uses: keep the read models in step, compute working-day deadlines."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity

from db.repositories import audit as audit_repo
from db.repositories import cases as cases_repo
from db.session import transaction
from core.history_archive import ArchiveOnClose
from domain.audit import event_number, plan_tail
from domain.calendar import WorkingCalendar, sla_deadlines
from domain.cases import FINAL_STATUSES, Projection
from domain.projection import ProjectionAnchor, ProjectionKind, classify


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
        """Write the case summary, its inbox rows and its new audit entries in one transaction.

        The workflow is the source of truth (``domain.projection``): a projection that follows its
        own previous one appends; one that finds a failed task's write (or its own, from a retried
        attempt of this activity) makes the stored case what the workflow says, withdrawing with a
        correction entry whatever the workflow never recorded; one from a superseded task writes nothing.
        """
        snap = projection.snapshot
        written = await self._write(projection)
        if written and self._archive_on_close is not None and snap.status in FINAL_STATUSES:
            # The case has reached its end: its run closes right after this projection.
            info = activity.info()
            self._archive_on_close.submit(activity.client(), info.workflow_id, info.workflow_run_id)

    async def _write(self, projection: Projection) -> bool:
        """The projection's transaction; False when a newer workflow task has superseded it."""
        snap = projection.snapshot
        through, first = projection.through(), projection.first_event()
        async with transaction(self._sessions) as session:
            stored = await cases_repo.lock_anchor(session, snap.case_id)
            incoming = ProjectionAnchor(
                at=snap.updated_at, history_length=projection.history_length, version=snap.version,
                events_through=through, events_written=max(through, stored.events_written if stored else 0),
            )
            previous = projection.previous_version if projection.previous_version is not None else -2  # unknown: check
            kind = classify(stored, incoming, previous_version=previous, first_event=first)
            if kind is ProjectionKind.STALE:
                activity.logger.warning("projection of %s superseded by a newer workflow task; not written", snap.case_id)
                return False
            # A retry of this activity takes the careful path: the attempt before may have committed.
            if kind is ProjectionKind.SUCCESSOR and activity.info().attempt == 1:
                await audit_repo.append_events(session, snap.case_id, projection.events, maybe_stored=False)
                await cases_repo.put_snapshot(session, snap, incoming, inbox_changed=projection.inbox_changed)
                return True
            entries = await audit_repo.stored_entries(session, snap.case_id)
            numbers = (event_number(snap.case_id, e.key) for e in entries)
            incoming = replace(incoming, events_written=max([incoming.events_written, *(n for n in numbers if n is not None)]))
            plan = plan_tail(
                snap.case_id, entries, projection.events, through, at=snap.updated_at,
                context={"workflow_task": {"history_length": projection.history_length, "version": snap.version}},
            )
            if plan.withdraw:
                activity.logger.warning(
                    "projection of %s withdraws %d entries a failed workflow task wrote", snap.case_id, len(plan.withdraw),
                )
            await audit_repo.append_events(session, snap.case_id, plan.append, maybe_stored=False)
            await cases_repo.put_snapshot(session, snap, incoming, inbox_changed=True)
            return True

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
