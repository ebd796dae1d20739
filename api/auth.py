"""Bearer tokens: OIDC from the identity provider in production, HS256 for development and tests.

Every refusal answers 401 "invalid token" and nothing more: which check failed goes to the log,
so a caller cannot probe the verifier. The development secret printed in ``core/settings.py`` is
honoured only in a development run, and there only for a request that came in over loopback.
A subject deactivated in the users table is refused whatever its token says.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import structlog
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.errors import NotAuthenticated, Unavailable
from api.oidc import FetchJson, OidcVerifier, ProviderUnavailable, TokenRefused, actor_from_claims, claim, fetch_json
from api.owner_claims import ClaimBindings
from core.settings import Settings
from db.repositories import users as users_repo
from domain.access import Actor, Jurisdiction, Level, Role

log = structlog.get_logger("api.auth")

INVALID_TOKEN = "invalid token"


def issue_token(settings: Settings, actor: Actor, ttl: timedelta | None = None) -> str:
    """A signed HS256 token for ``actor`` (development and tests); the claims are all the API trusts about the caller."""
    now = datetime.now(UTC)
    claims = {
        "iss": settings.jwt_issuer,
        "sub": actor.subject,
        "name": actor.name,
        "roles": [r.value for r in actor.roles],
        "jurisdiction": {"level": actor.jurisdiction.level.value, "id": actor.jurisdiction.id},
        "org": actor.organisation,
        "iat": int(now.timestamp()),
        "exp": int((now + (ttl or timedelta(hours=settings.jwt_ttl_hours))).timestamp()),
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


def actor_from_token(settings: Settings, token: str) -> Actor:
    """Verify an HS256 token's signature, expiry and issuer, then read the actor out of its claims."""
    try:
        claims = jwt.decode(
            token, settings.jwt_secret, algorithms=["HS256"], issuer=settings.jwt_issuer,
            options={"require": ["sub", "exp", "iss"]},
        )
    except jwt.PyJWTError as exc:
        raise TokenRefused(type(exc).__name__) from None
    try:
        j = claims.get("jurisdiction") or {}
        return Actor(
            subject=claims["sub"], name=claims.get("name") or claims["sub"],
            roles=tuple(Role(r) for r in claims.get("roles", [])),
            jurisdiction=Jurisdiction(level=Level(str(j.get("level"))), id=j.get("id")),
            organisation=claims.get("org"),
        )
    except (ValueError, ValidationError, KeyError, TypeError, AttributeError):
        raise TokenRefused("incomplete claims") from None


def is_loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class DeactivatedSubjects:
    """The deactivated subjects, read from the users table at most every ``users_cache_seconds``.

    Each API process keeps its own copy: the process that changes a user's status forgets its copy
    at once, every other one reads the table again within ``ttl`` seconds. That is the bound on how
    long a deactivated user's token still works anywhere (``users_cache_seconds``, default 5 s).
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession], ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._sessions = sessions
        self._ttl = ttl
        self._clock = clock
        self._subjects: frozenset[str] = frozenset()
        self._read_at = float("-inf")
        # One read per expiry: a burst of requests waits for the first one's read instead of each reading the table.
        self._reading = asyncio.Lock()

    def _stale(self) -> bool:
        return self._clock() - self._read_at >= self._ttl

    async def contains(self, subject: str) -> bool:
        if self._stale():
            async with self._reading:
                if self._stale():
                    async with self._sessions() as session:
                        self._subjects = await users_repo.deactivated_subjects(session)
                    self._read_at = self._clock()
        return subject in self._subjects

    def forget(self) -> None:
        """Read the table again on the next request (this process changed it)."""
        self._read_at = float("-inf")


class Identity:
    """Who a bearer token says the caller is: verified, mapped to an actor, checked against the users table."""

    def __init__(self, settings: Settings, sessions: async_sessionmaker[AsyncSession], fetch: FetchJson = fetch_json) -> None:
        self.settings = settings
        self.oidc = OidcVerifier(settings, fetch) if settings.auth_mode == "oidc" else None
        self.deactivated = DeactivatedSubjects(sessions, settings.users_cache_seconds)
        self.claim_bindings = ClaimBindings(sessions, settings.owner_key_secret)

    async def actor(self, token: str, *, server: str | None, client: str | None) -> Actor:
        """The caller of a request that arrived at ``server`` from ``client``; 401 for any token we do not honour."""
        claims: dict[str, Any] = {}
        try:
            if self.oidc is not None:
                claims = await self.oidc.claims(token)
                actor = actor_from_claims(self.settings, claims)
            else:
                if self.settings.dev_secret and not (is_loopback(server) and is_loopback(client)):
                    raise TokenRefused("the development secret is honoured on loopback only")
                actor = actor_from_token(self.settings, token)
            if await self.deactivated.contains(actor.subject):
                raise TokenRefused("the subject is deactivated")
            if self.oidc is not None and self.settings.oidc_id_number_claim and Role.OWNER in actor.roles:
                await self.claim_bindings.sign_in(actor, claim(claims, self.settings.oidc_id_number_claim))
        except TokenRefused as exc:
            log.info("token refused", reason=str(exc))
            raise NotAuthenticated(INVALID_TOKEN) from None
        except ProviderUnavailable as exc:
            raise Unavailable(str(exc)) from None
        return actor
