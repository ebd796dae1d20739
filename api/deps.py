"""Dependency aliases: the session, the Temporal client, the authenticated actor."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, Any

import structlog
from fastapi import Depends, Header, Request
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from api.auth import actor_from_token
from api.errors import NotAuthenticated, Unavailable
from api.schemas import CaseRead
from core.settings import Settings
from db.models import CaseRecord
from db.session import unit_of_work
from domain.access import Actor


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: committed when the handler succeeds, rolled back when it raises."""
    async with unit_of_work(request.app.state.sessions) as session:
        yield session


async def get_client(request: Request) -> Client:
    client = await request.app.state.temporal()
    if client is None:
        raise Unavailable("the workflow engine (Temporal) is not reachable")
    return client


def get_actor(request: Request, authorization: Annotated[str | None, Header()] = None) -> Actor:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise NotAuthenticated("send 'Authorization: Bearer <token>'")
    actor = actor_from_token(request.app.state.settings, authorization[7:].strip())
    structlog.contextvars.bind_contextvars(actor=actor.subject)
    return actor


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key", max_length=200,
        description="Makes a retried request safe: the same key never decides or starts twice.",
    ),
]


@dataclass
class CaseCall:
    """Everything a route needs to send a case an update on the caller's behalf."""

    request: Request
    session: AsyncSession
    actor: Actor
    client: Client
    settings: Settings
    idempotency_key: str | None

    async def update(
        self, case_id: str, update: str, payload: BaseModel, audit: dict[str, Any], check: Callable[[CaseRecord], None] | None = None,
    ) -> CaseRead:
        """Check the caller sees the case, send the update, answer with the case as it now stands."""
        from api.case_service import load_visible_case, read_snapshot, send_update

        record = await load_visible_case(self.session, self.actor, case_id, snapshot=False)
        if check is not None:
            check(record)
        await self.session.close()  # no connection held while Temporal works
        snap = await send_update(
            client=self.client, sessions=self.request.app.state.sessions, case_id=record.id, update=update,
            payload=payload, actor=self.actor, idempotency_key=self.idempotency_key, audit_context=audit,
        )
        return read_snapshot(self.settings, snap)


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
# scope="function": the commit runs when the handler returns, before the response is sent, so a
# failed commit becomes an error response. With the default scope ("request") FastAPI runs the
# exit code after sending the response, and the client would read 2xx for data never stored.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
ClientDep = Annotated[Client, Depends(get_client)]
ActorDep = Annotated[Actor, Depends(get_actor)]


async def get_case_call(
    request: Request, session: SessionDep, actor: ActorDep, client: ClientDep, settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> CaseCall:
    return CaseCall(request, session, actor, client, settings, idempotency_key)


CaseCallDep = Annotated[CaseCall, Depends(get_case_call)]
