"""Administering the registry one record at a time: companies, experts, owner records (and reading an owner record).

The administrator and the housing bureau write (city level); each change states its reason and is
audited old → new in the registry's chain of its kind (``registry:<kind>``), through the same
checks as a spreadsheet row of the kind (``core.registry_import.change_record``). An owner's ID
number is never stored: the record keeps it masked (first 6 and last 4) and as the owner key.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field

from api.deps import ActorDep, SessionDep, SettingsDep, require_roles
from api.errors import Forbidden, Invalid, NotFound
from core.registry_import import RecordRefused, change_record
from db.repositories import election as election_repo
from db.repositories import reference as reference_repo
from db.session import hold_write_gate
from domain.access import Actor, Level, Role, Scope, covers
from domain.registry_import import COMPANY_KINDS, ImportKind

router = APIRouter(tags=["registry administration 登记管理"])

RegistryAdminDep = Annotated[Actor, Depends(require_roles(
    Role.ADMIN, Role.HOUSING_BUREAU, levels=(Level.CITY,), detail="the registry is kept by the administrator or the housing bureau"))]
RecordId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Reason = Annotated[str, Field(min_length=2, max_length=500, description="why the record changes (kept in the audit log)",
                              examples=["住建局2026年第3批备案"])]
# Who reads an owner record (its masked ID number and phone): the registry's keepers, the street
# office that reviews candidates, and auditors, each within their jurisdiction.
OWNER_RECORD_READERS = (Role.ADMIN, Role.HOUSING_BUREAU, Role.STREET_OFFICE, Role.CLERK, Role.AUDITOR)
_KIND_CODES = {code: label for label, code in COMPANY_KINDS.items()}


class ChangeRead(BaseModel):
    key: str
    outcome: str = Field(description="created / updated / unchanged")
    label: str
    changes: dict[str, list[Any]] = Field(description="an update's fields, old → new")


def _yuan(fen: int) -> str:
    return str(Decimal(fen) / 100)


async def _change(session: SessionDep, settings: SettingsDep, kind: ImportKind, cells: dict[str, str], actor: Actor, reason: str) -> ChangeRead:
    await hold_write_gate(session)
    try:
        outcome = await change_record(session, kind=kind, cells=cells, actor=actor, reason=reason, secret=settings.owner_key_secret)
    except RecordRefused as exc:
        raise Invalid("；".join(f"{e['column']}：{e['reason']}" for e in exc.errors), errors=exc.errors) from None
    return ChangeRead(key=outcome["key"], outcome=outcome["outcome"], label=outcome["label"], changes=outcome["changes"])


class CompanyWrite(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["青州新苑物业服务有限公司"])
    kind: Literal["property", "pricing_agency", "contractor"]
    business_licence: str = Field(min_length=18, max_length=18, description="统一社会信用代码 (GB 32100)", examples=["91370781MA3C4X2F4F"])
    contact_name: str | None = Field(default=None, max_length=100)
    contact_phone: str | None = Field(default=None, max_length=20, description="kept masked only")
    estates: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=500,
                                                                description="the estates it serves (or prices, for an agency)")
    reason: Reason


@router.put("/companies/{company_id}", response_model=ChangeRead,
            summary="Register or change a company: registration, contact, estates served (grade and blacklist come from credit)")
async def put_company(company_id: RecordId, body: CompanyWrite, session: SessionDep, settings: SettingsDep, actor: RegistryAdminDep) -> ChangeRead:
    cells = {"company_id": company_id, "name": body.name, "kind": _KIND_CODES[body.kind], "business_licence": body.business_licence,
             "contact_name": body.contact_name or "", "contact_phone": body.contact_phone or "", "estates": " ".join(body.estates)}
    return await _change(session, settings, ImportKind.COMPANIES, cells, actor, body.reason)


class Relationship(BaseModel):
    company_id: str = Field(min_length=1, max_length=64)
    relation: str = Field(min_length=1, max_length=100, examples=["前雇主"])


class ExpertWrite(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    specialty: str = Field(min_length=1, max_length=100)
    years_of_practice: int = Field(ge=0, le=70)
    title: str | None = Field(default=None, max_length=100)
    employer: str = Field(min_length=1, max_length=200)
    employer_company_id: str | None = Field(default=None, max_length=64)
    active: bool = True
    relationships: list[Relationship] = Field(default_factory=list, max_length=50)
    reason: Reason


@router.put("/experts/{expert_id}", response_model=ChangeRead,
            summary="Register or change an expert of the pool: specialty, years, title, employer, relationships, in the pool or not")
async def put_expert(expert_id: RecordId, body: ExpertWrite, session: SessionDep, settings: SettingsDep, actor: RegistryAdminDep) -> ChangeRead:
    cells = {"expert_id": expert_id, "name": body.name, "specialty": body.specialty, "years_of_practice": str(body.years_of_practice),
             "title": body.title or "", "employer": body.employer, "employer_company_id": body.employer_company_id or "",
             "active": "是" if body.active else "否",
             "relationships": "；".join(f"{r.company_id}:{r.relation}" for r in body.relationships)}
    return await _change(session, settings, ImportKind.EXPERTS, cells, actor, body.reason)


class OwnerWrite(BaseModel):
    natural_person: bool = Field(description="a natural person, or an institution (单位业主) standing through its representative")
    name: str = Field(min_length=1, max_length=100, examples=["张三"])
    id_number: str = Field(min_length=18, max_length=18, description="ID number (GB 11643) or an institution's credit code; never stored")
    phone: str | None = Field(default=None, max_length=20, description="kept masked only")
    representative_name: str | None = Field(default=None, max_length=100)
    authorisation_ref: str | None = Field(default=None, max_length=200)
    fee_arrears_fen: int = Field(default=0, ge=0, le=10**11)
    fund_arrears_fen: int = Field(default=0, ge=0, le=10**11)
    arrears_as_of: date | None = None
    arrears_source: str | None = Field(default=None, max_length=200)
    reason: Reason


class OwnerRead(BaseModel):
    household_id: str
    owner_name: str
    natural_person: bool
    id_number_masked: str | None = Field(description="first 6 and last 4 characters")
    phone_masked: str | None
    representative_name: str | None
    authorisation_ref: str | None
    fee_arrears_fen: int
    fund_arrears_fen: int
    arrears_as_of: date | None
    arrears_source: str | None
    updated_at: datetime


async def _household_in_reach(session: SessionDep, actor: Actor, household_id: str) -> str:
    household = await reference_repo.household(session, household_id)
    estate = await reference_repo.estate(session, household.estate_id) if household is not None else None
    if estate is None:
        raise NotFound(f"no household {household_id}")
    if not covers(actor.jurisdiction, Scope(street_id=estate.street_id, community_id=estate.community_id, estate_id=estate.id)):
        raise NotFound(f"no household {household_id}")
    return estate.id


@router.put("/households/{household_id}/owner", response_model=ChangeRead,
            summary="Record a unit's owner: natural person or institution with its representative, arrears with date and source")
async def put_owner(household_id: RecordId, body: OwnerWrite, session: SessionDep, settings: SettingsDep, actor: RegistryAdminDep) -> ChangeRead:
    estate_id = await _household_in_reach(session, actor, household_id)
    cells = {"estate_id": estate_id, "household_id": household_id, "natural_person": "自然人" if body.natural_person else "单位",
             "owner_name": body.name, "id_number": body.id_number, "phone": body.phone or "",
             "representative_name": body.representative_name or "", "authorisation_ref": body.authorisation_ref or "",
             "fee_arrears_fen": _yuan(body.fee_arrears_fen), "fund_arrears_fen": _yuan(body.fund_arrears_fen),
             "arrears_as_of": body.arrears_as_of.isoformat() if body.arrears_as_of else "", "arrears_source": body.arrears_source or ""}
    return await _change(session, settings, ImportKind.OWNERS, cells, actor, body.reason)


@router.get("/households/{household_id}/owner", response_model=OwnerRead,
            summary="A unit's owner record, its ID number and phone masked (the registry's keepers, the street office, auditors)")
async def get_owner(household_id: RecordId, session: SessionDep, actor: ActorDep) -> OwnerRead:
    if not actor.has_any(OWNER_RECORD_READERS):
        raise Forbidden("owner records are read by the registry's keepers, the street office and auditors")
    await _household_in_reach(session, actor, household_id)
    record = await election_repo.owner_record(session, household_id)
    household = await reference_repo.household(session, household_id)
    if record is None or household is None:
        raise NotFound(f"no owner recorded for {household_id}")
    return OwnerRead(
        household_id=household_id, owner_name=household.owner_name, natural_person=record.natural_person,
        id_number_masked=record.id_number_masked, phone_masked=record.phone_masked, representative_name=record.representative_name,
        authorisation_ref=record.authorisation_ref, fee_arrears_fen=record.fee_arrears_fen, fund_arrears_fen=record.fund_arrears_fen,
        arrears_as_of=record.arrears_as_of, arrears_source=record.arrears_source, updated_at=record.updated_at,
    )
