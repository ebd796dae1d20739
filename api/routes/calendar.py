"""The holiday calendar the city publishes each year: read by anyone signed in, published by administrators."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel
from temporalio.service import RPCError

from api.deps import ActorDep, AuditorDep, ClientDep, SessionDep, SettingsDep, require_roles
from api.errors import Invalid, NotFound, Unavailable
from core.calendar_publication import CalendarRejected, start_recount, store_year
from db.repositories import audit as audit_repo
from db.repositories import holiday_calendar as calendar_repo
from db.session import after_commit, hold_write_gate
from domain.access import Actor, Role
from domain.holiday_calendar import CalendarYear, CalendarYearWrite, HolidayRange
from workflows.holiday_calendar import recount_workflow_id

router = APIRouter(tags=["calendar 节假日安排"])

CalendarPublisherDep = Annotated[Actor, Depends(require_roles(Role.ADMIN, detail="只有管理员可以发布节假日安排"))]

YearPath = Annotated[int, Path(ge=2000, le=2100, examples=[2027])]


class PublisherRead(BaseModel):
    subject: str
    name: str | None


class CalendarYearRead(BaseModel):
    """A published year as its notice sets it, at its current revision."""

    year: int
    notice: str
    revision: int
    published_at: datetime
    published_by: PublisherRead
    holidays: list[HolidayRange]
    makeup_workdays: list[date]
    days_off: int


class PublicationRead(CalendarYearRead):
    """A publication's answer: the year as stored, and the recount of the running cases' deadlines it started."""

    # False when the year already said exactly this: no new revision, nothing recounted anew.
    changed: bool
    recount_workflow_id: str


class PublicationEntry(BaseModel):
    """One publication of a year, as chained in the audit log."""

    seq: int
    at: datetime
    revision: int
    notice: str | None
    by: PublisherRead
    data: dict[str, Any]
    hash: str


class PublicationLog(BaseModel):
    year: int
    intact: bool
    entries: list[PublicationEntry]


def _read(y: CalendarYear) -> CalendarYearRead:
    return CalendarYearRead(
        year=y.year, notice=y.notice, revision=y.revision, published_at=y.published_at,
        published_by=PublisherRead(subject=y.published_by, name=y.published_by_name), holidays=y.holidays,
        makeup_workdays=sorted(y.makeup_workdays), days_off=len(y.holiday_dates()),
    )


@router.get("/calendar", response_model=list[CalendarYearRead], summary="Every published year of the holiday calendar")
async def published_years(session: SessionDep, actor: ActorDep) -> list[CalendarYearRead]:
    return [_read(y) for y in await calendar_repo.published_years(session)]


@router.get(
    "/calendar/{year}", response_model=CalendarYearRead,
    summary="One year of the holiday calendar (404 while unpublished: its working days are counted Monday to Friday)",
)
async def calendar_year(year: YearPath, session: SessionDep, actor: ActorDep) -> CalendarYearRead:
    published = await calendar_repo.year_of(session, year)
    if published is None:
        raise NotFound(f"{year}年节假日安排尚未发布：该年工作日暂按周一至周五计算，据此计算的期限标为暂定（calendar_published: false）")
    return _read(published)


@router.put(
    "/calendar/{year}", response_model=PublicationRead,
    summary="Publish a year from the State Council's notice (administrator); running cases' deadlines in it are counted again",
)
async def publish(
    year: YearPath, body: CalendarYearWrite, session: SessionDep, actor: CalendarPublisherDep, client: ClientDep,
    settings: SettingsDep,
) -> PublicationRead:
    await hold_write_gate(session)
    try:
        published, changed = await store_year(session, year, body, actor=actor, at=datetime.now(UTC), source="api")
    except CalendarRejected as exc:
        raise Invalid("节假日安排有误", errors=[{**e, "loc": ["body", *e["loc"]]} for e in exc.errors]) from None

    async def recount_running_cases() -> None:
        try:
            await start_recount(client, settings.task_queue, published)
        except RPCError as exc:
            raise Unavailable(
                f"{year}年节假日安排已保存，但工作流引擎未响应，进行中案件的期限尚未重算：请再次提交同一内容（{exc.message}）"
            ) from None

    # The recount reads the stored year: start it once the publication has committed.
    after_commit(session, recount_running_cases)
    return PublicationRead(**_read(published).model_dump(), changed=changed,
                           recount_workflow_id=recount_workflow_id(published.publication()))


@router.get(
    "/calendar/{year}/publications", response_model=PublicationLog,
    summary="Every publication of the year from the audit log, with the hash chain checked (auditors, administrators)",
)
async def publications(year: YearPath, session: SessionDep, actor: AuditorDep) -> PublicationLog:
    rows = await calendar_repo.publications(session, year)
    _, broken = await audit_repo.check_chain(session, calendar_repo.audit_chain_id(year))
    return PublicationLog(year=year, intact=broken is None, entries=[
        PublicationEntry(seq=r.seq, at=r.at, revision=int(r.data.get("revision", 0)), notice=r.comment,
                         by=PublisherRead(subject=r.actor_subject or "system", name=r.actor_name), data=r.data, hash=r.hash)
        for r in rows
    ])
