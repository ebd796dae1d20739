"""OIDC bearer tokens from the city's identity provider: RS256/ES256, verified against its JWKS.

The provider's keys are fetched from its JWKS (named in the settings, or found through its
discovery document) and kept for ``oidc_jwks_cache_seconds``; a token naming a key we do not hold
refreshes them, at most once per ``JWKS_MIN_REFRESH_SECONDS``, so made-up key ids cannot make us
hammer the provider. A token must name our issuer and audience, carry ``exp``, ``iat`` and
``sub``, and live no longer than ``oidc_max_lifetime_seconds``. The actor's roles and jurisdiction
are read from claims (see ``core/settings.py``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import jwt
import structlog

from core.settings import Settings
from domain.access import Actor, Jurisdiction, Level, Role

log = structlog.get_logger("api.oidc")

JWKS_MIN_REFRESH_SECONDS = 60
FETCH_TIMEOUT_SECONDS = 5

FetchJson = Callable[[str], Awaitable[dict[str, Any]]]


class TokenRefused(Exception):
    """The token is not one we accept; the reason goes to the log, never to the caller."""


class ProviderUnavailable(Exception):
    """The identity provider's keys could not be fetched."""


async def fetch_json(url: str) -> dict[str, Any]:
    """GET a JSON document from the identity provider."""
    async with httpx.AsyncClient(timeout=FETCH_TIMEOUT_SECONDS) as client:
        response = await client.get(url, headers={"Accept": "application/json"})
        response.raise_for_status()
        document = response.json()
    if not isinstance(document, dict):
        raise ValueError(f"{url} did not answer with a JSON object")
    return document


class JwksCache:
    """The provider's signing keys by key id, refreshed when stale or when a token names a new key."""

    def __init__(self, settings: Settings, fetch: FetchJson = fetch_json) -> None:
        self._settings = settings
        self._fetch = fetch
        self._keys: dict[str | None, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()

    async def key(self, kid: str | None) -> jwt.PyJWK:
        now = time.monotonic()
        if now - self._fetched_at > self._settings.oidc_jwks_cache_seconds:
            await self._refresh(stale_before=now)
        elif kid not in self._keys and now - self._fetched_at > JWKS_MIN_REFRESH_SECONDS:
            await self._refresh(stale_before=now)  # the provider may have rotated its keys
        if kid in self._keys:
            return self._keys[kid]
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        raise TokenRefused(f"no key {kid!r} in the provider's JWKS")

    async def _refresh(self, stale_before: float) -> None:
        async with self._lock:
            if self._fetched_at >= stale_before:
                return  # another request refreshed them meanwhile
            try:
                url = self._settings.oidc_jwks_url or await self._discover()
                document = await self._fetch(url)
            except (httpx.HTTPError, ValueError) as exc:
                log.warning("identity provider keys unavailable", error=type(exc).__name__)
                if not self._keys:
                    raise ProviderUnavailable("the identity provider's keys could not be fetched") from None
                return  # keep verifying with the keys we hold
            keys: dict[str | None, jwt.PyJWK] = {}
            for jwk in document.get("keys", []):
                if jwk.get("use", "sig") != "sig":
                    continue
                try:
                    key = jwt.PyJWK(jwk)
                except jwt.PyJWTError:
                    continue  # a key type or algorithm we do not verify with
                keys[jwk.get("kid")] = key
            self._keys, self._fetched_at = keys, time.monotonic()

    async def _discover(self) -> str:
        issuer = (self._settings.oidc_issuer or "").rstrip("/")
        document = await self._fetch(f"{issuer}/.well-known/openid-configuration")
        uri = document.get("jwks_uri")
        if not isinstance(uri, str):
            raise ValueError("the discovery document names no jwks_uri")
        return uri


class OidcVerifier:
    """Verifies a provider's token and reads the actor out of its claims."""

    def __init__(self, settings: Settings, fetch: FetchJson = fetch_json) -> None:
        self._settings = settings
        self._jwks = JwksCache(settings, fetch)

    async def actor(self, token: str) -> Actor:
        return actor_from_claims(self._settings, await self.claims(token))

    async def claims(self, token: str) -> dict[str, Any]:
        """The claims of a token we accept (signature, issuer, audience, lifetime checked)."""
        s = self._settings
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise TokenRefused(f"malformed: {type(exc).__name__}") from None
        algorithm = header.get("alg")
        if algorithm not in s.oidc_algorithms:
            raise TokenRefused(f"algorithm {algorithm!r} is not accepted")
        key = await self._jwks.key(header.get("kid"))
        try:
            claims = jwt.decode(
                token, key.key, algorithms=[algorithm], audience=s.oidc_audience, issuer=s.oidc_issuer,
                leeway=s.oidc_leeway_seconds, options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise TokenRefused(type(exc).__name__) from None
        lifetime = claims["exp"] - claims["iat"]
        if not isinstance(lifetime, int) or lifetime > s.oidc_max_lifetime_seconds:
            raise TokenRefused(f"lifetime {lifetime}s is over {s.oidc_max_lifetime_seconds}s")
        return claims


def claim(claims: dict[str, Any], path: str) -> Any:
    """The claim at a dotted path (``realm_access.roles``), or None."""
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def roles_from(settings: Settings, value: Any) -> tuple[Role, ...]:
    """Our roles among the provider's: a list or a space-separated string, only those with the prefix."""
    names = value.split() if isinstance(value, str) else value if isinstance(value, list) else []
    prefix = settings.oidc_role_prefix
    known = {r.value for r in Role}
    roles = []
    for name in names:
        if isinstance(name, str) and name.startswith(prefix) and name[len(prefix):] in known:
            roles.append(Role(name[len(prefix):]))
    return tuple(dict.fromkeys(roles))


def jurisdiction_from(value: Any) -> Jurisdiction:
    """``{"level": "street", "id": "yidu"}``, ``"street:yidu"`` or ``"city"``; anything but the city names its id."""
    if isinstance(value, str):
        named_level, _, named_id = value.partition(":")
        value = {"level": named_level, "id": named_id or None}
    if not isinstance(value, dict):
        raise TokenRefused("no jurisdiction claim")
    try:
        level = Level(str(value.get("level")))
    except ValueError:
        raise TokenRefused("unknown jurisdiction level") from None
    jid = value.get("id")
    if level == Level.CITY:
        return Jurisdiction(level=level)
    if not (isinstance(jid, str) and jid):
        raise TokenRefused("the jurisdiction names no id")
    return Jurisdiction(level=level, id=jid)


def actor_from_claims(settings: Settings, claims: dict[str, Any]) -> Actor:
    """The actor a verified token describes; refused when it carries none of our roles."""
    roles = roles_from(settings, claim(claims, settings.oidc_roles_claim))
    if not roles:
        raise TokenRefused("none of our roles")
    subject = claims["sub"]
    if not isinstance(subject, str) or not 0 < len(subject) <= 64:
        raise TokenRefused("subject missing or longer than 64 characters")
    name = claim(claims, settings.oidc_name_claim) or claims.get("preferred_username") or subject
    org = claim(claims, settings.oidc_org_claim)
    return Actor(
        subject=subject, name=str(name)[:100], roles=roles,
        jurisdiction=jurisdiction_from(claim(claims, settings.oidc_jurisdiction_claim)),
        organisation=str(org)[:200] if org else None,
    )
