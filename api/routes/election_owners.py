"""业委会选举换届: an institutional owner's authorised representative on the owner register (潍坊 Art. 34).

潍坊 Art. 34 para. 3: members of the committee are natural-person owners or the natural person an
institutional owner (单位业主) authorises. The street office, which reviews the candidates, records
the authorisation it was shown on the owner record; the candidate check then lets that person stand.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import CommitteeRegistrarDep, SessionDep
from api.errors import Forbidden, Invalid, NotFound
from db.models import OwnerRecord
from db.repositories import election as election_repo
from db.repositories import reference as reference_repo
from db.session import hold_write_gate
from domain.access import Actor, Scope, covers

router = APIRouter()


class RepresentativeWrite(BaseModel):
    """The authorised natural person and the authorisation document's reference (授权委托书)."""

    name: str = Field(min_length=1, max_length=100, examples=["张建国"])
    authorisation_ref: str = Field(min_length=2, max_length=200, examples=["青州市某某商贸有限公司授权委托书〔2026〕3号"])


class OwnerRecordRead(BaseModel):
    household_id: str
    owner_key: str
    natural_person: bool
    representative_name: str | None
    authorisation_ref: str | None


def _read(record: OwnerRecord) -> OwnerRecordRead:
    return OwnerRecordRead(household_id=record.household_id, owner_key=record.owner_key, natural_person=record.natural_person,
                           representative_name=record.representative_name, authorisation_ref=record.authorisation_ref)


async def _institutional_owner(session: SessionDep, actor: Actor, household_id: str) -> OwnerRecord:
    """The unit's owner record, inside the caller's jurisdiction, for an owner that is not a natural person."""
    household = await reference_repo.household(session, household_id)
    estate = await reference_repo.estate(session, household.estate_id) if household is not None else None
    if estate is None:
        raise NotFound(f"no household {household_id}")
    if not covers(actor.jurisdiction, Scope(street_id=estate.street_id, community_id=estate.community_id, estate_id=estate.id)):
        raise Forbidden(f"household {household_id} is outside your jurisdiction")
    record = await election_repo.owner_record(session, household_id)
    if record is None or record.natural_person:
        raise Invalid(f"the owner of {household_id} is a natural person and stands in person (潍坊 Art. 34)")
    return record


@router.put("/households/{household_id}/owner/representative", response_model=OwnerRecordRead,
            summary="Record the natural person an institutional owner authorises to stand and act (潍坊 Art. 34)")
async def set_representative(
    household_id: str, body: RepresentativeWrite, session: SessionDep, actor: CommitteeRegistrarDep,
) -> OwnerRecordRead:
    await hold_write_gate(session)
    record = await _institutional_owner(session, actor, household_id)
    await election_repo.set_representative(session, record, name=body.name, authorisation_ref=body.authorisation_ref,
                                           at=datetime.now(UTC))
    return _read(record)


@router.delete("/households/{household_id}/owner/representative", response_model=OwnerRecordRead,
               summary="Withdraw an institutional owner's authorisation")
async def withdraw_representative(household_id: str, session: SessionDep, actor: CommitteeRegistrarDep) -> OwnerRecordRead:
    await hold_write_gate(session)
    record = await _institutional_owner(session, actor, household_id)
    await election_repo.set_representative(session, record, name=None, authorisation_ref=None, at=datetime.now(UTC))
    return _read(record)
