"""A company's credit timeline, and the bureau's revocation of a record (山东社会信用条例 Art. 40).

The timeline (grade changes, blacklist entry and exit, adjustments, records and their revocation)
is read by the company itself and by the city's bureau, supervisor, auditors and administrator,
like the company's file. The bureau's own acts on a file are appended to the company's credit
chain in the hash-chained audit log (``credit-file:<company>``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from api.deps import ActorDep, SessionDep, require_roles
from api.errors import Forbidden, NotFound
from api.limits import RowId
from api.routes.credit_view import RecordRead, record_read
from db.errors import NotFound as RowNotFound
from db.models import Company
from db.repositories import audit as audit_repo
from db.repositories import credit as credit_repo
from domain.access import Actor, Level, Role
from domain.audit import AuditEvent
from domain.credit_facts import CreditStanding
from domain.credit_timeline import TimelineEvent, company_timeline, credit_file_chain

router = APIRouter(prefix="/credit", tags=["credit 物业企业信用"])

BureauDep = Annotated[Actor, Depends(require_roles(Role.HOUSING_BUREAU, levels=(Level.CITY,), detail="撤销信用记录由住建局决定"))]


def reads_credit_file(actor: Actor, company_id: str) -> bool:
    """The company itself, and the city's bureau, supervisor, auditors and administrator."""
    own = Role.PROPERTY_COMPANY in actor.roles and actor.jurisdiction.level == Level.COMPANY and actor.jurisdiction.id == company_id
    city = actor.jurisdiction.level == Level.CITY and actor.has_any((Role.HOUSING_BUREAU, Role.BUREAU_SUPERVISOR, Role.AUDITOR, Role.ADMIN))
    return own or city


def credit_audit_event(key: str, actor: Actor, decision: str, comment: str, data: dict[str, object]) -> AuditEvent:
    return AuditEvent(key=key, at=datetime.now(UTC), kind="decision", actor_subject=actor.subject, actor_name=actor.name,
                      actor_role=Role.HOUSING_BUREAU.value, actor_organisation=actor.organisation, decision=decision, comment=comment,
                      data=data)


class ChainState(BaseModel):
    chain_id: str
    entries: int
    intact: bool


class CompanyTimelineRead(BaseModel):
    """信用档案时间线, newest first."""

    company_id: str
    company_name: str
    standing: CreditStanding
    events: list[TimelineEvent]
    # The company's own credit chain in the audit log (the bureau's acts on the file) and whether it is intact.
    chain: ChainState


@router.get("/companies/{company_id}/timeline", response_model=CompanyTimelineRead,
            summary="A company's credit timeline: grade changes, blacklist entry and exit, adjustments, records and revocations")
async def timeline_of(company_id: str, session: SessionDep, actor: ActorDep) -> CompanyTimelineRead:
    if not reads_credit_file(actor, company_id):
        raise Forbidden("信用档案仅向企业本身、住建局和审计开放")
    company = await session.get(Company, company_id)
    if company is None or company.kind != "property":
        raise NotFound(f"no property company {company_id}")
    now = datetime.now(UTC)
    records = (await credit_repo.record_views(session, [company_id])).get(company_id, [])
    published, entries = await credit_repo.timeline_sources(session, company_id)
    chain_id = credit_file_chain(company_id)
    count, broken = await audit_repo.check_chain(session, chain_id)
    return CompanyTimelineRead(
        company_id=company.id, company_name=company.name, standing=await credit_repo.standing(session, company, now),
        events=company_timeline(records, published, company.credit_grade, entries, now),
        chain=ChainState(chain_id=chain_id, entries=count, intact=broken is None),
    )


class RevocationCreate(BaseModel):
    """Art. 40: the judgment or administrative decision a record stands on was revoked or changed."""

    reason: str = Field(min_length=2, max_length=2000, description="撤销理由")
    evidence: str = Field(min_length=2, max_length=2000, description="撤销或者变更的法律文书")


@router.post("/records/{record_id}/revocation", response_model=RecordRead,
             summary="The bureau revokes a record whose legal basis was revoked (山东社会信用条例 Art. 40); once")
async def revoke(record_id: RowId, body: RevocationCreate, session: SessionDep, actor: BureauDep) -> RecordRead:
    try:
        record = await credit_repo.get_record(session, record_id)
    except RowNotFound:
        raise NotFound(f"no credit record {record_id}") from None
    now = datetime.now(UTC)
    if record.revoked_at is None:
        reason = f"住建局撤销（法律文书撤销或者变更，第四十条）：{body.reason}"
        record = await credit_repo.revoke_record(session, record_id, at=now, reason=reason)
        await audit_repo.append_events(session, credit_file_chain(record.company_id), [credit_audit_event(
            f"credit-revoke:{record_id}", actor, "revoke_record", reason,
            {"record_id": record_id, "company_id": record.company_id, "evidence": body.evidence})])
    # A revoked record stays revoked with its first reason: a repeated request reads it as it is.
    return record_read(credit_repo.view(record), now)
