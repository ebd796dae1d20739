"""Dependency aliases: the session (the request's unit of work), the Temporal client, the caller and who may call."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, TypeVar

import structlog
from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from api.auth import Identity
from api.errors import Forbidden, NotAuthenticated, Problem, Unavailable
from api.idempotency import KeyUse, bind_key, request_print
from api.ratelimit import RateLimiter
from api.schemas import CaseRead
from core.settings import Settings
from db.models import CaseRecord
from db.repositories import cases as cases_repo
from db.session import unit_of_work
from domain.access import Actor, Level, Role
from domain.actor_seal import sealed
from domain.ticket import LEDGER_ROLES

T = TypeVar("T")


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: committed when the handler succeeds, rolled back when it raises."""
    async with unit_of_work(request.app.state.sessions) as session:
        yield session


async def get_read_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session for a route that reads with one statement and writes nothing: no transaction, nothing to commit."""
    async with request.app.state.read_sessions() as session:
        yield session


async def get_client(request: Request) -> Client:
    client: Client | None = await request.app.state.temporal()
    if client is None:
        raise Unavailable("the workflow engine (Temporal) is not reachable")
    return client


# The OpenAPI document names the scheme, so /docs offers to authorise and clients know to send it.
BEARER = HTTPBearer(auto_error=False, description="a bearer token: the city's OIDC provider in production, HS256 in development")


# Async on purpose: a sync dependency runs in a worker thread, and the actor bound to the log
# context there never reached the request's own log lines.
async def get_actor(request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]) -> Actor:
    if credentials is None:
        raise NotAuthenticated("send 'Authorization: Bearer <token>'")
    settings: Settings = request.app.state.settings
    server, client = request.scope.get("server"), request.client
    identity: Identity = request.app.state.identity
    actor = await identity.actor(
        credentials.credentials, server=server[0] if server else None, client=client.host if client else None,
    )
    structlog.contextvars.bind_contextvars(actor=actor.subject)
    # Sealed for the workflows: an actor that did not come through here is refused by the worker.
    return sealed(actor, settings.actor_seal_key, datetime.now(UTC), timedelta(seconds=settings.actor_seal_ttl_seconds))


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key", max_length=200,
        description="Makes a retried request safe: the same key never decides or starts twice. A key names one request "
        "(caller, path, decision, body): another request with it is refused (409 idempotency-key-reused).",
    ),
]
# Where a repeated request would move money, the key is not optional.
RequiredIdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key", min_length=1, max_length=200,
        description="Required: the same key records the request once; a retry answers with what the first one recorded.",
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
    key: KeyUse | None

    @property
    def idempotency_key(self) -> str | None:
        return self.key.key if self.key is not None else None

    async def update(
        self, case_id: str, update: str, payload: BaseModel, audit: dict[str, Any], check: Callable[[CaseRecord], None] | None = None,
    ) -> CaseRead:
        """Check the caller may read the case, send the update, answer with the case as it now stands and they may see it.

        A refusal here (a case out of reach answers 404 as for an unknown id) is written to the case's audit log too.
        """
        from api.case_service import case_for, send_update

        audit = {**audit, "body": (await request_print(self.request)).as_audit()}
        sessions = self.request.app.state.sessions
        record = await refused_logged(sessions, self.actor, case_id, audit, self._reachable(case_id, check))
        await self.session.close()  # no connection held while Temporal works
        snap = await send_update(
            client=self.client, sessions=sessions, case_id=record.id, update=update,
            payload=payload, actor=self.actor, key=self.key, audit_context=audit, wait=self.settings.update_wait_seconds,
        )
        return await case_for(self.session, self.settings, self.actor, record, snap)

    async def _reachable(self, case_id: str, check: Callable[[CaseRecord], None] | None) -> CaseRecord:
        from api.case_service import load_visible_case

        record = await load_visible_case(self.session, self.actor, case_id, snapshot=False)
        if check is not None:
            check(record)
        return record


async def refused_logged(
    sessions: async_sessionmaker[AsyncSession], actor: Actor, case_id: str, audit: dict[str, Any], reach: Awaitable[T],
) -> T:
    """``reach`` (the checks before a case is sent anything); a refusal there goes to the case's audit log, then to the caller.

    An out-of-reach case still answers 404 (its existence is not told); the log, read by auditors, records the attempt.
    """
    from api.update_failures import log_refusal

    try:
        return await reach
    except Problem as exc:
        async with sessions() as session:
            exists = await cases_repo.get_case(session, case_id) is not None
        if exists:
            await log_refusal(sessions, case_id, actor, exc.code, exc.detail, audit)
        raise


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
# scope="function": the commit runs when the handler returns, before the response is sent, so a
# failed commit becomes an error response. With the default scope ("request") FastAPI runs the
# exit code after sending the response, and the client would read 2xx for data never stored.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
# Only for a route that reads with a single statement (the inbox): each statement is its own snapshot.
ReadSessionDep = Annotated[AsyncSession, Depends(get_read_session, scope="function")]
ClientDep = Annotated[Client, Depends(get_client)]
ActorDep = Annotated[Actor, Depends(get_actor)]


def require_roles(*roles: Role, detail: str, levels: Collection[Level] | None = None) -> Callable[[Actor], Awaitable[Actor]]:
    """A dependency admitting callers with one of ``roles`` (any role if none) at one of ``levels``; 403 otherwise."""

    async def admitted(actor: ActorDep) -> Actor:
        if (roles and not actor.has_any(roles)) or (levels is not None and actor.jurisdiction.level not in levels):
            raise Forbidden(detail)
        return actor

    return admitted


# Who may call a route, one alias per kind of caller; the route declares it in its signature.
AuditorDep = Annotated[Actor, Depends(require_roles(Role.AUDITOR, Role.ADMIN, detail="the audit endpoints are for auditors"))]
# The fund authority (住建局) alone records money received into the fund; an administrator runs the system, not the fund.
FundAuthorityDep = Annotated[Actor, Depends(require_roles(
    Role.HOUSING_BUREAU, detail="deposits are recorded by the housing bureau (fund authority)"))]
RoutingAdminDep = Annotated[Actor, Depends(require_roles(Role.ADMIN, detail="only an administrator edits the routing table"))]
# 个人信息保护法 Art. 6 (minimum necessary): only the roles that work tickets read the ledger; owners get 403.
TicketWorkerDep = Annotated[Actor, Depends(require_roles(*LEDGER_ROLES, detail="your role has no access to the ticket ledger"))]
BallotClerkDep = Annotated[Actor, Depends(require_roles(
    Role.CLERK, Role.STREET_OFFICE, detail="written ballots are entered by the street office's clerks"))]
VotingOwnerDep = Annotated[Actor, Depends(require_roles(Role.OWNER, detail="an electronic ballot is cast by the owner in person"))]
RecounterDep = Annotated[Actor, Depends(require_roles(
    Role.AUDITOR, Role.HOUSING_BUREAU, detail="recounts are for auditors and the housing bureau"))]
CommitteeRegistrarDep = Annotated[Actor, Depends(require_roles(
    Role.CLERK, Role.STREET_OFFICE, detail="the committee registry is kept by the street office"))]
BidderDep = Annotated[Actor, Depends(require_roles(
    Role.PROPERTY_COMPANY, levels=(Level.COMPANY,), detail="only a property company's user can bid"))]
ExpertPoolReaderDep = Annotated[Actor, Depends(require_roles(
    Role.HOUSING_BUREAU, Role.BUREAU_SUPERVISOR, Role.AUDITOR, Role.ADMIN,
    detail="the expert pool is open to the housing bureau and auditors only"))]
ReportReaderDep = Annotated[Actor, Depends(require_roles(
    levels=(Level.CITY, Level.STREET, Level.COMPANY), detail="the report is for city, street and company users"))]
# The schedule runs the report anyway; by hand only the city's administrator, hotline centre or bureau.
ReportRunnerDep = Annotated[Actor, Depends(require_roles(
    Role.ADMIN, Role.DISPATCHER, Role.HOUSING_BUREAU, levels=(Level.CITY,),
    detail="only the city's administrator, hotline centre or housing bureau runs a report by hand"))]


def rate_limited(kind: str) -> Callable[..., Awaitable[None]]:
    """A dependency counting the request against the rates of ``kind`` (settings: ``rate_limits``, api/ratelimit.py).

    The token's bucket is its subject's: a caller holding several tokens (the provider issues a
    new one at every sign-in) shares one rate.
    """

    async def limited(request: Request, actor: ActorDep) -> None:
        limiter: RateLimiter = request.app.state.rate_limiter
        await limiter.check(kind, actor.subject, request.client.host if request.client else None)

    return limited


async def bound_key(request: Request, actor: ActorDep, idempotency_key: IdempotencyKey = None) -> KeyUse | None:
    """The request's Idempotency-Key, bound to this request (409 ``idempotency-key-reused`` if it names another)."""
    return await bind_key(request, actor, idempotency_key)


async def bound_required_key(request: Request, actor: ActorDep, idempotency_key: RequiredIdempotencyKey) -> KeyUse:
    """As ``bound_key``, for the routes that move money: the key is required."""
    use = await bind_key(request, actor, idempotency_key)
    assert use is not None  # the header is required and not empty
    return use


BoundKeyDep = Annotated[KeyUse | None, Depends(bound_key)]
RequiredBoundKeyDep = Annotated[KeyUse, Depends(bound_required_key)]


async def get_case_call(
    request: Request, session: SessionDep, actor: ActorDep, client: ClientDep, settings: SettingsDep,
    _rate: Annotated[None, Depends(rate_limited("decision"))], key: BoundKeyDep,
) -> CaseCall:
    return CaseCall(request, session, actor, client, settings, key)


CaseCallDep = Annotated[CaseCall, Depends(get_case_call)]
