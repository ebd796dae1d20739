"""The history archive's rows: what is archived where, which closed cases still wait, the database store's objects."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, func, select, true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import ArchivedHistory, ArchiveObject, AuditEntry, CaseRecord
from db.session import dialect_name


async def run(session: AsyncSession, workflow_id: str, run_id: str) -> ArchivedHistory | None:
    """The archived run, if it is archived."""
    return await session.get(ArchivedHistory, (workflow_id, run_id))


async def latest_run(session: AsyncSession, workflow_id: str) -> ArchivedHistory | None:
    """The workflow's last archived run (a case has one run; a term timer one per checkpoint)."""
    return await session.scalar(
        select(ArchivedHistory).where(ArchivedHistory.workflow_id == workflow_id)
        .order_by(ArchivedHistory.closed_at.desc(), ArchivedHistory.run_id.desc()).limit(1)
    )


async def archived_runs(session: AsyncSession, runs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these (workflow id, run id) pairs are archived."""
    wanted = list(runs)
    found: set[tuple[str, str]] = set()
    for i in range(0, len(wanted), 200):
        chunk = wanted[i:i + 200]
        ids = {w for w, _ in chunk}
        rows = await session.execute(
            select(ArchivedHistory.workflow_id, ArchivedHistory.run_id).where(ArchivedHistory.workflow_id.in_(ids))
        )
        found |= {(w, r) for w, r in rows.all()} & set(chunk)
    return found


async def add(session: AsyncSession, row: ArchivedHistory) -> None:
    """Store the archive's row; the caller's transaction also writes the audit entry."""
    session.add(row)
    await session.flush()


async def closed_cases_after(
    session: AsyncSession, *, closed_since: datetime, after: tuple[datetime, str] | None, limit: int,
) -> list[tuple[str, datetime]]:
    """Cases closed since ``closed_since`` with no archived run, in close order after the (closed_at, id) cursor."""
    archived = exists().where(ArchivedHistory.workflow_id == CaseRecord.id)
    query = select(CaseRecord.id, CaseRecord.closed_at).where(
        CaseRecord.closed_at.is_not(None), CaseRecord.closed_at >= closed_since, ~archived,
    )
    if after is not None:
        at, case_id = after
        query = query.where((CaseRecord.closed_at > at) | ((CaseRecord.closed_at == at) & (CaseRecord.id > case_id)))
    rows = await session.execute(query.order_by(CaseRecord.closed_at, CaseRecord.id).limit(limit))
    return [(case_id, closed_at) for case_id, closed_at in rows.all() if closed_at is not None]


async def case_kind(session: AsyncSession, workflow_id: str) -> str | None:
    """The process of the case with this id, or None when the workflow is not a case."""
    return await session.scalar(select(CaseRecord.kind).where(CaseRecord.id == workflow_id))


async def chain_entry(session: AsyncSession, entry_key: str) -> AuditEntry | None:
    """The audit entry with this key (the archive's entry names the run)."""
    return await session.scalar(select(AuditEntry).where(AuditEntry.entry_key == entry_key))


def _between(closed_from: datetime | None, closed_to: datetime | None, workflow_type: str | None, kind: str | None,
             key: str | None = None) -> ColumnElement[bool]:
    clauses: list[ColumnElement[bool]] = []
    if key is not None:
        clauses.append(ArchivedHistory.workflow_id.contains(key, autoescape=True))
    if closed_from is not None:
        clauses.append(ArchivedHistory.closed_at >= closed_from)
    if closed_to is not None:
        clauses.append(ArchivedHistory.closed_at < closed_to)
    if workflow_type is not None:
        clauses.append(ArchivedHistory.workflow_type == workflow_type)
    if kind is not None:
        clauses.append(ArchivedHistory.kind == kind)
    return and_(true(), *clauses)


async def count_archived(
    session: AsyncSession, *, closed_from: datetime | None = None, closed_to: datetime | None = None,
    workflow_type: str | None = None, kind: str | None = None, key: str | None = None,
) -> int:
    """How many archived runs closed in ``[closed_from, closed_to)`` (optionally of one type, process or id part)."""
    return await session.scalar(
        select(func.count()).select_from(ArchivedHistory).where(_between(closed_from, closed_to, workflow_type, kind, key))
    ) or 0


async def archived_page(
    session: AsyncSession, *, closed_from: datetime | None = None, closed_to: datetime | None = None,
    workflow_type: str | None = None, kind: str | None = None, key: str | None = None,
    after: tuple[datetime, str, str] | None = None, limit: int = 200,
) -> Sequence[ArchivedHistory]:
    """Archived runs in close order, after the (closed_at, workflow_id, run_id) cursor: a year is read a page at a time."""
    query = select(ArchivedHistory).where(_between(closed_from, closed_to, workflow_type, kind, key))
    if after is not None:
        at, wid, rid = after
        query = query.where(
            (ArchivedHistory.closed_at > at)
            | ((ArchivedHistory.closed_at == at) & ((ArchivedHistory.workflow_id > wid)
                                                    | ((ArchivedHistory.workflow_id == wid) & (ArchivedHistory.run_id > rid))))
        )
    query = query.order_by(ArchivedHistory.closed_at, ArchivedHistory.workflow_id, ArchivedHistory.run_id).limit(limit)
    return (await session.scalars(query)).all()


# ----------------------------------------------------------------- the "database" store's objects


async def put_object(session: AsyncSession, key: str, data: bytes) -> None:
    """Write an object; writing the same key again replaces it (archiving a run twice writes the same bytes)."""
    values = {"key": key, "data": data}
    insert_fn = pg_insert if dialect_name(session) == "postgresql" else sqlite_insert
    await session.execute(insert_fn(ArchiveObject).values(values).on_conflict_do_update(index_elements=["key"], set_={"data": data}))


async def get_object(session: AsyncSession, key: str) -> bytes | None:
    return await session.scalar(select(ArchiveObject.data).where(ArchiveObject.key == key))

