"""Tickets are read by those who work them: never by owners or committees, by the joint meeting and experts only where
they hold a task; the caller's contact never reaches the company complained about; a taken reference names no ticket."""

from __future__ import annotations

from datetime import timedelta

from domain.rules import TICKET
from tests.clock import skip_past
from tests.factories_election import owner_of
from tests.factories_tickets import PHONE, TicketDriver, create_ticket_cast
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment


async def test_owners_and_committees_never_read_a_ticket_through_any_route(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_ticket_cast(sessions, settings)
    drv = TicketDriver(api, cast)
    await drv.start("committee_conduct")  # a complaint about their own estate's committee
    await drv.decide("community", "acceptance", "sign")
    for who in ("owner", owner_of(cast, cast.households[0]), "owner_rep", "committee"):
        h = cast.headers(who)
        for path in (f"/cases/{drv.case_id}", f"/cases/{drv.case_id}/timeline", f"/tickets/{drv.case_id}/contact"):
            r = await api.get(path, headers=h)
            assert r.status_code == 404 and r.json()["type"] == "/problems/not-found", (who, path)
        r = await api.post(f"/tickets/{drv.case_id}/whistle", json={"department_id": "dept-police", "reason": "x"}, headers=h)
        assert r.status_code == 404, who
        r = await api.post(f"/cases/{drv.case_id}/tasks/t1/decisions", json={"decision": "sign"}, headers=h)
        assert r.status_code == 404, who
        listed = (await api.get("/cases", params={"estate_id": cast.estate_id}, headers=h)).json()
        assert listed["total"] == 0 and listed["items"] == [], who
        assert (await api.get("/tickets", headers=h)).status_code == 403, who
    assert (await api.get(f"/cases/{drv.case_id}", headers=cast.headers("community"))).status_code == 200


async def test_the_joint_meeting_and_experts_read_only_the_tickets_they_hold_a_task_in(
    api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings,
) -> None:
    cast = await create_ticket_cast(sessions, settings)
    quiet, whistled = TicketDriver(api, cast), TicketDriver(api, cast)
    await quiet.start("parking")
    await whistled.start("committee_conduct")
    await whistled.decide("community", "acceptance", "sign")
    r = await api.post(f"/tickets/{whistled.case_id}/whistle", json={"department_id": "dept-police", "reason": "业委会换届现场有人堵门"},
                       headers=cast.headers("community"))
    assert r.status_code == 200, r.text
    for drv in (quiet, whistled):
        for who in ("joint", "expert-003"):
            assert (await api.get(f"/cases/{drv.case_id}", headers=cast.headers(who))).status_code == 404, who
    # Nobody reports: the whistle climbs to the street, then to the joint meeting, which now holds a task.
    whistled_at = await env.get_current_time()
    await skip_past(env, whistled_at + TICKET.whistle_report_period + TICKET.whistle_street_period + timedelta(minutes=1))
    await whistled.wait_for(open_task="whistle_joint_meeting")
    assert (await api.get(f"/cases/{whistled.case_id}", headers=cast.headers("joint"))).status_code == 200
    assert (await api.get(f"/cases/{quiet.case_id}", headers=cast.headers("joint"))).status_code == 404
    listed = (await api.get("/cases", params={"estate_id": cast.estate_id}, headers=cast.headers("joint"))).json()
    assert [c["id"] for c in listed["items"]] == [whistled.case_id]
    assert [i["id"] for i in (await whistled.ledger(who="joint"))["items"]] == [whistled.case_id]
    assert any(i["case_id"] == whistled.case_id for i in (await api.get("/inbox", headers=cast.headers("joint"))).json())
    assert (await api.get(f"/cases/{whistled.case_id}", headers=cast.headers("expert-003"))).status_code == 404


async def test_the_caller_of_a_complaint_about_the_company_stays_unknown_to_it(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_ticket_cast(sessions, settings)
    drv = TicketDriver(api, cast)
    case = (await drv.start("service_quality")).json()
    assert case["facts"]["lead_unit"]["id"] == cast.company_id
    await drv.decide("company", "acceptance", "sign")  # the company handles the complaint about itself…
    assert (await api.get(f"/cases/{drv.case_id}", headers=cast.headers("company"))).status_code == 200
    r = await api.get(f"/tickets/{drv.case_id}/contact", headers=cast.headers("company"))
    assert r.status_code == 403 and PHONE not in r.text  # …without learning who complained
    assert (await api.get(f"/tickets/{drv.case_id}/contact", headers=cast.headers("dispatcher"))).json()["phone"] == PHONE
    assert (await api.get(f"/tickets/{drv.case_id}/contact", headers=cast.headers("other_company"))).status_code == 404


async def test_a_reference_taken_in_another_street_does_not_name_its_ticket(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_ticket_cast(sessions, settings)
    drv = TicketDriver(api, cast)
    await drv.start("parking", ref="12345-SHARED-0001")
    body = {**drv.body("parking", "12345-SHARED-0001"), "estate_id": "wangfu-fuhua"}
    r = await api.post("/tickets", json=body, headers=cast.headers("other_street"))
    assert r.status_code == 409 and r.json()["type"] == "/problems/conflict"
    assert drv.case_id not in r.text and cast.estate_id not in r.text
    # The street the ticket belongs to gets the ticket itself.
    r = await api.post("/tickets", json=drv.body("parking", "12345-SHARED-0001"), headers=cast.headers("street"))
    assert r.status_code == 200 and r.json()["id"] == drv.case_id
