"""Bad input and wrong callers get RFC 9457 problems with the right status, never a 500."""

from __future__ import annotations

from sqlalchemy import select

from db.models import AuditEntry
from tests.factories import create_test_estate
from tests.factories_fund import FundCaseDriver
from tests.fixture_types import AsyncClient, Sessions, Settings


async def test_wrong_role_wrong_jurisdiction_unknown_case_malformed_body(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = FundCaseDriver(api, cast)
    await drv.start()
    task = await drv.open_task("onsite_verification")
    url = f"/cases/{drv.case_id}/tasks/{task['id']}/decisions"

    r = await api.post(url, json={"decision": "confirm"}, headers=cast.headers("bureau"))
    assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"] == "/problems/forbidden"

    # Another street's office cannot read the case: a decision on it answers as for an unknown case.
    r = await api.post(url, json={"decision": "confirm"}, headers=cast.headers("other_street"))
    assert r.status_code == 404 and r.json()["type"] == "/problems/not-found"

    # Right role, wrong estate: a property-company user of another company.
    from api.auth import issue_token
    from domain.access import Level, Role
    from tests.factories import make_actor

    stranger = make_actor(Role.PROPERTY_COMPANY, Level.COMPANY, "co-huacheng")
    r = await api.post(url, json={"decision": "confirm"}, headers={"Authorization": f"Bearer {issue_token(settings, stranger)}"})
    assert r.status_code == 404

    r = await api.post(url, json={"decision": 7, "data": "x"}, headers=cast.headers("company"))
    assert r.status_code == 422 and r.json()["errors"]
    r = await api.post(url, content=b"{not json", headers={**cast.headers("company"), "Content-Type": "application/json"})
    assert r.status_code == 422
    r = await api.post(url, json={"decision": "approve"}, headers=cast.headers("company"))
    assert r.status_code == 422 and "not allowed" in r.json()["detail"]

    r = await api.get("/cases/fund-emergency-nope-20200101-1", headers=cast.headers("bureau"))
    assert r.status_code == 404 and r.json()["type"] == "/problems/not-found"
    r = await api.post("/cases/nope/tasks/t1/decisions", json={"decision": "confirm"}, headers=cast.headers("bureau"))
    assert r.status_code == 404

    r = await api.get(f"/cases/{drv.case_id}")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    r = await api.get(f"/cases/{drv.case_id}", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401

    r = await api.get(f"/cases/{drv.case_id}", headers=cast.headers("other_street"))
    assert r.status_code == 404 and r.json() | {"instance": "", "detail": ""} == (
        await api.get("/cases/fund-emergency-nope-20200101-1", headers=cast.headers("other_street"))).json() | {"instance": "", "detail": ""}

    # Refused attempts are in the audit log, though Temporal's history never saw them.
    async with sessions() as s:
        rows = (await s.scalars(select(AuditEntry).where(AuditEntry.case_id == drv.case_id, AuditEntry.kind == "rejected"))).all()
    assert {row.data["problem"] for row in rows} >= {"forbidden", "validation-error"}


async def test_start_validates_estate_scope_and_role(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    body = {"estate_id": cast.estate_id, "category": "garage_flooding", "scope": "building", "description": "车库雨水倒灌"}
    r = await api.post("/cases/fund-emergency", json=body, headers=cast.headers("clerk"))
    assert r.status_code == 422  # scope_id missing for a building
    r = await api.post("/cases/fund-emergency", json={**body, "scope_id": "nope"}, headers=cast.headers("clerk"))
    assert r.status_code == 422
    r = await api.post("/cases/fund-emergency", json={**body, "category": "meteor"}, headers=cast.headers("clerk"))
    assert r.status_code == 422
    r = await api.post("/cases/fund-emergency", json={**body, "estate_id": "nope", "scope_id": "x"}, headers=cast.headers("clerk"))
    assert r.status_code == 422
    r = await api.post("/cases/fund-emergency", json={**body, "scope_id": f"{cast.estate_id}-b1"}, headers=cast.headers("agency"))
    assert r.status_code == 403
    r = await api.post("/cases/fund-emergency", json={**body, "scope_id": f"{cast.estate_id}-b1"}, headers=cast.headers("other_street"))
    assert r.status_code == 403
    r = await api.post("/cases/fund-emergency", json={**body, "scope_id": f"{cast.estate_id}-b1"}, headers=cast.headers("clerk"))
    assert r.status_code == 201
    assert r.json()["facts"]["households"] == 12  # one building: 2 units × 3 floors × 2 rooms


async def test_one_idempotency_key_decides_once_and_starts_once(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = FundCaseDriver(api, cast)
    first = (await drv.start(key="start-key-1")).json()
    again = (await drv.start(key="start-key-1", expect=200)).json()  # a repeated start answers 200
    assert first["id"] == again["id"]
    listed = (await api.get("/cases", params={"estate_id": cast.estate_id}, headers=cast.headers("bureau"))).json()
    assert listed["total"] == 1

    r1 = await drv.decide("owner_rep", "onsite_verification", "confirm", key="decide-key-1")
    task_id = r1.json()["open_tasks"][0]["id"]
    r2 = await api.post(
        f"/cases/{drv.case_id}/tasks/{task_id}/decisions", json={"decision": "confirm"},
        headers=cast.headers("owner_rep", "decide-key-1"),
    )
    assert r2.status_code == 200
    timeline = (await api.get(f"/cases/{drv.case_id}/timeline", headers=cast.headers("bureau"))).json()
    confirms = [e for e in timeline if e["kind"] == "decision" and e["decision"]["code"] == "confirm"]
    assert len(confirms) == 1


async def test_case_list_and_inbox_respect_jurisdiction(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = FundCaseDriver(api, cast)
    await drv.start()
    mine = (await api.get("/cases", params={"estate_id": cast.estate_id, "kind": "fund-emergency"}, headers=cast.headers("street"))).json()
    assert [c["id"] for c in mine["items"]] == [drv.case_id]
    assert mine["items"][0]["kind"]["label"] == "维修资金应急使用"
    other = (await api.get("/cases", params={"estate_id": cast.estate_id}, headers=cast.headers("other_street"))).json()
    assert other["total"] == 0
    company = (await api.get("/cases", params={"estate_id": cast.estate_id}, headers=cast.headers("company"))).json()
    assert company["total"] == 1
    inbox = await drv.inbox("owner_rep")
    assert any(i["case_id"] == drv.case_id and i["role"]["label"] == "业主代表" for i in inbox)


async def test_a_decision_on_a_task_that_was_already_decided_is_a_conflict(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = FundCaseDriver(api, cast)
    await drv.start()
    await drv.verify()
    r = await api.post(f"/cases/{drv.case_id}/tasks/t1/decisions", json={"decision": "confirm"}, headers=cast.headers("owner_rep"))
    assert r.status_code == 409 and "already done" in r.json()["detail"]
    r = await api.post(f"/cases/{drv.case_id}/tasks/t99/decisions", json={"decision": "confirm"}, headers=cast.headers("owner_rep"))
    assert r.status_code == 409
    assert (await drv.case())["step"]["code"] == "budget_submission"


async def test_request_id_is_echoed_and_made_when_missing(api: AsyncClient) -> None:
    r = await api.get("/health", headers={"X-Request-ID": "trace-42"})
    assert r.status_code == 200 and r.headers["x-request-id"] == "trace-42"
    r = await api.get("/cases/nope")  # an error answer carries it too
    assert r.status_code == 401 and len(r.headers["x-request-id"]) == 32
    assert r.headers["x-request-id"] != (await api.get("/health")).headers["x-request-id"]
