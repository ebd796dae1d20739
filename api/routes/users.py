"""Users: the administrator keeps each user's profile (name, roles, jurisdiction, active) and deactivates a subject,
whose tokens are then refused (or reactivates it). Every change is audited with its reason (``registry:users``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, Field

from api.deps import SessionDep, require_roles
from api.errors import Invalid
from db.models import User
from db.repositories import audit as audit_repo
from db.repositories import users as users_repo
from db.repositories.owner_identities import USERS_CHAIN
from db.session import after_commit, hold_write_gate
from domain.access import Actor, Level, Role
from domain.audit import AuditEvent

router = APIRouter(prefix="/users", tags=["users 用户"])

UserAdminDep = Annotated[Actor, Depends(require_roles(
    Role.ADMIN, levels=(Level.CITY,), detail="only the city's administrator deactivates users"))]


class UserStatusUpdate(BaseModel):
    active: bool = Field(examples=[False])
    reason: str = Field(min_length=1, max_length=500, examples=["离职，账号停用"])


class UserStatusRead(BaseModel):
    subject: str
    active: bool
    changed_at: datetime | None
    changed_by: str | None
    reason: str | None


@router.put("/{subject}/status", response_model=UserStatusRead, summary="Deactivate or reactivate a user (their tokens are refused)")
async def set_status(
    request: Request, body: UserStatusUpdate, session: SessionDep, admin: UserAdminDep,
    subject: Annotated[str, Path(min_length=1, max_length=64)],
) -> UserStatusRead:
    await hold_write_gate(session)
    row = await users_repo.set_active(
        session, subject=subject, active=body.active, by=admin.subject, reason=body.reason, at=datetime.now(UTC),
    )

    async def forget() -> None:
        request.app.state.identity.deactivated.forget()  # this process honours the change at once

    after_commit(session, forget)
    return UserStatusRead(
        subject=row.subject, active=row.active, changed_at=row.status_changed_at, changed_by=row.status_changed_by,
        reason=row.status_reason,
    )


class UserWrite(BaseModel):
    name: str = Field(min_length=1, max_length=100, examples=["李住建"])
    roles: list[Role] = Field(min_length=1, max_length=len(Role))
    level: Level
    jurisdiction_id: str | None = Field(default=None, max_length=64, description="the street, community, estate, company or department; none for the city")
    organisation: str | None = Field(default=None, max_length=200)
    active: bool = True
    reason: str = Field(min_length=2, max_length=500, examples=["新入职，住建局物业科"])


class UserRead(BaseModel):
    subject: str
    name: str | None
    roles: list[str] | None
    level: str | None
    jurisdiction_id: str | None
    organisation: str | None
    active: bool


def _user(row: User) -> UserRead:
    return UserRead(subject=row.subject, name=row.name, roles=row.roles, level=row.level, jurisdiction_id=row.jurisdiction_id,
                    organisation=row.organisation, active=row.active)


@router.get("", response_model=list[UserRead], summary="Every user on record (the administrator)")
async def list_users(session: SessionDep, _admin: UserAdminDep) -> list[UserRead]:
    return [_user(u) for u in await users_repo.all_users(session)]


@router.put("/{subject}", response_model=UserRead, summary="Create or change a user's profile; a deactivated user's tokens are refused")
async def put_user(
    request: Request, body: UserWrite, session: SessionDep, admin: UserAdminDep,
    subject: Annotated[str, Path(min_length=1, max_length=64)],
) -> UserRead:
    if (body.level == Level.CITY) != (body.jurisdiction_id is None):
        raise Invalid("a city-wide user has no jurisdiction id; every other level names one")
    await hold_write_gate(session)
    at = datetime.now(UTC)
    row, changes = await users_repo.save_profile(
        session, subject=subject, name=body.name, roles=[r.value for r in body.roles], level=body.level.value,
        jurisdiction_id=body.jurisdiction_id, organisation=body.organisation, active=body.active, by=admin.subject, reason=body.reason, at=at,
    )
    if changes:
        await audit_repo.append_events(session, USERS_CHAIN, [AuditEvent(
            key=f"user:{subject}:{at.isoformat()}", at=at, kind="registry", step="user", actor_subject=admin.subject,
            actor_name=admin.name, actor_role=Role.ADMIN.value, actor_organisation=admin.organisation, decision="update",
            comment=body.reason, data={"entity": "user", "key": subject, "fields": changes},
        )], maybe_stored=False)

    async def forget() -> None:
        request.app.state.identity.deactivated.forget()

    after_commit(session, forget)
    return _user(row)
