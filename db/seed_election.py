"""Demo data for the committee election: the registry of 锦绣华庭's sitting committee and a few owner records."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db.repositories import committee as committee_repo
from db.repositories import election as election_repo
from domain.election_checks import reelection_starts_at, reelection_vote_by

DEMO_ESTATE = "yidu-jinxiu"
# The second committee of 锦绣华庭, elected for five years; its re-election's vote closes by 90 days
# before the term ends (潍坊 Art. 40), and `PUT /owners-committees/yidu-jinxiu` arms its timer.
TERM_START = datetime(2022, 4, 1, tzinfo=UTC)
TERM_END = datetime(2027, 3, 31, tzinfo=UTC)
MEMBERS = [
    {"name": "业主nxiu0001", "household_id": "yidu-jinxiu-b1-u1-101", "party_member": True},
    {"name": "业主nxiu0003", "household_id": "yidu-jinxiu-b1-u1-201", "party_member": True},
    {"name": "业主nxiu0005", "household_id": "yidu-jinxiu-b1-u1-301", "party_member": False},
    {"name": "业主nxiu0007", "household_id": "yidu-jinxiu-b1-u1-401", "party_member": True},
    {"name": "业主nxiu0009", "household_id": "yidu-jinxiu-b1-u1-501", "party_member": False},
]


async def seed_election(session: AsyncSession) -> None:
    """The sitting committee, an owner with two units (counted once in headcount), an owner in arrears."""
    at = datetime.now(UTC)
    await committee_repo.record_committee(
        session, estate_id=DEMO_ESTATE, members=MEMBERS, seats=len(MEMBERS), term_start=TERM_START, term_end=TERM_END,
        case_id=None, at=at, reelection_starts_at=reelection_starts_at(TERM_END), reelection_vote_by=reelection_vote_by(TERM_END),
    )
    # The demo owner (token subject owner-jinxiu-0101) owns 101 and 102 of building 1, unit 1.
    for unit in ("yidu-jinxiu-b1-u1-101", "yidu-jinxiu-b1-u1-102"):
        await election_repo.set_owner(session, household_id=unit, owner_key="owner-jinxiu-0101", at=at)
    # An owner behind on property fees: nominating them shows the qualification review's reason.
    await election_repo.set_owner(session, household_id="yidu-jinxiu-b2-u1-101", owner_key="yidu-jinxiu-b2-u1-101",
                                  fee_arrears_fen=86_000, at=at)
