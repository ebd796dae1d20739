"""Auditors' case search: the case filter plus a business key and the people who acted."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AuditEntry, CaseRecord
from db.repositories.cases import CaseFilter, list_cases
from domain.access import Actor
from domain.read_access import CaseAccess


async def search_cases(
    session: AsyncSession, auditor: Actor, flt: CaseFilter, *, key: str | None, actor_subject: str | None,
    limit: int, offset: int, access: CaseAccess,
) -> tuple[int, list[CaseRecord]]:
    """Cases in the auditor's jurisdiction matching the filter, a business-key fragment and an actor."""
    extra = []
    if key:
        like = f"%{key}%"
        extra.append(or_(CaseRecord.id.like(like), CaseRecord.title.like(like)))
    if actor_subject:
        acted = select(AuditEntry.case_id).where(AuditEntry.actor_subject == actor_subject)
        extra.append(or_(CaseRecord.id.in_(acted), CaseRecord.initiator_subject == actor_subject))
    return await list_cases(session, auditor, flt, limit=limit, offset=offset, extra=extra, access=access)
