"""潍坊12345条例 Art. 26 (2) by time skipping: an overdue ticket is put under supervision by its unit's supervisor.

The street office supervises a property company or a community, the hotline centre a department or
a street. Until the last instant of the handling period nothing happens; at its end the card turns red
and the supervisor gets the order to issue, while the unit goes on handling the ticket.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.clock import skip_past, skip_to, wait_until
from tests.driver import Json
from tests.factories_tickets import TicketDriver, create_ticket_cast
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment
from tests.golden_recorder import keep_golden


async def supervision_task(drv: TicketDriver) -> Json | None:
    tasks = await drv.tasks("overdue_supervision")
    return tasks[0] if tasks else None


async def test_an_overdue_company_ticket_is_supervised_by_the_street_office(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    cast = await create_ticket_cast(sessions, settings)
    drv = TicketDriver(api, cast)
    await drv.start("service_quality")
    handling = (await drv.decide("company", "acceptance", "sign")).json()["open_tasks"][0]
    due = datetime.fromisoformat(handling["due_at"])

    # The last instant of the 5th working day: still in time, nobody supervises it.
    await skip_to(env, due - timedelta(seconds=1))
    case = await drv.case()
    assert await supervision_task(drv) is None and not case["facts"]["supervised"] and case["facts"]["supervisions"] == []

    await skip_past(env, due)
    task = await wait_until(lambda: supervision_task(drv))
    assert [r["code"] for r in task["candidate_roles"]] == ["street_office"] and task["due_at"]
    assert (await drv.open_task("handling"))["card"]["code"] == "red"
    case = await drv.case()
    assert case["facts"]["supervised"] is True and case["step"]["code"] == "handling"
    record = case["facts"]["supervisions"][0]
    assert (record["cause"], record["cause_label"], record["supervisor"], record["round"]) == ("overdue", "逾期未办结", "street_office", 1)
    assert any(i["step"]["label"] == "逾期督办" for i in await drv.inbox("street"))

    async def supervised_line() -> Json | None:
        page = await drv.ledger(overdue=True)
        return page if page["total"] == 1 and page["items"][0]["supervised"] else None

    await wait_until(supervised_line)
    # The supervisor's order says what it orders; only the supervisor gives it.
    await drv.decide("company", task, "order", comment="限期办结", expect=403)
    await drv.decide("street", task, "order", expect=422)
    r = await drv.decide("street", task, "order", comment="责令三日内更换电梯配件并回复")
    record = r.json()["facts"]["supervisions"][0]
    assert record["outcome"] == "order" and record["order"] == "责令三日内更换电梯配件并回复" and record["decided_at"]
    assert [t["step"]["code"] for t in r.json()["open_tasks"]] == ["handling"]

    await drv.decide("company", "handling", "answer", comment="已更换配件")
    r = await drv.decide("dispatcher", "callback", "satisfied")
    assert r.json()["status"]["code"] == "completed"
    timeline = await drv.timeline()
    assert any(e["step"]["code"] == "overdue_supervision" and e["kind"] == "system" for e in timeline)
    await keep_golden(env.client, drv.case_id, "ticket-overdue-supervision")


async def test_an_overdue_department_ticket_goes_to_the_hotline_centre_and_a_reply_makes_the_order_moot(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    cast = await create_ticket_cast(sessions, settings)
    drv = TicketDriver(api, cast)
    await drv.start("illegal_construction")
    handling = (await drv.decide("dept-enforcement", "acceptance", "sign")).json()["open_tasks"][0]
    await skip_past(env, datetime.fromisoformat(handling["due_at"]))
    task = await wait_until(lambda: supervision_task(drv))
    assert [r["code"] for r in task["candidate_roles"]] == ["dispatcher"]
    # The department replies before the hotline centre has issued its order: the order is no longer needed.
    r = await drv.decide("dept-enforcement", "handling", "answer", comment="已责令拆除")
    assert r.json()["step"]["code"] == "callback"
    closed = next(t for t in r.json()["tasks"] if t["id"] == task["id"])
    assert closed["status"]["code"] == "cancelled"
    assert r.json()["facts"]["supervisions"][0]["outcome"] == "cancelled" and r.json()["facts"]["supervised"] is True
