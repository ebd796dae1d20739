"""Owner identities: binding a signed-in subject to the owner of record it is (个人信息保护法 Arts. 6, 28).

The registry keeps no ID number, only the owner key derived from it with the city's secret. At the
counter, the administrator or the housing bureau checks the owner's ID card (an institution's
credit code and its representative's authorisation) and types the number: it is checked, hashed
with the same secret, compared with the owners of record, and thrown away. The binding and its
end are audited in ``registry:users`` with the key, never the number.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from api.deps import SessionDep, SettingsDep
from api.errors import Invalid, NotFound
from api.routes.registry_admin import RegistryAdminDep
from db.models import OwnerIdentity
from db.repositories import owner_identities as identities_repo
from db.session import hold_write_gate
from domain.personal_data import id_number_problem, owner_key_of, uscc_problem

router = APIRouter(prefix="/users", tags=["users 用户"])

Subject = Annotated[str, Path(min_length=1, max_length=64)]
Reason = Annotated[str, Field(min_length=2, max_length=500, examples=["本人持身份证到街道办核验"])]


class OwnerBindingWrite(BaseModel):
    """The owner's ID number (a natural person) or credit code (an institution): checked, hashed, never stored."""

    id_number: str | None = Field(default=None, max_length=18, description="公民身份号码 (GB 11643); not stored")
    credit_code: str | None = Field(default=None, max_length=18, description="统一社会信用代码 (GB 32100) of an institutional owner")
    reason: Reason


class OwnerBindingRead(BaseModel):
    subject: str
    active: bool
    source: str = Field(description="counter: bound by the bureau or the administrator; idp: from the identity provider's verified claim")
    households: list[str] = Field(description="the units of record of the owner the subject is (none once unbound)")
    changed_at: datetime
    changed_by: str


async def _read(session: SessionDep, row: OwnerIdentity) -> OwnerBindingRead:
    households = await identities_repo.households_of_key(session, row.owner_key) if row.active else []
    return OwnerBindingRead(subject=row.subject, active=row.active, source=row.source, households=households,
                            changed_at=row.changed_at, changed_by=row.changed_by)


def _key(body: OwnerBindingWrite, secret: str) -> str:
    if (body.id_number is None) == (body.credit_code is None):
        raise Invalid("name the owner's id_number or an institution's credit_code, one of them")
    if body.id_number is not None:
        number = body.id_number.upper()
        if problem := id_number_problem(number):
            raise Invalid(problem)
        return owner_key_of(number, secret)
    assert body.credit_code is not None
    if problem := uscc_problem(body.credit_code):
        raise Invalid(problem)
    return owner_key_of(body.credit_code, secret)


@router.put("/{subject}/owner", response_model=OwnerBindingRead,
            summary="Bind a subject to the owner of record whose ID number (or credit code) was checked at the counter")
async def bind_owner(subject: Subject, body: OwnerBindingWrite, session: SessionDep, settings: SettingsDep,
                     actor: RegistryAdminDep) -> OwnerBindingRead:
    key = _key(body, settings.owner_key_secret)
    if not await identities_repo.households_of_key(session, key):
        raise Invalid("登记簿中没有该证件号码的业主（先导入业主名册）")
    await hold_write_gate(session)
    at = datetime.now(UTC)
    row, changes = await identities_repo.bind(session, subject=subject, owner_key=key, source="counter", by=actor.subject, at=at)
    if changes:
        await identities_repo.audit_change(session, actor=actor, subject=subject, changes=changes, reason=body.reason, at=at)
    return await _read(session, row)


@router.delete("/{subject}/owner", response_model=OwnerBindingRead,
               summary="End a subject's binding: it reaches no owner's units until bound again")
async def unbind_owner(subject: Subject, session: SessionDep, actor: RegistryAdminDep,
                       reason: Annotated[str, Query(min_length=2, max_length=500)]) -> OwnerBindingRead:
    await hold_write_gate(session)
    at = datetime.now(UTC)
    before = await identities_repo.binding(session, subject)
    was_active = before is not None and before.active
    row = await identities_repo.unbind(session, subject=subject, by=actor.subject, at=at)
    if row is None:
        raise NotFound(f"{subject} is bound to no owner")
    if was_active:
        await identities_repo.audit_change(session, actor=actor, subject=subject, changes={"active": [True, False]}, reason=reason, at=at)
    return await _read(session, row)
