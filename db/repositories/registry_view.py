"""What a registry import compares with: the registry's current records for the rows of one file."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Building,
    CaseRecord,
    Community,
    Company,
    ElectionVoter,
    Estate,
    Expert,
    ExpertRelationship,
    FundAccount,
    Household,
    LedgerEntry,
    OwnerRecord,
    Street,
    Unit,
)
from domain.cases import FINAL_STATUSES
from domain.fund_emergency import PROCESS_KIND as FUND_KIND
from domain.registry_import import ImportKind, ParsedRow
from domain.registry_plan import HouseholdLock, RegistryView, households_in_scope

# SQLite allows at most 32,766 bound parameters per statement.
CHUNK = 5000


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for i in range(0, len(values), CHUNK):
        yield values[i:i + CHUNK]


def _field(rows: list[ParsedRow], name: str) -> list[str]:
    return sorted({r.record[name] for r in rows if r.record and r.record.get(name)})


async def _household_estates(session: AsyncSession, estate_ids: list[str], household_ids: list[str]) -> dict[str, str]:
    """Each of ``household_ids`` that exists → its estate (the named estates' households in one query)."""
    out: dict[str, str] = {}
    if estate_ids:
        out.update((await session.execute(select(Household.id, Household.estate_id).where(Household.estate_id.in_(estate_ids)))).all())
    rest = [h for h in household_ids if h not in out]
    for chunk in _chunks(rest):
        out.update((await session.execute(select(Household.id, Household.estate_id).where(Household.id.in_(chunk)))).all())
    return out


async def _estates(session: AsyncSession) -> dict[str, dict[str, Any]]:
    rows = (await session.execute(select(Estate.id, Estate.name, Estate.street_id, Estate.community_id))).all()
    return {e: {"name": n, "street_id": s, "community_id": c} for e, n, s, c in rows}


async def _locks(session: AsyncSession, estate_ids: list[str], places: dict[str, tuple[str, str, str]]) -> dict[str, HouseholdLock]:
    """Open fund cases covering the households, and the households with a ledger or a place on a roll."""
    locks: dict[str, HouseholdLock] = {}
    cases = (await session.execute(
        select(CaseRecord.id, CaseRecord.estate_id, CaseRecord.snapshot).where(
            CaseRecord.kind == FUND_KIND, CaseRecord.estate_id.in_(estate_ids), CaseRecord.status.not_in(list(FINAL_STATUSES)),
        ).order_by(CaseRecord.id)
    )).all()
    for case_id, estate_id, snapshot in cases:
        facts = (snapshot or {}).get("facts") or {}
        scope = facts.get("affected_scope") or "estate"
        for h in households_in_scope(scope, facts.get("scope_id"), estate_id or "", places):
            lock = locks.setdefault(h, HouseholdLock())
            lock.open_case = lock.open_case or case_id
            if facts.get("public_notice"):
                lock.notice_case = lock.notice_case or case_id
    in_estates = select(Household.id).where(Household.estate_id.in_(estate_ids))
    for table in (LedgerEntry.household_id, ElectionVoter.household_id):
        for h in (await session.scalars(select(table).where(table.in_(in_estates)).distinct())).all():
            locks.setdefault(h, HouseholdLock()).has_history = True
    return locks


async def _estates_view(session: AsyncSession, rows: list[ParsedRow], view: RegistryView) -> None:
    estate_ids = _field(rows, "estate_id")
    view.streets = set((await session.scalars(select(Street.id))).all())
    view.communities = dict((await session.execute(select(Community.id, Community.street_id))).all())
    view.estates = await _estates(session)
    building_ids = _field(rows, "building_id")
    stmt = select(Building.id, Building.estate_id, Building.name)
    found = list((await session.execute(stmt.where(Building.estate_id.in_(estate_ids)))).all())
    for chunk in _chunks(building_ids):
        found += (await session.execute(stmt.where(Building.id.in_(chunk)))).all()
    view.buildings = {b: {"estate_id": e, "name": n} for b, e, n in found}
    ustmt = select(Unit.id, Unit.building_id, Unit.name)
    ufound = list((await session.execute(
        ustmt.join(Building, Building.id == Unit.building_id).where(Building.estate_id.in_(estate_ids)))).all())
    missing = [u for u in _field(rows, "unit_id") if u not in {x[0] for x in ufound}]
    for chunk in _chunks(missing):
        ufound += (await session.execute(ustmt.where(Unit.id.in_(chunk)))).all()
    view.units = {u: {"building_id": b, "name": n} for u, b, n in ufound}
    hstmt = select(Household.id, Household.estate_id, Household.unit_id, Household.room, Household.owner_name, Household.area_m2)
    hfound = list((await session.execute(hstmt.where(Household.estate_id.in_(estate_ids)))).all())
    known = {h[0] for h in hfound}
    for chunk in _chunks([r.key for r in rows if r.key and r.key not in known]):
        hfound += (await session.execute(hstmt.where(Household.id.in_(chunk)))).all()
    view.households = {h: {"estate_id": e, "unit_id": u, "room": r, "owner_name": o, "area": f"{a:.2f}"} for h, e, u, r, o, a in hfound}
    places = {h: (rec["estate_id"], view.units.get(rec["unit_id"], {}).get("building_id", ""), rec["unit_id"])
              for h, rec in view.households.items() if rec["estate_id"] in set(estate_ids)}
    view.locks = await _locks(session, estate_ids, places)


async def _owners_view(session: AsyncSession, rows: list[ParsedRow], view: RegistryView) -> None:
    view.estates = await _estates(session)
    estate_ids = [e for e in _field(rows, "estate_id") if e in view.estates]
    view.household_estate = await _household_estates(session, estate_ids, _field(rows, "household_id"))
    names = select(Household.id, Household.owner_name).where(Household.estate_id.in_(estate_ids))
    view.households = {h: {"owner_name": n} for h, n in (await session.execute(names)).all()}
    stmt = (select(OwnerRecord, Household.owner_name).join(Household, Household.id == OwnerRecord.household_id)
            .where(Household.estate_id.in_(estate_ids)))
    for record, name in (await session.execute(stmt)).all():
        view.current[record.household_id] = {
            "natural_person": record.natural_person, "owner_name": name, "representative_name": record.representative_name,
            "authorisation_ref": record.authorisation_ref, "fee_arrears_fen": record.fee_arrears_fen,
            "fund_arrears_fen": record.fund_arrears_fen,
            "arrears_as_of": record.arrears_as_of.isoformat() if record.arrears_as_of else None,
            "arrears_source": record.arrears_source, "phone_masked": record.phone_masked, "owner_key": record.owner_key,
            "id_number_masked": record.id_number_masked,
        }


async def _fund_view(session: AsyncSession, rows: list[ParsedRow], view: RegistryView) -> None:
    view.estates = await _estates(session)
    estate_ids = [e for e in _field(rows, "estate_id") if e in view.estates]
    view.household_estate = await _household_estates(session, estate_ids, _field(rows, "household_id"))
    stmt = (select(FundAccount.household_id, FundAccount.balance_fen, FundAccount.initial_deposit_fen)
            .join(Household, Household.id == FundAccount.household_id).where(Household.estate_id.in_(estate_ids)))
    view.current = {h: {"balance_fen": b, "initial_deposit_fen": i} for h, b, i in (await session.execute(stmt)).all()}


async def _companies_view(session: AsyncSession, rows: list[ParsedRow], view: RegistryView) -> None:
    view.estates = await _estates(session)
    served: dict[str, list[str]] = {}
    for e, p, a in (await session.execute(select(Estate.id, Estate.property_company_id, Estate.pricing_agency_id))).all():
        for company in (p, a):
            if company:
                served.setdefault(company, []).append(e)
    for c in (await session.scalars(select(Company))).all():
        view.current[c.id] = {
            "name": c.name, "kind": c.kind, "business_licence": c.business_licence, "contact_name": c.contact_name,
            "contact_phone_masked": c.contact_phone_masked, "estates": sorted(served.get(c.id, [])),
        }


async def _experts_view(session: AsyncSession, rows: list[ParsedRow], view: RegistryView) -> None:
    view.companies = set((await session.scalars(select(Company.id))).all())
    relations: dict[str, list[list[str]]] = {}
    for e, c, r in (await session.execute(select(ExpertRelationship.expert_id, ExpertRelationship.company_id, ExpertRelationship.relation))).all():
        relations.setdefault(e, []).append([c, r])
    for x in (await session.scalars(select(Expert))).all():
        view.current[x.id] = {
            "name": x.name, "specialty": x.specialty, "years_of_practice": x.years_of_practice, "title": x.title,
            "employer": x.employer, "employer_company_id": x.employer_company_id, "active": x.active,
            "relationships": sorted(relations.get(x.id, [])),
        }


_LOADERS = {
    ImportKind.ESTATES: _estates_view, ImportKind.OWNERS: _owners_view, ImportKind.FUND_BALANCES: _fund_view,
    ImportKind.COMPANIES: _companies_view, ImportKind.EXPERTS: _experts_view,
}


async def registry_view(session: AsyncSession, kind: ImportKind, rows: list[ParsedRow]) -> RegistryView:
    """The registry as it is now, for the records these rows name."""
    view = RegistryView()
    await _LOADERS[kind](session, rows, view)
    return view
