"""The committee registry: the body acting for each estate's owners, its term and its re-election."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.errors import integrity_as
from db.models import CommitteeRegistry, CommitteeTerm, Estate

OWNERS_COMMITTEE, MANAGEMENT_COMMITTEE, NO_BODY = "owners_committee", "management_committee", "none"
# Two writers created the estate's registry row (or its term) at once: the later one sends again.
REGISTRY_CHANGED = "the estate's committee registry was changed meanwhile; nothing was stored, send the request again"


async def registry(session: AsyncSession, estate_id: str) -> CommitteeRegistry | None:
    return await session.get(CommitteeRegistry, estate_id)


async def _registry_row(session: AsyncSession, estate_id: str, at: datetime) -> CommitteeRegistry:
    row = await session.get(CommitteeRegistry, estate_id)
    if row is None:
        row = CommitteeRegistry(estate_id=estate_id, body=NO_BODY, members=[], failed_attempts=0, updated_at=at)
        session.add(row)
        with integrity_as(exists=REGISTRY_CHANGED, missing=f"no estate {estate_id}"):
            await session.flush()
    return row


async def record_committee(
    session: AsyncSession, *, estate_id: str, members: list[dict[str, Any]], seats: int, term_start: datetime,
    term_end: datetime, case_id: str | None, at: datetime, reelection_starts_at: datetime | None = None,
    reelection_vote_by: datetime | None = None,
) -> tuple[CommitteeRegistry, bool]:
    """Register an elected committee and its term; returns the row and whether an acting body must hand over."""
    row = await _registry_row(session, estate_id, at)
    if case_id is not None and row.elected_case_id == case_id:
        # A retry: the first call already replaced the acting body, which stays recorded (acting_since)
        # until it has handed over (潍坊 Art. 44), so the retry answers as the first call did.
        return row, bool(row.acting_since)
    handover = row.body == MANAGEMENT_COMMITTEE
    row.body, row.members, row.seats, row.term_start, row.term_end = OWNERS_COMMITTEE, members, seats, term_start, term_end
    row.elected_case_id, row.failed_attempts, row.reelection_case_id, row.certificate_no = case_id, 0, None, None
    row.reelection_starts_at, row.reelection_vote_by = reelection_starts_at, reelection_vote_by
    row.updated_at = at
    if case_id is not None and await session.scalar(select(CommitteeTerm.id).where(CommitteeTerm.case_id == case_id)) is None:
        session.add(CommitteeTerm(estate_id=estate_id, case_id=case_id, term_start=term_start, term_end=term_end,
                                  members=members, recorded_at=at))
    # Other processes ask the estate whether a committee exists (the residents' committee acts if not).
    await session.execute(update(Estate).where(Estate.id == estate_id).values(has_owners_committee=True))
    with integrity_as(exists=REGISTRY_CHANGED, missing=f"no estate {estate_id}"):
        await session.flush()
    return row, handover


async def finish_handover(session: AsyncSession, estate_id: str, at: datetime) -> None:
    """The acting body has handed over (潍坊 Art. 44): it is no longer recorded on the estate."""
    row = await _registry_row(session, estate_id, at)
    row.acting_since, row.acting_chair, row.updated_at = None, None, at


async def record_failed_attempts(session: AsyncSession, estate_id: str, failed: int, at: datetime) -> None:
    """Set (not add to) the failed-attempt count, so a retried activity leaves the same number."""
    row = await _registry_row(session, estate_id, at)
    row.failed_attempts, row.updated_at = failed, at


async def appoint_acting_body(session: AsyncSession, *, estate_id: str, community_id: str, at: datetime) -> CommitteeRegistry:
    """潍坊 Arts. 41–43: a 物业管理委员会 chaired by the residents' committee acts for the estate."""
    row = await _registry_row(session, estate_id, at)
    if row.body != MANAGEMENT_COMMITTEE:
        row.body, row.acting_since, row.acting_chair, row.updated_at = MANAGEMENT_COMMITTEE, at, community_id, at
        await session.execute(update(Estate).where(Estate.id == estate_id).values(has_owners_committee=False))
    with integrity_as(exists=REGISTRY_CHANGED, missing=f"no estate {estate_id}"):
        await session.flush()
    return row


async def set_certificate(session: AsyncSession, estate_id: str, case_id: str, certificate_no: str, at: datetime) -> None:
    row = await _registry_row(session, estate_id, at)
    if row.elected_case_id == case_id:
        row.certificate_no, row.updated_at = certificate_no, at


async def claim_reelection(session: AsyncSession, estate_id: str, term_end: datetime, case_id: str, at: datetime) -> str | None:
    """Mark the term's re-election as started by ``case_id``; the case already claimed wins; None if the term changed."""
    row = await session.get(CommitteeRegistry, estate_id)
    if row is None or row.term_end is None or row.term_end != term_end or row.body != OWNERS_COMMITTEE:
        return None
    if row.reelection_case_id is None:
        row.reelection_case_id, row.updated_at = case_id, at
        with integrity_as(exists=REGISTRY_CHANGED):
            await session.flush()
    return row.reelection_case_id
