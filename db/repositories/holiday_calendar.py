"""The published years of the holiday calendar: read them, publish one (audit-logged), find the cases counting on one."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AuditEntry, CaseRecord, HolidayCalendarYear, InboxEntry
from db.repositories import audit as audit_repo
from domain.access import Actor, Role
from domain.audit import AuditEvent
from domain.calendar import WorkingCalendar
from domain.cases import FINAL_STATUSES
from domain.holiday_calendar import CalendarPublication, CalendarYear, CalendarYearWrite, HolidayRange, same_content, working_calendar
from domain.tasks import TaskStatus, WorkingDayPeriod


def audit_chain_id(year: int) -> str:
    """Where the publications of ``year`` are chained in the audit log."""
    return f"calendar-{year}"


def _year_of(row: HolidayCalendarYear) -> CalendarYear:
    return CalendarYear(
        year=row.year, notice=row.notice, revision=row.revision, published_at=row.published_at,
        published_by=row.published_by, published_by_name=row.published_by_name,
        holidays=[HolidayRange.model_validate(h) for h in row.holidays],
        makeup_workdays=[date.fromisoformat(d) for d in row.makeup_workdays],
    )


async def published_years(session: AsyncSession) -> list[CalendarYear]:
    """Every published year, oldest first."""
    rows = await session.scalars(select(HolidayCalendarYear).order_by(HolidayCalendarYear.year))
    return [_year_of(r) for r in rows.all()]


async def calendar(session: AsyncSession) -> WorkingCalendar:
    """The working-day calendar of every published year, each at its current revision."""
    return working_calendar(await published_years(session))


async def year_of(session: AsyncSession, year: int) -> CalendarYear | None:
    row = await session.get(HolidayCalendarYear, year)
    return _year_of(row) if row is not None else None


async def revision_of(session: AsyncSession, year: int) -> int:
    """The current revision of ``year``; 0 when it is not published."""
    return int(await session.scalar(select(HolidayCalendarYear.revision).where(HolidayCalendarYear.year == year)) or 0)


async def publish(
    session: AsyncSession, year: int, body: CalendarYearWrite, *, actor: Actor, at: datetime, source: str,
) -> tuple[CalendarYear, bool]:
    """Store ``year`` as ``body`` says and chain the publication into the audit log, in the caller's transaction.

    The same content again is no new revision (returns False): a retried publication changes
    nothing. ``body`` must have passed ``check_calendar_year``.
    """
    row = await session.get(HolidayCalendarYear, year, with_for_update=True)
    current = _year_of(row) if row is not None else None
    if current is not None and same_content(current, body):
        return current, False
    revision = (current.revision if current is not None else 0) + 1
    values: dict[str, Any] = {
        "notice": body.notice.strip(), "holidays": [h.model_dump(mode="json") for h in body.holidays],
        "makeup_workdays": sorted({d.isoformat() for d in body.makeup_workdays}), "revision": revision, "published_at": at,
        "published_by": actor.subject, "published_by_name": actor.name,
    }
    if row is None:
        session.add(HolidayCalendarYear(year=year, **values))
    else:
        for key, value in values.items():
            setattr(row, key, value)
    await session.flush()
    event = AuditEvent(
        key=f"{audit_chain_id(year)}:r{revision}", at=at, kind="decision", actor_subject=actor.subject,
        actor_name=actor.name, actor_role=Role.ADMIN.value, actor_organisation=actor.organisation,
        decision="calendar_published", comment=values["notice"],
        data={"year": year, "revision": revision, "previous_revision": revision - 1, "source": source,
              "holidays": values["holidays"], "makeup_workdays": values["makeup_workdays"]},
    )
    await audit_repo.append_events(session, audit_chain_id(year), [event], maybe_stored=False)
    stored = await year_of(session, year)
    assert stored is not None
    return stored, True


async def publications(session: AsyncSession, year: int) -> list[AuditEntry]:
    """Every publication of ``year``, in order, as chained in the audit log."""
    return await audit_repo.timeline(session, audit_chain_id(year))


async def cases_counting_on(session: AsyncSession, publication: CalendarPublication, *, batch: int = 500) -> list[str]:
    """Running cases with an open task whose working-day deadlines were counted on an older revision of the year.

    Only the stored tasks of each case are read (not its facts), a batch of cases at a time.
    """
    found: list[str] = []
    after = ""
    has_deadline = select(InboxEntry.case_id).where(InboxEntry.due_at.is_not(None))
    while True:
        stmt = (
            select(CaseRecord.id, CaseRecord.snapshot["tasks"])
            .where(CaseRecord.status.not_in([s.value for s in FINAL_STATUSES]), CaseRecord.id.in_(has_deadline), CaseRecord.id > after)
            .order_by(CaseRecord.id).limit(batch)
        )
        rows = (await session.execute(stmt)).all()
        for case_id, tasks in rows:
            if any(_counts_on(task, publication) for task in tasks or []):
                found.append(case_id)
        if len(rows) < batch:
            return found
        after = rows[-1][0]


def _counts_on(task: dict[str, Any], publication: CalendarPublication) -> bool:
    if task.get("status") != TaskStatus.OPEN.value or not task.get("sla"):
        return False
    return WorkingDayPeriod.model_validate(task["sla"]).counts_on(publication.year, publication.revision)
