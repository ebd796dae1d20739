"""Identity for production: OIDC tokens against a JWKS, the development secret on loopback only, deactivated users refused."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from httpx import ASGITransport

from api.auth import INVALID_TOKEN, issue_token
from api.main import create_app
from api.oidc import actor_from_claims
from core.settings import DEV_JWT_SECRET, Settings
from domain.access import Level, Role
from tests.factories import create_test_estate, make_actor
from tests.fixture_types import AsyncClient, Sessions

ISSUER = "https://id.qingzhou.example/realms/city"
AUDIENCE = "wuyeflow-api"


@contextmanager
def serve_json(documents: dict[str, dict[str, Any]]) -> Iterator[str]:
    """A local HTTP server answering each path with its JSON document; yields its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the stdlib's name
            document = documents.get(self.path)
            body = json.dumps(document).encode()
            self.send_response(200 if document is not None else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class Provider:
    """An identity provider of the test's own: an RSA and an EC key, and tokens signed with them."""

    def __init__(self) -> None:
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ec = ec.generate_private_key(ec.SECP256R1())

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid, key, alg in (("rsa-1", self.rsa, "RS256"), ("ec-1", self.ec, "ES256")):
            jwk = json.loads(jwt.get_algorithm_by_name(alg).to_jwk(key.public_key()))
            keys.append({**jwk, "kid": kid, "use": "sig", "alg": alg})
        return {"keys": keys}

    def token(self, alg: str = "RS256", lifetime: int = 300, age: int = 0, kid: str | None = None, key: Any = None, **claims: Any) -> str:
        now = int(time.time()) - age
        body = {
            "iss": ISSUER, "aud": AUDIENCE, "sub": "user-7f3a", "iat": now, "exp": now + lifetime,
            "name": "李审核", "realm_access": {"roles": ["offline_access", "wuyeflow:housing_bureau"]},
            "jurisdiction": "city", "org": "青州市住房和城乡建设局", **claims,
        }
        signing = key or (self.rsa if alg == "RS256" else self.ec)
        return jwt.encode(body, signing, algorithm=alg, headers={"kid": kid or ("rsa-1" if alg == "RS256" else "ec-1")})


def oidc_settings(settings: Settings, **overrides: Any) -> Settings:
    return Settings.model_validate({
        **settings.model_dump(), "auth": "oidc", "oidc_issuer": ISSUER, "oidc_audience": AUDIENCE,
        "oidc_roles_claim": "realm_access.roles", "oidc_role_prefix": "wuyeflow:", **overrides,
    })


@asynccontextmanager
async def app_client(settings: Settings, base_url: str = "http://test", client: tuple[str, int] = ("127.0.0.1", 50000)) -> AsyncIterator[AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app), AsyncClient(transport=ASGITransport(app=app, client=client), base_url=base_url) as http:
        yield http


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_development_secret_and_hs256_serve_development_and_tests_only(settings: Settings) -> None:
    base = settings.model_dump()
    for env in ("test", "production"):
        with pytest.raises(ValueError, match="WUYEFLOW_"):
            Settings.model_validate({**base, "env": env, "auth": "hs256", "jwt_secret": DEV_JWT_SECRET})
    with pytest.raises(ValueError, match="WUYEFLOW_AUTH=oidc"):
        Settings.model_validate({**base, "env": "production", "auth": "hs256", "jwt_secret": "x" * 40})
    with pytest.raises(ValueError, match="OIDC needs"):
        Settings.model_validate({**base, "env": "production", "auth": None})
    production = {**base, "env": "production", "auth": None, "oidc_issuer": ISSUER, "oidc_audience": AUDIENCE, "actor_seal_key": "k" * 40}
    # Owners' ID numbers become owner keys with this key: the development one is refused in production.
    with pytest.raises(ValueError, match="WUYEFLOW_OWNER_KEY_SECRET"):
        Settings.model_validate(production)
    assert Settings.model_validate({**production, "owner_key_secret": "o" * 40}).auth_mode == "oidc"
    assert Settings.model_validate({**base, "env": "development", "auth": None, "jwt_secret": DEV_JWT_SECRET}).dev_secret


async def test_the_development_secret_is_honoured_on_loopback_only(settings: Settings, sessions: Sessions) -> None:
    dev = Settings.model_validate({**settings.model_dump(), "env": "development", "auth": None, "jwt_secret": DEV_JWT_SECRET})
    token = issue_token(dev, make_actor(Role.HOUSING_BUREAU, Level.CITY))
    async with app_client(dev, base_url="http://127.0.0.1:8000") as local:
        assert (await local.get("/me", headers=bearer(token))).status_code == 200
    async with app_client(dev, base_url="http://10.0.0.5:8000") as bound_outside:
        r = await bound_outside.get("/me", headers=bearer(token))
        assert r.status_code == 401 and r.json()["detail"] == INVALID_TOKEN
    async with app_client(dev, base_url="http://127.0.0.1:8000", client=("203.0.113.9", 50000)) as proxied:
        assert (await proxied.get("/me", headers=bearer(token))).status_code == 401


async def test_a_refused_token_says_invalid_token_and_nothing_more(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    actor = make_actor(Role.CLERK, Level.STREET, "yidu")
    expired = issue_token(settings, actor, ttl=timedelta(seconds=-60))
    forged = jwt.encode({"sub": "x", "iss": settings.jwt_issuer, "exp": int(time.time()) + 60}, "another-secret-of-thirty-two-chars!!", algorithm="HS256")
    unsigned = jwt.encode({"sub": "x", "iss": settings.jwt_issuer, "exp": int(time.time()) + 60}, None, algorithm="none")
    no_roles = jwt.encode({"sub": "x", "iss": settings.jwt_issuer, "exp": int(time.time()) + 60}, settings.jwt_secret, algorithm="HS256")
    for token in (expired, forged, unsigned, no_roles, "not-a-token", "a.b.c"):
        r = await api.get("/me", headers=bearer(token))
        assert r.status_code == 401 and r.json()["detail"] == INVALID_TOKEN, (token, r.text)
        assert r.headers["www-authenticate"] == "Bearer"


async def test_oidc_tokens_are_verified_against_the_providers_jwks(settings: Settings, sessions: Sessions) -> None:
    idp, other = Provider(), Provider()
    with serve_json({"/jwks": idp.jwks()}) as base:
        async with app_client(oidc_settings(settings, oidc_jwks_url=f"{base}/jwks")) as client:
            for alg in ("RS256", "ES256"):
                r = await client.get("/me", headers=bearer(idp.token(alg)))
                assert r.status_code == 200, r.text
                me = r.json()
                assert me["subject"] == "user-7f3a" and [x["code"] for x in me["roles"]] == ["housing_bureau"]
                assert me["jurisdiction"]["code"] == "city" and me["organisation"] == "青州市住房和城乡建设局"
            street = idp.token(jurisdiction={"level": "street", "id": "yidu"}, realm_access={"roles": ["wuyeflow:clerk"]})
            me = (await client.get("/me", headers=bearer(street))).json()
            assert (me["jurisdiction"]["code"], me["jurisdiction_id"], me["roles"][0]["code"]) == ("street", "yidu", "clerk")

            refused = {
                "expired": idp.token(age=400, lifetime=300),
                "wrong audience": idp.token(aud="another-api"),
                "wrong issuer": idp.token(iss="https://evil.example"),
                "lives too long": idp.token(lifetime=2 * 3600),
                "another key, same kid": idp.token(key=other.rsa),
                "unknown kid": other.token(kid="rsa-9"),
                "HS256 with the public key as secret": jwt.encode(
                    {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "iat": int(time.time()), "exp": int(time.time()) + 60},
                    settings.jwt_secret, algorithm="HS256", headers={"kid": "rsa-1"},
                ),
                "our HS256 test token": issue_token(settings, make_actor(Role.ADMIN, Level.CITY)),
                "none of our roles": idp.token(realm_access={"roles": ["housing_bureau", "offline_access"]}),
                "a street without its id": idp.token(jurisdiction="street"),
            }
            for why, token in refused.items():
                r = await client.get("/me", headers=bearer(token))
                assert r.status_code == 401 and r.json()["detail"] == INVALID_TOKEN, why


async def test_the_jwks_is_found_through_discovery(settings: Settings, sessions: Sessions) -> None:
    idp = Provider()
    documents: dict[str, dict[str, Any]] = {"/certs": idp.jwks()}
    with serve_json(documents) as base:
        documents["/.well-known/openid-configuration"] = {"issuer": base, "jwks_uri": f"{base}/certs"}
        async with app_client(oidc_settings(settings, oidc_issuer=base)) as client:
            token = jwt.encode(
                {"iss": base, "aud": AUDIENCE, "sub": "u1", "iat": int(time.time()), "exp": int(time.time()) + 60,
                 "realm_access": {"roles": ["wuyeflow:auditor"]}, "jurisdiction": "city"},
                idp.rsa, algorithm="RS256", headers={"kid": "rsa-1"},
            )
            assert (await client.get("/me", headers=bearer(token))).status_code == 200


async def test_an_unreachable_provider_is_503_not_a_pass(settings: Settings, sessions: Sessions) -> None:
    async with app_client(oidc_settings(settings, oidc_jwks_url="http://127.0.0.1:9/jwks")) as client:
        r = await client.get("/me", headers=bearer(Provider().token()))
        assert r.status_code == 503


def test_claims_map_to_roles_and_jurisdiction(settings: Settings) -> None:
    s = oidc_settings(settings, oidc_roles_claim="roles", oidc_role_prefix="")
    actor = actor_from_claims(s, {"sub": "u", "roles": "clerk street_office unknown", "jurisdiction": "street:yidu"})
    assert actor.roles == (Role.CLERK, Role.STREET_OFFICE) and actor.jurisdiction.id == "yidu" and actor.name == "u"


async def test_a_deactivated_users_valid_token_is_refused(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    clerk = make_actor(Role.CLERK, Level.STREET, "yidu", subject=f"clerk-{uuid.uuid4().hex[:6]}")
    token = issue_token(settings, clerk)
    assert (await api.get("/me", headers=bearer(token))).status_code == 200
    url = f"/users/{clerk.subject}/status"
    assert (await api.put(url, json={"active": False, "reason": "离职"}, headers=cast.headers("clerk"))).status_code == 403
    r = await api.put(url, json={"active": False, "reason": "离职，账号停用"}, headers=cast.headers("admin"))
    assert r.status_code == 200 and r.json()["active"] is False and r.json()["changed_by"] == cast.actor("admin").subject
    r = await api.get("/me", headers=bearer(token))
    assert r.status_code == 401 and r.json()["detail"] == INVALID_TOKEN
    assert (await api.get("/inbox", headers=bearer(token))).status_code == 401
    assert (await api.put(url, json={"active": True, "reason": "复职"}, headers=cast.headers("admin"))).status_code == 200
    assert (await api.get("/me", headers=bearer(token))).status_code == 200
