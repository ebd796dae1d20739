"""The election API refuses what it must: wrong role or jurisdiction (403), a second ballot (409, and the
database too), bad batches all-or-nothing with per-line errors, invalid groups and committee sizes (422)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from db.models import AuditEntry, Ballot
from db.repositories import election as election_repo
from domain.access import Level, Role
from tests.factories import create_test_estate, make_actor
from tests.factories_election import PATH, ElectionDriver, auth, group_members, owner_of, sitting_committee
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment


async def test_wrong_role_is_refused_with_403_and_another_jurisdiction_with_404(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = ElectionDriver(api, cast, sessions)
    body = {"estate_id": cast.estate_id, "kind": "re_election"}
    assert (await api.post(PATH, json=body, headers=cast.headers("other_street"))).status_code == 403
    assert (await api.post(PATH, json=body, headers=cast.headers("owner"))).status_code == 403
    await drv.start()
    task = await drv.open_task("group_formation")
    url = f"/cases/{drv.case_id}/tasks/{task['id']}/decisions"
    data = {"decision": "submit", "data": {"members": group_members(cast), "seats": 5}}
    r = await api.post(url, json=data, headers=cast.headers("community"))
    assert r.status_code == 403 and r.json()["type"] == "/problems/forbidden"
    # Another street's office cannot read the case: its id answers as an unknown one.
    assert (await api.post(url, json=data, headers=cast.headers("other_street"))).status_code == 404

    await drv.form_group()
    names = await drv.names()
    nomination = {"household_id": cast.households[0], "name": names[cast.households[0]], "channel": "party_org"}
    nominations = f"{PATH}/{drv.case_id}/nominations"
    # An owner cannot nominate through the Party organisation, nor for someone else's unit as "self".
    r = await api.post(nominations, json=nomination, headers=auth(cast, owner_of(cast, cast.households[1])))
    assert r.status_code == 403
    r = await api.post(nominations, json={**nomination, "channel": "self"}, headers=auth(cast, owner_of(cast, cast.households[1])))
    assert r.status_code == 403
    other_community = make_actor(Role.COMMUNITY, Level.COMMUNITY, "wangfu-c1")
    assert (await api.post(nominations, json=nomination, headers=auth(cast, other_community))).status_code == 404
    r = await api.post(nominations, json={**nomination, "channel": "self"}, headers=auth(cast, owner_of(cast, cast.households[0])))
    assert r.status_code == 200
    r = await api.post(nominations, json=nomination, headers=cast.headers("community"))
    assert r.status_code == 409 and "already nominated" in r.json()["detail"]

    await drv.nominate(5, first=1)
    await drv.close_nominations(env)
    r = await api.post(nominations, json={**nomination, "household_id": cast.households[9], "name": names[cast.households[9]]},
                       headers=cast.headers("community"))
    assert r.status_code == 409
    await drv.review()
    await drv.end_notice(env)
    line = [{"household_id": cast.households[0], "choices": ["c1"]}]
    r = await api.post(f"{PATH}/{drv.case_id}/ballots/paper", json={"ballots": line}, headers=cast.headers("owner"))
    assert r.status_code == 403
    stranger = make_actor(Role.CLERK, Level.STREET, "wangfu")
    assert (await api.post(f"{PATH}/{drv.case_id}/ballots/paper", json={"ballots": line}, headers=auth(cast, stranger))).status_code == 404
    r = await api.post(f"{PATH}/{drv.case_id}/ballots/electronic", headers=auth(cast, owner_of(cast, cast.households[0])),
                       json={"choices": ["c1"], "household_ids": [cast.households[1]]})
    assert r.status_code == 403
    # A neighbour may not read someone else's ballot; an owner may not recount.
    r = await api.get(f"{PATH}/{drv.case_id}/ballots/{cast.households[0]}", headers=auth(cast, owner_of(cast, cast.households[1])))
    assert r.status_code == 403
    assert (await api.get(f"{PATH}/{drv.case_id}/tally/1/recount", headers=cast.headers("owner"))).status_code == 403
    async with sessions() as s:
        refused = await s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.case_id == drv.case_id, AuditEntry.kind == "rejected"))
    assert refused >= 3


async def test_a_second_ballot_for_a_unit_is_refused_by_the_api_and_by_the_database(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = ElectionDriver(api, cast, sessions)
    await drv.start()
    ids = await drv.to_voting(env)
    h = cast.households
    await drv.paper([{"household_id": h[0], "choices": ids[:5]}], key="batch-1")
    # A retry of the same request (same Idempotency-Key) answers with the first receipts and stores nothing.
    r = await drv.paper([{"household_id": h[0], "choices": ids[:5]}], key="batch-1")
    assert r.json()["repeated"] is True and r.json()["accepted"] == 1
    r = await drv.paper([{"household_id": h[0], "choices": ["c2"]}], expect=409)
    assert r.json()["type"] == "/problems/conflict" and r.json()["errors"][0]["code"] == "already_voted"
    r = await api.post(f"{PATH}/{drv.case_id}/ballots/electronic", headers=auth(cast, owner_of(cast, h[0])), json={"choices": ["c1"]})
    assert r.status_code == 409
    # A bad batch stores nothing and names every bad line.
    lines = [{"household_id": h[1], "choices": ["c1"]}, {"household_id": h[2], "choices": ["c9"]},
             {"household_id": "not-a-unit", "choices": []}, {"household_id": h[1], "choices": []}]
    r = await drv.paper(lines, expect=409)
    assert [(e["line"], e["code"]) for e in r.json()["errors"]] == [(1, "unknown_candidate"), (2, "not_on_roll"), (3, "twice_in_batch")]
    r = await drv.paper(lines[1:3], expect=422)
    # At most three proxies per owner (潍坊 Art. 32).
    proxied = [{"household_id": h[i], "choices": ["c1"], "proxy_owner_key": h[10]} for i in range(3, 7)]
    r = await drv.paper(proxied, expect=422)
    assert [e["code"] for e in r.json()["errors"]] == ["proxy_limit"]
    await drv.paper(proxied[:3])
    async with sessions() as s:
        election = await election_repo.election(s, f"{drv.case_id}:1")
        assert await election_repo.ballot_count(s, election.id) == 4
        with pytest.raises(IntegrityError):
            await s.execute(insert(Ballot).values(
                election_id=election.id, household_id=h[0], owner_key=h[0], choices=["c1"], channel="paper",
                entered_by="direct", cast_at=datetime.now(UTC), receipt="x",
            ))
        await s.rollback()


async def test_invalid_groups_committee_sizes_and_premature_first_elections_get_422(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    drv = ElectionDriver(api, cast, sessions)
    r = await drv.start(kind="first", delivered_area_percent=40, delivered_owners_percent=30, months_since_first_delivery=12, expect=422)
    assert "山东 Art. 20" in r.json()["detail"]
    await drv.start(kind="first", expect=422)  # the delivery facts are required
    await drv.start()
    six = group_members(cast, owners=3, size=6)
    r = await drv.decide("street", "group_formation", "submit", {"members": six, "seats": 5}, expect=422)
    assert any("at least 7" in e["msg"] for e in r.json()["errors"])
    r = await drv.decide("street", "group_formation", "submit", {"members": group_members(cast), "seats": 6}, expect=422)
    assert r.json()["errors"][0]["loc"] == ["data", "seats"]
    r = await api.put(f"/owners-committees/{cast.estate_id}", headers=cast.headers("street"), json=await sitting_committee(sessions, cast, 6))
    assert r.status_code == 422 and "odd" in r.json()["detail"]
    r = await api.post(f"{PATH}/{drv.case_id}/ballots/paper", json={"ballots": "x"}, headers=cast.headers("clerk"))
    assert r.status_code == 422
    r = await api.get(f"{PATH}/{drv.case_id}/tally/1/recount", headers=auth(cast, make_actor(Role.AUDITOR, Level.CITY)))
    assert r.status_code == 404
