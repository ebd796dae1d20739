"""Per-process views of a case for the generic read route: what a caller may not see is left out."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.schemas import CaseRead
from db.models import CaseRecord
from domain.access import Actor
from domain.election import PROCESS_KIND as ELECTION_KIND


async def redact_for(session: AsyncSession, actor: Actor, record: CaseRecord, case: CaseRead) -> CaseRead:
    """Apply the process's own privacy rules (an election hides others' findings and objectors)."""
    if record.kind == ELECTION_KIND:
        from api.routes.election import filtered_view

        return await filtered_view(session, actor, record, case)
    return case
