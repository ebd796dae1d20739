"""Owners see candidates' names and outcomes, not others' registry findings or objectors' identities;
committee terms without a UTC offset are refused with 422."""

from __future__ import annotations

from datetime import UTC, datetime

from api.routes.election_view import public_facts
from db.repositories import election as election_repo
from domain.access import Level, Role
from domain.election_facts import ElectionFacts
from tests.factories import create_test_estate, make_actor
from tests.factories_election import PATH, STORED_FACTS, ElectionDriver, auth, owner_of
from tests.fixture_types import AsyncClient, Sessions, Settings, WorkflowEnvironment


async def test_owners_do_not_see_others_findings_or_objectors(api: AsyncClient, env: WorkflowEnvironment, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    h = cast.households
    async with sessions() as s:
        await election_repo.set_owner(s, household_id=h[1], owner_key=h[1], at=datetime.now(UTC), fee_arrears_fen=123_456)
        await s.commit()
    drv = ElectionDriver(api, cast, sessions)
    await drv.start()
    await drv.form_group(seats=5)
    await drv.nominate(6)
    await drv.close_nominations(env)
    await drv.review([{"candidate_id": "c2", "reason": "欠缴物业费，不符合候选人条件"}], party_member_justification="党员候选人因欠费未通过审查")
    objector = owner_of(cast, h[7])
    r = await api.post(f"{PATH}/{drv.case_id}/objections", headers=auth(cast, objector),
                       json={"kind": "vote_weight", "household_id": h[7], "text": "我户面积登记有误"})
    assert r.status_code == 200, r.text
    assert r.json()["facts"]["objections"][0]["by"] == h[7]  # the objector sees their own objection

    neighbour = await api.get(f"{PATH}/{drv.case_id}", headers=auth(cast, owner_of(cast, h[9])))
    assert neighbour.status_code == 200, neighbour.text
    facts = neighbour.json()["facts"]
    c2 = next(c for c in facts["candidates"] if c["id"] == "c2")
    assert c2["name"] and c2["status"] == "rejected" and "findings" not in c2 and "reason" not in c2
    assert "1234.56" not in neighbour.text
    assert facts["objections"][0]["text"] and not {"by", "name", "household_id"} & facts["objections"][0].keys()
    rep = await api.get(f"{PATH}/{drv.case_id}", headers=cast.headers("owner_rep"))
    assert "1234.56" not in rep.text and "by" not in rep.json()["facts"]["objections"][0]

    # The rejected candidate reads the reason and the findings; the street office sees everything.
    own = (await api.get(f"{PATH}/{drv.case_id}", headers=auth(cast, owner_of(cast, h[1])))).json()["facts"]
    mine = next(c for c in own["candidates"] if c["id"] == "c2")
    assert mine["reason"] == "欠缴物业费，不符合候选人条件" and any("1234.56" in f for f in mine["findings"])
    street = (await api.get(f"{PATH}/{drv.case_id}", headers=cast.headers("street"))).json()["facts"]
    assert street["objections"][0]["by"] == h[7] and any("1234.56" in f for f in street["candidates"][1]["findings"])


async def test_naive_committee_terms_get_422(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    url = f"/owners-committees/{cast.estate_id}"
    members = [{"name": f"委员{i}"} for i in range(5)]
    for start, end in [("2024-01-01T00:00:00", "2029-01-01T00:00:00"), ("2024-01-01T00:00:00+08:00", "2029-01-01T00:00:00")]:
        r = await api.put(url, headers=cast.headers("street"), json={"members": members, "term_start": start, "term_end": end})
        assert r.status_code == 422, r.text


def test_owners_read_no_others_findings_or_objectors_officials_read_all() -> None:
    facts = ElectionFacts.model_validate(STORED_FACTS)
    neighbour = make_actor(Role.OWNER, Level.ESTATE, "e1", subject="e1-109")
    out = public_facts(facts, neighbour, own_units={"e1-109"})
    assert {"findings", "reason", "nominated_by"}.isdisjoint(out["candidates"][1])
    assert out["candidates"][1]["name"] == "业主二" and out["candidates"][1]["status"] == "rejected"
    assert {"by", "name", "household_id"}.isdisjoint(out["objections"][0]) and out["objections"][0]["text"]
    candidate = make_actor(Role.OWNER, Level.ESTATE, "e1", subject="e1-102")
    assert public_facts(facts, candidate, own_units={"e1-102"})["candidates"][1]["reason"] == "欠缴物业费"
    objector = make_actor(Role.OWNER, Level.ESTATE, "e1", subject="e1-107")
    assert public_facts(facts, objector, own_units={"e1-107"})["objections"][0]["by"] == "e1-107"
    street = make_actor(Role.STREET_OFFICE, Level.STREET, "yidu")
    assert public_facts(facts, street, own_units=set()) == facts.model_dump(mode="json")
