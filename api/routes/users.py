"""Users: an administrator deactivates a subject, whose tokens are then refused (or reactivates it)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, Field

from api.deps import SessionDep, require_roles
from db.repositories import users as users_repo
from db.session import after_commit, hold_write_gate
from domain.access import Actor, Level, Role

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
