"""Activities every process uses: keep the read models in step, compute working-day deadlines."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity

from core.history_archive import ArchiveOnClose
from db.repositories import audit as audit_repo
from db.repositories import cases as cases_repo
from db.repositories import holiday_calendar as calendar_repo
from db.repositories import ticket as ticket_repo
from db.session import transaction
from domain.audit import event_number, plan_tail
from domain.calendar import WorkingCalendar, last_day, party_deadline, sla_deadlines, years_counted
from domain.cases import FINAL_STATUSES, Projection
from domain.projection import ProjectionAnchor, ProjectionKind, classify
from domain.tasks import WorkingDayPeriod


class SlaRequest(BaseModel):
    """A task's working-day period, counted from ``start``."""

    start: datetime
    working_days: int
    remind_before: int = 1
    escalate_after: int = 1

    @classmethod
    def of(cls, period: WorkingDayPeriod) -> SlaRequest:
        """The request that counts ``period`` again."""
        return cls(start=period.start, working_days=period.working_days, remind_before=period.remind_before,
                   escalate_after=period.escalate_after)


class SlaTimes(BaseModel):
    remind_at: datetime
    due_at: datetime
    escalate_at: datetime
    calendar_published: bool
    # Each year the count looked at -> the revision of its published calendar (0: unpublished, counted
    # Monday to Friday). Histories recorded before this field replay with it empty.
    calendar: dict[int, int] = {}


class PartyDeadlineRequest(BaseModel):
    """The end of a period a party must meet, as counted (24:00 city time of its last day)."""

    end: datetime


class PartyDeadline(BaseModel):
    end: datetime
    moved: bool
    calendar_published: bool


class CaseActivities:
    """Built once by the worker with the session factory."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession], calendar: WorkingCalendar | None = None, *,
                 archive_on_close: ArchiveOnClose | None = None) -> None:
        self._sessions = session_factory
        # A fixed calendar (tests); by default every count reads the published years, so a year
        # published a moment ago counts at once, on every worker.
        self._calendar = calendar
        self._archive_on_close = archive_on_close

    async def _working_calendar(self) -> WorkingCalendar:
        if self._calendar is not None:
            return self._calendar
        async with self._sessions() as session:
            return await calendar_repo.calendar(session)

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
            if info.workflow_id is not None and info.workflow_run_id is not None:
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
                await self._write_ledger(session, projection)
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
            await self._write_ledger(session, projection)
            return True

    @staticmethod
    async def _write_ledger(session: AsyncSession, projection: Projection) -> None:
        # The ledger keeps its own version check: an older line never overwrites a newer one.
        if projection.ticket_ledger is not None:
            await ticket_repo.save_ledger_row(session, projection.ticket_ledger)

    @activity.defn(name="compute_sla")
    async def compute_sla(self, request: SlaRequest) -> SlaTimes:
        """Deadlines on the published holiday calendar; computed here so replay never depends on calendar edits."""
        cal = await self._working_calendar()
        d = sla_deadlines(
            request.start, request.working_days, remind_before=request.remind_before,
            escalate_after=request.escalate_after, calendar=cal,
        )
        counted = {year: cal.revision(year) for year in years_counted(request.start, d)}
        unpublished = [year for year, revision in counted.items() if revision == 0]
        if unpublished:
            activity.logger.warning("holiday calendar of %s not published: the deadline counts Mon-Fri and is provisional", unpublished)
        return SlaTimes(remind_at=d.remind_at, due_at=d.due_at, escalate_at=d.escalate_at,
                        calendar_published=not unpublished, calendar=counted)

    @activity.defn(name="party_deadline")
    async def party_deadline(self, request: PartyDeadlineRequest) -> PartyDeadline:
        """A deadline a party must meet, moved off a rest day (民法典 Art. 203 para. 1) on the published calendar."""
        cal = await self._working_calendar()
        end = party_deadline(request.end, calendar=cal)
        years = sorted({last_day(request.end).year, last_day(end).year})
        published = all(cal.is_published(y) for y in years)
        if not published:
            activity.logger.warning("holiday calendar of %s not published: the rest days are Saturday and Sunday only", years)
        return PartyDeadline(end=end, moved=end != request.end, calendar_published=published)
