"""Registry imports: store a dry run, and apply a plan's changes with one audit entry per changed record."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Building,
    Community,
    Company,
    Estate,
    Expert,
    ExpertRelationship,
    FundAccount,
    Household,
    LedgerEntry,
    OwnerRecord,
    RegistryImport,
    Unit,
)
from db.repositories import audit as audit_repo
from domain.access import Actor
from domain.audit import AuditEvent

CHUNK = 2000
# An audit row binds 17 parameters: 1,000 rows stay under SQLite's 32,766.
AUDIT_CHUNK = 1000
_OWNER_FIELDS = ("owner_key", "natural_person", "representative_name", "authorisation_ref", "fee_arrears_fen", "fund_arrears_fen",
                 "arrears_as_of", "arrears_source", "phone_masked", "id_number_masked")
_COMPANY_FIELDS = ("name", "kind", "business_licence", "contact_name", "contact_phone_masked")
_EXPERT_FIELDS = ("name", "specialty", "years_of_practice", "title", "employer", "employer_company_id", "active")


def audit_chain(kind: str) -> str:
    """The audit chain of one kind of registry record (``registry:<kind>``)."""
    return f"registry:{kind}"


async def save_run(session: AsyncSession, run: RegistryImport) -> None:
    session.add(run)
    await session.flush()


async def run_for_update(session: AsyncSession, run_id: str) -> RegistryImport | None:
    return await session.get(RegistryImport, run_id, with_for_update=True)


async def run(session: AsyncSession, run_id: str) -> RegistryImport | None:
    return await session.get(RegistryImport, run_id)


def _new(change: dict[str, Any]) -> dict[str, Any]:
    return {f: pair[1] for f, pair in change["fields"].items()}


async def _insert(session: AsyncSession, table: Any, rows: list[dict[str, Any]]) -> None:
    for i in range(0, len(rows), CHUNK):
        await session.execute(insert(table), rows[i:i + CHUNK])


def _of(changes: list[dict[str, Any]], op: str, entity: str) -> list[dict[str, Any]]:
    return [c for c in changes if c["op"] == op and c["entity"] == entity]


async def _updates(session: AsyncSession, model: Any, changes: Iterable[dict[str, Any]], convert: Any = None) -> None:
    """Each change's new values, as executemany bulk updates by primary key (one statement per set of fields)."""
    pk = model.__mapper__.primary_key[0].key
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for c in changes:
        values = _new(c)
        if convert is not None:
            values = convert(values)
        if values:
            groups.setdefault(tuple(sorted(values)), []).append({pk: c["key"], **values})
    for rows in groups.values():
        for i in range(0, len(rows), CHUNK):
            await session.execute(update(model), rows[i:i + CHUNK])


def _household_values(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    if "area" in out:
        out["area_m2"] = Decimal(out.pop("area"))
    return out


async def _apply_estates(session: AsyncSession, changes: list[dict[str, Any]]) -> None:
    await _insert(session, Community.__table__, [{"id": c["key"], **_new(c)} for c in _of(changes, "create", "community")])
    await _insert(session, Estate.__table__, [{"id": c["key"], **_new(c), "has_owners_committee": False, "resettlement": False}
                                              for c in _of(changes, "create", "estate")])
    await _updates(session, Estate, _of(changes, "update", "estate"))
    await _insert(session, Building.__table__, [{"id": c["key"], **_new(c)} for c in _of(changes, "create", "building")])
    await _updates(session, Building, _of(changes, "update", "building"))
    await _insert(session, Unit.__table__, [{"id": c["key"], **_new(c)} for c in _of(changes, "create", "unit")])
    await _updates(session, Unit, _of(changes, "update", "unit"))
    await _insert(session, Household.__table__, [{"id": c["key"], **_household_values(_new(c))}
                                                 for c in _of(changes, "create", "household")])
    await _updates(session, Household, _of(changes, "update", "household"), _household_values)
    removed = [c["key"] for c in _of(changes, "delete", "household")]
    for i in range(0, len(removed), CHUNK):
        chunk = removed[i:i + CHUNK]
        await session.execute(delete(OwnerRecord).where(OwnerRecord.household_id.in_(chunk)))
        await session.execute(delete(FundAccount).where(FundAccount.household_id.in_(chunk)))
        await session.execute(delete(Household).where(Household.id.in_(chunk)))


def _owner_values(values: dict[str, Any], at: datetime) -> dict[str, Any]:
    out = {f: values[f] for f in _OWNER_FIELDS if f in values}
    if out.get("arrears_as_of"):
        out["arrears_as_of"] = date.fromisoformat(out["arrears_as_of"])
    return {**out, "updated_at": at}


async def _apply_owners(session: AsyncSession, changes: list[dict[str, Any]], at: datetime) -> None:
    await _insert(session, OwnerRecord.__table__, [{"household_id": c["key"], **_owner_values(_new(c), at)}
                                                   for c in _of(changes, "create", "owner")])
    await _updates(session, OwnerRecord, _of(changes, "update", "owner"), lambda v: _owner_values(v, at))
    names = [{"id": c["key"], "owner_name": c["fields"]["owner_name"][1]} for c in changes if "owner_name" in c["fields"]]
    for i in range(0, len(names), CHUNK):
        await session.execute(update(Household), names[i:i + CHUNK])


async def _apply_fund(session: AsyncSession, changes: list[dict[str, Any]], at: datetime, run_id: str, by: str) -> None:
    """Balances as the fund system reports them; every change of a balance is a ledger line (kind ``import``)."""
    lines = []
    for c in changes:
        fields = c["fields"]
        old_balance = fields["balance_fen"][0] if "balance_fen" in fields else None
        if c["op"] == "create":
            balance = fields["balance_fen"][1]
            lines.append({"household_id": c["key"], "at": at, "kind": "import", "amount_fen": balance, "balance_after_fen": balance,
                          "memo": f"registry import {run_id}: opening balance", "recorded_by": by})
        elif "balance_fen" in fields:
            balance = fields["balance_fen"][1]
            lines.append({"household_id": c["key"], "at": at, "kind": "import", "amount_fen": balance - (old_balance or 0),
                          "balance_after_fen": balance, "memo": f"registry import {run_id}: balance from the fund system",
                          "recorded_by": by})
    await _insert(session, FundAccount.__table__, [{"household_id": c["key"], **_new(c), "updated_at": at}
                                                   for c in _of(changes, "create", "fund_account")])
    await _updates(session, FundAccount, _of(changes, "update", "fund_account"), lambda v: {**v, "updated_at": at})
    await _insert(session, LedgerEntry.__table__, lines)


async def _apply_companies(session: AsyncSession, changes: list[dict[str, Any]]) -> None:
    def values(v: dict[str, Any]) -> dict[str, Any]:
        return {f: v[f] for f in _COMPANY_FIELDS if f in v}

    await _insert(session, Company.__table__, [{"id": c["key"], "blacklisted": False, **values(_new(c))}
                                               for c in _of(changes, "create", "company")])
    await _updates(session, Company, _of(changes, "update", "company"), values)
    for c in changes:
        if "estates" not in c["fields"]:
            continue
        old, new = c["fields"]["estates"]
        kind = c["fields"]["kind"][1] if "kind" in c["fields"] else None
        kind = kind or (await session.scalar(select(Company.kind).where(Company.id == c["key"])))
        column = Estate.pricing_agency_id if kind == "pricing_agency" else Estate.property_company_id
        dropped = sorted(set(old or []) - set(new or []))
        if dropped:
            await session.execute(update(Estate).where(Estate.id.in_(dropped), column == c["key"]).values({column: None}))
        if new:
            await session.execute(update(Estate).where(Estate.id.in_(new)).values({column: c["key"]}))


async def _apply_experts(session: AsyncSession, changes: list[dict[str, Any]]) -> None:
    def values(v: dict[str, Any]) -> dict[str, Any]:
        return {f: v[f] for f in _EXPERT_FIELDS if f in v}

    await _insert(session, Expert.__table__, [{"id": c["key"], **values(_new(c))} for c in _of(changes, "create", "expert")])
    await _updates(session, Expert, _of(changes, "update", "expert"), values)
    for c in changes:
        if "relationships" in c["fields"]:
            await session.execute(delete(ExpertRelationship).where(ExpertRelationship.expert_id == c["key"]))
            await _insert(session, ExpertRelationship.__table__, [
                {"expert_id": c["key"], "company_id": company, "relation": relation} for company, relation in c["fields"]["relationships"][1]
            ])


async def apply_changes(
    session: AsyncSession, *, kind: str, run_id: str, changes: list[dict[str, Any]], actor: Actor, at: datetime, reason: str,
) -> int:
    """Write a plan's changes and audit each changed record (who, when, why, old → new); returns how many."""
    if kind == "estates":
        await _apply_estates(session, changes)
    elif kind == "owners":
        await _apply_owners(session, changes, at)
    elif kind == "fund-balances":
        await _apply_fund(session, changes, at, run_id, actor.subject)
    elif kind == "companies":
        await _apply_companies(session, changes)
    elif kind == "experts":
        await _apply_experts(session, changes)
    events = [
        AuditEvent(
            key=f"import:{run_id}:{n}", at=at, kind="registry", step=c["entity"], actor_subject=actor.subject, actor_name=actor.name,
            actor_role=actor.roles[0].value if actor.roles else None, actor_organisation=actor.organisation, decision=c["op"],
            comment=reason, data={"import": run_id, "entity": c["entity"], "key": c["key"], "fields": c["fields"]},
        )
        for n, c in enumerate(changes, start=1)
    ]
    for i in range(0, len(events), AUDIT_CHUNK):
        await audit_repo.append_events(session, audit_chain(kind), events[i:i + AUDIT_CHUNK], maybe_stored=False)
    return len(changes)
