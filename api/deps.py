"""Dependency aliases: the session, the Temporal client, the authenticated actor."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import structlog
from fastapi import Depends, Header, Request
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from api.auth import actor_from_token
from api.errors import NotAuthenticated, Unavailable
from core.settings import Settings
from domain.access import Actor


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessions() as session:
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


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
ClientDep = Annotated[Client, Depends(get_client)]
ActorDep = Annotated[Actor, Depends(get_actor)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key", max_length=200,
        description="Makes a retried request safe: the same key never decides or starts twice.",
    ),
]
