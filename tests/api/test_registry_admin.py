"""The registry one record at a time: companies, experts, owner records, users — each change audited with its reason."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from db.models import AuditEntry, Expert
from domain.access import Level, Role
from tests.factories import create_test_estate, make_actor
from tests.fixture_types import AsyncClient, Sessions, Settings
from tests.imports.files import id_number

CODE = "91370781MA3C4X2F4F"


async def _entries(sessions: Sessions, chain: str, key: str) -> list[AuditEntry]:
    async with sessions() as s:
        rows = (await s.scalars(select(AuditEntry).where(AuditEntry.case_id == chain).order_by(AuditEntry.seq))).all()
    return [r for r in rows if r.data.get("key") == key]


async def test_a_company_and_an_expert_are_registered_with_a_reason(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings, buildings=1, units=1, floors=1)
    company, expert = f"co-{uuid.uuid4().hex[:6]}", f"ex-{uuid.uuid4().hex[:6]}"
    body = {"name": "青州新苑物业服务有限公司", "kind": "property", "business_licence": CODE, "contact_phone": "13900000000",
            "estates": [cast.estate_id], "reason": "住建局备案"}
    assert (await api.put(f"/companies/{company}", json=body, headers=cast.headers("clerk"))).status_code == 403
    r = await api.put(f"/companies/{company}", json={**body, "business_licence": CODE[:-1] + "0"}, headers=cast.headers("bureau"))
    assert r.status_code == 422 and r.json()["detail"] == "统一社会信用代码：统一社会信用代码校验位错误（GB 32100）"
    r = await api.put(f"/companies/{company}", json=body, headers=cast.headers("bureau"))
    assert r.status_code == 200 and r.json()["outcome"] == "created", r.text
    r = await api.put(f"/companies/{company}", json={**body, "name": "青州新苑物业有限公司", "reason": "企业更名"}, headers=cast.headers("admin"))
    assert r.json()["changes"] == {"name": ["青州新苑物业服务有限公司", "青州新苑物业有限公司"]}
    entries = await _entries(sessions, "registry:companies", company)
    assert [(e.decision, e.comment) for e in entries] == [("create", "住建局备案"), ("update", "企业更名")]
    assert "13900000000" not in str([e.data for e in entries])

    # Out of the pool from the start: the tender tests draw from the pool and know its members.
    expert_body = {"name": "王工", "specialty": "物业管理", "years_of_practice": 12, "employer": "青州市建筑设计院", "active": False,
                   "relationships": [{"company_id": company, "relation": "前雇主"}], "reason": "专家库增补"}
    r = await api.put(f"/experts/{expert}", json=expert_body, headers=cast.headers("bureau"))
    assert r.status_code == 200 and r.json()["outcome"] == "created", r.text
    r = await api.put(f"/experts/{expert}", json={**expert_body, "title": "高级工程师", "reason": "职称晋升"}, headers=cast.headers("bureau"))
    assert r.json()["changes"] == {"title": [None, "高级工程师"]}
    async with sessions() as s:
        assert (await s.get(Expert, expert)).title == "高级工程师"  # type: ignore[union-attr]


async def test_an_owner_record_keeps_the_id_number_masked_only(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings, buildings=1, units=1, floors=1)
    unit = cast.households[0]
    number = id_number(42)
    body = {"natural_person": True, "name": "张三", "id_number": number, "phone": "13800001234", "fee_arrears_fen": 3550,
            "arrears_as_of": "2026-10-31", "arrears_source": "物业公司报送", "reason": "业主名册更正"}
    r = await api.put(f"/households/{unit}/owner", json={**body, "id_number": number[:17] + ("0" if number[17] != "0" else "1")},
                      headers=cast.headers("bureau"))
    assert r.status_code == 422 and "校验位" in r.json()["detail"]
    r = await api.put(f"/households/{unit}/owner", json=body, headers=cast.headers("bureau"))
    assert r.status_code == 200, r.text
    for who in ("bureau", "street", "auditor"):
        r = await api.get(f"/households/{unit}/owner", headers=cast.headers(who))
        assert r.status_code == 200 and r.json()["id_number_masked"] == number[:6] + "********" + number[-4:], who
        assert number not in r.text and r.json()["phone_masked"] == "138****1234" and r.json()["fee_arrears_fen"] == 3550
    assert (await api.get(f"/households/{unit}/owner", headers=cast.headers("owner"))).status_code == 403
    assert (await api.get(f"/households/{unit}/owner", headers=cast.headers("other_street"))).status_code == 404
    entries = await _entries(sessions, "registry:owners", unit)
    assert entries and all(number not in str(e.data) for e in entries)


async def test_a_deactivated_user_is_refused_even_with_a_valid_token(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings, buildings=1, units=1, floors=1)
    clerk = make_actor(Role.CLERK, Level.STREET, "yidu")
    cast.actors["new_clerk"] = clerk
    body = {"name": "王经办", "roles": ["clerk"], "level": "street", "jurisdiction_id": "yidu", "reason": "新入职"}
    assert (await api.put(f"/users/{clerk.subject}", json=body, headers=cast.headers("bureau"))).status_code == 403
    assert (await api.put(f"/users/{clerk.subject}", json={**body, "jurisdiction_id": None}, headers=cast.headers("admin"))).status_code == 422
    r = await api.put(f"/users/{clerk.subject}", json=body, headers=cast.headers("admin"))
    assert r.status_code == 200 and r.json()["active"] is True
    assert (await api.get("/me", headers=cast.headers("new_clerk"))).status_code == 200
    r = await api.put(f"/users/{clerk.subject}", json={**body, "active": False, "reason": "离职"}, headers=cast.headers("admin"))
    assert r.status_code == 200 and r.json()["active"] is False
    assert (await api.get("/me", headers=cast.headers("new_clerk"))).status_code == 401
    assert any(u["subject"] == clerk.subject for u in (await api.get("/users", headers=cast.headers("admin"))).json())
    entries = await _entries(sessions, "registry:users", clerk.subject)
    assert [e.comment for e in entries] == ["新入职", "离职"] and entries[1].data["fields"] == {"active": [True, False]}
