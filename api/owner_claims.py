"""An owner's sign-in binds their subject from the identity provider's verified ID-number claim (when configured).

The number is checked (GB 11643), turned into the owner key with the city's secret and dropped: it
is neither stored nor logged. A binding the counter ended (``active`` false) is not renewed by a
sign-in, so an unbinding stands until the bureau binds the subject again. Each process remembers
the keys it bound, so a sign-in writes only when the subject's key is new or changed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.errors import AlreadyExists
from db.repositories import owner_identities as identities_repo
from db.session import transaction
from domain.access import SYSTEM_ACTOR, Actor
from domain.personal_data import id_number_problem, owner_key_of

log = structlog.get_logger("api.owner_claims")
IDP = "idp"


class ClaimBindings:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], secret: str) -> None:
        self._sessions = sessions
        self._secret = secret
        self._bound: dict[str, str] = {}

    async def sign_in(self, actor: Actor, value: Any) -> None:
        """Bind ``actor``'s subject to the owner key of the ID number ``value`` (a claim's value; anything else is ignored)."""
        number = value.upper() if isinstance(value, str) else ""
        if id_number_problem(number) is not None:
            log.info("the ID-number claim is missing or not an ID number; the subject is not bound from it")
            return
        key = owner_key_of(number, self._secret)
        if self._bound.get(actor.subject) == key:
            return
        try:
            async with transaction(self._sessions) as session:
                row = await identities_repo.binding(session, actor.subject)
                if row is None or (row.active and row.owner_key != key):
                    at = datetime.now(UTC)
                    _, changes = await identities_repo.bind(session, subject=actor.subject, owner_key=key, source=IDP, by=IDP, at=at)
                    await identities_repo.audit_change(session, actor=SYSTEM_ACTOR, subject=actor.subject, changes=changes,
                                                       reason="身份认证平台的实名身份证号", at=at)
        except AlreadyExists:
            return  # the subject's first sign-ins raced; the one that stored the binding wins, the next request checks it
        self._bound[actor.subject] = key
