"""Registering a sitting committee (PUT /owners-committees/{estate}): owners of the estate by unit, a reason and a
document in the estate's registry audit chain, and an elected committee never replaced without naming its election."""

from __future__ import annotations

from datetime import UTC, datetime

from db.repositories import audit as audit_repo
from db.repositories import committee as committee_repo
from domain.audit import committee_chain
from tests.factories import create_test_estate
from tests.factories_election import sitting_committee
from tests.fixture_types import AsyncClient, Sessions, Settings


async def test_members_are_owners_of_the_estate_named_by_their_units(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    other = await create_test_estate(sessions, settings)
    url = f"/owners-committees/{cast.estate_id}"
    body = await sitting_committee(sessions, cast)
    stranger = {**body["members"][0], "household_id": other.households[0]}
    misnamed = {**body["members"][1], "name": "冒名委员"}
    twice = body["members"][0]
    for members, loc in (
        ([stranger, *body["members"][1:]], ["body", "members", "0", "household_id"]),
        ([body["members"][0], misnamed, *body["members"][2:]], ["body", "members", "1", "name"]),
        ([*body["members"][:4], twice], ["body", "members", "4", "household_id"]),
    ):
        r = await api.put(url, json={**body, "members": members}, headers=cast.headers("street"))
        assert r.status_code == 422 and [e["loc"] for e in r.json()["errors"]] == [loc], r.text
    unnamed = [{"name": m["name"]} for m in body["members"]]
    assert (await api.put(url, json={**body, "members": unnamed}, headers=cast.headers("street"))).status_code == 422
    registry = (await api.get(url, headers=cast.headers("street"))).json()
    assert registry["body"]["code"] == "none" and registry["members"] == []


async def test_a_registration_states_its_reason_and_document_in_the_estates_audit_chain(
    api: AsyncClient, sessions: Sessions, settings: Settings,
) -> None:
    cast = await create_test_estate(sessions, settings)
    url = f"/owners-committees/{cast.estate_id}"
    body = await sitting_committee(sessions, cast)
    for missing in ("reason", "document_ref"):
        r = await api.put(url, json={k: v for k, v in body.items() if k != missing}, headers=cast.headers("street"))
        assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", missing]
    r = await api.put(url, json=body, headers=cast.headers("street"))
    assert r.status_code == 200, r.text
    street = cast.actors["street"]
    async with sessions() as s:
        entries = await audit_repo.timeline(s, committee_chain(cast.estate_id))
        count, broken = await audit_repo.check_chain(s, committee_chain(cast.estate_id))
    assert [(e.kind, e.actor_subject, e.comment, e.data["document_ref"]) for e in entries] == [
        ("registration", street.subject, body["reason"], body["document_ref"])]
    assert [m["household_id"] for m in entries[0].data["members"]] == cast.households[:5]
    assert entries[0].data["replaced"]["body"]["code"] == "none" and count == 1 and broken is None


async def test_an_elected_committee_is_replaced_only_by_naming_its_election(api: AsyncClient, sessions: Sessions, settings: Settings) -> None:
    cast = await create_test_estate(sessions, settings)
    url = f"/owners-committees/{cast.estate_id}"
    elected_case = f"owners-election-{cast.estate_id}-20260101-1"
    elected = [{"name": "当选委员", "household_id": h} for h in cast.households[5:10]]
    async with sessions() as s:
        await committee_repo.record_committee(
            s, estate_id=cast.estate_id, members=elected, seats=5, term_start=datetime(2026, 1, 10, tzinfo=UTC),
            term_end=datetime(2031, 1, 10, tzinfo=UTC), case_id=elected_case, at=datetime.now(UTC),
        )
        await s.commit()
    body = await sitting_committee(sessions, cast)
    for replaces in (None, "owners-election-some-other-1"):
        r = await api.put(url, json={**body, "replaces_elected_case": replaces}, headers=cast.headers("street"))
        assert r.status_code == 409 and elected_case in r.json()["detail"], r.text
    registry = (await api.get(url, headers=cast.headers("street"))).json()
    assert registry["elected_case_id"] == elected_case and registry["members"] == elected
    r = await api.put(url, json={**body, "replaces_elected_case": elected_case, "reason": "原业委会集体辞职，街道依备案材料更正"},
                      headers=cast.headers("street"))
    assert r.status_code == 200 and r.json()["elected_case_id"] is None
    async with sessions() as s:
        entry = (await audit_repo.timeline(s, committee_chain(cast.estate_id)))[-1]
    assert entry.data["replaced"]["elected_case_id"] == elected_case and entry.data["replaced"]["members"] == elected
