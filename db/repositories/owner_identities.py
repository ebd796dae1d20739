"""Owner identities: which registry owner key a signed-in subject is (bound at the counter or from the identity provider)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import OwnerIdentity, OwnerRecord
from db.repositories import audit as audit_repo
from domain.access import Actor
from domain.audit import AuditEvent

# Bindings are audited in the users' chain, with the owner key and never the number it came from.
USERS_CHAIN = "registry:users"


async def binding(session: AsyncSession, subject: str) -> OwnerIdentity | None:
    return await session.get(OwnerIdentity, subject)


async def households_of_key(session: AsyncSession, owner_key: str) -> list[str]:
    """The households whose owner of record has ``owner_key`` (every estate)."""
    stmt = select(OwnerRecord.household_id).where(OwnerRecord.owner_key == owner_key).order_by(OwnerRecord.household_id)
    return list((await session.scalars(stmt)).all())


async def bind(
    session: AsyncSession, *, subject: str, owner_key: str, source: str, by: str, at: datetime,
) -> tuple[OwnerIdentity, dict[str, list[Any]]]:
    """Bind ``subject`` to ``owner_key`` (again); returns the row and its changed fields, old → new."""
    row = await session.get(OwnerIdentity, subject, with_for_update=True)
    if row is None:
        row = OwnerIdentity(subject=subject, owner_key=owner_key, source=source, active=True, changed_at=at, changed_by=by)
        session.add(row)
        await session.flush()
        return row, {"owner_key": [None, owner_key], "active": [None, True], "source": [None, source]}
    new = {"owner_key": owner_key, "active": True, "source": source}
    changes = {f: [getattr(row, f), v] for f, v in new.items() if getattr(row, f) != v}
    if changes:
        row.owner_key, row.active, row.source, row.changed_at, row.changed_by = owner_key, True, source, at, by
        await session.flush()
    return row, changes


async def unbind(session: AsyncSession, *, subject: str, by: str, at: datetime) -> OwnerIdentity | None:
    """End ``subject``'s binding (the row stays, inactive); None when it was never bound."""
    row = await session.get(OwnerIdentity, subject, with_for_update=True)
    if row is not None and row.active:
        row.active, row.changed_at, row.changed_by = False, at, by
        await session.flush()
    return row


async def audit_change(session: AsyncSession, *, actor: Actor, subject: str, changes: dict[str, list[Any]], reason: str, at: datetime) -> None:
    """One entry in ``registry:users``: who bound or unbound ``subject``, why, old → new."""
    await audit_repo.append_events(session, USERS_CHAIN, [AuditEvent(
        key=f"owner-identity:{subject}:{at.isoformat()}", at=at, kind="registry", step="owner_identity", actor_subject=actor.subject,
        actor_name=actor.name, actor_role=",".join(r.value for r in actor.roles), actor_organisation=actor.organisation,
        decision="update", comment=reason, data={"entity": "owner_identity", "key": subject, "fields": changes},
    )], maybe_stored=False)
