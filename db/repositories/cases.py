"""Case summaries, the inbox and start requests: all the SQL the case read models need."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Row, Select, Table, and_, bindparam, delete, false, func, insert, or_, select, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from db.models import CaseRecord, CaseSequence, InboxEntry, StartRequest
from db.session import dialect_name
from domain.access import Actor, Level
from domain.calendar import CITY_TZ
from domain.cases import FINAL_STATUSES, CaseSnapshot, case_id_prefix
from domain.projection import ProjectionAnchor
from domain.read_access import Access, CaseAccess, holder_keys, task_holders


def _insert(session: AsyncSession) -> Callable[[Any], Any]:
    return pg_insert if dialect_name(session) == "postgresql" else sqlite_insert


# The projection's statements are built once: building an upsert of 17 columns per call cost more
# CPU than executing it (bench/README.md, profiling notes).
_CASES = cast(Table, CaseRecord.__table__)
_INBOX = cast(Table, InboxEntry.__table__)
_CASE_TABLE = _CASES


def _case_upsert(insert_fn: Callable[[Table], Any]) -> Any:
    ins = insert_fn(_CASES)
    columns = [c.name for c in _CASES.columns if c.name != "id"]
    return ins.on_conflict_do_update(
        index_elements=[_CASES.c.id], set_={name: ins.excluded[name] for name in columns},
        where=_CASES.c.version <= ins.excluded.version,
    ).returning(_CASES.c.id)


def _case_put(insert_fn: Callable[[Table], Any]) -> Any:
    ins = insert_fn(_CASE_TABLE)
    columns = [c.name for c in _CASES.columns if c.name != "id"]
    return ins.on_conflict_do_update(index_elements=[_CASES.c.id], set_={name: ins.excluded[name] for name in columns})


_CASE_UPSERT = {"postgresql": _case_upsert(pg_insert), "sqlite": _case_upsert(sqlite_insert)}
_CASE_PUT = {"postgresql": _case_put(pg_insert), "sqlite": _case_put(sqlite_insert)}
_INBOX_CLEAR = delete(_INBOX).where(_INBOX.c.case_id == bindparam("case_id"))
_INBOX_ADD = insert(_INBOX)
_ANCHOR_COLUMNS = (_CASES.c.updated_at, _CASES.c.history_length, _CASES.c.version, _CASES.c.events_through, _CASES.c.events_written)
# PostgreSQL locks the row; SQLite takes its write lock with a no-op update, so the anchor read
# and the writes after it form one unit against another worker process projecting the case.
_ANCHOR_LOCK = {
    "postgresql": select(*_ANCHOR_COLUMNS).where(_CASES.c.id == bindparam("case_id")).with_for_update(),
    "sqlite": update(_CASE_TABLE).where(_CASES.c.id == bindparam("case_id")).values(version=_CASES.c.version).returning(*_ANCHOR_COLUMNS),
}


def _case_values(snap: CaseSnapshot) -> dict[str, Any]:
    approval_seconds = (
        int((snap.approved_at - snap.created_at).total_seconds()) if snap.approved_at is not None else None
    )
    return {
        "id": snap.case_id, "kind": snap.kind, "title": snap.title, "status": snap.status.value, "step": snap.step,
        "street_id": snap.scope.street_id, "community_id": snap.scope.community_id, "estate_id": snap.scope.estate_id,
        "company_ids": " " + " ".join(snap.company_ids) + " ", "task_holders": " " + " ".join(task_holders(snap.tasks)) + " ",
        "initiator_subject": snap.initiator.subject,
        "created_at": snap.created_at, "updated_at": snap.updated_at, "closed_at": snap.closed_at,
        "approved_at": snap.approved_at, "approval_seconds": approval_seconds, "version": snap.version,
        "snapshot": snap.model_dump(mode="json"),
    }


async def save_snapshot(session: AsyncSession, snap: CaseSnapshot, *, inbox_changed: bool = True) -> bool:
    """Upsert the case summary and, when its open tasks changed, replace its inbox rows.

    One statement for the summary: an older version never overwrites a newer one, and then the
    inbox is left alone too. Returns whether the snapshot was written. (The API's first row of a
    case; the workflow's projections go through ``lock_anchor`` and ``put_snapshot``.)
    """
    written = (await session.execute(_CASE_UPSERT[dialect_name(session)], _case_values(snap))).first() is not None
    if written and inbox_changed:
        await _replace_inbox(session, snap)
    return written


async def lock_anchor(session: AsyncSession, case_id: str) -> ProjectionAnchor | None:
    """Where the case's stored snapshot stands, with the row held until the transaction ends."""
    row = (await session.execute(_ANCHOR_LOCK[dialect_name(session)], {"case_id": case_id})).first()
    if row is None:
        return None
    return ProjectionAnchor(at=row[0], history_length=row[1], version=row[2], events_through=row[3], events_written=row[4])


async def anchor_of(session: AsyncSession, case_id: str) -> ProjectionAnchor | None:
    """Where the case's stored snapshot stands (read only)."""
    row = (await session.execute(select(*_ANCHOR_COLUMNS).where(_CASES.c.id == case_id))).first()
    if row is None:
        return None
    return ProjectionAnchor(at=row[0], history_length=row[1], version=row[2], events_through=row[3], events_written=row[4])


async def put_snapshot(session: AsyncSession, snap: CaseSnapshot, anchor: ProjectionAnchor, *, inbox_changed: bool) -> None:
    """Write the workflow's snapshot and where it stands (the caller ranked it: no version guard here)."""
    values = _case_values(snap) | {
        "history_length": anchor.history_length, "events_through": anchor.events_through, "events_written": anchor.events_written,
    }
    await session.execute(_CASE_PUT[dialect_name(session)], values)
    if inbox_changed:
        await _replace_inbox(session, snap)


async def _replace_inbox(session: AsyncSession, snap: CaseSnapshot) -> None:
    await session.execute(_INBOX_CLEAR, {"case_id": snap.case_id})
    rows = [
        {
            "case_id": snap.case_id, "task_id": task.id, "role": role.value, "kind": snap.kind, "case_title": snap.title,
            "step": task.step, "step_label": task.step_label, "street_id": task.scope.street_id,
            "community_id": task.scope.community_id, "estate_id": task.scope.estate_id, "company_id": task.scope.company_id,
            "assignee": task.assignee, "decisions": list(task.decisions), "created_at": task.created_at, "due_at": task.due_at,
            "card": task.card.value, "escalated": task.escalated_at is not None, "calendar_published": task.calendar_published,
        }
        for task in (snap.open_tasks if snap.status not in FINAL_STATUSES else [])
        for role in task.deciding_roles()
    ]
    if rows:
        await session.execute(_INBOX_ADD, rows)


def jurisdiction_condition(actor: Actor, model: Any, orgs: Any = None) -> ColumnElement[bool]:
    """Rows inside the actor's jurisdiction: ``model`` has street/community/estate columns; a company or
    department matches ``model.company_id``, or with ``orgs`` a " id1 id2 " column of the organisations involved."""
    j = actor.jurisdiction
    condition: ColumnElement[bool]
    match j.level:
        case Level.CITY:
            condition = true()
        case Level.STREET:
            condition = model.street_id == j.id
        case Level.COMMUNITY:
            condition = model.community_id == j.id
        case Level.ESTATE:
            condition = model.estate_id == j.id
        case Level.COMPANY | Level.DEPARTMENT:
            condition = orgs.contains(f" {j.id} ") if orgs is not None else model.company_id == j.id
        case _:
            condition = false()
    return condition


def jurisdiction_filter(stmt: Select[Any], actor: Actor, model: Any, orgs: Any = None) -> Select[Any]:
    """``stmt`` restricted to rows inside the actor's jurisdiction (see ``jurisdiction_condition``)."""
    return stmt.where(jurisdiction_condition(actor, model, orgs))


def holds_task_condition(actor: Actor) -> ColumnElement[bool]:
    """Cases where the actor holds or held a task (domain.read_access.holds_task, in SQL)."""
    return or_(*(CaseRecord.task_holders.contains(f" {key} ") for key in holder_keys(actor)))


def readable_condition(actor: Actor, access: CaseAccess) -> ColumnElement[bool]:
    """The cases the actor may read (domain.read_access.readable, in SQL), per process kind."""
    in_place = jurisdiction_condition(actor, CaseRecord, orgs=CaseRecord.company_ids)
    by_level = {
        Access.PUBLIC: true(), Access.JURISDICTION: in_place, Access.TASKS: and_(in_place, holds_task_condition(actor)),
    }
    named = list(access.by_kind)
    conditions = [
        and_(CaseRecord.kind.in_(kinds), by_level[level])
        for level in (Access.PUBLIC, Access.JURISDICTION, Access.TASKS) if (kinds := access.kinds_with(level))
    ]
    if access.other in by_level:
        conditions.append(and_(CaseRecord.kind.not_in(named), by_level[access.other]))
    return or_(*conditions) if conditions else false()


@dataclass(frozen=True)
class InboxFilter:
    """Narrows an inbox to one case, one process, one street or one estate (each optional)."""

    case_id: str | None = None
    kind: str | None = None
    estate_id: str | None = None
    street_id: str | None = None


def inbox_statement(
    actor: Actor, *, limit: int = 100, offset: int = 0, access: CaseAccess | None = None, only: InboxFilter | None = None,
) -> Select[InboxEntry]:
    """The inbox's query: its order (soonest due first) is the tail of every inbox index (``inbox_order_1``),
    so a page is read from an index in order instead of sorting all the role's rows."""
    stmt = select(InboxEntry).where(InboxEntry.role.in_([r.value for r in actor.roles]))
    stmt = jurisdiction_filter(stmt, actor, InboxEntry)
    if access is not None:
        closed = [k for k, a in access.by_kind.items() if a == Access.NONE]
        if closed:
            stmt = stmt.where(InboxEntry.kind.not_in(closed))
        if access.other == Access.NONE:
            stmt = stmt.where(InboxEntry.kind.in_(list(access.by_kind)))
    stmt = stmt.where(or_(InboxEntry.assignee.is_(None), InboxEntry.assignee == actor.subject))
    if only is not None:
        for column, value in (
            (InboxEntry.case_id, only.case_id), (InboxEntry.kind, only.kind), (InboxEntry.estate_id, only.estate_id),
            (InboxEntry.street_id, only.street_id),
        ):
            if value is not None:
                stmt = stmt.where(column == value)
    return stmt.order_by(InboxEntry.due_at.is_(None), InboxEntry.due_at, InboxEntry.created_at).limit(limit).offset(offset)


async def inbox(
    session: AsyncSession, actor: Actor, *, limit: int = 100, offset: int = 0, access: CaseAccess | None = None,
    only: InboxFilter | None = None,
) -> list[Row[Any]]:
    """Open tasks the actor can decide: one of their roles, inside their jurisdiction, soonest due first.

    With ``access``, none of a process the actor may not read at all (a task they hold makes the
    case readable to a role that reads by task). Plain rows with the columns as attributes, not ORM
    objects: the API's busiest read never changes them, and building entities cost a fifth of its CPU.
    """
    stmt = inbox_statement(actor, limit=limit, offset=offset, access=access, only=only)
    rows = list((await session.execute(stmt.with_only_columns(*InboxEntry.__table__.c))).all())
    seen: set[tuple[str, str]] = set()
    unique = []
    for row in rows:  # a user with two candidate roles sees the task once
        if (row.case_id, row.task_id) not in seen:
            seen.add((row.case_id, row.task_id))
            unique.append(row)
    return unique


@dataclass(frozen=True)
class CaseFilter:
    kind: str | None = None
    status: str | None = None
    street_id: str | None = None
    community_id: str | None = None
    estate_id: str | None = None
    initiator: str | None = None
    created_from: date | None = None
    created_to: date | None = None


async def list_cases(
    session: AsyncSession, actor: Actor, flt: CaseFilter, *, limit: int, offset: int, extra: Sequence[Any] = (),
    access: CaseAccess,
) -> tuple[int, list[CaseRecord]]:
    """Cases the actor may read (``access``, per process) matching the filter (and ``extra`` conditions),
    newest first, with the total."""
    stmt = select(CaseRecord).where(readable_condition(actor, access))
    for condition in extra:
        stmt = stmt.where(condition)
    for column, value in (
        (CaseRecord.kind, flt.kind), (CaseRecord.status, flt.status), (CaseRecord.street_id, flt.street_id),
        (CaseRecord.community_id, flt.community_id), (CaseRecord.estate_id, flt.estate_id),
        (CaseRecord.initiator_subject, flt.initiator),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    # Dates are the city's calendar dates; ``created_to`` includes its whole day.
    if flt.created_from is not None:
        stmt = stmt.where(CaseRecord.created_at >= datetime.combine(flt.created_from, time.min, tzinfo=CITY_TZ))
    if flt.created_to is not None:
        stmt = stmt.where(CaseRecord.created_at < datetime.combine(flt.created_to + timedelta(days=1), time.min, tzinfo=CITY_TZ))
    total = int(await session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = await session.scalars(stmt.order_by(CaseRecord.created_at.desc()).limit(limit).offset(offset))
    return total, list(rows.all())


async def get_case(session: AsyncSession, case_id: str, *, snapshot: bool = True) -> CaseRecord | None:
    """The case's row; ``snapshot=False`` skips its JSON (reading ``record.snapshot`` then raises)."""
    if snapshot:
        return await session.get(CaseRecord, case_id)
    return await session.get(CaseRecord, case_id, options=[defer(CaseRecord.snapshot, raiseload=True)])


async def snapshot_of(session: AsyncSession, case_id: str) -> dict[str, Any] | None:
    """Only the stored snapshot of a case, as JSON."""
    return await session.scalar(select(CaseRecord.snapshot).where(CaseRecord.id == case_id))


async def next_case_number(session: AsyncSession, prefix: str) -> int:
    """Allocate the next running number for a case-id prefix (atomic on both engines)."""
    ins = _insert(session)(CaseSequence).values(prefix=prefix, last=1)
    stmt = ins.on_conflict_do_update(index_elements=[CaseSequence.prefix], set_={"last": CaseSequence.last + 1})
    await session.execute(stmt)
    return int(await session.scalar(select(CaseSequence.last).where(CaseSequence.prefix == prefix)) or 1)


async def new_case_id(session: AsyncSession, kind: str, key: str, at: datetime) -> str:
    """A fresh readable case id: the kind, the key (the estate), the city date and a running number."""
    prefix = case_id_prefix(kind, key, at)
    return f"{prefix}-{await next_case_number(session, prefix)}"


async def find_start_request(session: AsyncSession, key: str) -> StartRequest | None:
    return await session.get(StartRequest, key)


async def record_start_request(session: AsyncSession, key: str, case_id: str, actor: Actor, at: datetime) -> None:
    session.add(StartRequest(idempotency_key=key, case_id=case_id, actor_subject=actor.subject, created_at=at))
    await session.flush()


async def case_row_exists(session: AsyncSession, case_id: str) -> bool:
    """Whether a summary row holds ``case_id`` (any version)."""
    return await session.scalar(select(CaseRecord.id).where(CaseRecord.id == case_id)) is not None


async def drop_start_placeholder(session: AsyncSession, case_id: str, initiator_subject: str) -> bool:
    """Remove the API's first row of a case whose workflow never ran under that id (its id was taken).

    Only the placeholder itself (version -1, nothing projected): a row a workflow has written is left alone.
    """
    result = await session.execute(
        delete(CaseRecord).where(
            CaseRecord.id == case_id, CaseRecord.version == -1, CaseRecord.history_length == 0,
            CaseRecord.initiator_subject == initiator_subject,
        )
    )
    return bool(getattr(result, "rowcount", 0))


async def move_start_request(session: AsyncSession, key: str, case_id: str) -> None:
    """Point a start's idempotency key at the case id it finally started."""
    await session.execute(update(StartRequest).where(StartRequest.idempotency_key == key).values(case_id=case_id))


async def raise_case_counter(session: AsyncSession, prefix: str, at_least: int) -> bool:
    """Move a case-id counter on to ``at_least`` if it is behind; True when it moved."""
    ins = _insert(session)(CaseSequence).values(prefix=prefix, last=at_least)
    stmt = ins.on_conflict_do_update(
        index_elements=[CaseSequence.prefix], set_={"last": at_least}, where=CaseSequence.last < at_least,
    )
    result = await session.execute(stmt)
    return bool(getattr(result, "rowcount", 0))
