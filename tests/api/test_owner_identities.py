"""An imported owner signs in: their subject is bound to the owner key the import derived from their ID number."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from api.auth import INVALID_TOKEN
from db.models import AuditEntry, OwnerIdentity
from domain.registry_import import ImportKind
from tests.api.test_identity import Provider, app_client, bearer, oidc_settings, serve_json
from tests.factories import create_test_estate
from tests.fixture_types import AsyncClient, Sessions, Settings
from tests.imports.files import apply, csv_file, dry_run, id_number, wrong_check_digit
from tests.imports.test_owner_and_fund_import import owner_row

OWNERS, FUND = ImportKind.OWNERS, ImportKind.FUND_BALANCES


async def test_an_imported_owner_signs_in_and_reads_their_own_ledger_only(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings, buildings=1, units=1, floors=2, rooms=2)
    e, (a, b, c, _d) = cast.estate_id, cast.households
    wang, li = id_number(41), id_number(42)
    run = await dry_run(api, cast, OWNERS, csv_file(OWNERS, [owner_row(e, a, "王芳", wang), owner_row(e, b, "王芳", wang), owner_row(e, c, "李强", li)]))
    await apply(api, cast, OWNERS, run["id"])
    run = await dry_run(api, cast, FUND, csv_file(FUND, [[e, a, "3120.55", "5000"], [e, c, "999.99", "5000"]]))
    await apply(api, cast, FUND, run["id"])

    subject = f"citizen-{uuid.uuid4().hex[:8]}"
    idp = Provider()
    with serve_json({"/jwks": idp.jwks()}) as base:
        # Another API process of the city: it reads the users table at every request (no cache to wait out).
        async with app_client(oidc_settings(settings, oidc_jwks_url=f"{base}/jwks", users_cache_seconds=0)) as city:
            owner = bearer(idp.token(sub=subject, name="王芳", realm_access={"roles": ["wuyeflow:owner"]}, jurisdiction=f"estate:{e}"))
            # Signed in, not yet bound: the subject is nobody's owner of record.
            assert (await city.get("/me/units", headers=owner)).json() == []
            # Households of one's own estate are listed to its owners, so a ledger not one's own is refused (403,
            # as in the authorisation matrix), not hidden as unknown.
            assert (await city.get(f"/households/{a}/fund", headers=owner)).status_code == 403

            # At the counter: the bureau checks her ID card and binds the subject; the number is not kept.
            url = f"/users/{subject}/owner"
            r = await api.put(url, json={"id_number": id_number(43), "reason": "本人持身份证到住建局核验"}, headers=cast.headers("bureau"))
            assert r.status_code == 422 and "没有该证件号码的业主" in r.json()["detail"]
            r = await api.put(url, json={"id_number": wang, "reason": "本人持身份证到住建局核验"}, headers=cast.headers("bureau"))
            assert r.status_code == 200, r.text
            assert r.json()["households"] == [a, b] and r.json()["source"] == "counter" and wang not in r.text
            assert (await api.put(url, json={"id_number": wang, "reason": "x"}, headers=cast.headers("owner"))).status_code == 403

            r = await city.get(f"/households/{a}/fund", headers=owner)
            assert r.status_code == 200 and r.json()["balance_fen"] == 312055
            assert [u["household_id"] for u in (await city.get("/me/units", headers=owner)).json()] == [a, b]
            assert (await city.get(f"/households/{c}/fund", headers=owner)).status_code == 403  # 李强's ledger

            # A subject that is an owner key itself reaches nothing without a binding.
            async with sessions() as s:
                key = (await s.get(OwnerIdentity, subject)).owner_key  # type: ignore[union-attr]
            posing = bearer(idp.token(sub=key, realm_access={"roles": ["wuyeflow:owner"]}, jurisdiction=f"estate:{e}"))
            assert (await city.get(f"/households/{a}/fund", headers=posing)).status_code == 403

            # Unbound: the token is still valid, the units are no longer hers.
            r = await api.delete(url, params={"reason": "房屋已转让"}, headers=cast.headers("admin"))
            assert r.status_code == 200 and r.json()["active"] is False and r.json()["households"] == []
            assert (await city.get(f"/households/{a}/fund", headers=owner)).status_code == 403
            await api.put(url, json={"id_number": wang, "reason": "重新核验"}, headers=cast.headers("admin"))
            assert (await city.get(f"/households/{a}/fund", headers=owner)).status_code == 200

            # Deactivated: the token itself is refused.
            r = await api.put(f"/users/{subject}/status", json={"active": False, "reason": "账号停用"}, headers=cast.headers("admin"))
            assert r.status_code == 200
            r = await city.get(f"/households/{a}/fund", headers=owner)
            assert r.status_code == 401 and r.json()["detail"] == INVALID_TOKEN

    async with sessions() as s:
        entries = (await s.scalars(select(AuditEntry).where(AuditEntry.case_id == "registry:users").order_by(AuditEntry.seq))).all()
        mine = [x for x in entries if x.data.get("key") == subject]
        assert [x.data["fields"].get("active") for x in mine][:3] == [[None, True], [True, False], [False, True]]
        assert all(wang not in str(x.data) for x in mine)


async def test_a_verified_id_number_claim_binds_the_owner_at_sign_in(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings, buildings=1, units=1, floors=1, rooms=2)
    e, (a, b) = cast.estate_id, cast.households
    zhao = id_number(51)
    run = await dry_run(api, cast, OWNERS, csv_file(OWNERS, [owner_row(e, a, "赵敏", zhao), owner_row(e, b, "钱进", id_number(52))]))
    await apply(api, cast, OWNERS, run["id"])
    subject, stranger = f"citizen-{uuid.uuid4().hex[:8]}", f"citizen-{uuid.uuid4().hex[:8]}"
    idp = Provider()

    def token(sub: str, **claims: object) -> dict[str, str]:
        return bearer(idp.token(sub=sub, realm_access={"roles": ["wuyeflow:owner"]}, jurisdiction=f"estate:{e}", **claims))

    with serve_json({"/jwks": idp.jwks()}) as base:
        city_settings = oidc_settings(settings, oidc_jwks_url=f"{base}/jwks", oidc_id_number_claim="verified.id_card", users_cache_seconds=0)
        async with app_client(city_settings) as city:
            owner = token(subject, verified={"id_card": zhao})
            assert [u["household_id"] for u in (await city.get("/me/units", headers=owner)).json()] == [a]
            assert (await city.get(f"/households/{a}/fund", headers=owner)).status_code == 200
            assert (await city.get(f"/households/{b}/fund", headers=owner)).status_code == 403
            # A claim that is no ID number binds nothing.
            assert (await city.get("/me/units", headers=token(stranger, verified={"id_card": wrong_check_digit(zhao)}))).json() == []
            # The counter's unbinding stands: the next sign-in with the same claim does not renew it.
            assert (await api.delete(f"/users/{subject}/owner", params={"reason": "冒用核查"}, headers=cast.headers("bureau"))).status_code == 200
            async with app_client(city_settings) as restarted:  # a process that has not seen the subject before
                assert (await restarted.get("/me/units", headers=owner)).json() == []
    async with sessions() as s:
        row = await s.get(OwnerIdentity, subject)
        assert row is not None and row.source == "idp" and row.active is False and zhao not in str(row.__dict__)
        assert await s.get(OwnerIdentity, stranger) is None
