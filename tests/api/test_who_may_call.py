"""Each route declares who may call it: the wrong caller gets the 403 problem with its reason, before anything else."""

from __future__ import annotations

from httpx import AsyncClient

from api.auth import issue_token
from core.settings import Settings
from domain.access import Level, Role
from tests.factories import create_test_estate, make_actor
from tests.fixture_types import Sessions


def _as(settings: Settings, role: Role, level: Level, jid: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(settings, make_actor(role, level, jid))}"}


async def test_the_wrong_caller_gets_the_routes_403_problem(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    household = cast.households[0]
    dispatcher_of_a_street = _as(settings, Role.DISPATCHER, Level.STREET, "yidu")
    refusals = [
        # The dependency answers before the body is read: a malformed body changes nothing.
        (api.put("/routing/falling_objects", json={"lead": "x"}, headers=_as(settings, Role.DISPATCHER, Level.CITY)),
         "only an administrator edits the routing table"),
        (api.delete("/routing/falling_objects", headers=cast.headers("clerk")), "only an administrator edits the routing table"),
        (api.post(f"/households/{household}/fund/deposits", json={"amount_fen": 1}, headers=cast.headers("committee")),
         "deposits are recorded by the housing bureau (fund authority)"),
        (api.get("/tickets", headers=cast.headers("owner")), "your role has no access to the ticket ledger"),
        (api.get("/tickets/export.csv", headers=cast.headers("owner")), "your role has no access to the ticket ledger"),
        (api.get("/experts", headers=cast.headers("company")), "the expert pool is open to the housing bureau and auditors only"),
        (api.get("/reports/tickets/monthly/2026-01", headers=cast.headers("owner")), "the report is for city, street and company users"),
        (api.post("/reports/tickets/monthly/2026-01", headers=dispatcher_of_a_street),
         "only the city's administrator, hotline centre or housing bureau runs a report by hand"),
        (api.get("/audit/cases", headers=cast.headers("bureau")), "the audit endpoints are for auditors"),
        (api.post("/cases/tender/any/bids", json={"price_fen_per_m2": 120, "plan": "方案"}, headers=cast.headers("clerk")),
         "only a property company's user can bid"),
        (api.post("/cases/tender/any/bids", json={}, headers=_as(settings, Role.PROPERTY_COMPANY, Level.ESTATE, cast.estate_id)),
         "only a property company's user can bid"),
        (api.post("/cases/owners-election/any/ballots/paper", json={"ballots": []}, headers=cast.headers("owner")),
         "written ballots are entered by the street office's clerks"),
        (api.post("/cases/owners-election/any/ballots/electronic", json={"choices": ["c1"]}, headers=cast.headers("clerk")),
         "an electronic ballot is cast by the owner in person"),
        (api.get("/cases/owners-election/any/tally/1/recount", headers=cast.headers("clerk")),
         "recounts are for auditors and the housing bureau"),
        (api.put(f"/owners-committees/{cast.estate_id}", json={}, headers=cast.headers("community")),
         "the committee registry is kept by the street office"),
    ]
    for request, detail in refusals:
        r = await request
        assert r.status_code == 403, (r.request.method, r.request.url.path, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["type"] == "/problems/forbidden" and r.json()["detail"] == detail, r.json()

    # The right caller passes the same dependency and reaches the handler (here: its 404 for an unknown route).
    r = await api.delete("/routing/no_such_category", headers=_as(settings, Role.ADMIN, Level.CITY))
    assert r.status_code == 404 and r.json()["type"] == "/problems/not-found"
    r = await api.get("/tickets", headers=dispatcher_of_a_street)
    assert r.status_code == 200
    assert (await api.get("/openapi.json")).status_code == 200
