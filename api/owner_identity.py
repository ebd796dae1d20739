"""Which owner the caller is: their subject's binding to a registry owner key (``owner_identities``).

Every route that shows an owner their own units, ledger lines, shares of a notice or ballots asks
here, never compares the token's subject with an owner key itself.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from db.repositories import election as election_repo
from db.repositories import owner_identities as identities_repo
from domain.access import Actor
from domain.personal_data import subject_owner_key


async def owner_key(session: AsyncSession, actor: Actor) -> str | None:
    """The owner key the caller acts as, or None when they are no owner of record."""
    row = await identities_repo.binding(session, actor.subject)
    if row is None:
        return subject_owner_key(actor.subject, None, bound=False)
    return subject_owner_key(actor.subject, row.owner_key if row.active else None, bound=True)


async def own_households(session: AsyncSession, actor: Actor, estate_id: str) -> list[str]:
    """The caller's own units in an estate (none when they are no owner of record)."""
    key = await owner_key(session, actor)
    return [] if key is None else await election_repo.owner_households(session, estate_id, key)
