"""Bearer JWT (HS256): issue and verify tokens carrying roles and one jurisdiction."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import jwt
from pydantic import ValidationError

from api.errors import NotAuthenticated
from core.settings import Settings
from domain.access import Actor, Jurisdiction, Level, Role


def issue_token(settings: Settings, actor: Actor, ttl: timedelta | None = None) -> str:
    """A signed token for ``actor``; the claims are all the API trusts about the caller."""
    now = datetime.now(timezone.utc)
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
    """Verify signature, expiry and issuer, then read the actor out of the claims."""
    try:
        claims = jwt.decode(
            token, settings.jwt_secret, algorithms=["HS256"], issuer=settings.jwt_issuer,
            options={"require": ["sub", "exp", "iss"]},
        )
    except jwt.ExpiredSignatureError:
        raise NotAuthenticated("the token has expired") from None
    except jwt.PyJWTError as exc:
        raise NotAuthenticated(f"invalid token: {exc}") from None
    try:
        j = claims.get("jurisdiction") or {}
        return Actor(
            subject=claims["sub"], name=claims.get("name") or claims["sub"],
            roles=tuple(Role(r) for r in claims.get("roles", [])),
            jurisdiction=Jurisdiction(level=Level(j.get("level")), id=j.get("id")),
            organisation=claims.get("org"),
        )
    except (ValueError, ValidationError, KeyError) as exc:
        raise NotAuthenticated(f"token claims are incomplete: {exc}") from None
