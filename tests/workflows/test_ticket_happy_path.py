"""A ticket from intake to closure: routed by the duty list, accepted, replied, a satisfied call, closed."""

from __future__ import annotations

from tests.factories_tickets import TicketDriver, create_ticket_cast
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment
from tests.golden_recorder import keep_golden


async def test_intake_routes_accept_reply_satisfied_closes(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    cast = await create_ticket_cast(sessions, settings)
    drv = TicketDriver(api, cast)
    case = (await drv.start("illegal_construction")).json()
    assert case["kind"]["label"] == "矛盾纠纷工单"
    assert case["step"]["code"] == "acceptance"
    task = case["open_tasks"][0]
    assert [r["code"] for r in task["candidate_roles"]] == ["department"]
    assert {d["label"] for d in task["decisions"]} == {"签收", "退回"}
    assert case["facts"]["lead_unit"]["id"] == "dept-enforcement"

    await drv.decide("dept-enforcement", "acceptance", "sign")
    r = await drv.decide("dept-enforcement", "handling", "answer", comment="已责令当事人限期拆除，现已拆除")
    assert r.json()["step"]["code"] == "callback"
    r = await drv.decide("dispatcher", "callback", "satisfied", data={"reached": True})
    body = r.json()
    assert body["status"]["code"] == "completed" and body["step"]["label"] == "销号"
    assert body["facts"]["closure"] == "satisfied"
    ledger = await drv.ledger()
    assert ledger["total"] == 1
    line = ledger["items"][0]
    assert line["status"]["code"] == "completed" and line["closure"]["label"] == "满意销号"
    assert line["lead_unit"]["name"] == "行政执法局"
    await keep_golden(env.client, drv.case_id, "ticket-satisfied")
