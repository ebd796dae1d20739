"""The ticket API: one ticket per external reference, refusals, the routing table, the ledger, personal data."""

from __future__ import annotations

import base64
import csv
import io
import json
import logging
from typing import Any

import pytest
from sqlalchemy import func, select, text

from db.models import AuditEntry, CaseRecord, Ticket
from domain.access import Level, Role
from tests.factories import make_actor
from tests.factories_tickets import PHONE, TicketDriver, create_ticket_cast
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment


async def test_the_same_external_reference_twice_is_one_ticket(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_ticket_cast(sessions, settings)
    drv = TicketDriver(api, cast)
    first = (await drv.start("parking", ref="12345-DUP-0001")).json()
    again = (await drv.start("parking", ref="12345-DUP-0001", expect=200)).json()
    by_clerk = (await drv.start("parking", ref="12345-DUP-0001", who="clerk", expect=200)).json()
    assert first["id"] == again["id"] == by_clerk["id"]
    other_channel = TicketDriver(api, cast)
    r = await api.post("/tickets", json={**other_channel.body("parking", "12345-DUP-0001"), "channel": "petition"}, headers=cast.headers("dispatcher"))
    assert r.status_code == 201 and r.json()["id"] != first["id"]  # another channel's numbering
    async with sessions() as s:
        count = await s.scalar(select(func.count()).select_from(Ticket).where(Ticket.external_ref == "12345-DUP-0001"))
    assert count == 2
    # An intake from a street that cannot see the ticket is told it exists, not given it.
    r = await api.post("/tickets", json=drv.body("parking", "12345-DUP-0001"), headers=cast.headers("other_street"))
    assert r.status_code == 403  # the estate is outside that street anyway


async def test_intake_refuses_wrong_role_jurisdiction_and_bad_input(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_ticket_cast(sessions, settings)
    drv = TicketDriver(api, cast)
    body = drv.body("parking")
    assert (await api.post("/tickets", json=body, headers=cast.headers("company"))).status_code == 403
    assert (await api.post("/tickets", json=body, headers=cast.headers("other_street"))).status_code == 403
    assert (await api.post("/tickets", json=body)).status_code == 401
    for bad in (
        {**body, "category": "meteor"}, {**body, "estate_id": "nope"}, {**body, "channel": "fax"},
        {**body, "contact": {"name": "张", "phone": "call me"}}, {**body, "external_ref": "has space"},
        {k: v for k, v in body.items() if k != "contact"},
    ):
        r = await api.post("/tickets", json=bad, headers=cast.headers("dispatcher"))
        assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", r.text
    r = await api.post("/tickets", content=b"{", headers={**cast.headers("dispatcher"), "Content-Type": "application/json"})
    assert r.status_code == 422
    r = await api.post("/tickets", json=body, headers=cast.headers("community"))
    assert r.status_code == 201  # the community officer takes walk-ins


async def test_wrong_role_or_jurisdiction_cannot_decide(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_ticket_cast(sessions, settings)
    drv = TicketDriver(api, cast)
    await drv.start("illegal_construction")
    for who in ("company", "street", "dept-police", "dispatcher"):
        r = await drv.decide(who, "acceptance", "sign", expect=403)
        assert r.json()["type"] == "/problems/forbidden"
    await drv.decide("dept-enforcement", "acceptance", "approve", expect=422)
    company_ticket = TicketDriver(api, cast)
    await company_ticket.start("service_quality")
    await company_ticket.decide("other_company", "acceptance", "sign", expect=403)
    street_ticket = TicketDriver(api, cast)
    await street_ticket.start("property_dispute")
    await street_ticket.decide("other_street", "acceptance", "sign", expect=403)
    r = await api.get(f"/cases/{drv.case_id}", headers=cast.headers("dept-police"))
    assert r.status_code == 403  # a department sees only the tickets it handles
    assert (await api.get(f"/cases/{drv.case_id}", headers=cast.headers("dept-enforcement"))).status_code == 200


async def test_the_routing_table_is_edited_by_an_administrator_without_code(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_ticket_cast(sessions, settings)
    routes = (await api.get("/routing", headers=cast.headers("dispatcher"))).json()
    assert {"illegal_construction", "service_quality"} <= {r["category"] for r in routes}
    depts = (await api.get("/departments", headers=cast.headers("dispatcher"))).json()
    assert {"dept-police", "dept-enforcement"} <= {d["id"] for d in depts}
    new = {"label": "高空抛物", "lead": {"kind": "department", "id": "dept-police"}, "co_handlers": [{"kind": "community"}], "basis": "附件2 二.5"}
    assert (await api.put("/routing/falling_objects", json=new, headers=cast.headers("dispatcher"))).status_code == 403
    bad = {**new, "lead": {"kind": "department", "id": "dept-nope"}}
    assert (await api.put("/routing/falling_objects", json=bad, headers=cast.headers("admin"))).status_code == 422
    bad = {**new, "lead": {"kind": "street", "id": "wangfu"}}
    assert (await api.put("/routing/falling_objects", json=bad, headers=cast.headers("admin"))).status_code == 422
    assert (await api.put("/routing/Bad-Name", json=new, headers=cast.headers("admin"))).status_code == 422
    r = await api.put("/routing/falling_objects", json=new, headers=cast.headers("admin"))
    assert r.status_code == 200 and r.json()["lead_label"] == "职能部门"
    drv = TicketDriver(api, cast)
    case = (await drv.start("falling_objects")).json()
    assert case["facts"]["lead_unit"]["id"] == "dept-police" and case["facts"]["co_handlers"][0]["id"] == "yidu-c1"
    assert (await api.delete("/routing/falling_objects", headers=cast.headers("admin"))).status_code == 204
    assert (await api.delete("/routing/falling_objects", headers=cast.headers("admin"))).status_code == 404
    r = await api.post("/tickets", json=drv.body("falling_objects"), headers=cast.headers("dispatcher"))
    assert r.status_code == 422


async def test_ledger_filters_and_csv_export_without_personal_data(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_ticket_cast(sessions, settings)
    a, b = TicketDriver(api, cast), TicketDriver(api, cast)
    await a.start("parking")
    await b.start("service_quality")
    await b.decide("company", "acceptance", "sign")
    assert (await a.ledger())["total"] == 2
    assert [i["id"] for i in (await a.ledger(category="parking"))["items"]] == [a.case_id]
    assert [i["id"] for i in (await a.ledger(unit_id="co-yuejia"))["items"]] == [b.case_id]
    assert (await a.ledger(status="completed"))["total"] == 0
    assert (await a.ledger(street_id="yidu", community_id="yidu-c1"))["total"] == 2
    assert (await a.ledger(who="other_street"))["total"] == 0
    assert [i["id"] for i in (await a.ledger(who="company"))["items"]] == [b.case_id]  # a company sees what it handles
    today = (await a.ledger())["items"][0]["created_at"][:10]
    assert (await a.ledger(created_from="2000-01-01", created_to="2000-01-02"))["total"] == 0
    assert (await a.ledger(created_from=today))["total"] >= 1
    r = await api.get("/tickets", params={"card": "purple"}, headers=cast.headers("dispatcher"))
    assert r.status_code == 422
    r = await api.get("/tickets/export.csv", params={"estate_id": cast.estate_id}, headers=cast.headers("dispatcher"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert rows[0][:4] == ["工单编号", "来源渠道", "来源编号", "类别"] and len(rows) == 3
    assert {row[3] for row in rows[1:]} == {"停车管理", "物业服务质量"}
    assert PHONE not in r.text and "张女士" not in r.text


async def test_the_contact_is_for_the_centre_and_the_lead_unit_only(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_ticket_cast(sessions, settings)
    drv = TicketDriver(api, cast)
    await drv.start("parking")
    url = f"/tickets/{drv.case_id}/contact"
    r = await api.get(url, headers=cast.headers("dispatcher"))
    assert r.status_code == 200 and r.json()["phone"] == PHONE
    assert (await api.get(url, headers=cast.headers("dept-police"))).json()["name"] == "张女士"
    for who in ("dept-enforcement", "company", "street", "bureau"):
        assert (await api.get(url, headers=cast.headers(who))).status_code == 403
    assert (await api.get("/tickets/nope/contact", headers=cast.headers("dispatcher"))).status_code == 404


def decoded_payloads(node: Any) -> str:
    """Every payload in a history, decoded (the JSON form keeps them base64-encoded)."""
    if isinstance(node, dict):
        parts = [decoded_payloads(v) for k, v in node.items() if k != "data"]
        if isinstance(node.get("data"), str):
            parts.append(base64.b64decode(node["data"]).decode("utf-8", errors="replace"))
        return "\n".join(parts)
    if isinstance(node, list):
        return "\n".join(decoded_payloads(v) for v in node)
    return str(node)


async def test_personal_data_stays_out_of_temporal_the_read_models_and_the_logs(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    cast = await create_ticket_cast(sessions, settings)
    drv = TicketDriver(api, cast)
    with caplog.at_level(logging.DEBUG):
        await drv.start("parking")
        await drv.decide("dept-police", "acceptance", "sign")
        await api.get(f"/tickets/{drv.case_id}/contact", headers=cast.headers("dispatcher"))
    assert PHONE not in caplog.text and "张女士" not in caplog.text
    handle = env.client.get_workflow_handle(drv.case_id)
    description = await handle.describe()
    assert PHONE not in str(description.typed_search_attributes) and PHONE not in str(description.memo)
    history = decoded_payloads((await handle.fetch_history()).to_json_dict())
    assert drv.case_id in history and "停车管理" in history and PHONE not in history and "张女士" not in history
    async with sessions() as s:
        case = await s.get(CaseRecord, drv.case_id)
        assert PHONE not in case.title and PHONE not in json.dumps(case.snapshot, ensure_ascii=False)
        audit = (await s.scalars(select(AuditEntry).where(AuditEntry.case_id == drv.case_id))).all()
        assert all(PHONE not in json.dumps(e.data, ensure_ascii=False) for e in audit)
        row = (await s.execute(text("SELECT * FROM tickets WHERE id = :id"), {"id": drv.case_id})).one()
        assert PHONE not in str(tuple(row))


async def test_owners_have_no_ledger_even_on_their_own_estate(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_ticket_cast(sessions, settings)
    drv = TicketDriver(api, cast)
    await drv.start("parking")
    for who, role in (("owner", Role.OWNER), ("owner_rep", Role.OWNER_REP), ("committee", Role.OWNERS_COMMITTEE)):
        cast.actors[who] = make_actor(role, Level.ESTATE, cast.estate_id)
        for url in ("/tickets", "/tickets/export.csv"):
            r = await api.get(url, params={"estate_id": cast.estate_id}, headers=cast.headers(who))
            assert r.status_code == 403, (who, url)
    # The roles that work tickets keep their ledger.
    for who in ("dispatcher", "street", "community", "bureau", "admin"):
        assert (await drv.ledger(who=who))["total"] == 1, who
